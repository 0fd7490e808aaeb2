import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { checkLayer } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/** A tensor of distinct values spaced 0.05 apart, shuffled: no max-pool ties within a step h = 1e-2. */
function distinct(shape: number[], seed: number): st.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => 0.05 * (i + 1));
  const rng = new st.Rng(seed);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return new st.Tensor(Float32Array.from(values), shape);
}

describe('Conv2D', () => {
  const cases: [string, number[], st.nn.Conv2DOptions][] = [
    ['k=3 s=1 p=1', [2, 3, 6, 5], { filters: 4, kernelSize: 3, padding: 1 }],
    ['k=[2,3] s=2 same', [1, 2, 7, 7], { filters: 3, kernelSize: [2, 3], stride: 2, padding: 'same' }],
    ['groups=2 dilation=2', [2, 4, 7, 6], { filters: 6, kernelSize: 2, dilation: 2, groups: 2 }],
    ['no bias', [1, 1, 5, 5], { filters: 2, kernelSize: 3, useBias: false }],
  ];
  for (const [name, shape, options] of cases)
    it(`x=[${shape}] ${name}: gradients of x, weight, bias`, () => {
      const conv = new nn.Conv2D({ ...options, inChannels: shape[1], seed: 1 });
      if (conv.bias) conv.bias.value.data.set(randomTensor([conv.filters], 4).data);
      const x = randomTensor(shape, 2);
      const y = conv.forward(x);
      expect(y.shape).toEqual([shape[0], ...conv.outputShape(shape.slice(1))]);
      expectClose(y.data, st.ops.conv2d(x, conv.weight!.value, conv.bias?.value, { ...options }).data, 0, 'same as the op');
      checkLayer(`conv2d ${name}`, conv, x, { h: 1e-2 });
    });

  it('LeNet sizes: [1,32,32] -> [6,28,28], weight [6,1,5,5]', () => {
    const conv = new nn.Conv2D({ filters: 6, kernelSize: 5 });
    conv.build([1, 32, 32]);
    expect(conv.outputShape([1, 32, 32])).toEqual([6, 28, 28]);
    expect(conv.weight!.value.shape).toEqual([6, 1, 5, 5]);
    expect(conv.countParams()).toBe(156);
  });

  it('rejects bad options', () => {
    expect(() => new nn.Conv2D({ filters: 6 } as st.nn.Conv2DOptions)).toThrow(/kernelSize is required/);
    expect(() => new nn.Conv2D({ filters: 0, kernelSize: 3 })).toThrow(/filters/);
    expect(() => new nn.Conv2D({ filters: 6, kernelSize: 3, groups: 4 })).toThrow(/divisible by groups/);
    expect(() => new nn.Conv2D({ filters: 4, kernelSize: 3, groups: 2, inChannels: 3 })).toThrow(/input channels \(3\)/);
    expect(() => new nn.Conv2D({ filters: 4, kernelSize: 9 }).outputShape([1, 5, 5])).toThrow(RangeError);
    expect(() => new nn.Conv2D({ filters: 4, kernelSize: 3, inChannels: 2 }).forward(st.zeros([1, 3, 5, 5]))).toThrow(/expects 2 input channels/);
  });
});

describe('Conv1D', () => {
  for (const [name, shape, options] of [
    ['k=3 p=1', [2, 3, 9], { filters: 4, kernelSize: 3, padding: 1 }],
    ['k=4 s=2 same', [1, 2, 11], { filters: 3, kernelSize: 4, stride: 2, padding: 'same' }],
  ] as [string, number[], st.nn.Conv1DOptions][])
    it(`x=[${shape}] ${name}: gradients`, () => {
      const conv = new nn.Conv1D({ ...options, seed: 3 });
      const x = randomTensor(shape, 5);
      const y = conv.forward(x);
      expect(y.shape).toEqual([shape[0], ...conv.outputShape(shape.slice(1))]);
      checkLayer(`conv1d ${name}`, conv, x);
    });
});

describe('pooling layers', () => {
  it('MaxPool2D x=[2,3,6,7] k=3 s=2 p=1: gradient through the argmax', () => {
    const pool = new nn.MaxPool2D({ kernelSize: 3, stride: 2, padding: 1 });
    const x = distinct([2, 3, 6, 7], 1);
    expect(pool.forward(x).shape).toEqual([2, 3, 3, 4]);
    expect(pool.outputShape([3, 6, 7])).toEqual([3, 3, 4]);
    checkLayer('maxpool', pool, x);
  });

  it('AvgPool2D x=[2,2,5,5] k=2 s=1, countIncludePad false with padding', () => {
    checkLayer('avgpool', new nn.AvgPool2D({ kernelSize: 2, stride: 1 }), randomTensor([2, 2, 5, 5], 2));
    checkLayer('avgpool pad', new nn.AvgPool2D({ kernelSize: 3, padding: 1, countIncludePad: false }), randomTensor([1, 2, 5, 4], 3));
  });

  it('StochasticPool2D: inference gradient checks; training is seeded and routes dy to the chosen element', () => {
    const x = distinct([1, 2, 4, 4], 4);
    checkLayer('stochastic inference', new nn.StochasticPool2D({ kernelSize: 2 }), x);
    const a = new nn.StochasticPool2D({ kernelSize: 2, seed: 9 });
    const b = new nn.StochasticPool2D({ kernelSize: 2, seed: 9 });
    const ya = a.forward(x, { training: true });
    expect(Array.from(b.forward(x, { training: true }).data)).toEqual(Array.from(ya.data));
    // The sampled output is piecewise constant in the choice, so check the routing itself:
    // with distinct inputs the chosen element is the one whose value came out.
    const dy = randomTensor([...ya.shape], 5);
    const dx = a.backward(dy);
    const want = new Float64Array(x.size);
    ya.data.forEach((v, o) => (want[x.data.indexOf(v)] += dy.data[o]));
    expect(Array.from(dx.data)).toEqual(Array.from(want, Math.fround));
  });

  it('GlobalAvgPool2D x=[2,3,4,5] -> [2,3]', () => {
    const pool = new nn.GlobalAvgPool2D();
    const x = randomTensor([2, 3, 4, 5], 6);
    const y = pool.forward(x);
    expect(y.shape).toEqual([2, 3]);
    expect(y.data[4]).toBeCloseTo(x.data.subarray(80, 100).reduce((a, b) => a + b, 0) / 20, 6);
    checkLayer('global avg', pool, x);
  });

  it('rejects bad options', () => {
    expect(() => new nn.MaxPool2D({} as st.nn.Pool2DOptions)).toThrow(/kernelSize is required/);
    expect(() => new nn.MaxPool2D({ kernelSize: 2 }).forward(st.zeros([2, 3]))).toThrow(/\[N, C, H, W\]/);
    expect(() => new nn.MaxPool2D({ kernelSize: 7 }).outputShape([1, 4, 4])).toThrow(RangeError);
    expect(() => new nn.MaxPool2D({ kernelSize: 2 }).backward(st.zeros([1, 1, 1, 1]))).toThrow(/before forward/);
  });
});
