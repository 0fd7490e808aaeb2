/**
 * The public surface under fuzzing: for each export, a valid call and the argument
 * slots a bad value can go into. A slot names the words the error must contain (the
 * argument's name) and generates values that are wrong there. test/fuzz/api.test.ts
 * checks that every export of the fuzzed namespaces has an entry here.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as st from '../../src/index.js';
import {
  badBool, badEnum, badInt, badNumber, badObject, badRange, badShape, badString, badTensor, badTypedArray, hugeSize, junk,
} from './bad-values.js';

export type Path = readonly (number | string)[];

export interface Slot {
  /** Where the bad value goes: an argument index, then keys into it. */
  at: Path;
  /** The error message must contain one of these words. */
  names: readonly string[];
  bad: fc.Arbitrary<unknown>;
}

export interface Entry {
  /** Fresh valid arguments. */
  args: () => unknown[];
  call: (...args: unknown[]) => unknown;
  slots: readonly Slot[];
  /** File-system errors (ENOENT, EISDIR ...) naming the path also count as named errors. */
  files?: boolean;
}

/** Messages say 'kernel', 'dilated' or 'x shape' where the option is kernelSize, dilation or xShape. */
const aliases: Record<string, readonly string[]> = {
  kernelSize: ['kernelSize', 'kernel'], dilation: ['dilation', 'dilated', 'kernel'], padding: ['padding', 'padded', 'pad'],
  xShape: ['xShape', 'x'], wShape: ['wShape', 'w'], stride: ['stride'],
};
const arg = (i: number, names: string | readonly string[], bad: fc.Arbitrary<unknown>): Slot => ({
  at: [i], names: typeof names === 'string' ? (aliases[names] ?? [names]) : names, bad,
});
const opt = (i: number, key: string, bad: fc.Arbitrary<unknown>, names: readonly string[] = aliases[key] ?? [key]): Slot => ({
  at: [i, key], names, bad,
});
/** A tensor argument: a wrong shape may be reported as disagreeing with a partner argument. */
const targ = (i: number, name: string, partners: readonly string[], bad: fc.Arbitrary<unknown>): Slot => arg(i, [name, ...partners], bad);
const options = (i: number) => arg(i, ['options', 'an object'], badObject);
const t = (shape: number[], seed = 1) => st.randn(shape, { seed });
const dir = mkdtempSync(path.join(tmpdir(), 'striate-fuzz-'));
mkdirSync(path.join(dir, 'a-dir'));
const missing = fc.constantFrom(path.join(dir, 'missing.bin'), path.join(dir, 'no', 'such', 'dir'), path.join(dir, 'a-dir'));

// Sizes and geometry shared by many entries.
const stride = badInt(1);
const padding2d = fc.oneof(badInt(0), fc.constantFrom<unknown>('bogus', 'SAME', [1, 2, 3], [-1, 0], [1, NaN], [0.5, 0]));
const pool = { kernelSize: 2 };
const poolSlots = (i: number, withKernel = true): Slot[] => [
  options(i),
  ...(withKernel ? [opt(i, 'kernelSize', fc.oneof(badInt(1), fc.constantFrom<unknown>(undefined, [2], [2, 0], [9, 9], 7)))] : []),
  opt(i, 'stride', fc.oneof(badInt(1), fc.constantFrom<unknown>([1], [1, 0]))),
  opt(i, 'padding', fc.oneof(badInt(0), fc.constantFrom<unknown>([1], [-1, 0], 2, 5))),
  opt(i, 'ceilMode', badBool),
];
const convSlots = (i: number): Slot[] => [
  options(i),
  opt(i, 'stride', fc.oneof(stride, fc.constantFrom<unknown>([1], [1, 0]))),
  opt(i, 'padding', padding2d),
  opt(i, 'dilation', fc.oneof(badInt(1), fc.constantFrom<unknown>(4, [1, 0]))),
  opt(i, 'groups', fc.oneof(badInt(1), fc.constantFrom<unknown>(2, 5))),
];
const conv1dSlots = (i: number): Slot[] => [
  options(i),
  opt(i, 'stride', stride),
  opt(i, 'padding', fc.oneof(badInt(0), fc.constantFrom<unknown>('bogus', [1, 2, 3], [-1, 0]))),
  opt(i, 'dilation', fc.oneof(badInt(1), fc.constantFrom<unknown>(5))),
  opt(i, 'groups', fc.oneof(badInt(1), fc.constantFrom<unknown>(2))),
];
const x4 = [2, 3, 6, 6];
const w4 = [4, 3, 3, 3];
const y4 = [2, 4, 4, 4];
const pooled = [2, 3, 3, 3];

/** st.ops: the functions that validate and reach native code. */
export const ops: Record<string, Entry> = {
  matmul: {
    args: () => [t([3, 4]), t([4, 5]), { transA: false }],
    call: (a, b, o) => st.ops.matmul(a as st.Tensor, b as st.Tensor, o as never),
    slots: [
      arg(0, 'a', badTensor([3, 4], { match: [1] })), arg(1, 'b', badTensor([4, 5], { match: [0] })),
      options(2), opt(2, 'transA', badBool), opt(2, 'transB', badBool),
    ],
  },
  gemm: {
    args: () => [t([3, 4]), t([4, 5]), t([3, 5]), { alpha: 1, beta: 0.5 }],
    call: (a, b, c, o) => st.ops.gemm(a as st.Tensor, b as st.Tensor, c as st.Tensor, o as never),
    slots: [
      arg(0, 'a', badTensor([3, 4], { match: [1] })), arg(1, 'b', badTensor([4, 5], { match: [0] })),
      arg(2, 'c', badTensor([3, 5], { match: [0, 1] })), options(3), opt(3, 'alpha', badNumber), opt(3, 'beta', badNumber),
      opt(3, 'transB', badBool),
    ],
  },
  conv2d: {
    args: () => [t(x4), t(w4), t([4]), {}, undefined],
    call: (x, w, b, o, y) => st.ops.conv2d(x as st.Tensor, w as st.Tensor, b as st.Tensor, o as never, y as never),
    slots: [
      targ(0, 'x', ['w', 'kernel'], badTensor(x4, { match: [1], wrong: [[2, 3, 1, 1]] })),
      targ(1, 'w', ['x', 'kernel'], badTensor(w4, { match: [1], wrong: [[4, 3, 7, 7], [4, 3, 0, 3]] })),
      arg(2, 'b', fc.oneof(badTensor([4], { match: [0] }))),
      ...convSlots(3),
      arg(4, 'out', badTypedArray(2 * 4 * 4 * 4, 'float32')),
    ],
  },
  conv2dGradInput: {
    args: () => [t(y4), t(w4), [...x4], {}],
    call: (dy, w, s, o) => st.ops.conv2dGradInput(dy as st.Tensor, w as st.Tensor, s as number[], o as never),
    slots: [
      targ(0, 'dy', ['w'], badTensor(y4, { match: [0, 1, 2, 3] })), targ(1, 'w', ['dy'], badTensor(w4, { match: [0, 1] })),
      arg(2, ['xShape', 'x', 'dy', 'w'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 3, 9, 9], [3, 3, 6, 6], [2, 2, 6, 6]))), ...convSlots(3),
    ],
  },
  conv2dGradWeight: {
    args: () => [t(x4), t(y4), [...w4], {}],
    call: (x, dy, s, o) => st.ops.conv2dGradWeight(x as st.Tensor, dy as st.Tensor, s as number[], o as never),
    slots: [
      targ(0, 'x', ['dy', 'w'], badTensor(x4, { match: [0, 1, 2, 3] })), targ(1, 'dy', ['x'], badTensor(y4, { match: [0, 1, 2, 3] })),
      arg(2, ['wShape', 'w', 'dy'], fc.oneof(badShape(4), fc.constantFrom<unknown>([4, 3, 5, 5], [4, 2, 3, 3]))), ...convSlots(3),
    ],
  },
  conv2dOutputShape: {
    args: () => [[...x4], [...w4], {}],
    call: (x, w, o) => st.ops.conv2dOutputShape(x as number[], w as number[], o as never),
    slots: [
      arg(0, ['xShape', 'x', 'w', 'kernel'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 5, 6, 6], [2, 3, 1, 1]))),
      arg(1, ['wShape', 'w', 'kernel'], fc.oneof(badShape(4), fc.constantFrom<unknown>([4, 5, 3, 3], [4, 3, 9, 9]))), ...convSlots(2),
    ],
  },
  conv1d: {
    args: () => [t([2, 3, 8]), t([4, 3, 3]), t([4]), {}],
    call: (x, w, b, o) => st.ops.conv1d(x as st.Tensor, w as st.Tensor, b as st.Tensor, o as never),
    slots: [
      targ(0, 'x', ['w', 'kernel'], badTensor([2, 3, 8], { match: [1], wrong: [[2, 3, 1]] })), targ(1, 'w', ['x'], badTensor([4, 3, 3], { match: [1] })),
      arg(2, 'b', badTensor([4], { match: [0] })), ...conv1dSlots(3),
    ],
  },
  conv1dGradInput: {
    args: () => [t([2, 4, 6]), t([4, 3, 3]), [2, 3, 8], {}],
    call: (dy, w, s, o) => st.ops.conv1dGradInput(dy as st.Tensor, w as st.Tensor, s as number[], o as never),
    slots: [
      targ(0, 'dy', ['w'], badTensor([2, 4, 6], { match: [0, 1, 2] })), targ(1, 'w', ['dy'], badTensor([4, 3, 3], { match: [0, 1] })),
      arg(2, ['xShape', 'x', 'w', 'dy'], fc.oneof(badShape(3), fc.constantFrom<unknown>([2, 3, 20], [2, 2, 8]))), ...conv1dSlots(3),
    ],
  },
  conv1dGradWeight: {
    args: () => [t([2, 3, 8]), t([2, 4, 6]), [4, 3, 3], {}],
    call: (x, dy, s, o) => st.ops.conv1dGradWeight(x as st.Tensor, dy as st.Tensor, s as number[], o as never),
    slots: [
      targ(0, 'x', ['dy', 'w'], badTensor([2, 3, 8], { match: [0, 1, 2] })), targ(1, 'dy', ['x'], badTensor([2, 4, 6], { match: [0, 1, 2] })),
      arg(2, ['wShape', 'w', 'dy'], fc.oneof(badShape(3), fc.constantFrom<unknown>([4, 3, 5], [4, 2, 3]))), ...conv1dSlots(3),
    ],
  },
  maxPool2d: {
    args: () => [t(x4), { ...pool }],
    call: (x, o) => st.ops.maxPool2d(x as st.Tensor, o as never),
    slots: [arg(0, ['x', 'kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1], [2, 3, 0, 6]] })), ...poolSlots(1)],
  },
  maxPool2dWithArgmax: {
    args: () => [t(x4), { ...pool }, undefined],
    call: (x, o, b) => st.ops.maxPool2dWithArgmax(x as st.Tensor, o as never, b as never),
    slots: [
      arg(0, ['x', 'kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), ...poolSlots(1),
      arg(2, ['out', 'y', 'argmax'], fc.oneof(badObject.filter((v) => v !== null), fc.constantFrom<unknown>(
        { y: new Float32Array(1), argmax: new Int32Array(54) }, { y: new Float32Array(54), argmax: new Int32Array(2) },
        { y: 'x', argmax: new Int32Array(54) }, { y: new Float32Array(54), argmax: new Float32Array(54) }))),
    ],
  },
  maxPool2dGrad: {
    args: () => [t(pooled), new Int32Array(54), [...x4], undefined],
    call: (dy, a, s, o) => st.ops.maxPool2dGrad(dy as st.Tensor, a as Int32Array, s as number[], o as never),
    slots: [
      arg(0, 'dy', badTensor(pooled, { match: [0, 1, 2, 3] })),
      arg(1, 'argmax', fc.oneof(badTypedArray(54, 'int32'), fc.constantFrom(-1, 36, 2 ** 31 - 1).map((v) => new Int32Array(54).fill(v)))),
      arg(2, ['xShape', 'x', 'dy'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 4, 6, 6], [3, 3, 6, 6]))),
      arg(3, 'out', badTypedArray(2 * 3 * 36, 'float32')),
    ],
  },
  avgPool2d: {
    args: () => [t(x4), { ...pool }, undefined],
    call: (x, o, y) => st.ops.avgPool2d(x as st.Tensor, o as never, y as never),
    slots: [
      arg(0, ['x', 'kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), ...poolSlots(1), opt(1, 'countIncludePad', badBool),
      arg(2, 'out', badTypedArray(54, 'float32')),
    ],
  },
  avgPool2dGrad: {
    args: () => [t(pooled), [...x4], { ...pool }, undefined],
    call: (dy, s, o, y) => st.ops.avgPool2dGrad(dy as st.Tensor, s as number[], o as never, y as never),
    slots: [
      arg(0, 'dy', badTensor(pooled, { match: [0, 1, 2, 3] })), arg(1, ['xShape', 'x', 'kernel'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 3, 1, 1]))),
      ...poolSlots(2), arg(3, 'out', badTypedArray(2 * 3 * 36, 'float32')),
    ],
  },
  stochasticPool2d: {
    args: () => [st.rand(x4, { seed: 1 }), { ...pool, training: true, seed: 1 }],
    call: (x, o) => st.ops.stochasticPool2d(x as st.Tensor, o as never),
    slots: [
      arg(0, ['x', 'kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), ...poolSlots(1), opt(1, 'training', fc.oneof(badBool, fc.constant(undefined))),
      opt(1, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1.5))), opt(1, 'rng', fc.constantFrom<unknown>(3, 'x', {}, { next: 1 })),
    ],
  },
  stochasticPool2dGrad: {
    args: () => [t(pooled), new Int32Array(54), [...x4]],
    call: (dy, i, s) => st.ops.stochasticPool2dGrad(dy as st.Tensor, i as Int32Array, s as number[]),
    slots: [
      arg(0, 'dy', badTensor(pooled, { match: [0, 1, 2, 3] })),
      arg(1, 'index', fc.oneof(badTypedArray(54, 'int32'), fc.constantFrom(-1, 36, 2 ** 31 - 1).map((v) => new Int32Array(54).fill(v)))),
      arg(2, ['xShape', 'x', 'dy'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 4, 6, 6]))),
    ],
  },
  stochasticPool2dInferenceGrad: {
    args: () => [t(pooled), st.rand(x4, { seed: 1 }), { ...pool }],
    call: (dy, x, o) => st.ops.stochasticPool2dInferenceGrad(dy as st.Tensor, x as st.Tensor, o as never),
    slots: [targ(0, 'dy', ['x'], badTensor(pooled, { match: [0, 1, 2, 3] })), targ(1, 'x', ['dy'], badTensor(x4, { match: [0, 1, 2, 3] })), ...poolSlots(2)],
  },
  globalAvgPool2d: {
    args: () => [t(x4)],
    call: (x) => st.ops.globalAvgPool2d(x as st.Tensor),
    slots: [arg(0, 'x', badTensor(x4, { wrong: [[2, 3, 0, 6]] }))],
  },
  globalAvgPool2dGrad: {
    args: () => [t([2, 3, 1, 1]), [...x4]],
    call: (dy, s) => st.ops.globalAvgPool2dGrad(dy as st.Tensor, s as number[]),
    slots: [arg(0, 'dy', badTensor([2, 3, 1, 1], { match: [0, 1, 2, 3] })), arg(1, ['xShape', 'x', 'dy'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 4, 6, 6])))],
  },
  globalMaxPool2d: {
    args: () => [t(x4)],
    call: (x) => st.ops.globalMaxPool2d(x as st.Tensor),
    slots: [arg(0, 'x', badTensor(x4, { wrong: [[2, 3, 0, 6]] }))],
  },
  globalMaxPool2dWithArgmax: {
    args: () => [t(x4)],
    call: (x) => st.ops.globalMaxPool2dWithArgmax(x as st.Tensor),
    slots: [arg(0, 'x', badTensor(x4, { wrong: [[2, 3, 6, 0]] }))],
  },
  pool2dOutputShape: {
    args: () => [[...x4], { ...pool }],
    call: (s, o) => st.ops.pool2dOutputShape(s as number[], o as never),
    slots: [arg(0, ['xShape', 'x', 'kernel'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 3, 1, 1]))), ...poolSlots(1)],
  },
  adaptiveAvgPool2d: {
    args: () => [t(x4), [3, 3]],
    call: (x, s) => st.ops.adaptiveAvgPool2d(x as st.Tensor, s as never),
    slots: [
      arg(0, ['x'], badTensor(x4, { wrong: [[2, 3, 0, 6]] })),
      arg(1, 'outputSize', fc.oneof(badInt(1), fc.constantFrom<unknown>([3], [3, 0], [3, NaN], [1, 2, 3]))),
    ],
  },
  adaptiveAvgPool2dGrad: {
    args: () => [t([2, 3, 3, 3]), [...x4]],
    call: (dy, s) => st.ops.adaptiveAvgPool2dGrad(dy as st.Tensor, s as number[]),
    slots: [arg(0, 'dy', badTensor([2, 3, 3, 3], { match: [0, 1] })), arg(1, ['xShape', 'x', 'dy'], fc.oneof(badShape(4), fc.constantFrom<unknown>([2, 4, 6, 6])))],
  },
};
void hugeSize;
void junk;
void badString;
void badEnum;
void badRange;
void missing;

type AnyLayer = { forward(x: unknown, o?: unknown): unknown; backward(dy?: unknown): unknown };
type LayerClass = new (options?: never) => AnyLayer;

/**
 * A layer constructor fuzzed through its use: construct with the options, then run
 * forward on `x` (an option that only fails at build must fail there, not later).
 */
function layer(Ctor: LayerClass, valid: Record<string, unknown> | undefined, x: () => unknown, slots: readonly Slot[]): Entry {
  return {
    args: () => [valid === undefined ? undefined : { ...valid }, x()],
    call: (o, input) => new Ctor(o as never).forward(input, { training: true }),
    slots: [...(valid === undefined ? [] : [arg(0, ['options', 'an object'], badObject)]), ...slots],
  };
}

/** The same layer's backward, fed a bad dy after a valid forward. */
function layerBackward(Ctor: LayerClass, valid: Record<string, unknown> | undefined, x: () => st.Tensor, yShape: number[]): Entry {
  return {
    args: () => [badTensorTarget(yShape)],
    call: (dy) => {
      const l = new Ctor((valid === undefined ? undefined : { ...valid }) as never);
      l.forward(x(), { training: true });
      return l.backward(dy);
    },
    slots: [arg(0, ['dy'], badTensor(yShape, { match: yShape.map((_, i) => i) }))],
  };
}
const badTensorTarget = (shape: number[]) => t(shape, 7);

const name = opt(0, 'name', fc.constantFrom<unknown>(1, {}, [], true, Symbol('n')));
const xImg = () => t(x4);
const conv2dOptions = { filters: 4, kernelSize: 3 };
const denseOptions = { units: 3 };

/** st.nn: each layer forward and backward, the losses, the registry and the initialisers. */
export const nn: Record<string, Entry> = {
  Conv2D: layer(st.nn.Conv2D as LayerClass, conv2dOptions, xImg, [
    targ(1, 'x', ['Conv2D', 'channels', 'kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), name,
    opt(0, 'filters', fc.oneof(badInt(1), hugeSize)), opt(0, 'kernelSize', fc.oneof(badInt(1), fc.constantFrom<unknown>(undefined, 9, [3], [3, 0]))),
    opt(0, 'stride', stride), opt(0, 'padding', padding2d), opt(0, 'dilation', fc.oneof(badInt(1), fc.constant(4))), opt(0, 'groups', fc.oneof(badInt(1), fc.constant(3))),
    opt(0, 'useBias', badBool), opt(0, 'kernelInitializer', badEnum(['heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'zeros'])),
    opt(0, 'inChannels', fc.oneof(badInt(1), fc.constant(5)), ['inChannels', 'channels', 'x']),
  ]),
  'Conv2D.backward': layerBackward(st.nn.Conv2D as LayerClass, conv2dOptions, xImg, y4),
  Conv1D: layer(st.nn.Conv1D as LayerClass, { filters: 4, kernelSize: 3 }, () => t([2, 3, 8]), [
    targ(1, 'x', ['Conv1D', 'kernel'], badTensor([2, 3, 8], { wrong: [[2, 3, 1]] })), name,
    opt(0, 'filters', badInt(1)), opt(0, 'kernelSize', fc.oneof(badInt(1), fc.constantFrom<unknown>(undefined, 9, [3, 3]))),
    opt(0, 'stride', stride), opt(0, 'dilation', fc.oneof(badInt(1), fc.constant(5))),
  ]),
  'Conv1D.backward': layerBackward(st.nn.Conv1D as LayerClass, { filters: 4, kernelSize: 3 }, () => t([2, 3, 8]), [2, 4, 6]),
  MaxPool2D: layer(st.nn.MaxPool2D as LayerClass, { ...pool }, xImg, [targ(1, 'x', ['kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), name, ...poolSlots(0).slice(1)]),
  'MaxPool2D.backward': layerBackward(st.nn.MaxPool2D as LayerClass, { ...pool }, xImg, pooled),
  AvgPool2D: layer(st.nn.AvgPool2D as LayerClass, { ...pool }, xImg, [
    targ(1, 'x', ['kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), ...poolSlots(0).slice(1), opt(0, 'countIncludePad', badBool),
  ]),
  'AvgPool2D.backward': layerBackward(st.nn.AvgPool2D as LayerClass, { ...pool }, xImg, pooled),
  StochasticPool2D: layer(st.nn.StochasticPool2D as LayerClass, { ...pool }, () => st.rand(x4, { seed: 2 }), [
    targ(1, 'x', ['kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1]] })), ...poolSlots(0).slice(1), opt(0, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1.5))),
  ]),
  'StochasticPool2D.backward': layerBackward(st.nn.StochasticPool2D as LayerClass, { ...pool }, () => st.rand(x4, { seed: 2 }), pooled),
  GlobalAvgPool2D: layer(st.nn.GlobalAvgPool2D as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { wrong: [[2, 3, 0, 6]] })), name]),
  'GlobalAvgPool2D.backward': layerBackward(st.nn.GlobalAvgPool2D as LayerClass, {}, xImg, [2, 3, 1, 1]),
  AdaptiveAvgPool2D: layer(st.nn.AdaptiveAvgPool2D as LayerClass, { outputSize: 3 }, xImg, [
    arg(1, 'x', badTensor(x4, { wrong: [[2, 3, 0, 6]] })), opt(0, 'outputSize', fc.oneof(badInt(1), fc.constantFrom<unknown>(undefined, [3], [0, 3]))),
  ]),
  'AdaptiveAvgPool2D.backward': layerBackward(st.nn.AdaptiveAvgPool2D as LayerClass, { outputSize: 3 }, xImg, pooled),
  Dense: layer(st.nn.Dense as LayerClass, { ...denseOptions }, () => t([2, 5]), [
    targ(1, 'x', ['Dense', 'inFeatures'], badTensor([2, 5], { ranks: [] })), name,
    opt(0, 'units', fc.oneof(badInt(1), fc.constant(undefined), hugeSize)), opt(0, 'inFeatures', fc.oneof(badInt(1), fc.constant(7)), ['inFeatures', 'x']),
    opt(0, 'useBias', badBool), opt(0, 'kernelInitializer', badEnum(['heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'zeros'])),
  ]),
  'Dense.backward': layerBackward(st.nn.Dense as LayerClass, { ...denseOptions }, () => t([2, 5]), [2, 3]),
  ReLU: layer(st.nn.ReLU as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { ranks: [1, 2, 3, 5] })), name]),
  'ReLU.backward': layerBackward(st.nn.ReLU as LayerClass, {}, xImg, x4),
  LeakyReLU: layer(st.nn.LeakyReLU as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { ranks: [1, 2, 3, 5] })), opt(0, 'alpha', badNumber)]),
  'LeakyReLU.backward': layerBackward(st.nn.LeakyReLU as LayerClass, {}, xImg, x4),
  ELU: layer(st.nn.ELU as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { ranks: [1, 2, 3, 5] })), opt(0, 'alpha', badNumber)]),
  'ELU.backward': layerBackward(st.nn.ELU as LayerClass, {}, xImg, x4),
  Sigmoid: layer(st.nn.Sigmoid as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { ranks: [1, 2, 3, 5] })), name]),
  'Sigmoid.backward': layerBackward(st.nn.Sigmoid as LayerClass, {}, xImg, x4),
  Tanh: layer(st.nn.Tanh as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { ranks: [1, 2, 3, 5] })), name]),
  'Tanh.backward': layerBackward(st.nn.Tanh as LayerClass, {}, xImg, x4),
  Softmax: layer(st.nn.Softmax as LayerClass, {}, () => t([2, 5]), [
    arg(1, 'x', badTensor([2, 5], { ranks: [1, 3, 4, 5] })), opt(0, 'axis', fc.oneof(badNumber, fc.constantFrom(2, -3, 0.5, 7))),
  ]),
  'Softmax.backward': layerBackward(st.nn.Softmax as LayerClass, {}, () => t([2, 5]), [2, 5]),
  Flatten: layer(st.nn.Flatten as LayerClass, {}, xImg, [arg(1, 'x', badTensor(x4, { ranks: [2, 3, 5] })), name]),
  'Flatten.backward': layerBackward(st.nn.Flatten as LayerClass, {}, xImg, [2, 108]),
  Dropout: layer(st.nn.Dropout as LayerClass, { rate: 0.5, seed: 1 }, xImg, [
    arg(1, 'x', badTensor(x4, { ranks: [1, 2, 3, 5] })), opt(0, 'rate', fc.oneof(badRange(0, 1, { high: true }), fc.constant(undefined))),
    opt(0, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1.5))),
  ]),
  'Dropout.backward': layerBackward(st.nn.Dropout as LayerClass, { rate: 0.5, seed: 1 }, xImg, x4),
  BatchNorm2D: layer(st.nn.BatchNorm2D as LayerClass, {}, xImg, [
    targ(1, 'x', ['channels'], badTensor(x4, { ranks: [] })), opt(0, 'channels', fc.oneof(badInt(1), fc.constant(5)), ['channels', 'x']),
    opt(0, 'eps', badRange(0, Infinity, { low: true })), opt(0, 'momentum', badRange(0, 1)),
  ]),
  'BatchNorm2D.backward': layerBackward(st.nn.BatchNorm2D as LayerClass, {}, xImg, x4),
  BatchNorm1D: layer(st.nn.BatchNorm1D as LayerClass, {}, () => t([4, 5]), [
    targ(1, 'x', ['channels'], badTensor([4, 5], { ranks: [3] })), opt(0, 'channels', fc.oneof(badInt(1), fc.constant(6)), ['channels', 'x']),
    opt(0, 'eps', badRange(0, Infinity, { low: true })), opt(0, 'momentum', badRange(0, 1)),
  ]),
  'BatchNorm1D.backward': layerBackward(st.nn.BatchNorm1D as LayerClass, {}, () => t([4, 5]), [4, 5]),
  LocalResponseNorm: layer(st.nn.LocalResponseNorm as LayerClass, {}, xImg, [
    arg(1, 'x', badTensor(x4, { ranks: [3] })), opt(0, 'size', badInt(1)), opt(0, 'alpha', badNumber), opt(0, 'beta', badNumber), opt(0, 'k', badNumber),
  ]),
  'LocalResponseNorm.backward': layerBackward(st.nn.LocalResponseNorm as LayerClass, {}, xImg, x4),
  Add: {
    args: () => [[t(x4), t(x4, 2)]],
    call: (xs) => new st.nn.Add().forward(xs as st.Tensor[]),
    slots: [
      arg(0, ['inputs', 'input'], fc.oneof(junk, fc.constantFrom<unknown>([], [t(x4)]))),
      { at: [0, 1], names: ['input', 'inputs', 'shape'], bad: badTensor(x4, { match: [0, 1, 2, 3] }) },
    ],
  },
  Concat: {
    args: () => [{}, [t(x4), t(x4, 2)]],
    call: (o, xs) => new st.nn.Concat(o as never).forward(xs as st.Tensor[]),
    slots: [
      arg(0, ['options', 'an object'], badObject), opt(0, 'axis', fc.oneof(badNumber, fc.constantFrom(0.5, 4, -5))),
      arg(1, ['inputs', 'input'], fc.oneof(junk, fc.constantFrom<unknown>([]))),
      { at: [1, 1], names: ['input', 'inputs', 'shape'], bad: badTensor(x4, { match: [0, 2, 3] }) },
    ],
  },
  EuclideanLoss: {
    args: () => [t([4, 3]), t([4, 3], 2)],
    call: (y, target) => new st.nn.EuclideanLoss().forward(y as st.Tensor, target as st.Tensor),
    slots: [targ(0, 'y', ['targets', 'target'], badTensor([4, 3], { ranks: [1, 3, 4, 5, 6] })), targ(1, 'targets', ['target', 'y'], badTensor([4, 3], { match: [0, 1] }))],
  },
  SoftmaxCrossEntropy: {
    args: () => [{}, t([4, 3]), Int32Array.from([0, 2, 1, 1])],
    call: (o, y, target) => new st.nn.SoftmaxCrossEntropy(o as never).forward(y as st.Tensor, target as never),
    slots: [
      arg(0, ['options', 'an object'], badObject), opt(0, 'labelSmoothing', badRange(0, 1, { high: true })),
      targ(1, 'y', ['targets', 'labels'], badTensor([4, 3])),
      arg(2, ['targets', 'labels', 'label'], fc.oneof(junk, fc.constantFrom<unknown>([0, 1], [0, 1, 2, 3], [0, -1, 1, 1], [0, 1.5, 1, 1], [0, NaN, 1, 1], Int32Array.from([0, 1, 2]), new Float32Array(4)), badTensor([4, 3], { match: [0, 1] }))),
    ],
  },
  BinaryCrossEntropy: {
    args: () => [{}, t([4, 2]), st.rand([4, 2], { seed: 3 })],
    call: (o, y, target) => new st.nn.BinaryCrossEntropy(o as never).forward(y as st.Tensor, target as st.Tensor),
    slots: [
      arg(0, ['options', 'an object'], badObject), opt(0, 'fromLogits', badBool),
      targ(1, 'y', ['targets'], badTensor([4, 2], { ranks: [1, 3, 4] })),
      arg(2, ['targets', 'target'], fc.oneof(badTensor([4, 2], { match: [0, 1] }), fc.constantFrom(-0.5, 1.5, NaN).map((v) => st.full([4, 2], v)))),
    ],
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
};

/** st.nn.init: the initialisers as exported. */
export const init: Record<string, Entry> = {
  fansOf: {
    args: () => [[4, 3, 3, 3]],
    call: (s) => st.nn.init.fansOf(s as number[]),
    slots: [arg(0, ['shape'], badShape())],
  },
  checkInitializer: {
    args: () => ['Dense', 'heNormal'],
    call: (l, n) => st.nn.init.checkInitializer(l as string, n),
    slots: [arg(1, ['kernelInitializer'], badEnum(['heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'zeros']))],
  },
  initialize: {
    args: () => [st.zeros([4, 3]), 'heNormal', 1],
    call: (w, n, seed) => st.nn.init.initialize(w as st.Tensor, n as never, seed as number),
    slots: [
      arg(0, ['w'], badTensor([4, 3], { ranks: [1, 3, 4] })), arg(1, ['name', 'initializer'], badEnum(['heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'zeros'])),
      arg(2, ['seed'], fc.oneof(badNumber, fc.constantFrom(0.5))),
    ],
  },
};

/** A well-formed IDX file of `count` 2x2 images (magic 0x803) or labels (0x801). */
function idx(kind: 'images' | 'labels', count: number): Uint8Array {
  const header = kind === 'images' ? 16 : 8;
  const body = kind === 'images' ? count * 4 : count;
  const bytes = new Uint8Array(header + body);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, kind === 'images' ? 0x803 : 0x801, false);
  view.setUint32(4, count, false);
  if (kind === 'images') {
    view.setUint32(8, 2, false);
    view.setUint32(12, 2, false);
  }
  return bytes;
}
const corrupt = (bytes: Uint8Array, at: number, value: number) => {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, false);
  return copy;
};
const badIdx = (kind: 'images' | 'labels') =>
  fc.oneof(
    junk,
    fc.constantFrom<unknown>(new Uint8Array(0), new Uint8Array(3), idx(kind, 4).slice(0, -1), [1, 2, 3], new Float32Array(8)),
    fc.constantFrom(0, 0x0801 + 0x0803 - (kind === 'images' ? 0x801 : 0x803), 0xffffffff).map((m) => corrupt(idx(kind, 4), 0, m)),
    fc.constantFrom(5, 2 ** 31, 0xffffffff).map((n) => corrupt(idx(kind, 4), 4, n)),
  );
const dataset = () => ({ images: t([6, 1, 2, 2]), labels: Int32Array.from([0, 1, 2, 0, 1, 2]) });
const badDataset = fc.oneof(
  junk,
  fc.constantFrom<unknown>({}, { images: 3, labels: new Int32Array(6) }, { images: st.zeros([6, 1, 2, 2]), labels: [0, 1] }),
  fc.constant(null).map(() => ({ images: st.zeros([6, 1, 2, 2]), labels: new Int32Array(5) })),
  fc.constant(null).map(() => ({ images: detached(), labels: new Int32Array(6) })),
);
function detached() {
  const x = st.zeros([6, 1, 2, 2]);
  structuredClone(x.data.buffer, { transfer: [x.data.buffer] });
  return x;
}

/** st.data: loaders, parsers, splitting, batching and transforms. */
export const data: Record<string, Entry> = {
  parseIdxImages: {
    args: () => [idx('images', 4), 'x.idx', {}],
    call: (b, n, o) => st.data.parseIdxImages(b as Uint8Array, n as string, o as never),
    slots: [arg(0, ['x.idx', 'bytes', 'images'], badIdx('images')), options(2), opt(2, 'scale', badBool)],
    files: true,
  },
  parseIdxLabels: {
    args: () => [idx('labels', 4), 'y.idx', 10],
    call: (b, n, k) => st.data.parseIdxLabels(b as Uint8Array, n as string, k as number),
    slots: [
      arg(0, ['y.idx', 'bytes', 'labels'], fc.oneof(badIdx('labels'), fc.constant(null).map(() => { const b = idx('labels', 4); b[9] = 200; return b; }))),
      arg(2, ['numClasses'], badInt(1)),
    ],
    files: true,
  },
  readMaybeGzip: {
    args: () => [path.join(dir, 'valid.idx')],
    call: (p) => st.data.readMaybeGzip(p as string),
    slots: [arg(0, ['path', 'missing.bin', 'dir', 'a-dir'], fc.oneof(badString, missing))],
    files: true,
  },
  loadIdx: {
    args: () => [path.join(dir, 'valid.idx'), path.join(dir, 'valid-labels.idx'), {}],
    call: (a, b, o) => st.data.loadIdx(a as string, b as string, o as never),
    slots: [
      arg(0, ['imagesPath', 'path', 'missing.bin', 'dir', 'a-dir'], fc.oneof(badString, missing)),
      arg(1, ['labelsPath', 'path', 'missing.bin', 'dir', 'a-dir'], fc.oneof(badString, missing)),
      options(2), opt(2, 'numClasses', badInt(1)),
    ],
    files: true,
  },
  loadMnist: {
    args: () => [{ split: 'test', dir }],
    call: (o) => st.data.loadMnist(o as never),
    slots: [options(0), opt(0, 'split', fc.oneof(badEnum(['train', 'test']), fc.constant(undefined))), opt(0, 'dir', fc.oneof(badString, missing), ['dir', 'missing.bin', 'a-dir', 'no'])],
    files: true,
  },
  mnistDataDir: {
    args: () => [],
    call: () => st.data.mnistDataDir(),
    slots: [],
  },
  loadCifar10: {
    args: () => [{ split: 'test', dir }],
    call: (o) => st.data.loadCifar10(o as never),
    slots: [options(0), opt(0, 'split', fc.oneof(badEnum(['train', 'test']), fc.constant(undefined))), opt(0, 'dir', fc.oneof(badString, missing, fc.constant(undefined)), ['dir', 'missing.bin', 'a-dir', 'no'])],
    files: true,
  },
  subset: {
    args: () => [dataset(), [0, 2]],
    call: (d, i) => st.data.subset(d as never, i as never),
    slots: [arg(0, ['dataset', 'images', 'labels'], badDataset), arg(1, ['indices'], fc.oneof(junk, fc.constantFrom<unknown>([-1], [6], [1.5], [NaN], ['1'], [2 ** 40], { length: 2 ** 40 })))],
  },
  split: {
    args: () => [dataset(), 0.5, { seed: 1 }],
    call: (d, n, o) => st.data.split(d as never, n as number, o as never),
    slots: [arg(0, ['dataset', 'images', 'labels'], badDataset), arg(1, ['size'], fc.oneof(badNumber, fc.constantFrom(0, -1, 6, 7, 1.5, 2 ** 40))), options(2), opt(2, 'seed', fc.oneof(badNumber, fc.constant(0.5)))],
  },
  permutation: {
    args: () => [5, 1],
    call: (n, seed) => st.data.permutation(n as number, seed as number),
    slots: [arg(0, ['n'], fc.oneof(badInt(0), hugeSize)), arg(1, ['seed'], fc.oneof(badNumber, fc.constant(0.5)))],
  },
  batches: {
    args: () => [dataset(), { batchSize: 4, shuffle: true, seed: 1 }],
    call: (d, o) => [...st.data.batches(d as never, o as never)],
    slots: [
      arg(0, ['dataset', 'images', 'labels'], badDataset), arg(1, ['options', 'batchSize'], badObject),
      opt(1, 'batchSize', fc.oneof(badInt(1), fc.constant(undefined))), opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))),
      opt(1, 'shuffle', badBool), opt(1, 'dropLast', badBool),
    ],
  },
  batchCount: {
    args: () => [10, 3, false],
    call: (n, b, d) => st.data.batchCount(n as number, b as number, d as boolean),
    slots: [arg(0, ['examples'], badInt(0)), arg(1, ['batchSize'], badInt(1)), arg(2, ['dropLast'], badBool)],
  },
  normalize: {
    args: () => [t([2, 3, 2, 2]), { mean: [0, 0.5, 1], std: 0.5 }],
    call: (x, o) => st.data.normalize(x as st.Tensor, o as never),
    slots: [
      arg(0, ['images'], badTensor([2, 3, 2, 2], { match: [1], ranks: [1, 2, 3, 5] })), options(1),
      opt(1, 'mean', fc.oneof(badNumber.filter((v) => !Array.isArray(v) || v.length !== 3), fc.constantFrom<unknown>([0, 1], [0, NaN, 1], [0, '1', 1]))),
      opt(1, 'std', fc.oneof(badNumber, fc.constantFrom<unknown>(0, -1, [1, 1], [1, 0, 1], [1, -1, 1]))),
    ],
  },
  oneHot: {
    args: () => [[0, 2, 1], 3],
    call: (l, k) => st.data.oneHot(l as never, k as number),
    slots: [arg(0, ['labels'], fc.oneof(junk, fc.constantFrom<unknown>([3], [-1], [0.5], [NaN], ['1'], { length: 2 ** 40 }))), arg(1, ['numClasses'], fc.oneof(badInt(1), hugeSize))],
  },
  padImages: {
    args: () => [t([2, 1, 3, 3]), 1, 0],
    call: (x, p, v) => st.data.padImages(x as st.Tensor, p as never, v as number),
    slots: [
      arg(0, ['images'], badTensor([2, 1, 3, 3])), arg(1, ['pad'], fc.oneof(badInt(0), fc.constantFrom<unknown>([1], [1, -1], [1, 2, 3]), hugeSize)),
      arg(2, ['value'], badNumber),
    ],
  },
  augment: {
    args: () => [t([2, 3, 4, 4]), { cropPadding: 1, horizontalFlip: true }, 1],
    call: (x, s, seed) => st.data.augment(x as st.Tensor, s as never, seed as number),
    slots: [
      arg(0, ['images'], badTensor([2, 3, 4, 4])), arg(1, ['spec', 'augment'], badObject),
      opt(1, 'cropPadding', badInt(0)), opt(1, 'horizontalFlip', badBool), opt(1, 'fill', fc.oneof(badNumber.filter((v) => !Array.isArray(v)), fc.constantFrom<unknown>([1, 2], [NaN, 0, 0]))),
      arg(2, ['seed'], badInt(0)),
    ],
  },
};

const params = () => [
  { name: 'w', value: t([3, 2]), grad: t([3, 2], 2) },
  { name: 'b', value: t([2]), grad: t([2], 3) },
];
const badParams = fc.oneof(
  junk,
  fc.constantFrom<unknown>({}, [null], [{}], [{ name: 'w', value: 3, grad: 3 }]),
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
  };
}
const lr = (required: boolean) => opt(1, 'lr', required ? fc.oneof(badRange(0, Infinity), fc.constant(undefined)) : badRange(0, Infinity));
const betas = opt(1, 'betas', fc.oneof(junk, fc.constantFrom<unknown>([0.9], [1, 0.999], [0.9, -0.1], [NaN, 0.9], [0.9, 0.999, 0.5])));

/** st.optim: optimizers (constructor and step), schedules and clipping. */
export const optim: Record<string, Entry> = {
  SGD: optimizer((p, o) => new st.optim.SGD(p as never, o as never), { lr: 0.1, momentum: 0.9 }, [
    lr(true), opt(1, 'momentum', badRange(0, Infinity)), opt(1, 'weightDecay', badRange(0, Infinity)), opt(1, 'nesterov', badBool),
    opt(1, 'dampening', badRange(0, 1)),
  ]),
  RMSProp: optimizer((p, o) => new st.optim.RMSProp(p as never, o as never), { lr: 0.01 }, [
    lr(true), opt(1, 'alpha', badRange(0, 1)), opt(1, 'eps', badRange(0, Infinity, { low: true })), opt(1, 'momentum', badRange(0, Infinity)),
    opt(1, 'weightDecay', badRange(0, Infinity)), opt(1, 'centered', badBool),
  ]),
  Adam: optimizer((p, o) => new st.optim.Adam(p as never, o as never), { lr: 0.001 }, [
    lr(false), betas, opt(1, 'eps', badRange(0, Infinity, { low: true })), opt(1, 'weightDecay', badRange(0, Infinity)),
  ]),
  AdamW: optimizer((p, o) => new st.optim.AdamW(p as never, o as never), { lr: 0.001 }, [
    lr(false), betas, opt(1, 'eps', badRange(0, Infinity, { low: true })), opt(1, 'weightDecay', badRange(0, Infinity)),
  ]),
  StepLR: {
    args: () => [{ stepSize: 2, gamma: 0.5 }],
    call: (o) => new st.optim.StepLR(o as never).lrAt(3, 0.1),
    slots: [options(0), opt(0, 'stepSize', fc.oneof(badInt(1), fc.constant(undefined))), opt(0, 'gamma', badRange(0, Infinity, { low: true }))],
  },
  ExponentialLR: {
    args: () => [{ gamma: 0.9 }],
    call: (o) => new st.optim.ExponentialLR(o as never).lrAt(3, 0.1),
    slots: [options(0), opt(0, 'gamma', fc.oneof(badRange(0, Infinity, { low: true }), fc.constant(undefined)))],
  },
  CosineAnnealingLR: {
    args: () => [{ tMax: 10, etaMin: 0 }],
    call: (o) => new st.optim.CosineAnnealingLR(o as never).lrAt(3, 0.1),
    slots: [options(0), opt(0, 'tMax', fc.oneof(badInt(1), fc.constant(undefined))), opt(0, 'etaMin', badRange(0, Infinity))],
  },
  LinearWarmup: {
    args: () => [{ warmupSteps: 3 }, undefined],
    call: (o, inner) => new st.optim.LinearWarmup(o as never, inner as never).lrAt(1, 0.1),
    slots: [
      options(0), opt(0, 'warmupSteps', fc.oneof(badInt(1), fc.constant(undefined))), opt(0, 'startFactor', badRange(0, 1, { low: true })),
      arg(1, ['inner', 'Schedule'], fc.oneof(junk, fc.constantFrom<unknown>({}, { lrAt: 1 }))),
    ],
  },
  clipGradNorm: {
    args: () => [params(), 1],
    call: (p, m) => st.optim.clipGradNorm(p as never, m as number),
    slots: [arg(0, ['params'], badParams), arg(1, ['maxNorm'], badRange(0, Infinity))],
  },
};

const badSignal1 = fc.oneof(junk, fc.constantFrom<unknown>([], {}, new Float32Array(0), [1, 'x'], [1, null], [[1, 2], [3, 4]], [1, undefined]));
const badSignal2 = fc.oneof(junk, fc.constantFrom<unknown>([], [[]], {}, [[1, 2], [3]], [[1, 'x']], [1, 2], [[1, 2], null]), fc.constant(null).map(() => st.zeros([2, 0])));
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

const lenetLike = () =>
  new st.Sequential([new st.nn.Conv2D({ filters: 2, kernelSize: 3 }), new st.nn.ReLU(), new st.nn.Flatten(), new st.nn.Dense({ units: 3 })], {
    inputShape: [1, 5, 5],
    seed: 1,
  });
const model = lenetLike();
const modelFile = path.join(dir, 'model.striate');
model.save(modelFile);
const badFile = fc.oneof(badString, missing, fc.constantFrom(path.join(dir, 'valid.idx')));

/** The model API: construction, forward, backward, predictSync, save and load. */
export const models: Record<string, Entry> = {
  Sequential: {
    args: () => [[new st.nn.Flatten(), new st.nn.Dense({ units: 2 })], { inputShape: [1, 5, 5], seed: 1 }],
    call: (layers, o) => new st.Sequential(layers as never, o as never).forward(t([2, 1, 5, 5])),
    slots: [
      arg(0, ['layers', 'layer'], fc.oneof(junk, fc.constantFrom<unknown>({}, [null], [1], [{ forward: 1 }]))),
      options(1), opt(1, 'inputShape', fc.oneof(badShape(3), fc.constant(undefined), fc.constantFrom<unknown>([0, 5, 5])), ['inputShape', 'shape']),
      opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))),
    ],
  },
  'Graph.input': {
    args: () => [[1, 5, 5], { name: 'in' }],
    call: (s, o) => new st.Graph({ seed: 1 }).input(s as never, o as never),
    slots: [arg(0, ['shape', 'input'], badShape(3)), opt(1, 'name', fc.constantFrom<unknown>(1, {}, [], ''))],
  },
  'Graph.add': {
    args: () => [new st.nn.ReLU(), 'node'],
    call: (l, which) => {
      const g = new st.Graph({ seed: 1 });
      const x = g.input([1, 5, 5]);
      return g.add(l as never, (which === 'node' ? x : which) as never);
    },
    slots: [
      arg(0, ['layer'], fc.oneof(junk, fc.constantFrom<unknown>({}, { forward: 1 }), fc.constant(null).map(() => new st.nn.Dense({ units: 2 })))),
      arg(1, ['input', 'node'], fc.oneof(junk, fc.constantFrom<unknown>({}, { shape: [1, 5, 5] }), fc.constant(null).map(() => new st.Graph().input([1, 5, 5])))),
    ],
  },
  'Graph.output': {
    args: () => ['node'],
    call: (which) => {
      const g = new st.Graph({ seed: 1 });
      const x = g.input([1, 5, 5]);
      return g.output((which === 'node' ? x : which) as never);
    },
    slots: [arg(0, ['node', 'output'], fc.oneof(junk, fc.constantFrom<unknown>({}), fc.constant(null).map(() => new st.Graph().input([1, 5, 5]))))],
  },
  forward: {
    args: () => [t([2, 1, 5, 5]), { training: false }],
    call: (x, o) => model.forward(x as never, o as never),
    slots: [arg(0, ['input', 'x'], badTensor([2, 1, 5, 5], { match: [1, 2, 3] })), opt(1, 'training', badBool)],
  },
  backward: {
    args: () => [t([2, 3])],
    call: (dy) => {
      model.forward(t([2, 1, 5, 5]), { training: true });
      return model.backward(dy as never);
    },
    slots: [arg(0, ['dy'], badTensor([2, 3], { match: [0, 1] }))],
  },
  predictSync: {
    args: () => [t([3, 1, 5, 5]), { batchSize: 2 }],
    call: (x, o) => model.predictSync(x as never, o as never),
    slots: [arg(0, ['input', 'x'], badTensor([3, 1, 5, 5], { match: [1, 2, 3] })), options(1), opt(1, 'batchSize', badInt(1))],
  },
  save: {
    args: () => [path.join(dir, 'saved.striate'), { note: 'ok' }],
    call: (f, m) => model.save(f as string, m as never),
    slots: [
      arg(0, ['file', 'path', 'no', 'a-dir'], fc.oneof(badString, fc.constantFrom(path.join(dir, 'no', 'such', 'x.striate'), path.join(dir, 'a-dir'), ''))),
      arg(1, ['metadata'], fc.oneof(fc.constantFrom<unknown>(3, 'x', [], null, 3n), fc.constant(null).map(() => { const o: Record<string, unknown> = {}; o.self = o; return o; }), fc.constant({ big: 1n }))),
    ],
    files: true,
  },
  load: {
    args: () => [modelFile],
    call: (f) => st.load(f as string),
    slots: [arg(0, ['file', 'path', 'missing.bin', 'a-dir', 'valid.idx', 'no'], badFile)],
    files: true,
  },
  loadWithMetadata: {
    args: () => [modelFile],
    call: (f) => st.loadWithMetadata(f as string),
    slots: [arg(0, ['file', 'path', 'missing.bin', 'a-dir', 'valid.idx', 'no'], badFile)],
    files: true,
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
    slots: [arg(0, ['data', 'values'], fc.oneof(junk, fc.constantFrom<unknown>([[1, 2], [3]], [[1, 'x']], [[1, 2], null], {}, [[[1], [2, 3]]]))), arg(1, ['shape'], fc.oneof(badShape(), fc.constantFrom<unknown>([3], [2, 3])))],
  },
  zeros: { args: () => [[2, 3]], call: (s) => st.zeros(s as never), slots: [arg(0, ['shape'], badShape())] },
  ones: { args: () => [[2, 3]], call: (s) => st.ones(s as never), slots: [arg(0, ['shape'], badShape())] },
  full: { args: () => [[2, 3], 1], call: (s, v) => st.full(s as never, v as never), slots: [arg(0, ['shape'], badShape()), arg(1, ['value'], badNumber.filter((v) => typeof v !== 'number'))] },
  randn: {
    args: () => [[2, 3], { seed: 1, mean: 0, std: 1 }],
    call: (s, o) => st.randn(s as never, o as never),
    slots: [arg(0, ['shape'], badShape()), options(1), opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))), opt(1, 'mean', badNumber), opt(1, 'std', fc.oneof(badNumber, fc.constant(-1)))],
  },
  rand: {
    args: () => [[2, 3], { seed: 1, low: 0, high: 1 }],
    call: (s, o) => st.rand(s as never, o as never),
    slots: [arg(0, ['shape'], badShape()), options(1), opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))), opt(1, 'low', badNumber), opt(1, 'high', fc.oneof(badNumber, fc.constant(-1)))],
  },
  sizeOf: { args: () => [[2, 3]], call: (s) => st.sizeOf(s as never), slots: [arg(0, ['shape'], badShape())] },
  reshape: { args: () => [[3, -1]], call: (s) => st.zeros([2, 3]).reshape(s as never), slots: [arg(0, ['shape'], fc.oneof(badShape(2), fc.constantFrom<unknown>([4, -1], [-1, -1], [0, -1], [5])))] },
  setNumThreads: { args: () => [st.getNumThreads()], call: (n) => st.setNumThreads(n as number), slots: [arg(0, ['n'], fc.oneof(badInt(1), fc.constant(2 ** 31)))] },
};

// The files the valid calls read: IDX images and labels (also as the MNIST test split) and a CIFAR-10 test batch.
writeFileSync(path.join(dir, 'valid.idx'), idx('images', 4));
writeFileSync(path.join(dir, 'valid-labels.idx'), idx('labels', 4));
writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx('images', 4));
writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx('labels', 4));
writeFileSync(path.join(dir, 'test_batch.bin'), new Uint8Array(3073 * 2));

export const surface: Record<string, Record<string, Entry>> = { ops, nn, 'nn.init': init, data, optim, signal, models, top };
