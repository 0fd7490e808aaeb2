/**
 * st.nn under fuzzing: every layer's constructor options with forward (and its
 * options), backward, outputShape and build; the merge layers, the losses, the
 * registry and the initialisers.
 */
import fc from 'fast-check';
import * as st from '../../src/index.js';
import { badBool, badEnum, badInt, badNumber, badObject, badRange, badShape, badString, badTensor, hugeSize, junk } from './bad-values.js';
import type { Entry, Slot } from './harness.js';
import { arg, opt, options, t } from './slots.js';
import { padding2d, pool, poolSlots, pooled, stride, x4, y4 } from './surface-ops.js';

type AnyLayer = {
  forward(x: unknown, o?: unknown): unknown;
  backward(dy?: unknown): unknown;
  outputShape(s: unknown): unknown;
  build(s: unknown, seed?: unknown): void;
};
type LayerClass = new (options: never) => object;

interface LayerSpec {
  Ctor: LayerClass;
  /** Valid options (a fresh copy per call). */
  options: Record<string, unknown>;
  /** A valid input batch. */
  x: () => st.Tensor;
  /** The output shape for `x`. */
  y: number[];
  /** Bad inputs for forward; a wrong shape may be reported under `xNames`. */
  xBad: fc.Arbitrary<unknown>;
  xNames?: readonly string[];
  /** Bad option values, at [0, key]. */
  slots: readonly Slot[];
  /** Sample ranks besides x's (layers that take any rank); shapes of those ranks are valid. */
  anyRank?: boolean;
  /** The layer has parameters: build's seed seeds them. */
  params?: boolean;
}

const initializers = ['heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'zeros'];
const name = opt(0, 'name', fc.constantFrom<unknown>(1, {}, [], true, Symbol('n'), '', null, 3n));
const seedSlot = opt(0, 'seed', fc.oneof(badInt(0), fc.constant(-1)));

/**
 * Four entries per layer: `X` (construct with bad options, then forward with a bad
 * input or bad forward options), `X.backward`, `X.outputShape` and `X.build` (bad
 * per-sample shapes; build's seed for layers with parameters).
 */
function layer(label: string, spec: LayerSpec): Record<string, Entry> {
  const make = (o: unknown = { ...spec.options }) => new (spec.Ctor as unknown as new (o: unknown) => AnyLayer)(o);
  const sample = spec.x().shape.slice(1);
  const shapeNames = ['input', 'shape', spec.Ctor.name];
  const badSample = fc.oneof(spec.anyRank ? badShape() : badShape(sample.length), fc.constantFrom<unknown>(null, undefined, [0, ...sample.slice(1)]));
  return {
    [label]: {
      args: () => [{ ...spec.options }, spec.x(), { training: true }],
      call: (o, x, f) => make(o).forward(x, f),
      slots: [
        options(0), name, ...spec.slots,
        arg(1, ['x', ...(spec.xNames ?? [])], spec.xBad),
        arg(2, ['options'], badObject.filter((v) => v !== undefined)),
        opt(2, 'training', badBool),
      ],
      covers: ['forward'],
    },
    [`${label}.backward`]: {
      args: () => [t(spec.y, 7)],
      call: (dy) => {
        const l = make();
        l.forward(spec.x(), { training: true });
        return l.backward(dy);
      },
      slots: [arg(0, ['dy'], badTensor(spec.y, { match: spec.y.map((_, i) => i) }))],
    },
    [`${label}.outputShape`]: {
      args: () => [[...sample]],
      call: (s) => make().outputShape(s),
      slots: [arg(0, shapeNames, badSample)],
    },
    [`${label}.build`]: {
      args: () => [[...sample], 1],
      call: (s, seed) => make().build(s, seed),
      slots: [arg(0, shapeNames, badSample), ...(spec.params ? [arg(1, ['seed'], fc.oneof(badNumber, fc.constant(0.5)))] : [])],
    },
  };
}

const img = () => t(x4);

/** A batch norm with the ReLU after it in one pass: forwardRelu takes what forward takes. */
function batchNormRelu(Ctor: typeof st.nn.BatchNorm2D | typeof st.nn.BatchNorm1D, x: () => st.Tensor, xBad: fc.Arbitrary<unknown>): Entry {
  return {
    args: () => [x(), { training: true }],
    call: (input, f) => new Ctor().forwardRelu(input as st.Tensor, f as st.nn.ForwardOptions),
    slots: [arg(0, ['x', 'channels', 'training'], xBad), arg(1, ['options'], badObject.filter((v) => v !== undefined)), opt(1, 'training', badBool)],
  };
}
const activation = (Ctor: LayerClass, o: Record<string, unknown>, slots: Slot[] = []): LayerSpec => ({
  Ctor, options: o, x: img, y: x4, xBad: badTensor(x4, { ranks: [1, 2, 3, 5, 6] }), slots: [...slots], anyRank: true,
});
const convKernel = fc.oneof(badInt(1), hugeSize, fc.constantFrom<unknown>(undefined, 9, [3], [3, 0], [3, 3, 3]));

/** `reseed(seed)` of the layers that draw random numbers. */
const reseed = (Ctor: LayerClass, o: Record<string, unknown>): Entry => ({
  args: () => [3],
  call: (seed) => (new Ctor({ ...o } as never) as { reseed(s: unknown): void }).reseed(seed),
  slots: [arg(0, ['seed'], fc.oneof(badNumber, fc.constant(0.5)))],
});

/** Every layer class of st.nn. */
const layers: Record<string, Entry> = {
  ...layer('Conv2D', {
    Ctor: st.nn.Conv2D, options: { filters: 4, kernelSize: 3 }, x: img, y: y4, params: true,
    xBad: badTensor(x4, { wrong: [[2, 3, 1, 1]] }), xNames: ['Conv2D', 'channels', 'kernel'],
    slots: [
      opt(0, 'filters', fc.oneof(badInt(1), hugeSize, fc.constant(undefined))), opt(0, 'kernelSize', convKernel),
      opt(0, 'stride', fc.oneof(stride, fc.constantFrom<unknown>([1], [1, 0]))), opt(0, 'padding', padding2d),
      opt(0, 'dilation', fc.oneof(badInt(1), fc.constantFrom<unknown>(4, [1, 0]))), opt(0, 'groups', fc.oneof(badInt(1), fc.constant(3))),
      opt(0, 'useBias', badBool), opt(0, 'kernelInitializer', badEnum(initializers)), seedSlot,
      opt(0, 'inChannels', fc.oneof(badInt(1), hugeSize, fc.constant(5)), ['inChannels', 'channels', 'x', 'filters']),
    ],
  }),
  ...layer('Conv1D', {
    Ctor: st.nn.Conv1D, options: { filters: 4, kernelSize: 3 }, x: () => t([2, 3, 8]), y: [2, 4, 6], params: true,
    xBad: badTensor([2, 3, 8], { wrong: [[2, 3, 1]] }), xNames: ['Conv1D', 'channels', 'kernel'],
    slots: [
      opt(0, 'filters', fc.oneof(badInt(1), hugeSize)), opt(0, 'kernelSize', fc.oneof(badInt(1), hugeSize, fc.constantFrom<unknown>(undefined, 9, [3, 3]))),
      opt(0, 'stride', stride), opt(0, 'padding', fc.oneof(badInt(0), fc.constantFrom<unknown>('bogus', [1, 2, 3], [-1, 0]))),
      opt(0, 'dilation', fc.oneof(badInt(1), fc.constant(5))), opt(0, 'groups', fc.oneof(badInt(1), fc.constant(3))),
      opt(0, 'useBias', badBool), seedSlot,
    ],
  }),
  ...layer('MaxPool2D', {
    Ctor: st.nn.MaxPool2D, options: { ...pool }, x: img, y: pooled,
    xBad: badTensor(x4, { wrong: [[2, 3, 1, 1]] }), xNames: ['kernel'], slots: poolSlots(0).slice(1),
  }),
  ...layer('AvgPool2D', {
    Ctor: st.nn.AvgPool2D, options: { ...pool }, x: img, y: pooled,
    xBad: badTensor(x4, { wrong: [[2, 3, 1, 1]] }), xNames: ['kernel'], slots: [...poolSlots(0).slice(1), opt(0, 'countIncludePad', badBool)],
  }),
  ...layer('StochasticPool2D', {
    Ctor: st.nn.StochasticPool2D, options: { ...pool, seed: 1 }, x: () => st.rand(x4, { seed: 2 }), y: pooled,
    xBad: badTensor(x4, { wrong: [[2, 3, 1, 1]] }), xNames: ['kernel'],
    slots: [...poolSlots(0).slice(1), opt(0, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1.5)))],
  }),
  'StochasticPool2D.reseed': reseed(st.nn.StochasticPool2D, { ...pool }),
  ...layer('GlobalAvgPool2D', { Ctor: st.nn.GlobalAvgPool2D, options: {}, x: img, y: [2, 3], xBad: badTensor(x4, { wrong: [[2, 3, 0, 6]] }), slots: [] }),
  ...layer('AdaptiveAvgPool2D', {
    Ctor: st.nn.AdaptiveAvgPool2D, options: { outputSize: 3 }, x: img, y: pooled, xBad: badTensor(x4, { wrong: [[2, 3, 0, 6]] }),
    slots: [opt(0, 'outputSize', fc.oneof(badInt(1), hugeSize, fc.constantFrom<unknown>(undefined, [3], [0, 3], [3, 3, 3])))],
  }),
  ...layer('Dense', {
    Ctor: st.nn.Dense, options: { units: 3 }, x: () => t([2, 5]), y: [2, 3], params: true,
    xBad: badTensor([2, 5], { ranks: [] }), xNames: ['Dense', 'inFeatures'],
    slots: [
      opt(0, 'units', fc.oneof(badInt(1), fc.constant(undefined), hugeSize, fc.constant(2 ** 29))),
      opt(0, 'inFeatures', fc.oneof(badInt(1), hugeSize, fc.constant(7)), ['inFeatures', 'x', 'units']),
      opt(0, 'useBias', badBool), opt(0, 'kernelInitializer', badEnum(initializers)), seedSlot,
    ],
  }),
  ...layer('ReLU', activation(st.nn.ReLU, {})),
  ...layer('LeakyReLU', activation(st.nn.LeakyReLU, {}, [opt(0, 'alpha', badNumber)])),
  ...layer('ELU', activation(st.nn.ELU, {}, [opt(0, 'alpha', fc.oneof(badNumber, fc.constantFrom(-1, -1e-9)))])),
  ...layer('Sigmoid', activation(st.nn.Sigmoid, {})),
  ...layer('Tanh', activation(st.nn.Tanh, {})),
  ...layer('Softmax', {
    Ctor: st.nn.Softmax, options: {}, x: () => t([2, 5]), y: [2, 5], xBad: badTensor([2, 5], { ranks: [3, 4, 5, 6], wrong: [[2]] }),
    xNames: ['axis'], anyRank: true, slots: [opt(0, 'axis', fc.oneof(badNumber, fc.constantFrom(0, 2, -3, 0.5, 7, 2 ** 40)))],
  }),
  ...layer('Flatten', { Ctor: st.nn.Flatten, options: {}, x: img, y: [2, 108], xBad: badTensor(x4, { ranks: [2, 3, 5, 6] }), slots: [], anyRank: true }),
  ...layer('Dropout', {
    Ctor: st.nn.Dropout, options: { rate: 0.5, seed: 1 }, x: img, y: x4, xBad: badTensor(x4, { ranks: [1, 2, 3, 5, 6] }), anyRank: true,
    slots: [opt(0, 'rate', fc.oneof(badRange(0, 1, { high: true }), fc.constant(undefined))), opt(0, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1.5)))],
  }),
  'Dropout.reseed': reseed(st.nn.Dropout, { rate: 0.5 }),
  ...layer('BatchNorm2D', {
    Ctor: st.nn.BatchNorm2D, options: {}, x: img, y: x4, xBad: badTensor(x4, { wrong: [[1, 3, 1, 1]] }), xNames: ['channels', 'training'],
    slots: [
      opt(0, 'channels', fc.oneof(badInt(1), hugeSize, fc.constant(5)), ['channels', 'x']),
      opt(0, 'eps', badRange(0, Infinity, { low: true })), opt(0, 'momentum', badRange(0, 1)),
    ],
  }),
  'BatchNorm2D.forwardRelu': batchNormRelu(st.nn.BatchNorm2D, img, badTensor(x4, { wrong: [[1, 3, 1, 1]] })),
  ...layer('BatchNorm1D', {
    Ctor: st.nn.BatchNorm1D, options: {}, x: () => t([4, 5]), y: [4, 5], xBad: badTensor([4, 5], { ranks: [3], wrong: [[1, 5]] }),
    xNames: ['channels', 'training'], anyRank: true,
    slots: [
      opt(0, 'channels', fc.oneof(badInt(1), hugeSize, fc.constant(6)), ['channels', 'x']),
      opt(0, 'eps', badRange(0, Infinity, { low: true })), opt(0, 'momentum', badRange(0, 1)),
    ],
  }),
  'BatchNorm1D.forwardRelu': batchNormRelu(st.nn.BatchNorm1D, () => t([4, 5]), badTensor([4, 5], { ranks: [3], wrong: [[1, 5]] })),
  ...layer('LocalResponseNorm', {
    Ctor: st.nn.LocalResponseNorm, options: {}, x: img, y: x4, xBad: badTensor(x4, { ranks: [3] }), anyRank: true,
    slots: [
      opt(0, 'size', badInt(1)), opt(0, 'alpha', fc.oneof(badNumber, fc.constant(-1))),
      opt(0, 'beta', fc.oneof(badNumber, fc.constant(-1))), opt(0, 'k', fc.oneof(badNumber, fc.constantFrom(0, -1))),
    ],
  }),
};

type MergeClass = new (options?: never) => { forward(xs: unknown, o?: unknown): unknown; backward(dy: unknown): unknown; outputShape(s: unknown): unknown };
const badShapes = fc.oneof(junk, fc.constantFrom<unknown>([], [[3, 6, 6]], [[3, 6, 6], null], [[3, 6, 6], [3, -1, 6]], [[3, 6, 6], [2 ** 32 + 1, 1 << 20]]));

/** Add and Concat: forward over a list, backward to a list, outputShape of a list of shapes. */
function merge(label: string, Ctor: MergeClass, o: Record<string, unknown>, slots: Slot[], match: number[], yShape: number[]): Record<string, Entry> {
  return {
    [label]: {
      args: () => [{ ...o }, [t(x4), t(x4, 2)], { training: true }],
      call: (opts, xs, f) => new Ctor(opts as never).forward(xs, f),
      slots: [
        options(0), name, ...slots,
        arg(1, ['inputs', 'input'], fc.oneof(junk, fc.constantFrom<unknown>([], [t(x4)], {}))),
        { at: [1, 1], names: ['inputs', 'input', 'batch'], bad: badTensor(x4, { match }) },
        arg(2, ['options'], badObject), opt(2, 'training', badBool),
      ],
      covers: ['forward'],
    },
    [`${label}.backward`]: {
      args: () => [t(yShape, 7)],
      call: (dy) => {
        const l = new Ctor({ ...o } as never);
        l.forward([t(x4), t(x4, 2)]);
        return l.backward(dy);
      },
      slots: [arg(0, ['dy'], badTensor(yShape, { match: yShape.map((_, i) => i) }))],
    },
    [`${label}.outputShape`]: {
      args: () => [[[3, 6, 6], [3, 6, 6]]],
      call: (s) => new Ctor({ ...o } as never).outputShape(s),
      slots: [arg(0, ['inputShapes', 'inputs', 'input'], badShapes)],
    },
  };
}

type Loss = { forward(y: unknown, targets: unknown): number };
const probabilities = () => st.rand([4, 2], { seed: 3 });

/** st.nn: layers, merge layers, losses and the registry. */
export const nn: Record<string, Entry> = {
  ...layers,
  ...merge('Add', st.nn.Add as MergeClass, {}, [], [0, 1, 2, 3], x4),
  ...merge('Concat', st.nn.Concat as MergeClass, {}, [opt(0, 'axis', fc.oneof(badNumber, fc.constantFrom(0, 0.5, 4, -5, 2 ** 40)))], [0, 2, 3], [2, 6, 6, 6]),
  EuclideanLoss: {
    args: () => [t([4, 3]), t([4, 3], 2)],
    call: (y, target) => new st.nn.EuclideanLoss().forward(y as st.Tensor, target as st.Tensor),
    slots: [arg(0, ['y', 'targets'], badTensor([4, 3], { ranks: [1, 3, 4, 5, 6] })), arg(1, ['targets', 'y'], badTensor([4, 3], { match: [0, 1] }))],
    covers: ['forward'],
  },
  SoftmaxCrossEntropy: {
    args: () => [{}, t([4, 3]), Int32Array.from([0, 2, 1, 1])],
    call: (o, y, target) => (new st.nn.SoftmaxCrossEntropy(o as never) as unknown as Loss).forward(y, target),
    slots: [
      options(0), opt(0, 'labelSmoothing', badRange(0, 1, { high: true })),
      arg(1, ['y', 'targets'], badTensor([4, 3])),
      arg(2, ['targets'], fc.oneof(
        junk,
        fc.constantFrom<unknown>([0, 1], [0, 1, 2, 3], [0, -1, 1, 1], [0, 1.5, 1, 1], [0, NaN, 1, 1], [0, 3, 1, 1], Int32Array.from([0, 1, 2]), new Float32Array(4)),
        badTensor([4, 3], { match: [0, 1] }),
      )),
    ],
    covers: ['forward'],
  },
  BinaryCrossEntropy: {
    args: () => [{}, t([4, 2]), probabilities()],
    call: (o, y, target) => (new st.nn.BinaryCrossEntropy(o as never) as unknown as Loss).forward(y, target),
    slots: [
      options(0), opt(0, 'fromLogits', badBool),
      arg(1, ['y', 'targets'], badTensor([4, 2], { ranks: [1, 3, 4] })),
      arg(2, ['targets'], fc.oneof(badTensor([4, 2], { match: [0, 1] }), fc.constantFrom(-0.5, 1.5, Infinity, NaN).map((v) => new st.Tensor(new Float32Array(8).fill(v), [4, 2])))),
    ],
    covers: ['forward'],
  },
  layerFromConfig: {
    args: () => [{ type: 'dense', units: 3 }],
    call: (c) => (st.nn.layerFromConfig(c as never) as unknown as AnyLayer).forward(t([2, 4])),
    slots: [
      arg(0, ['config'], fc.oneof(junk, fc.constantFrom<unknown>([], [{ type: 'dense' }]))),
      opt(0, 'type', fc.oneof(badString, fc.constantFrom('Dense', 'nope', '__proto__', 'constructor', 'toString')), ['type', 'config.type']),
      opt(0, 'units', badInt(1)),
    ],
  },
  registerLayer: {
    args: () => ['fuzzSquare', () => new st.nn.ReLU()],
    call: (type, factory) => st.nn.registerLayer(type as string, factory as never),
    slots: [arg(0, 'type', fc.oneof(badString, fc.constant(''))), arg(1, 'factory', fc.oneof(junk.filter((v) => typeof v !== 'function'), fc.constantFrom<unknown>({}, [])))],
  },
  'init.fansOf': {
    args: () => [[4, 3, 3, 3]],
    call: (s) => st.nn.init.fansOf(s as number[]),
    slots: [arg(0, ['shape'], fc.oneof(badShape(), fc.constant([])))],
  },
  'init.checkInitializer': {
    args: () => ['Dense', 'heNormal'],
    call: (l, n) => st.nn.init.checkInitializer(l as string, n),
    slots: [arg(1, ['kernelInitializer'], badEnum(initializers))],
  },
  'init.initialize': {
    args: () => [st.zeros([4, 3]), 'heNormal', 1],
    call: (w, n, seed) => st.nn.init.initialize(w as st.Tensor, n as never, seed as number),
    slots: [
      arg(0, ['w'], fc.oneof(badTensor([4, 3], { ranks: [1, 3, 4] }), fc.constant(null).map(() => st.zeros([])))),
      arg(1, ['name'], badEnum(initializers)),
      arg(2, ['seed'], fc.oneof(badNumber, fc.constantFrom(0.5))),
    ],
  },
};
