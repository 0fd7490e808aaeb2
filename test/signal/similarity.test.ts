// slidingCosineSimilarity against a float64 numpy oracle (the fixture script
// computes the definition window by window, 0 where a norm is 0), and against its
// own properties: scale invariance, ±1 on exact matches, the link to correlate2d.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { correlate, correlate2d, slidingCosineSimilarity } from '../../src/signal/index.js';

const TOLERANCE = 1e-12;

interface CosineCase {
  a: number[] | number[][];
  b: number[] | number[][];
  similarity: number[] | number[][];
}

const cases = (
  JSON.parse(readFileSync(new URL('../fixtures/signal/cosine-similarity.json', import.meta.url), 'utf8')) as {
    cases: CosineCase[];
  }
).cases;

function flat(value: ArrayLike<number> | number[][]): number[] {
  return Array.isArray(value) && Array.isArray(value[0]) ? (value as number[][]).flat() : Array.from(value as ArrayLike<number>);
}

function shapeOf(value: number[] | number[][]): string {
  return Array.isArray(value[0]) ? `[${value.length}, ${(value[0] as number[]).length}]` : `[${value.length}]`;
}

function randomGrid(rows: number, cols: number, rng: Rng): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

describe('slidingCosineSimilarity matches the float64 oracle (fixtures)', () => {
  it('covers 1-D, 2-D, an all-zero window and an all-zero template', () => {
    expect(cases.some((c) => !Array.isArray(c.a[0]))).toBe(true);
    expect(cases.some((c) => Array.isArray(c.a[0]))).toBe(true);
    expect(cases.some((c) => flat(c.b).every((v) => v === 0))).toBe(true);
    expect(cases.some((c) => flat(c.similarity).includes(0) && !flat(c.b).every((v) => v === 0))).toBe(true);
  });

  for (const c of cases) {
    it(`a=${shapeOf(c.a)} b=${shapeOf(c.b)}`, () => {
      const got = slidingCosineSimilarity(c.a as number[][], c.b as number[][]);
      if (Array.isArray(c.a[0])) {
        expect(Array.isArray(got)).toBe(true);
        expect((got as number[][]).length).toBe(c.similarity.length);
      } else {
        expect(got).toBeInstanceOf(Float64Array);
      }
      const want = flat(c.similarity);
      const values = flat(got as number[][]);
      expect(values.length).toBe(want.length);
      for (let i = 0; i < want.length; i++)
        if (!(Math.abs(values[i] - want[i]) <= TOLERANCE))
          throw new Error(`index ${i}: got ${values[i]}, want ${want[i]}`);
    });
  }
});

describe('slidingCosineSimilarity properties', () => {
  it('the docs example: 0.5, 1/sqrt(2) and 1; a zero window gives 0', () => {
    const expectValues = (got: number[], want: number[]) => {
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 15);
    };
    const map = slidingCosineSimilarity(
      [
        [0, 0, 0],
        [0, 1, 1],
        [0, 1, 1],
      ],
      [
        [1, 1],
        [1, 1],
      ],
    );
    expect([map.length, map[0].length]).toEqual([2, 2]);
    expectValues(map.flat(), [0.5, Math.SQRT1_2, Math.SQRT1_2, 1]);
    const line = slidingCosineSimilarity([1, 0, 0, 2, 2, 0], [1, 1]);
    expectValues(Array.from(line), [Math.SQRT1_2, 0, Math.SQRT1_2, 1, Math.SQRT1_2]);
    expect(line[1]).toBe(0);
  });

  it('is 1 where the window is a positive multiple of b and -1 a negative one', () => {
    const rng = new Rng(11);
    const b = randomGrid(3, 2, rng);
    const a = randomGrid(7, 6, rng);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++) {
        a[1 + i][2 + j] = 2.5 * b[i][j];
        a[4 + i][0 + j] = -0.25 * b[i][j];
      }
    const map = slidingCosineSimilarity(a, b);
    expect([map.length, map[0].length]).toEqual([5, 5]);
    expect(map[1][2]).toBeCloseTo(1, 14);
    expect(map[4][0]).toBeCloseTo(-1, 14);
    for (const row of map) for (const v of row) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-15);
  });

  it('equals correlate2d valid divided by the norms, and ignores the scale of a and b', () => {
    const rng = new Rng(5);
    const a = randomGrid(9, 8, rng);
    const b = randomGrid(4, 3, rng);
    const map = slidingCosineSimilarity(a, b);
    const dots = correlate2d(a, b, 'valid');
    const bNorm = Math.hypot(...b.flat());
    for (let r = 0; r < map.length; r++)
      for (let c = 0; c < map[0].length; c++) {
        const window = a.slice(r, r + 4).flatMap((row) => row.slice(c, c + 3));
        expect(map[r][c]).toBeCloseTo(dots[r][c] / (Math.hypot(...window) * bNorm), 13);
      }
    const scaled = slidingCosineSimilarity(
      a.map((row) => row.map((v) => 8 * v)),
      b.map((row) => row.map((v) => -0.5 * v)),
    );
    for (let r = 0; r < map.length; r++) for (let c = 0; c < map[0].length; c++) expect(scaled[r][c]).toBeCloseTo(-map[r][c], 13);
  });

  it('1-D agrees with correlate valid divided by the norms', () => {
    const a = [3, -1, 4, 1, -5, 9, 2, -6];
    const b = [2, 7, -1];
    const map = slidingCosineSimilarity(a, b);
    const dots = correlate(a, b, 'valid');
    expect(map.length).toBe(6);
    for (let i = 0; i < map.length; i++)
      expect(map[i]).toBeCloseTo(dots[i] / (Math.hypot(...a.slice(i, i + 3)) * Math.hypot(...b)), 14);
  });

  it('an all-zero template gives all zeros', () => {
    expect(slidingCosineSimilarity([[1, 2, 3]], [[0, 0]])).toEqual([[0, 0]]);
  });

  it('a Tensor in gives a Tensor out (1-D and 2-D)', () => {
    const map = slidingCosineSimilarity(tensor([[0, 0, 0], [0, 1, 1], [0, 1, 1]]), [[1, 1], [1, 1]]);
    expect(map).toBeInstanceOf(Tensor);
    expect(map.shape).toEqual([2, 2]);
    const plain = slidingCosineSimilarity([[0, 0, 0], [0, 1, 1], [0, 1, 1]], [[1, 1], [1, 1]]);
    expect(map.data).toEqual(Float32Array.from(plain.flat()));
    const line = slidingCosineSimilarity([1, 0, 0, 2], tensor([1, 1]));
    expect(line.shape).toEqual([3]);
  });
});
