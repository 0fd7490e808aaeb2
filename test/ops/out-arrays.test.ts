// The `out` arrays of the convolution and pooling ops: written in full (a NaN-filled
// array gives the same bits as a fresh call), returned as the result's data, and
// checked: type, exact length, no memory shared with the inputs.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { randomTensor } from '../helpers/random.js';

const nans = (n: number) => new Float32Array(n).fill(Number.NaN);

function expectSameInto(fresh: st.Tensor, into: st.Tensor, out: Float32Array): void {
  expect(into.data).toBe(out);
  expect(into.shape).toEqual(fresh.shape);
  expect(Array.from(into.data)).toEqual(Array.from(fresh.data));
}

describe('ops write into out', () => {
  // Padding and stride 2 leave some dx elements without any contribution: they must
  // still be written (as zero).
  const x = randomTensor([2, 3, 9, 9], 1);
  const w = randomTensor([4, 3, 3, 3], 2);
  const b = randomTensor([4], 3);
  const options = { stride: 2, padding: 1 };

  it('conv2d and conv2dGradInput', () => {
    const y = st.ops.conv2d(x, w, b, options);
    let out = nans(y.size);
    expectSameInto(y, st.ops.conv2d(x, w, b, options, out), out);
    const dy = randomTensor([...y.shape], 4);
    const dx = st.ops.conv2dGradInput(dy, w, x.shape, options);
    out = nans(dx.size);
    expectSameInto(dx, st.ops.conv2dGradInput(dy, w, x.shape, options, out), out);
  });

  it('conv1d and conv1dGradInput', () => {
    const x1 = randomTensor([2, 3, 17], 5);
    const w1 = randomTensor([4, 3, 5], 6);
    const y = st.ops.conv1d(x1, w1, null, { stride: 2, padding: 2 });
    let out = nans(y.size);
    expectSameInto(y, st.ops.conv1d(x1, w1, null, { stride: 2, padding: 2 }, out), out);
    const dy = randomTensor([...y.shape], 7);
    const dx = st.ops.conv1dGradInput(dy, w1, x1.shape, { stride: 2, padding: 2 });
    out = nans(dx.size);
    expectSameInto(dx, st.ops.conv1dGradInput(dy, w1, x1.shape, { stride: 2, padding: 2 }, out), out);
  });

  it('max and average pooling, forward and backward', () => {
    const pool = { kernelSize: 3, stride: 3, padding: 1 };
    const fresh = st.ops.maxPool2dWithArgmax(x, pool);
    const out = { y: nans(fresh.y.size), argmax: new Int32Array(fresh.y.size).fill(-7) };
    const into = st.ops.maxPool2dWithArgmax(x, pool, out);
    expectSameInto(fresh.y, into.y, out.y);
    expect(into.argmax).toBe(out.argmax);
    expect(Array.from(into.argmax)).toEqual(Array.from(fresh.argmax));
    const dy = randomTensor([...fresh.y.shape], 8);
    const dx = st.ops.maxPool2dGrad(dy, fresh.argmax, x.shape);
    let dxOut = nans(dx.size);
    expectSameInto(dx, st.ops.maxPool2dGrad(dy, fresh.argmax, x.shape, dxOut), dxOut);

    const avg = st.ops.avgPool2d(x, pool);
    const avgOut = nans(avg.size);
    expectSameInto(avg, st.ops.avgPool2d(x, pool, avgOut), avgOut);
    const avgDx = st.ops.avgPool2dGrad(dy, x.shape, pool);
    dxOut = nans(avgDx.size);
    expectSameInto(avgDx, st.ops.avgPool2dGrad(dy, x.shape, pool, dxOut), dxOut);
  });

  it('rejects an out of the wrong type or length, or one sharing memory with an input', () => {
    const size = st.ops.conv2d(x, w, b, options).size;
    expect(() => st.ops.conv2d(x, w, b, options, new Float64Array(size) as unknown as Float32Array)).toThrow(
      new TypeError('conv2d: out must be a Float32Array, got Float64Array'),
    );
    expect(() => st.ops.conv2d(x, w, b, options, new Float32Array(size + 1))).toThrow(
      new RangeError(`conv2d: out has ${size + 1} elements, expected ${size}`),
    );
    expect(() => st.ops.conv2d(x, w, b, options, x.data.subarray(0, size))).toThrow(
      new RangeError('conv2d: out must not share memory with the inputs'),
    );
    const y = st.ops.maxPool2d(x, { kernelSize: 3 });
    expect(() => st.ops.maxPool2dWithArgmax(x, { kernelSize: 3 }, { y: new Float32Array(y.size), argmax: new Float32Array(y.size) as unknown as Int32Array })).toThrow(
      new TypeError('maxPool2dWithArgmax: out.argmax must be an Int32Array, got Float32Array'),
    );
    expect(() => st.ops.maxPool2dWithArgmax(x, { kernelSize: 3 }, 5 as unknown as st.ops.MaxPoolOut)).toThrow(
      new TypeError('maxPool2dWithArgmax: out must be { y, argmax }, got number'),
    );
    expect(() => st.ops.avgPool2dGrad(y, x.shape, { kernelSize: 3 }, new Float32Array(5))).toThrow(
      new RangeError(`avgPool2dGrad: out has 5 elements, expected ${x.size}`),
    );
  });
});

describe('layers keep their output arrays in training', () => {
  it('a convolution and a max pool write each training forward and backward into the same arrays', () => {
    const conv = new st.nn.Conv2D({ filters: 4, kernelSize: 3, inChannels: 3, seed: 1 });
    const pool = new st.nn.MaxPool2D({ kernelSize: 2 });
    const x = randomTensor([2, 3, 10, 10], 9);
    const y1 = conv.forward(x, { training: true });
    const p1 = pool.forward(y1, { training: true });
    const want = Array.from(p1.data);
    const dx1 = conv.backward(pool.backward(randomTensor([...p1.shape], 10)));
    const y2 = conv.forward(x, { training: true });
    const p2 = pool.forward(y2, { training: true });
    expect(y2.data.buffer).toBe(y1.data.buffer);
    expect(p2.data.buffer).toBe(p1.data.buffer);
    expect(Array.from(p2.data)).toEqual(want);
    const dx2 = conv.backward(pool.backward(randomTensor([...p1.shape], 10)));
    expect(dx2.data.buffer).toBe(dx1.data.buffer);
    // Inference forwards return fresh arrays.
    expect(conv.forward(x).data.buffer).not.toBe(y1.data.buffer);
  });
});
