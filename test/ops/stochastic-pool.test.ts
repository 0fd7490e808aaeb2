// Statistics of stochastic pooling (Zeiler & Fergus 2013): selection frequencies follow
// p_i = a_i / Σ a_j, the inference output is the expectation of the training output,
// and the draw depends only on the seed.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

// M copies of one 2x2 window side by side: x = [1, 1, 2, 2M], kernel 2.
function repeatedWindow(window: [number, number, number, number], copies: number): st.Tensor {
  const x = new Float32Array(4 * copies);
  for (let m = 0; m < copies; m++) {
    x[2 * m] = window[0];
    x[2 * m + 1] = window[1];
    x[2 * copies + 2 * m] = window[2];
    x[2 * copies + 2 * m + 1] = window[3];
  }
  return new st.Tensor(x, [1, 1, 2, 2 * copies]);
}

/** Which of the 4 window cells (row-major) each output chose. */
function cells(index: Int32Array, copies: number): number[] {
  return Array.from(index, (i, m) => (i >= 2 * copies ? 2 : 0) + (i - 2 * m) % (2 * copies));
}

describe('stochasticPool2d statistics', () => {
  it('selects each element with probability a_i / Σ a_j (chi-square, 3 dof, p = 0.001)', () => {
    const window: [number, number, number, number] = [1, 2, 3, 4];
    const copies = 500;
    const x = repeatedWindow(window, copies);
    const counts = [0, 0, 0, 0];
    let draws = 0;
    for (let seed = 0; seed < 40; seed++) {
      const { index } = st.ops.stochasticPool2d(x, { kernelSize: 2, training: true, seed });
      for (const c of cells(index!, copies)) counts[c]++;
      draws += copies;
    }
    const total = window.reduce((a, b) => a + b, 0);
    const chi2 = counts.reduce((s, n, i) => {
      const expected = (draws * window[i]) / total;
      return s + (n - expected) ** 2 / expected;
    }, 0);
    expect(chi2).toBeLessThan(16.27);
    expect(counts.every((n) => n > 0)).toBe(true);
  });

  it('never selects a zero or negative element, and an all-zero window outputs 0 from its first cell', () => {
    const x = repeatedWindow([-5, 0, 2, 0], 200);
    const { y, index } = st.ops.stochasticPool2d(x, { kernelSize: 2, training: true, seed: 3 });
    expect(new Set(cells(index!, 200))).toEqual(new Set([2]));
    expect(Array.from(y.data).every((v) => v === 2)).toBe(true);
    const zero = st.ops.stochasticPool2d(repeatedWindow([0, -1, 0, -3], 10), { kernelSize: 2, training: true, seed: 1 });
    expect(cells(zero.index!, 10)).toEqual(new Array(10).fill(0));
    expect(Array.from(zero.y.data)).toEqual(new Array(10).fill(0));
  });

  it('never selects padding, which contributes nothing', () => {
    const x = st.full([1, 1, 3, 3], 1);
    const { index } = st.ops.stochasticPool2d(x, { kernelSize: 2, stride: 1, padding: 1, training: true, seed: 2 });
    expect(Array.from(index!).every((i) => i >= 0 && i < 9)).toBe(true);
  });

  it('inference output equals the mean of the training output over many seeds', () => {
    const x = st.rand([2, 3, 6, 6], { seed: 11 });
    const opts = { kernelSize: 3, stride: 2, padding: 1 };
    const expected = st.ops.stochasticPool2d(x, { ...opts, training: false }).y;
    const seeds = 2000;
    const sum = new Float64Array(expected.size);
    const sumSq = new Float64Array(expected.size);
    for (let seed = 0; seed < seeds; seed++) {
      const { y } = st.ops.stochasticPool2d(x, { ...opts, training: true, seed });
      for (let i = 0; i < y.size; i++) {
        sum[i] += y.data[i];
        sumSq[i] += y.data[i] ** 2;
      }
    }
    for (let i = 0; i < expected.size; i++) {
      const mean = sum[i] / seeds;
      const sd = Math.sqrt(Math.max(sumSq[i] / seeds - mean * mean, 0));
      // 5 standard errors: about 1 false alarm in 3.5 million per output.
      expect(Math.abs(mean - expected.data[i])).toBeLessThanOrEqual(5 * sd / Math.sqrt(seeds) + 1e-6);
    }
  });

  it('the same seed gives the same choice; another seed or an advancing rng another', () => {
    const x = st.rand([2, 4, 8, 8], { seed: 5 });
    const opts = { kernelSize: 2, training: true };
    const a = st.ops.stochasticPool2d(x, { ...opts, seed: 42 }).index!;
    const b = st.ops.stochasticPool2d(x, { ...opts, seed: 42 }).index!;
    const c = st.ops.stochasticPool2d(x, { ...opts, seed: 43 }).index!;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const rng = new st.Rng(42);
    const first = st.ops.stochasticPool2d(x, { ...opts, rng }).index!;
    const second = st.ops.stochasticPool2d(x, { ...opts, rng }).index!;
    expect(Array.from(first)).toEqual(Array.from(a));
    expect(Array.from(second)).not.toEqual(Array.from(first));
  });
});
