import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/** float64 log-softmax of each row. */
function logSoftmax(y: st.Tensor): number[][] {
  const [n, k] = y.shape;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(y.data.subarray(i * k, (i + 1) * k));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    rows.push(row.map((v) => v - lse));
  }
  return rows;
}

/** Checks dL/dy by central differences of the loss itself (kept in float64). */
function lossGradcheck(context: string, loss: { forward(y: st.Tensor, t: never): number; backward(): st.Tensor }, y: st.Tensor, t: unknown) {
  loss.forward(y, t as never);
  const grad = loss.backward().clone();
  gradcheck(context, () => Float64Array.of(loss.forward(y, t as never)), st.tensor([1]), [{ name: 'y', value: y, grad }], { h: 1e-3 });
}

describe('SoftmaxCrossEntropy', () => {
  it('y=[5,7] equals −mean log-softmax in float64, and dy checks', () => {
    const y = randomTensor([5, 7], 1);
    for (let i = 0; i < y.size; i++) y.data[i] *= 3;
    const labels = Int32Array.from([0, 6, 3, 3, 1]);
    const ls = logSoftmax(y);
    const want = -labels.reduce((a, c, i) => a + ls[i][c], 0) / 5;
    const loss = new nn.SoftmaxCrossEntropy();
    expect(loss.forward(y, labels)).toBeCloseTo(want, 6);
    const dy = loss.backward();
    const wantDy = ls.flatMap((row, i) => row.map((l, j) => (Math.exp(l) - (labels[i] === j ? 1 : 0)) / 5));
    expectClose(dy.data, wantDy, 1e-6, 'dy');
    lossGradcheck('sce', loss, y, labels);
  });

  it('is stable for logits of ±1e4', () => {
    const y = st.tensor([[1e4, -1e4, 0], [-1e4, -1e4, -1e4 + 2]]);
    const loss = new nn.SoftmaxCrossEntropy();
    const value = loss.forward(y, [1, 2]);
    expect(Number.isFinite(value)).toBe(true);
    // row 0: log-softmax of the target is −2e4; row 1: −log(1 + 2e^−2)
    expect(value).toBeCloseTo((2e4 + Math.log(1 + 2 * Math.exp(-2))) / 2, 3);
    expect(loss.backward().data.every(Number.isFinite)).toBe(true);
  });

  it('one-hot targets give the same loss and gradient as integer targets', () => {
    const y = randomTensor([4, 5], 2);
    const labels = [4, 0, 2, 2];
    const onehot = st.zeros([4, 5]);
    labels.forEach((c, i) => (onehot.data[i * 5 + c] = 1));
    const a = new nn.SoftmaxCrossEntropy({ labelSmoothing: 0.1 });
    const b = new nn.SoftmaxCrossEntropy({ labelSmoothing: 0.1 });
    expect(a.forward(y, labels)).toBe(b.forward(y, onehot));
    expect(Array.from(a.backward().data)).toEqual(Array.from(b.backward().data));
  });

  it('label smoothing: target (1 − ε)·onehot + ε/K', () => {
    const y = randomTensor([3, 4], 3);
    const labels = [1, 3, 0];
    const eps = 0.2;
    const ls = logSoftmax(y);
    const want = -ls.reduce((a, row, i) => a + row.reduce((s, l, j) => s + ((labels[i] === j ? 1 - eps : 0) + eps / 4) * l, 0), 0) / 3;
    const loss = new nn.SoftmaxCrossEntropy({ labelSmoothing: eps });
    expect(loss.forward(y, labels)).toBeCloseTo(want, 6);
    lossGradcheck('sce smoothing', loss, y, labels);
  });

  it('rejects bad targets and options', () => {
    const loss = new nn.SoftmaxCrossEntropy();
    const y = st.zeros([2, 3]);
    expect(() => loss.forward(y, [0, 3])).toThrow(/targets\[1\] must be a class index in \[0, 3\)/);
    expect(() => loss.forward(y, [0])).toThrow(/expected 2 targets/);
    expect(() => loss.forward(y, st.zeros([2, 4]))).toThrow(/targets must have y's shape/);
    expect(() => loss.forward(st.zeros([6]), [0])).toThrow(/\[N, K\]/);
    expect(() => new nn.SoftmaxCrossEntropy({ labelSmoothing: 1 })).toThrow(RangeError);
    expect(() => new nn.SoftmaxCrossEntropy().backward()).toThrow(/before forward/);
  });
});

describe('EuclideanLoss', () => {
  it('½‖y − t‖² averaged over the batch, dy = (y − t)/N', () => {
    const y = randomTensor([4, 3], 5);
    const t = randomTensor([4, 3], 6);
    const loss = new nn.EuclideanLoss();
    let want = 0;
    for (let i = 0; i < y.size; i++) want += 0.5 * (y.data[i] - t.data[i]) ** 2;
    expect(loss.forward(y, t)).toBeCloseTo(want / 4, 6);
    expectClose(loss.backward().data, Array.from(y.data, (v, i) => (v - t.data[i]) / 4), 1e-6, 'dy');
    lossGradcheck('euclidean', loss, y, t);
    expect(() => loss.forward(y, st.zeros([3, 4]))).toThrow(RangeError);
  });
});

describe('BinaryCrossEntropy', () => {
  it('from logits: matches float64, stable for ±1e4, gradient checks', () => {
    const y = randomTensor([3, 4], 7);
    for (let i = 0; i < y.size; i++) y.data[i] *= 4;
    const t = st.rand([3, 4], { seed: 8 });
    const loss = new nn.BinaryCrossEntropy();
    let want = 0;
    for (let i = 0; i < y.size; i++) {
      const p = 1 / (1 + Math.exp(-y.data[i]));
      want -= t.data[i] * Math.log(p) + (1 - t.data[i]) * Math.log(1 - p);
    }
    expect(loss.forward(y, t)).toBeCloseTo(want / 12, 6);
    lossGradcheck('bce logits', loss, y, t);
    const big = loss.forward(st.tensor([1e4, -1e4]), st.tensor([0, 1]));
    expect(big).toBeCloseTo(1e4, 3);
  });

  it('on probabilities: clamped, gradient checks away from the clamp', () => {
    const p = st.rand([2, 5], { seed: 9, low: 0.1, high: 0.9 });
    const t = st.rand([2, 5], { seed: 10 });
    const loss = new nn.BinaryCrossEntropy({ fromLogits: false });
    let want = 0;
    for (let i = 0; i < p.size; i++) want -= t.data[i] * Math.log(p.data[i]) + (1 - t.data[i]) * Math.log(1 - p.data[i]);
    expect(loss.forward(p, t)).toBeCloseTo(want / 10, 5);
    lossGradcheck('bce probabilities', loss, p, t);
    expect(Number.isFinite(loss.forward(st.tensor([0, 1]), st.tensor([1, 0])))).toBe(true);
    expect(() => loss.forward(st.tensor([1.5]), st.tensor([1]))).toThrow(/probabilities/);
    expect(() => loss.forward(st.tensor([0.5]), st.tensor([2]))).toThrow(/targets must lie in \[0, 1\]/);
  });
});
