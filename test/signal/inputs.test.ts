// What st.signal accepts and returns (the output rule), and what it refuses.
// Rule: a Tensor among the inputs gives a float32 Tensor; otherwise 1-D results are
// Float64Array and 2-D results number[][]. Values here are small integers or
// halves, exact in float32, so every input form must give identical values.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor } from '../../src/tensor.js';
import {
  convolve,
  convolve2d,
  correlate,
  correlate2d,
  rot180,
  slidingCosineSimilarity,
} from '../../src/signal/index.js';

const a = [0, 1, 2, -1, 3];
const b = [1, 0.5, 0];
const A = [
  [0, 0, 1, 2],
  [2, 2, 0, 0],
  [2, 1, 2, 2],
];
const B = [
  [0, -1],
  [1, 0.5],
];

describe('1-D input forms', () => {
  const want = Array.from(convolve(a, b));

  it('number[] in, Float64Array out, default mode full (n + m - 1)', () => {
    const out = convolve(a, b);
    expect(out).toBeInstanceOf(Float64Array);
    expect(out.length).toBe(a.length + b.length - 1);
    expect(want).toEqual([0, 1, 2.5, 0, 2.5, 1.5, 0]); // scipy.signal.convolve
  });

  it('Float32Array and Float64Array give the same Float64Array', () => {
    for (const [x, y] of [
      [Float32Array.from(a), Float64Array.from(b)],
      [Float64Array.from(a), b],
      [a, Float32Array.from(b)],
    ] as const) {
      const out = convolve(x, y);
      expect(out).toBeInstanceOf(Float64Array);
      expect(Array.from(out)).toEqual(want);
    }
  });

  it('a Tensor on either side gives a float32 Tensor of the result shape', () => {
    for (const [x, y] of [
      [tensor(a), tensor(b)],
      [tensor(a), b],
      [a, tensor(b)],
    ] as const) {
      const out = correlate(x, y, 'same') as Tensor;
      expect(out).toBeInstanceOf(Tensor);
      expect(out.shape).toEqual([a.length]);
      expect(Array.from(out.data)).toEqual(Array.from(correlate(a, b, 'same')));
    }
  });

  it('keeps float64 precision for plain inputs and rounds once to float32 for tensors', () => {
    expect(convolve([0.1], [0.3])[0]).toBe(0.1 * 0.3);
    expect(convolve(tensor([1]), [0.1]).data[0]).toBe(Math.fround(0.1));
  });

  it('does not modify its inputs', () => {
    const x = Float64Array.from(a);
    const y = [...b];
    correlate(x, y, 'valid');
    expect(Array.from(x)).toEqual(a);
    expect(y).toEqual(b);
  });

  it('carries NaN and Infinity through, as scipy does', () => {
    const out = convolve([1, NaN, 2], [1]);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBe(2);
    expect(convolve([Infinity], [2])[0]).toBe(Infinity);
  });
});

describe('2-D input forms', () => {
  const want = convolve2d(A, B, 'same');

  it('nested arrays in, number[][] out, default mode full', () => {
    const out = convolve2d(A, B);
    expect(Array.isArray(out) && out.every((row) => Array.isArray(row))).toBe(true);
    expect([out.length, out[0].length]).toEqual([A.length + B.length - 1, A[0].length + B[0].length - 1]);
    expect(want.length).toBe(A.length);
    expect(want[0].length).toBe(A[0].length);
  });

  it('rows may be Float32Array or Float64Array', () => {
    expect(convolve2d(A.map((r) => Float32Array.from(r)), B.map((r) => Float64Array.from(r)), 'same')).toEqual(want);
  });

  it('a 2-D Tensor on either side gives a Tensor [rows, cols]', () => {
    for (const [x, y] of [
      [tensor(A), tensor(B)],
      [tensor(A), B],
      [A, tensor(B)],
    ] as const) {
      const out = convolve2d(x, y, 'same') as Tensor;
      expect(out).toBeInstanceOf(Tensor);
      expect(out.shape).toEqual([3, 4]);
      expect(out.toArray()).toEqual(want);
    }
    const valid = correlate2d(tensor(A), tensor(B), 'valid');
    expect(valid.shape).toEqual([2, 3]);
    expect(valid.toArray()).toEqual(correlate2d(A, B, 'valid'));
  });

  it('rot180 keeps the form: nested -> number[][], Tensor -> Tensor', () => {
    expect(rot180([[1, 2, 3], [4, 5, 6]])).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
    const t = rot180(tensor([[1, 2], [3, 4], [5, 6]]));
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual([3, 2]);
    expect(t.toArray()).toEqual([
      [6, 5],
      [4, 3],
      [2, 1],
    ]);
    expect(rot180(rot180(A))).toEqual(A);
  });

  it("'valid' with b larger than a in every dimension swaps the inputs (|n - m| + 1)", () => {
    expect(convolve2d(B, A, 'valid')).toEqual(convolve2d(A, B, 'valid'));
    const out = correlate2d(B, A, 'valid');
    expect([out.length, out[0].length]).toEqual([2, 3]);
  });
});

describe('bad input throws a TypeError or RangeError naming the argument', () => {
  it('empty inputs', () => {
    expect(() => convolve([], b)).toThrow(RangeError);
    expect(() => convolve([], b)).toThrow(/convolve: a must not be empty/);
    expect(() => correlate(a, new Float64Array(0))).toThrow(/correlate: b must not be empty/);
    expect(() => convolve(a, new Tensor(new Float32Array(0), [0]))).toThrow(/convolve: b must not be empty/);
    expect(() => convolve2d([], B)).toThrow(/convolve2d: a must not be empty/);
    expect(() => correlate2d(A, [[]])).toThrow(/correlate2d: b must not be empty/);
    expect(() => convolve2d(new Tensor(new Float32Array(0), [0, 3]), B)).toThrow(/convolve2d: a must not be empty/);
  });

  it('ragged nested arrays', () => {
    expect(() => convolve2d([[1, 2], [3]], B)).toThrow(RangeError);
    expect(() => convolve2d([[1, 2], [3]], B)).toThrow(/convolve2d: a is ragged: row 1 has 1 values, row 0 has 2/);
    expect(() => correlate2d(A, [[1], [2, 3]])).toThrow(/correlate2d: b is ragged/);
  });

  it('wrong rank', () => {
    expect(() => convolve([[1, 2]] as unknown as number[], b)).toThrow(RangeError);
    expect(() => convolve([[1, 2]] as unknown as number[], b)).toThrow(/convolve: a must be 1-D/);
    expect(() => correlate(a, tensor(A))).toThrow(/correlate: b must be a 1-D tensor, got shape \[3, 4\]/);
    expect(() => convolve2d([1, 2, 3] as unknown as number[][], B)).toThrow(/convolve2d: a must be 2-D/);
    expect(() => convolve2d(A, [[[1]]] as unknown as number[][])).toThrow(/convolve2d: b\[0\] must be 1-D/);
    expect(() => correlate2d(tensor(a), B)).toThrow(/correlate2d: a must be a 2-D tensor, got shape \[5\]/);
    expect(() => rot180(tensor([[[1]]]))).toThrow(/rot180: b must be a 2-D tensor/);
    expect(() => slidingCosineSimilarity(A, [1, 2])).toThrow(/slidingCosineSimilarity: a and b must have the same rank/);
    expect(() => slidingCosineSimilarity(tensor([[[1]]]), [1])).toThrow(/slidingCosineSimilarity: a must be a 1-D or 2-D tensor/);
  });

  it('unknown or non-string mode', () => {
    expect(() => convolve(a, b, NaN as unknown as 'full')).toThrow(TypeError);
    expect(() => convolve(a, b, NaN as unknown as 'full')).toThrow(
      /convolve: mode must be 'full', 'valid' or 'same', got number NaN/,
    );
    expect(() => correlate(a, b, 'NaN' as 'full')).toThrow(RangeError);
    expect(() => correlate(a, b, 'NaN' as 'full')).toThrow(/correlate: mode must be 'full', 'valid' or 'same', got 'NaN'/);
    expect(() => convolve2d(A, B, 'FULL' as 'full')).toThrow(/convolve2d: mode/);
    expect(() => correlate2d(A, B, null as unknown as 'full')).toThrow(/correlate2d: mode/);
  });

  it('values and containers of the wrong type', () => {
    expect(() => convolve([1, '2'] as unknown as number[], b)).toThrow(TypeError);
    expect(() => convolve([1, '2'] as unknown as number[], b)).toThrow(/convolve: a\[1\] must be a number, got string 2/);
    expect(() => convolve(a, [1, , 2] as number[])).toThrow(/convolve: b\[1\] must be a number, got undefined/);
    expect(() => convolve(new Int32Array(3) as unknown as number[], b)).toThrow(
      /convolve: a must be a number\[\], Float32Array, Float64Array or 1-D Tensor, got Int32Array/,
    );
    expect(() => correlate(null as unknown as number[], b)).toThrow(/correlate: a must be .* got null/);
    expect(() => convolve2d(Float64Array.from(a) as unknown as number[][], B)).toThrow(
      /convolve2d: a must be an array of rows or a 2-D Tensor, got Float64Array/,
    );
    expect(() => correlate2d(A, [[1, 2], 'ab'] as unknown as number[][])).toThrow(/correlate2d: b\[1\] must be a row/);
  });

  it("'valid' when each input is larger in a different dimension (scipy raises)", () => {
    const wide = [[1, 2, 3, 4]];
    const tall = [[1], [2]];
    expect(() => convolve2d(wide, tall, 'valid')).toThrow(RangeError);
    expect(() => correlate2d(wide, tall, 'valid')).toThrow(
      /correlate2d: 'valid' mode needs one input at least as large as the other in every dimension \(as scipy\), got a \[1, 4\] and b \[2, 1\]/,
    );
    expect(convolve2d(wide, tall, 'same')).toEqual([[1, 2, 3, 4]]);
  });

  it('a template larger than the signal in slidingCosineSimilarity', () => {
    expect(() => slidingCosineSimilarity([[1, 2]], [[1], [2]])).toThrow(RangeError);
    expect(() => slidingCosineSimilarity([[1, 2]], [[1], [2]])).toThrow(/b \[2, 1\] must fit inside a \[1, 2\]/);
    expect(() => slidingCosineSimilarity([1, 2], [1, 2, 3])).toThrow(/b \[3\] must fit inside a \[2\]/);
  });
});
