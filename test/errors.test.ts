// Bad input: every check throws a TypeError or RangeError that names the problem,
// and the process survives.
import { describe, expect, it } from 'vitest';
import * as st from '../src/index.js';
import { native } from '../src/native.js';

describe('bad input', () => {
  it('wrong dtype: data that is not a Float32Array', () => {
    expect(() => new st.Tensor(new Float64Array(4) as unknown as Float32Array, [4])).toThrow(TypeError);
    expect(() => st.tensor(new Int32Array(4) as unknown as Float32Array)).toThrow(/must be a Float32Array, got Int32Array/);
  });

  it('wrong data length for the shape', () => {
    expect(() => st.tensor(new Float32Array(5), [2, 3])).toThrow(/data has 5 elements but shape \[2, 3\] needs 6/);
  });

  it('negative or non-integer dimensions', () => {
    expect(() => st.zeros([2, -1])).toThrow(RangeError);
    expect(() => st.zeros([2.5])).toThrow(/shape\[0\] must be a non-negative integer, got 2.5/);
  });

  it('ragged nested arrays', () => {
    expect(() => st.tensor([[1, 2], [3]])).toThrow(/ragged/);
  });

  it('element counts that overflow', () => {
    expect(() => st.zeros([1 << 20, 1 << 20, 1 << 20])).toThrow(/more than the \d+ a Float32Array can hold/);
  });

  it('incompatible shapes in matmul name both', () => {
    expect(() => st.ops.matmul(st.zeros([2, 3]), st.zeros([4, 5]))).toThrow(
      /matmul: inner dimensions differ: op\(a\) is \[2, 3\] \(a \[2, 3\]\), op\(b\) is \[4, 5\]/,
    );
  });

  it('non-matrix operands', () => {
    expect(() => st.ops.matmul(st.zeros([2, 3, 1]), st.zeros([3, 2]))).toThrow(/a must be 2-D, got shape \[2, 3, 1\]/);
    expect(() => st.ops.matmul({ data: new Float32Array(4), shape: [2, 2] } as unknown as st.Tensor, st.zeros([2, 2]))).toThrow(TypeError);
  });

  it('gemm output of the wrong shape, and aliasing', () => {
    const a = st.zeros([2, 3]);
    const b = st.zeros([3, 4]);
    expect(() => st.ops.gemm(a, b, st.zeros([4, 2]))).toThrow(/c must be \[2, 4\]/);
    const shared = new Float32Array(6 + 12);
    const x = st.tensor(shared.subarray(0, 6), [2, 3]);
    const overlap = st.tensor(shared.subarray(0, 6), [2, 3]);
    const w = st.zeros([3, 3]);
    expect(() => st.ops.gemm(x, w, overlap)).toThrow(/shares memory/);
    // Views of one buffer that do not overlap are fine.
    const y = st.tensor(shared.subarray(6, 12), [2, 3]);
    expect(() => st.ops.gemm(x, w, y)).not.toThrow();
  });

  it('bad gemm options', () => {
    const a = st.zeros([2, 2]);
    expect(() => st.ops.gemm(a, a.clone(), st.zeros([2, 2]), { alpha: NaN })).toThrow(/alpha must be a finite number/);
    expect(() => st.ops.matmul(a, a, { transA: 1 as unknown as boolean })).toThrow(/transA must be a boolean/);
  });

  it('setNumThreads rejects non-positive or fractional counts', () => {
    expect(() => st.setNumThreads(0)).toThrow(RangeError);
    expect(() => st.setNumThreads(1.5)).toThrow(/n must be an integer >= 1/);
  });

  it('the native side re-checks buffers and throws JS errors instead of crashing', () => {
    const small = new Float32Array(3);
    expect(() => native.sgemm(false, false, 4, 4, 4, 1, small, 4, small, 4, 0, small, 4)).toThrow(
      /sgemm: a has 3 elements, needs 16/,
    );
    expect(() => native.sgemm(false, false, 1, 1, 1, 1, [1] as unknown as Float32Array, 1, small, 1, 0, small, 1)).toThrow(
      /a must be a Float32Array/,
    );
    expect(() => native.sgemm(false, false, -1, 1, 1, 1, small, 1, small, 1, 0, small, 1)).toThrow(RangeError);
    expect(() => native.sgemm(false, false, 2, 2, 2, 1, small, 1, small, 2, 0, small, 2)).toThrow(/lda must be an integer >= 2/);
    expect(() => (native.sgemm as unknown as () => void)()).toThrow(/missing argument transA/);
  });
});
