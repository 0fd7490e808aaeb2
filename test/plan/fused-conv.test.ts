// conv2dFused (the inference plan's conv + bias + residual Add + ReLU in one native call)
// against conv2d, then add, then ReLU: the same bits, on shapes that reach the 1x1 GEMM,
// im2col with one and several images, groups and the direct kernels, with odd channel
// counts and rows that do not fill a register tile. Its input norm (a batch norm and a
// ReLU on x first) against batchNorm with the ReLU, then the call without it.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { batchNorm } from '../../src/ops/elementwise.js';
import { randomTensor } from '../helpers/random.js';

type Case = { x: number[]; w: number[]; options: st.ops.Conv2dOptions };
const cases: Case[] = [
  { x: [1, 13, 9, 9], w: [17, 13, 1, 1], options: {} },
  { x: [3, 5, 11, 7], w: [7, 5, 3, 3], options: { padding: 1 } },
  { x: [2, 3, 17, 19], w: [9, 3, 7, 7], options: { stride: 2, padding: 3 } },
  { x: [1, 8, 23, 21], w: [21, 8, 3, 3], options: { padding: 1 } },
  { x: [4, 6, 16, 16], w: [37, 6, 3, 3], options: { padding: 1 } },
  { x: [2, 12, 10, 10], w: [12, 4, 3, 3], options: { padding: 1, groups: 3 } },
  { x: [5, 9, 6, 6], w: [11, 9, 2, 2], options: { stride: 2 } },
];

function relu(a: Float32Array): Float32Array {
  return a.map((v) => (v > 0 ? v : 0));
}

describe('conv2dFused', () => {
  for (const { x: xs, w: ws, options } of cases) {
    const label = `x=[${xs}] w=[${ws}] ${JSON.stringify(options)}`;
    it(`${label}: bias + residual + relu equals conv2d, add, relu bit for bit`, () => {
      const x = randomTensor(xs, 1), w = randomTensor(ws, 2), b = randomTensor([ws[0]], 3);
      const plain = st.ops.conv2d(x, w, b, options);
      const r = randomTensor([...plain.shape], 4);
      const sum = plain.data.map((v, i) => v + r.data[i]);
      const fused = st.ops.conv2dFused(x, w, b, options, { residual: r, activation: 'relu' });
      expect(fused.shape).toEqual(plain.shape);
      expect(Buffer.from(fused.data.buffer).equals(Buffer.from(relu(sum).buffer))).toBe(true);
      const onlyAdd = st.ops.conv2dFused(x, w, b, options, { residual: r });
      expect(Buffer.from(onlyAdd.data.buffer).equals(Buffer.from(sum.buffer))).toBe(true);
      const onlyRelu = st.ops.conv2dFused(x, w, null, options, { activation: 'relu' });
      const plainNoBias = st.ops.conv2d(x, w, null, options);
      expect(Buffer.from(onlyRelu.data.buffer).equals(Buffer.from(relu(plainNoBias.data).buffer))).toBe(true);
      expect(onlyRelu.data.some((v) => v === 0) && onlyRelu.data.some((v) => v > 0)).toBe(true);
    });
  }

  const norm = (c: number, seed: number): st.ops.Conv2dInputNorm => {
    const r = randomTensor([4, c], seed).data;
    return {
      mean: Float64Array.from(r.subarray(0, c), (v) => 0.3 * v), invStd: Float64Array.from(r.subarray(c, 2 * c), (v) => 0.6 + Math.abs(v)),
      gamma: r.slice(2 * c, 3 * c), beta: r.slice(3 * c),
    };
  };
  // 1x1 image by image (normalised as the GEMM packs x), on small maps gathered, on a 1x1
  // map, with groups, and a 3x3 (a normalised copy of x first).
  for (const [xs, ws, options] of [
    [[1, 37, 9, 11], [19, 37, 1, 1], {}], [[2, 64, 12, 12], [40, 64, 1, 1], {}], [[3, 20, 3, 3], [9, 20, 1, 1], {}],
    [[4, 16, 1, 1], [24, 16, 1, 1], {}], [[2, 12, 8, 9], [18, 4, 1, 1], { groups: 3 }], [[1, 16, 12, 12], [32, 16, 3, 3], { padding: 1 }],
  ] as [number[], number[], st.ops.Conv2dOptions][])
    it(`x=[${xs}] w=[${ws}] ${JSON.stringify(options)}: the input norm equals batchNorm + ReLU, then the call without it, bit for bit`, () => {
      const x = randomTensor(xs, 5), w = randomTensor(ws, 6), b = randomTensor([ws[0]], 7), n = norm(xs[1], 8);
      const normalized = new Float32Array(x.size);
      batchNorm(x.data, normalized, xs[0], xs[1], xs[2] * xs[3], n.mean, n.invStd, n.gamma, n.beta, true);
      const want = st.ops.conv2dFused(new st.Tensor(normalized, x.shape), w, b, options, { activation: 'relu' });
      const got = st.ops.conv2dFused(x, w, b, options, { activation: 'relu', inputNorm: n });
      expect(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
      expect(normalized.some((v) => v === 0) && got.data.some((v) => v > 0)).toBe(true);
    });

  it('rejects an input norm of the wrong types or lengths, and Winograd takes none', async () => {
    const x = randomTensor([1, 3, 5, 5], 1), w = randomTensor([4, 3, 1, 1], 2), n = norm(3, 3);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { inputNorm: { ...n, mean: new Float32Array(3) as unknown as Float64Array } }))
      .toThrow(/inputNorm.mean must be a Float64Array/);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { inputNorm: { ...n, beta: new Float32Array(4) } })).toThrow(/inputNorm.beta must have Cin = 3 elements, got 4/);
    const { conv2dWinograd, winogradWeights } = await import('../../src/models/plan/winograd.js');
    const u = winogradWeights(randomTensor([4, 3, 3, 3], 4), 2);
    expect(() => conv2dWinograd(x, u, null, { padding: 1 }, { inputNorm: n })).toThrow(/Winograd takes no epilogue.inputNorm/);
  });

  it('rejects a residual of the wrong shape, one sharing memory with out, and an unknown activation', () => {
    const x = randomTensor([1, 3, 5, 5], 1), w = randomTensor([4, 3, 3, 3], 2);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { residual: randomTensor([1, 4, 5, 5], 3) })).toThrow(/residual must be the output shape \[1, 4, 3, 3\]/);
    const out = new Float32Array(36);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { residual: new st.Tensor(out, [1, 4, 3, 3]) }, out)).toThrow(RangeError);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { activation: 'gelu' as 'relu' })).toThrow(/activation must be 'none' or 'relu'/);
  });
});
