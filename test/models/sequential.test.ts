import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';

const { nn } = st;

const LENET = [
  { type: 'conv2d', filters: 6, kernelSize: 5 },
  { type: 'relu' },
  { type: 'maxPool2d', kernelSize: 2 },
  { type: 'conv2d', filters: 16, kernelSize: 5 },
  { type: 'relu' },
  { type: 'maxPool2d', kernelSize: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 120 },
  { type: 'relu' },
  { type: 'dense', units: 84 },
  { type: 'relu' },
  { type: 'dense', units: 10 },
];

/** Two interleaved spirals-lite: class 1 inside a ring, class 0 outside. Not linearly separable. */
function ringData(n: number, seed: number): { x: st.Tensor; labels: Int32Array } {
  const rng = new st.Rng(seed);
  const x = st.zeros([n, 2]);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const inside = i % 2 === 0;
    const r = inside ? 0.5 * rng.uniform() : 1 + 0.5 * rng.uniform();
    const t = 2 * Math.PI * rng.uniform();
    x.data[2 * i] = r * Math.cos(t);
    x.data[2 * i + 1] = r * Math.sin(t);
    labels[i] = inside ? 1 : 0;
  }
  return { x, labels };
}

describe('Sequential', () => {
  it('Dense→ReLU→Dense learns a ring problem to near-zero loss with plain SGD', () => {
    const model = new st.Sequential([new nn.Dense({ units: 16 }), new nn.ReLU(), new nn.Dense({ units: 2 })], { inputShape: [2], seed: 3 });
    const { x, labels } = ringData(64, 1);
    const loss = new nn.SoftmaxCrossEntropy();
    const first = loss.forward(model.forward(x, { training: true }), labels);
    let value = first;
    for (let step = 0; step < 1500; step++) {
      model.zeroGrad();
      value = loss.forward(model.forward(x, { training: true }), labels);
      model.backward(loss.backward());
      for (const p of model.params()) for (let i = 0; i < p.value.size; i++) p.value.data[i] -= 0.5 * p.grad.data[i];
    }
    expect(first).toBeGreaterThan(0.5);
    expect(value).toBeLessThan(0.05);
    const predicted = model.predictSync(x, { batchSize: 10 });
    let correct = 0;
    for (let i = 0; i < 64; i++) correct += Number((predicted.data[2 * i + 1] > predicted.data[2 * i]) === (labels[i] === 1));
    expect(correct).toBe(64);
  });

  it('LeNet-5 from config: shapes inferred, 61,706 parameters in the summary', () => {
    const model = st.Sequential.fromConfig(LENET, { inputShape: [1, 32, 32] });
    const text = model.summary();
    for (const shape of ['[N, 6, 28, 28]', '[N, 6, 14, 14]', '[N, 16, 10, 10]', '[N, 16, 5, 5]', '[N, 400]', '[N, 120]', '[N, 84]', '[N, 10]'])
      expect(text).toContain(shape);
    expect(text).toContain('conv2d_1 (conv2d)');
    expect(text).toContain('48,120');
    expect(text).toMatch(/Total params: 61,706$/);
    expect(model.countParams()).toBe(61706);
    expect(model.params().map((p) => p.name).slice(0, 3)).toEqual(['conv2d_1.weight', 'conv2d_1.bias', 'conv2d_2.weight']);
    expect(model.forward(st.randn([2, 1, 32, 32], { seed: 1 })).shape).toEqual([2, 10]);
  });

  it('config round trip rebuilds the same model (same seeds, same weights, same output)', () => {
    const model = new st.Sequential(
      [new nn.Conv2D({ filters: 4, kernelSize: 3, padding: 'same' }), new nn.BatchNorm2D(), new nn.ReLU(), new nn.MaxPool2D({ kernelSize: 2 }),
        new nn.Dropout({ rate: 0.25 }), new nn.Flatten(), new nn.Dense({ units: 3 })],
      { inputShape: [2, 6, 6], seed: 9 },
    );
    const copy = st.Sequential.fromConfig(JSON.parse(JSON.stringify(model.config)));
    expect(copy.config).toEqual(model.config);
    const x = st.randn([3, 2, 6, 6], { seed: 2 });
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(model.forward(x).data));
    expect(model.buffers().map((b) => b.name)).toEqual(['batchNorm2d_1.runningMean', 'batchNorm2d_1.runningVar']);
  });

  it('is built from the first batch when no inputShape is given; predict equals forward', () => {
    const model = new st.Sequential([new nn.Flatten(), new nn.Dense({ units: 5 }), new nn.Tanh()]);
    expect(() => model.summary()).toThrow(/not built/);
    const x = st.randn([7, 2, 3], { seed: 4 });
    const y = model.forward(x);
    expect(model.inputShapes).toEqual([[2, 3]]);
    expectClose(model.predictSync(x, { batchSize: 3 }).data, y.data, 1e-6, 'predict');
    expect(() => model.forward(st.zeros([7, 3, 2]))).toThrow(/input 0 must be \[N, 2, 3\]/);
  });

  it('rejects bad layers and configs', () => {
    expect(() => new st.Sequential([])).toThrow(/at least one layer/);
    expect(() => new st.Sequential([new nn.Add() as unknown as st.nn.Layer])).toThrow(/merge layers such as Add need a Graph/);
    expect(() => st.Sequential.fromConfig([{ type: 'nope' }], { inputShape: [3] })).toThrow(/unknown layer type 'nope'/);
    expect(() => st.Sequential.fromConfig([{ type: 'dense', units: -1 }], { inputShape: [3] })).toThrow(/units/);
    expect(() => new st.Sequential([new nn.Conv2D({ filters: 2, kernelSize: 3 })], { inputShape: [4] })).toThrow(/\[C, H, W\]/);
    expect(() => new st.Sequential([new nn.Dense({ units: 2 })]).backward(st.zeros([1, 2]))).toThrow(/no output|before forward/);
  });
});
