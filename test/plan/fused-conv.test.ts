// conv2dFused (the inference plan's conv + bias + residual Add + ReLU in one native call)
// against conv2d, then add, then ReLU: the same bits, on shapes that reach the 1x1 GEMM,
// im2col with one and several images, groups and the direct kernels, with odd channel
// counts and rows that do not fill a register tile.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
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

  it('rejects a residual of the wrong shape, one sharing memory with out, and an unknown activation', () => {
    const x = randomTensor([1, 3, 5, 5], 1), w = randomTensor([4, 3, 3, 3], 2);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { residual: randomTensor([1, 4, 5, 5], 3) })).toThrow(/residual must be the output shape \[1, 4, 3, 3\]/);
    const out = new Float32Array(36);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { residual: new st.Tensor(out, [1, 4, 3, 3]) }, out)).toThrow(RangeError);
    expect(() => st.ops.conv2dFused(x, w, null, {}, { activation: 'gelu' as 'relu' })).toThrow(/activation must be 'none' or 'relu'/);
  });
});
