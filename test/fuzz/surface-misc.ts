/**
 * The top of st (tensors, random numbers, threads), st.optim and st.signal under fuzzing.
 */
import fc from 'fast-check';
import * as st from '../../src/index.js';
import { badBool, badEnum, badInt, badNumber, badObject, badRange, badShape, badTypedArray, detachedTensor, hugeSize, junk, shortTensor } from './bad-values.js';
import type { Entry, Slot } from './harness.js';
import { arg, opt, options, t } from './slots.js';

const params = () => [
  { name: 'w', value: t([3, 2]), grad: t([3, 2], 2) },
  { name: 'b', value: t([2]), grad: t([2], 3) },
];
const badParams = fc.oneof(
  junk,
  fc.constantFrom<unknown>({}, [null], [{}], [{ name: 'w', value: 3, grad: 3 }]),
  fc.constant(null).map(() => [{ name: 'w', value: detachedTensor([3]), grad: st.zeros([3]) }]),
  fc.constant(null).map(() => [{ name: 'w', value: st.zeros([3]), grad: detachedTensor([3]) }]),
  fc.constant(null).map(() => [{ name: 'w', value: st.zeros([3]), grad: st.zeros([2]) }]),
  fc.constant(null).map(() => {
    const p = { name: 'w', value: st.zeros([3]), grad: st.zeros([3]) };
    return [p, p];
  }),
);
/** An optimizer's constructor and one step. */
function optimizer(make: (p: unknown, o: unknown) => { step(): void }, valid: Record<string, unknown>, slots: readonly Slot[]): Entry {
  return {
    args: () => [params(), { ...valid }],
    call: (p, o) => make(p, o).step(),
    slots: [arg(0, ['params'], badParams), options(1), ...slots],
    covers: ['step'],
  };
}
const lr = (required: boolean) => opt(1, 'lr', required ? fc.oneof(badRange(0, Infinity), fc.constant(undefined)) : badRange(0, Infinity));
const betas = [
  opt(1, 'beta1', badRange(0, 1, { high: true })), opt(1, 'beta2', badRange(0, 1, { high: true })),
  // PyTorch's name: an unknown option, refused rather than ignored.
  opt(1, 'betas', fc.constantFrom<unknown>([0.9, 0.999], [0.5, 0.9]), ['betas']),
];
const adamState = () => {
  const a = new st.optim.Adam(params(), { lr: 0.01 });
  a.step();
  return a.state();
};

/** st.optim: optimizers (constructor and step), schedules and clipping. */
export const optim: Record<string, Entry> = {
  SGD: optimizer((p, o) => new st.optim.SGD(p as never, o as never), { lr: 0.1, momentum: 0.9 }, [
    lr(true), opt(1, 'momentum', badRange(0, 1, { high: true })), opt(1, 'weightDecay', badRange(0, Infinity)), opt(1, 'nesterov', badBool),
    opt(1, 'dampening', badRange(0, 1)), opt(1, 'momentun', fc.constant(0.9), ['momentun']),
  ]),
  RMSProp: optimizer((p, o) => new st.optim.RMSProp(p as never, o as never), { lr: 0.01 }, [
    lr(true), opt(1, 'alpha', badRange(0, 1, { high: true })), opt(1, 'eps', badRange(0, Infinity, { low: true })), opt(1, 'momentum', badRange(0, 1, { high: true })),
    opt(1, 'weightDecay', badRange(0, Infinity)), opt(1, 'centered', badBool),
  ]),
  Adam: optimizer((p, o) => new st.optim.Adam(p as never, o as never), { lr: 0.001 }, [
    lr(false), ...betas, opt(1, 'eps', badRange(0, Infinity, { low: true })), opt(1, 'weightDecay', badRange(0, Infinity)),
  ]),
  AdamW: optimizer((p, o) => new st.optim.AdamW(p as never, o as never), { lr: 0.001 }, [
    lr(false), ...betas, opt(1, 'eps', badRange(0, Infinity, { low: true })), opt(1, 'weightDecay', badRange(0, Infinity)),
  ]),
  'Optimizer.loadState': {
    args: () => [adamState()],
    call: (state) => new st.optim.Adam(params(), { lr: 0.01 }).loadState(state as never),
    slots: [
      arg(0, ['state'], badObject), opt(0, 'type', badEnum(['Adam']), ['state', 'Adam']), opt(0, 'step', badInt(0)),
      opt(0, 'lr', badRange(0, Infinity)), opt(0, 'baseLr', badRange(0, Infinity, { low: true })),
      opt(0, 'params', fc.oneof(junk, fc.constantFrom<unknown>([], [null, null], [{}, {}])), ['params']),
    ],
  },
  StepLR: {
    args: () => [{ stepSize: 2, gamma: 0.5 }],
    call: (o) => new st.optim.StepLR(o as never).lrAt(3, 0.1),
    slots: [options(0), opt(0, 'stepSize', fc.oneof(badInt(1), fc.constant(undefined))), opt(0, 'gamma', badRange(0, Infinity, { low: true }))],
    covers: ['lrAt'],
  },
  ExponentialLR: {
    args: () => [{ gamma: 0.9 }],
    call: (o) => new st.optim.ExponentialLR(o as never).lrAt(3, 0.1),
    slots: [options(0), opt(0, 'gamma', fc.oneof(badRange(0, Infinity, { low: true }), fc.constant(undefined)))],
    covers: ['lrAt'],
  },
  CosineAnnealingLR: {
    args: () => [{ tMax: 10, etaMin: 0 }],
    call: (o) => new st.optim.CosineAnnealingLR(o as never).lrAt(3, 0.1),
    slots: [options(0), opt(0, 'tMax', fc.oneof(badInt(1), fc.constant(undefined))), opt(0, 'etaMin', badRange(0, Infinity))],
    covers: ['lrAt'],
  },
  LinearWarmup: {
    args: () => [{ warmupSteps: 3 }, undefined],
    call: (o, inner) => new st.optim.LinearWarmup(o as never, inner as never).lrAt(1, 0.1),
    slots: [
      options(0), opt(0, 'warmupSteps', fc.oneof(badInt(1), fc.constant(undefined))), opt(0, 'startFactor', badRange(0, 1, { low: true })),
      arg(1, ['inner', 'Schedule'], fc.oneof(junk, fc.constantFrom<unknown>({}, { lrAt: 1 }))),
    ],
    covers: ['lrAt'],
  },
  'Schedule.lrAt': {
    args: () => [3, 0.1],
    call: (step, base) => new st.optim.CosineAnnealingLR({ tMax: 10 }).lrAt(step as number, base as number),
    slots: [arg(0, ['t'], badInt(0)), arg(1, ['baseLr'], badRange(0, Infinity))],
  },
  'Schedule.step': {
    args: () => ['sgd'],
    call: (o) => new st.optim.StepLR({ stepSize: 2 }).step((o === 'sgd' ? new st.optim.SGD(params(), { lr: 0.1 }) : o) as never),
    slots: [arg(0, ['optimizer'], fc.oneof(junk, fc.constantFrom<unknown>({}, { baseLr: 0.1, lr: 0.1 })))],
  },
  'Schedule.loadState': {
    args: () => [{ step: 3 }],
    call: (state) => new st.optim.StepLR({ stepSize: 2 }).loadState(state as never),
    slots: [arg(0, ['state'], badObject), opt(0, 'step', badInt(0))],
  },
  clipGradNorm: {
    args: () => [params(), 1],
    call: (p, m) => st.optim.clipGradNorm(p as never, m as number),
    slots: [arg(0, ['params'], badParams), arg(1, ['maxNorm'], badRange(0, Infinity))],
  },
};

const badSignal1 = fc.oneof(
  junk,
  fc.constantFrom<unknown>([], {}, new Float32Array(0), [1, 'x'], [1, null], [[1, 2], [3, 4]], [1, undefined], [1, 2n]),
  fc.constantFrom([2, 2], [0]).map((s) => st.zeros(s)),
  fc.constant(null).map(() => detachedTensor([4])),
  fc.constant(null).map(() => shortTensor([4])),
);
const badSignal2 = fc.oneof(
  junk,
  fc.constantFrom<unknown>([], [[]], {}, [[1, 2], [3]], [[1, 'x']], [1, 2], [[1, 2], null], [[1, 2], [Symbol('s'), 3]]),
  fc.constantFrom([2, 0], [0, 2], [2, 2, 2]).map((s) => st.zeros(s)),
  fc.constant(null).map(() => detachedTensor([2, 2])),
  fc.constant(null).map(() => shortTensor([2, 2])),
);
const mode = fc.oneof(badEnum(['full', 'valid', 'same']));

/** st.signal: scipy.signal's convolve/correlate family. */
export const signal: Record<string, Entry> = {
  convolve: {
    args: () => [[1, 2, 3, 4], [1, -1], 'full'],
    call: (a, b, m) => st.signal.convolve(a as never, b as never, m as never),
    slots: [arg(0, ['a'], badSignal1), arg(1, ['b'], badSignal1), arg(2, ['mode'], mode)],
  },
  correlate: {
    args: () => [[1, 2, 3, 4], [1, -1], 'valid'],
    call: (a, b, m) => st.signal.correlate(a as never, b as never, m as never),
    slots: [arg(0, ['a'], badSignal1), arg(1, ['b'], badSignal1), arg(2, ['mode'], mode)],
  },
  convolve2d: {
    args: () => [[[1, 2, 3], [4, 5, 6]], [[1, 0], [0, -1]], 'same'],
    call: (a, b, m) => st.signal.convolve2d(a as never, b as never, m as never),
    slots: [arg(0, ['a'], badSignal2), arg(1, ['b'], badSignal2), arg(2, ['mode'], mode)],
  },
  correlate2d: {
    args: () => [[[1, 2, 3], [4, 5, 6]], [[1, 0], [0, -1]], 'full'],
    call: (a, b, m) => st.signal.correlate2d(a as never, b as never, m as never),
    slots: [arg(0, ['a'], badSignal2), arg(1, ['b'], badSignal2), arg(2, ['mode'], mode)],
  },
  rot180: {
    args: () => [[[1, 2], [3, 4]]],
    call: (b) => st.signal.rot180(b as never),
    slots: [arg(0, ['b'], badSignal2)],
  },
  slidingCosineSimilarity: {
    args: () => [[1, 2, 3, 4, 5], [1, 2]],
    call: (a, b) => st.signal.slidingCosineSimilarity(a as never, b as never),
    slots: [arg(0, ['a'], badSignal1), arg(1, ['b'], fc.oneof(badSignal1, fc.constantFrom<unknown>([1, 2, 3, 4, 5, 6])))],
  },
};

/** Tensor creation and the backend setters at the top of st. */
export const top: Record<string, Entry> = {
  Tensor: {
    args: () => [new Float32Array(6), [2, 3]],
    call: (d, s) => new st.Tensor(d as never, s as never),
    slots: [arg(0, ['data'], badTypedArray(6, 'float32')), arg(1, ['shape'], fc.oneof(badShape(2), fc.constantFrom<unknown>([2, 2], [7])))],
  },
  tensor: {
    args: () => [[[1, 2], [3, 4]], undefined],
    call: (d, s) => st.tensor(d as never, s as never),
    slots: [
      arg(0, ['data', 'values'], fc.oneof(junk, fc.constantFrom<unknown>([[1, 2], [3]], [[1, 'x']], [[1, 2], null], {}, [[[1], [2, 3]]]))),
      arg(1, ['shape'], fc.oneof(badShape(), fc.constantFrom<unknown>([3], [2, 3]))),
    ],
  },
  zeros: { args: () => [[2, 3]], call: (s) => st.zeros(s as never), slots: [arg(0, ['shape'], badShape())] },
  ones: { args: () => [[2, 3]], call: (s) => st.ones(s as never), slots: [arg(0, ['shape'], badShape())] },
  full: { args: () => [[2, 3], 1], call: (s, v) => st.full(s as never, v as never), slots: [arg(0, ['shape'], badShape()), arg(1, ['value'], badNumber)] },
  randn: {
    args: () => [[2, 3], { seed: 1, mean: 0, std: 1 }],
    call: (s, o) => st.randn(s as never, o as never),
    slots: [
      arg(0, ['shape'], badShape()), options(1), opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))), opt(1, 'mean', badNumber),
      opt(1, 'std', fc.oneof(badNumber, fc.constantFrom(-1, -1e-30))),
    ],
  },
  rand: {
    args: () => [[2, 3], { seed: 1, low: 0, high: 1 }],
    call: (s, o) => st.rand(s as never, o as never),
    slots: [
      arg(0, ['shape'], badShape()), options(1), opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))), opt(1, 'low', fc.oneof(badNumber, fc.constant(1))),
      opt(1, 'high', fc.oneof(badNumber, fc.constantFrom(-1, 0))),
    ],
  },
  sizeOf: { args: () => [[2, 3]], call: (s) => st.sizeOf(s as never), slots: [arg(0, ['shape'], badShape())] },
  'Tensor.reshape': {
    args: () => [[3, -1]],
    call: (s) => st.zeros([2, 3]).reshape(s as never),
    // -1 is reshape's inferred dimension: only the -1s it cannot infer are bad here.
    slots: [arg(0, ['shape'], fc.oneof(badShape(2).filter((v) => !(Array.isArray(v) && v.includes(-1))), fc.constantFrom<unknown>([4, -1], [-1, -1], [0, -1], [5], [-2, -3])))],
  },
  setNumThreads: {
    args: () => [st.getNumThreads()],
    call: (n) => st.setNumThreads(n as number),
    slots: [arg(0, ['n'], fc.oneof(badInt(1), hugeSize, fc.constant(1025)))],
  },
  Rng: { args: () => [7], call: (seed) => new st.Rng(seed as number).uniform(), slots: [arg(0, ['seed'], badNumber)], covers: ['uniform', 'normal'] },
  'Rng.int': { args: () => [6], call: (n) => new st.Rng(1).int(n as number), slots: [arg(0, ['n'], fc.oneof(badInt(1), fc.constant(0)))] },
};

