// Bad input to the pooling ops: a TypeError or RangeError that names the problem,
// thrown before (or, for argmax contents, by) the native code; never a crash.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

const x = st.zeros([2, 3, 8, 8]);

describe('pooling rejects bad input', () => {
  it('kernel larger than the padded input', () => {
    expect(() => st.ops.maxPool2d(x, { kernelSize: 11, padding: 1 })).toThrow(RangeError);
    expect(() => st.ops.maxPool2d(x, { kernelSize: 11, padding: 1 })).toThrow(/kernel \[11, 11\] is larger than the padded input \[10, 10\]/);
  });

  it('zero stride', () => {
    expect(() => st.ops.avgPool2d(x, { kernelSize: 2, stride: 0 })).toThrow(RangeError);
    expect(() => st.ops.avgPool2d(x, { kernelSize: 2, stride: [1, 0] })).toThrow(/avgPool2d: stride must be a positive integer or \[h, w\], got \[1, 0\]/);
  });

  it('zero or fractional kernel size', () => {
    expect(() => st.ops.maxPool2d(x, { kernelSize: 0 })).toThrow(/maxPool2d: kernelSize must be a positive integer/);
    expect(() => st.ops.maxPool2d(x, { kernelSize: 1.5 })).toThrow(RangeError);
  });

  it('padding more than half the kernel', () => {
    expect(() => st.ops.maxPool2d(x, { kernelSize: 3, padding: 2 })).toThrow(RangeError);
    expect(() => st.ops.maxPool2d(x, { kernelSize: 3, padding: 2 })).toThrow(/padding \[2, 2\] must be at most half the kernel size \[3, 3\]/);
  });

  it('wrong rank', () => {
    expect(() => st.ops.maxPool2d(st.zeros([3, 8, 8]), { kernelSize: 2 })).toThrow(/maxPool2d: x must be 4-D \[N, C, H, W\], got \[3, 8, 8\]/);
    expect(() => st.ops.globalAvgPool2d(st.zeros([8, 8]))).toThrow(RangeError);
  });

  it('wrong argmax length', () => {
    const dy = st.zeros([2, 3, 4, 4]);
    expect(() => st.ops.maxPool2dGrad(dy, new Int32Array(5), x.shape)).toThrow(/maxPool2dGrad: argmax has 5 elements, dy \[2, 3, 4, 4\] has 96/);
  });

  it('argmax that is not an Int32Array', () => {
    const dy = st.zeros([2, 3, 4, 4]);
    expect(() => st.ops.maxPool2dGrad(dy, new Float32Array(96) as unknown as Int32Array, x.shape)).toThrow(TypeError);
  });

  it('argmax entries outside the input plane (checked natively)', () => {
    const dy = st.ones([2, 3, 4, 4]);
    const argmax = new Int32Array(96).fill(3);
    argmax[7] = 64;
    expect(() => st.ops.maxPool2dGrad(dy, argmax, x.shape)).toThrow(RangeError);
    expect(() => st.ops.maxPool2dGrad(dy, argmax, x.shape)).toThrow(/argmax holds 1 indices outside the 8x8 input plane/);
  });

  it('dy of the wrong shape for the gradient', () => {
    expect(() => st.ops.avgPool2dGrad(st.zeros([2, 3, 3, 4]), x.shape, { kernelSize: 2 })).toThrow(/avgPool2dGrad: dy must be \[2, 3, 4, 4\]/);
    expect(() => st.ops.maxPool2dGrad(st.zeros([2, 4, 4, 4]), new Int32Array(128), x.shape)).toThrow(RangeError);
  });

  it('x that is not a Tensor', () => {
    expect(() => st.ops.maxPool2d(new Float32Array(4) as unknown as st.Tensor, { kernelSize: 2 })).toThrow(TypeError);
  });

  it('missing options or a non-boolean flag', () => {
    expect(() => st.ops.maxPool2d(x, undefined as unknown as st.ops.PoolOptions)).toThrow(TypeError);
    expect(() => st.ops.maxPool2d(x, { kernelSize: 2, ceilMode: 1 as unknown as boolean })).toThrow(/ceilMode must be a boolean/);
    expect(() => st.ops.avgPool2d(x, { kernelSize: 2, countIncludePad: 'no' as unknown as boolean })).toThrow(/countIncludePad must be a boolean/);
  });

  it('stochastic pooling without training, or with both seed and rng', () => {
    expect(() => st.ops.stochasticPool2d(x, { kernelSize: 2 } as st.ops.StochasticPoolOptions)).toThrow(/training must be a boolean/);
    expect(() => st.ops.stochasticPool2d(x, { kernelSize: 2, training: true, seed: 1, rng: new st.Rng(1) })).toThrow(/seed or rng/);
    expect(() => st.ops.stochasticPool2d(x, { kernelSize: 2, training: true, seed: 0.5 })).toThrow(/seed must be an integer/);
  });

  it('wrong index length for the stochastic gradient', () => {
    expect(() => st.ops.stochasticPool2dGrad(st.zeros([2, 3, 4, 4]), new Int32Array(3), x.shape)).toThrow(/stochasticPool2dGrad: index has 3 elements/);
  });

  it('the native binding re-checks what reaches it directly', async () => {
    const { native } = await import('../../src/native.js');
    expect(() => native.maxPool2d([2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 0], new Float32Array(10), new Float32Array(96), null)).toThrow(/x has 10 elements, expected 384/);
    expect(() => native.avgPool2d([2, 3, 8, 8, 3, 3, 1, 1, 2, 2, 0], true, new Float32Array(384), new Float32Array(1))).toThrow(/padding must be at most half/);
    expect(() => native.maxPool2d([2, 3, 8, 8, 9, 9, 1, 1, 0, 0, 0], new Float32Array(384), new Float32Array(1), null)).toThrow(/larger than the padded input/);
  });
});

describe('pool2dOutputShape', () => {
  it('follows PyTorch, ceil mode included', () => {
    expect(st.ops.pool2dOutputShape([8, 16, 32, 32], { kernelSize: 2 })).toEqual([8, 16, 16, 16]);
    expect(st.ops.pool2dOutputShape([1, 3, 6, 6], { kernelSize: 3, stride: 2 })).toEqual([1, 3, 2, 2]);
    expect(st.ops.pool2dOutputShape([1, 3, 6, 6], { kernelSize: 3, stride: 2, ceilMode: true })).toEqual([1, 3, 3, 3]);
    // The last window would start in the padding: dropped.
    expect(st.ops.pool2dOutputShape([1, 1, 5, 5], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true })).toEqual([1, 1, 3, 3]);
    expect(st.ops.pool2dOutputShape([1, 1, 112, 112], { kernelSize: 3, stride: 2, padding: 1 })).toEqual([1, 1, 56, 56]);
  });
});
