/**
 * st.ops under fuzzing: each op's tensors, shapes, options and `out` arrays.
 */
import fc from 'fast-check';
import * as st from '../../src/index.js';
import { badBool, badInt, badNumber, badObject, badShape, badString, badTensor, badTypedArray, hugeSize } from './bad-values.js';
import type { Entry, Slot } from './harness.js';
import { arg, opt, options, t } from './slots.js';

/** A tensor argument: a wrong shape may be reported as disagreeing with a partner argument. */
const targ = (i: number, name: string, partners: readonly string[], bad: fc.Arbitrary<unknown>): Slot => arg(i, [name, ...partners], bad);

// Sizes and geometry shared by many entries.
export const stride = badInt(1);
export const padding2d = fc.oneof(badInt(0), hugeSize, fc.constantFrom<unknown>('bogus', 'SAME', [1, 2, 3], [-1, 0], [1, NaN], [0.5, 0], 20000, [0, 0, 0, 2 ** 30]));
export const pool = { kernelSize: 2 };
export const poolSlots = (i: number, withKernel = true): Slot[] => [
  options(i),
  ...(withKernel ? [opt(i, 'kernelSize', fc.oneof(badInt(1), fc.constantFrom<unknown>(undefined, [2], [2, 0], [9, 9], 7)))] : []),
  opt(i, 'stride', fc.oneof(badInt(1), fc.constantFrom<unknown>([1], [1, 0]))),
  opt(i, 'padding', fc.oneof(badInt(0), fc.constantFrom<unknown>([1], [-1, 0], 2, 5))),
  opt(i, 'ceilMode', badBool),
];
export const convSlots = (i: number): Slot[] => [
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
export const x4 = [2, 3, 6, 6];
export const w4 = [4, 3, 3, 3];
export const y4 = [2, 4, 4, 4];
export const pooled = [2, 3, 3, 3];

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
      arg(2, 'b', badTensor([4], { match: [0] }).filter((v) => v !== null)),
      ...convSlots(3),
      arg(4, 'out', badTypedArray(2 * 4 * 4 * 4, 'float32')),
    ],
  },
  conv2dFused: {
    args: () => [t(x4), t(w4), t([4]), {}, { residual: t(y4, 3), activation: 'relu' }, undefined],
    call: (x, w, b, o, e, y) => st.ops.conv2dFused(x as st.Tensor, w as st.Tensor, b as st.Tensor, o as never, e as never, y as never),
    slots: [
      targ(0, 'x', ['w', 'kernel'], badTensor(x4, { match: [1], wrong: [[2, 3, 1, 1]] })),
      targ(1, 'w', ['x', 'kernel'], badTensor(w4, { match: [1], wrong: [[4, 3, 7, 7]] })),
      arg(2, 'b', badTensor([4], { match: [0] }).filter((v) => v !== null)),
      ...convSlots(3),
      arg(4, ['epilogue'], badObject),
      opt(4, 'residual', badTensor(y4, { match: [0, 1, 2, 3] }), ['residual', 'epilogue.residual']),
      opt(4, 'activation', fc.oneof(badString, fc.constantFrom<unknown>('RELU', 'sigmoid', '')), ['activation', 'epilogue.activation']),
      arg(5, 'out', badTypedArray(2 * 4 * 4 * 4, 'float32')),
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
      arg(2, 'b', badTensor([4], { match: [0] }).filter((v) => v !== null)), ...conv1dSlots(3),
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
    args: () => [t(x4), { ...pool }, undefined],
    call: (x, o, y) => st.ops.maxPool2d(x as st.Tensor, o as never, y as never),
    slots: [
      arg(0, ['x', 'kernel'], badTensor(x4, { wrong: [[2, 3, 1, 1], [2, 3, 0, 6]] })), ...poolSlots(1),
      arg(2, 'out', badTypedArray(54, 'float32')),
    ],
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
