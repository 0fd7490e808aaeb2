// Bad input to the convolution ops: each throws a TypeError or RangeError naming the
// op, the argument, the expectation and what came, before any native code runs.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

const x = st.zeros([2, 3, 8, 8]);
const w = st.zeros([16, 3, 5, 5]);

describe('conv errors', () => {
  it('rejects a weight of the wrong layout, showing the expected shape', () => {
    expect(() => st.ops.conv2d(x, st.zeros([16, 5, 5, 3]))).toThrow(
      new RangeError('conv2d: w must be [Cout, Cin/groups, kH, kW] = [16, 3, 5, 5], got [16, 5, 5, 3]'),
    );
  });

  it('rejects a kernel larger than the padded input', () => {
    expect(() => st.ops.conv2d(st.zeros([1, 3, 4, 4]), w)).toThrow(new RangeError('conv2d: the kernel 5×5 is larger than the padded input 4×4'));
    expect(() => st.ops.conv2d(st.zeros([1, 3, 6, 6]), w, null, { dilation: 2, padding: 1 })).toThrow(
      /conv2d: the kernel 5×5 \(dilated to 9×9\) is larger than the padded input 8×8/,
    );
  });

  it('rejects a zero or negative stride', () => {
    expect(() => st.ops.conv2d(x, w, null, { stride: 0 })).toThrow(new RangeError('conv2d: stride must be an integer >= 1, got 0'));
    expect(() => st.ops.conv2d(x, w, null, { stride: [1, -2] })).toThrow(new RangeError('conv2d: stride[1] must be an integer >= 1, got -2'));
  });

  it('rejects channels that do not divide by groups', () => {
    expect(() => st.ops.conv2d(x, st.zeros([16, 1, 3, 3]), null, { groups: 2 })).toThrow(
      new RangeError('conv2d: input channels (3) must divide by groups (2)'),
    );
    expect(() => st.ops.conv2d(st.zeros([1, 4, 8, 8]), st.zeros([5, 2, 3, 3]), null, { groups: 2 })).toThrow(
      new RangeError('conv2d: output channels (5) must divide by groups (2)'),
    );
  });

  it('rejects non-integer option values', () => {
    expect(() => st.ops.conv2d(x, w, null, { padding: 1.5 })).toThrow(new RangeError('conv2d: padding must be an integer >= 0, got 1.5'));
    expect(() => st.ops.conv2d(x, w, null, { dilation: 0.5 })).toThrow(new RangeError('conv2d: dilation must be an integer >= 1, got 0.5'));
    expect(() => st.ops.conv2d(x, w, null, { groups: 1.5 })).toThrow(new RangeError('conv2d: groups must be an integer >= 1, got 1.5'));
  });

  it('rejects malformed options', () => {
    expect(() => st.ops.conv2d(x, w, null, { padding: 'full' as 'same' })).toThrow(TypeError);
    expect(() => st.ops.conv2d(x, w, null, { padding: [1, 2, 3] as unknown as [number, number] })).toThrow(
      /conv2d: padding must be a non-negative integer, \[h, w\], \[top, bottom, left, right\], 'valid' or 'same', got \[1, 2, 3\]/,
    );
    expect(() => st.ops.conv2d(x, w, null, { stride: '2' as unknown as number })).toThrow(new TypeError("conv2d: stride must be a positive integer or [h, w], got '2'"));
    expect(() => st.ops.conv2d(x, w, null, 3 as unknown as st.ops.Conv2dOptions)).toThrow(new TypeError('conv2d: options must be an object, got 3'));
    expect(() => st.ops.conv1d(st.zeros([1, 3, 8]), st.zeros([4, 3, 3]), null, { stride: [2, 2] as unknown as number })).toThrow(
      new TypeError('conv1d: stride must be a positive integer, got [2, 2]'),
    );
  });

  it('rejects tensors of the wrong rank', () => {
    expect(() => st.ops.conv2d(st.zeros([3, 8, 8]), w)).toThrow(new RangeError('conv2d: x must be 4-D [N, Cin, H, W], got shape [3, 8, 8]'));
    expect(() => st.ops.conv2d(x, st.zeros([16, 3, 25]))).toThrow(new RangeError('conv2d: w must be 4-D [Cout, Cin/groups, kH, kW], got shape [16, 3, 25]'));
    expect(() => st.ops.conv1d(x, st.zeros([4, 3, 3]))).toThrow(new RangeError('conv1d: x must be 3-D [N, Cin, L], got shape [2, 3, 8, 8]'));
  });

  it('rejects a bias of the wrong shape and non-tensor arguments', () => {
    expect(() => st.ops.conv2d(x, w, st.zeros([15]))).toThrow(new RangeError('conv2d: b must be [Cout] = [16], got [15]'));
    expect(() => st.ops.conv2d(x.data as unknown as st.Tensor, w)).toThrow(new TypeError('conv2d: x must be a Tensor, got object'));
  });

  it('rejects a dy that is not the output shape in the gradients', () => {
    const dy = st.zeros([2, 16, 4, 5]);
    expect(() => st.ops.conv2dGradInput(dy, w, x.shape)).toThrow(new RangeError('conv2dGradInput: dy must be the output shape [2, 16, 4, 4], got [2, 16, 4, 5]'));
    expect(() => st.ops.conv2dGradWeight(x, dy, w.shape)).toThrow(new RangeError('conv2dGradWeight: dy must be the output shape [2, 16, 4, 4], got [2, 16, 4, 5]'));
    expect(() => st.ops.conv1dGradWeight(st.zeros([1, 3, 8]), st.zeros([1, 4, 5]), [4, 3, 3])).toThrow(
      new RangeError('conv1dGradWeight: dy must be the output shape [1, 4, 6], got [1, 4, 5]'),
    );
  });

  it('rejects bad shapes given to conv2dOutputShape', () => {
    expect(() => st.ops.conv2dOutputShape([1, 3, 8, -8], [4, 3, 3, 3])).toThrow(
      new RangeError('conv2dOutputShape: x shape[3] must be a non-negative integer, got -8 in [1, 3, 8, -8]'),
    );
    expect(st.ops.conv2dOutputShape([1, 3, 8, 8], [4, 3, 3, 3], { padding: 'same', stride: 2 })).toEqual([1, 4, 4, 4]);
  });

  it('the binding itself rejects short buffers with a RangeError, not a crash', async () => {
    const { native } = await import('../../src/native.js');
    const shape = [1, 1, 4, 4, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1];
    expect(() => native.conv2dForward(new Float32Array(15), new Float32Array(9), null, new Float32Array(4), ...shape)).toThrow(RangeError);
    expect(() => native.conv2dForward(new Float32Array(16), new Float32Array(9), null, new Float32Array(4), 1, 1, 4, 4, 1, 3, 3, 0, 1, 0, 0, 0, 0, 1, 1, 1)).toThrow(RangeError);
  });
});
