/**
 * Adaptive average pooling (op and layer): forward against a float64 oracle of
 * PyTorch's windows, backward by finite differences, the native path for uniform
 * windows against the loops, bad input, config and registry.
 */
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { checkLayer } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

/** Float64 oracle: PyTorch's start = floor(i·in/out), end = ceil((i+1)·in/out). */
function oracle(x: st.Tensor, outH: number, outW: number): Float64Array {
  const [n, c, inH, inW] = x.shape;
  const y = new Float64Array(n * c * outH * outW);
  for (let p = 0; p < n * c; p++)
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++) {
        const h0 = Math.floor((i * inH) / outH), h1 = Math.ceil(((i + 1) * inH) / outH);
        const w0 = Math.floor((j * inW) / outW), w1 = Math.ceil(((j + 1) * inW) / outW);
        let sum = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum += x.data[p * inH * inW + h * inW + w];
        y[(p * outH + i) * outW + j] = sum / ((h1 - h0) * (w1 - w0));
      }
  return y;
}

const CASES: [number[], [number, number]][] = [
  [[2, 3, 7, 5], [3, 2]], // overlapping windows of unequal size
  [[1, 2, 5, 5], [7, 7]], // output larger than the input: values repeat
  [[2, 3, 1, 1], [7, 7]], // a whole multiple of the input: one-pixel windows (VGG at 3x32x32)
  [[1, 2, 2, 3], [4, 6]],
  [[2, 2, 8, 6], [4, 3]], // uniform windows: the native avgPool path
  [[1, 1, 1, 1], [1, 1]],
  [[1, 4, 13, 11], [6, 6]],
];

describe('adaptiveAvgPool2d', () => {
  for (const [shape, [oh, ow]] of CASES)
    it(`x=[${shape}] out=[${oh},${ow}]: forward equals the float64 oracle`, () => {
      const x = randomTensor(shape, 3);
      const y = st.ops.adaptiveAvgPool2d(x, [oh, ow]);
      expect(y.shape).toEqual([shape[0], shape[1], oh, ow]);
      expectClose(y.data, oracle(x, oh, ow), 1e-6, 'y');
    });

  for (const [shape, [oh, ow]] of CASES)
    it(`x=[${shape}] out=[${oh},${ow}]: backward by finite differences`, () => {
      checkLayer(`x=[${shape}]`, new st.nn.AdaptiveAvgPool2D({ outputSize: [oh, ow] }), randomTensor(shape, 5));
    });

  it('the uniform (native) path agrees with the window loops on the same windows', () => {
    // 8 -> 4 runs the native kernel; 8 -> 4 via a 9-wide input's loops is not the same problem,
    // so compare the gradient of the native path with the oracle's adjoint: each dy spread over 2x2.
    const x = randomTensor([1, 1, 8, 8], 9);
    const dy = randomTensor([1, 1, 4, 4], 10);
    const dx = st.ops.adaptiveAvgPool2dGrad(dy, x.shape);
    for (let h = 0; h < 8; h++) for (let w = 0; w < 8; w++) expect(dx.data[h * 8 + w]).toBeCloseTo(dy.data[(h >> 1) * 4 + (w >> 1)] / 4, 6);
  });

  it('a square outputSize as one number', () => {
    expect(st.ops.adaptiveAvgPool2d(randomTensor([1, 2, 9, 9], 1), 4).shape).toEqual([1, 2, 4, 4]);
  });

  it('bad input throws naming the argument', () => {
    const x = randomTensor([1, 2, 4, 4], 1);
    expect(() => st.ops.adaptiveAvgPool2d(randomTensor([2, 4, 4], 1), 2)).toThrow(/adaptiveAvgPool2d: x must be \[N, C, H, W\]/);
    expect(() => st.ops.adaptiveAvgPool2d({} as st.Tensor, 2)).toThrow(TypeError);
    expect(() => st.ops.adaptiveAvgPool2d(x, 0)).toThrow(/outputSize/);
    expect(() => st.ops.adaptiveAvgPool2d(x, [2, 1.5] as unknown as [number, number])).toThrow(RangeError);
    expect(() => st.ops.adaptiveAvgPool2dGrad(randomTensor([1, 3, 2, 2], 1), [1, 2, 4, 4])).toThrow(/dy must be \[1, 2, outH, outW\]/);
    expect(() => st.ops.adaptiveAvgPool2dGrad(randomTensor([1, 2, 2, 2], 1), [1, 2, 4])).toThrow(/xShape/);
    expect(() => new st.nn.AdaptiveAvgPool2D({} as never)).toThrow(/outputSize is required/);
    const layer = new st.nn.AdaptiveAvgPool2D({ outputSize: 2 });
    expect(() => layer.backward(randomTensor([1, 2, 2, 2], 1))).toThrow(/backward called before forward/);
    layer.forward(x);
    expect(() => layer.backward(randomTensor([1, 2, 3, 3], 1))).toThrow(/dy must have the output's shape/);
    expect(() => layer.outputShape([4, 4])).toThrow(/\[C, H, W\]/);
  });

  it('config round-trips through the registry', () => {
    const layer = new st.nn.AdaptiveAvgPool2D({ outputSize: [7, 6], name: 'pool' });
    const json = JSON.parse(JSON.stringify(layer.config));
    expect(json).toEqual({ type: 'adaptiveAvgPool2d', name: 'pool', outputSize: [7, 6] });
    const copy = st.nn.layerFromConfig(json);
    expect(copy).toBeInstanceOf(st.nn.AdaptiveAvgPool2D);
    expect(copy.config).toEqual(layer.config);
    expect(st.nn.layerTypes()).toContain('adaptiveAvgPool2d');
    expect(layer.outputShape([5, 3, 3])).toEqual([5, 7, 6]);
  });
});
