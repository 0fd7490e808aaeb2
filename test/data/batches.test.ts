// The mini-batch iterator: coverage (each example once per epoch), seeded
// determinism against a Fisher-Yates written here, unbiased shuffling, batch
// contents and shapes, dropLast, and that yielded batches are fresh copies.
import { describe, expect, it } from 'vitest';
import { batchCount, batches, permutation } from '../../src/data/index.js';
import { Rng } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

/** N examples of [2, 3] whose every value encodes the example index. */
function indexed(n: number): { images: Tensor; labels: Int32Array } {
  const data = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) for (let k = 0; k < 6; k++) data[i * 6 + k] = i * 10 + k;
  return { images: new Tensor(data, [n, 2, 3]), labels: Int32Array.from({ length: n }, (_, i) => i % 10) };
}

/** Textbook Fisher-Yates (Durstenfeld): swap position i with a uniform j in [0, i]. */
function fisherYates(n: number, seed: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i >= 1; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('batches', () => {
  for (const [n, batchSize] of [[1, 1], [10, 3], [17, 17], [23, 5], [64, 8], [7, 100]]) {
    it(`N=${n} B=${batchSize}: shuffled epoch covers each example once, rows and labels match`, () => {
      const dataset = indexed(n);
      const seen = new Array(n).fill(0);
      const all = [...batches(dataset, { batchSize, shuffle: true, seed: n })];
      expect(all.length).toBe(batchCount(n, batchSize));
      for (const { x, y, indices } of all) {
        expect(x.shape).toEqual([indices.length, 2, 3]);
        expect(y).toBeInstanceOf(Int32Array);
        for (let b = 0; b < indices.length; b++) {
          seen[indices[b]]++;
          expect(y[b]).toBe(indices[b] % 10);
          for (let k = 0; k < 6; k++) expect(x.data[b * 6 + k]).toBe(indices[b] * 10 + k);
        }
      }
      expect(seen.every((c) => c === 1)).toBe(true);
      const order = all.flatMap((batch) => Array.from(batch.indices));
      expect(order).toEqual(fisherYates(n, n));
    });
  }

  it('without shuffle visits examples in order; dropLast skips the short batch', () => {
    const dataset = indexed(10);
    const inOrder = [...batches(dataset, { batchSize: 4 })].map((b) => Array.from(b.indices));
    expect(inOrder).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const dropped = [...batches(dataset, { batchSize: 4, dropLast: true })].map((b) => b.indices.length);
    expect(dropped).toEqual([4, 4]);
    expect(batchCount(10, 4, true)).toBe(2);
  });

  it('same seed, same order; another seed, another order', () => {
    const dataset = indexed(50);
    const order = (seed: number) => [...batches(dataset, { batchSize: 7, shuffle: true, seed })].flatMap((b) => Array.from(b.indices));
    expect(order(3)).toEqual(order(3));
    expect(order(3)).not.toEqual(order(4));
  });

  it('shuffles without bias: each element lands in each position about equally often', () => {
    // 24000 permutations of 6: each of the 36 (element, position) cells expects 4000.
    // Its count is binomial(24000, 1/6) with sd ~58; 6 sd is a failure, not chance.
    // The classic bug (j uniform in [0, n) rather than [0, i]) is off by up to 940.
    const n = 6;
    const trials = 24000;
    const counts = Array.from({ length: n }, () => new Array(n).fill(0));
    for (let s = 0; s < trials; s++) {
      const p = permutation(n, s);
      for (let pos = 0; pos < n; pos++) counts[p[pos]][pos]++;
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(6 * 58);
  });

  it('yields fresh copies: changing a batch changes neither the dataset nor later batches', () => {
    const dataset = indexed(6);
    const before = dataset.images.data.slice();
    const kept = [];
    for (const batch of batches(dataset, { batchSize: 2 })) {
      kept.push(batch);
      batch.x.data.fill(-1);
      batch.y.fill(-1);
    }
    expect(Array.from(dataset.images.data)).toEqual(Array.from(before));
    expect(kept.map((b) => b.x.data.buffer).every((buf, i, all) => all.indexOf(buf) === i)).toBe(true);
  });

  it('rejects bad input', () => {
    const dataset = indexed(4);
    expect(() => batches(dataset, { batchSize: 0 })).toThrow(RangeError);
    expect(() => batches(dataset, { batchSize: 1.5 })).toThrow(/batchSize must be an integer >= 1, got 1.5/);
    expect(() => batches(dataset, { batchSize: 2, seed: 0.5 })).toThrow(TypeError);
    expect(() => batches({ images: dataset.images, labels: new Int32Array(3) }, { batchSize: 2 })).toThrow(
      /has 4 examples but labels has 3/,
    );
    expect(() => batches({ images: dataset.images, labels: [0, 1, 2, 3] } as never, { batchSize: 2 })).toThrow(TypeError);
  });
});
