import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { awayFromZero, checkLayer } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

// float64 oracles of each activation
const oracles: Record<string, (v: number) => number> = {
  relu: (v) => Math.max(v, 0),
  leakyRelu: (v) => (v > 0 ? v : 0.2 * v),
  elu: (v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1)),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: (v) => Math.tanh(v),
};

const make: Record<string, () => st.nn.Layer> = {
  relu: () => new nn.ReLU(),
  leakyRelu: () => new nn.LeakyReLU({ alpha: 0.2 }),
  elu: () => new nn.ELU({ alpha: 1.5 }),
  sigmoid: () => new nn.Sigmoid(),
  tanh: () => new nn.Tanh(),
};

describe('elementwise activations', () => {
  for (const [type, build] of Object.entries(make)) {
    for (const shape of [[3, 7], [2, 3, 4, 5]]) {
      it(`${type} x=[${shape}] forward matches float64 and backward matches finite differences`, () => {
        const x = awayFromZero(shape, 11, 0.05);
        for (let i = 0; i < x.size; i++) x.data[i] *= 3;
        const layer = build();
        const y = layer.forward(x);
        expect(y.shape).toEqual(shape);
        expectClose(y.data, Array.from(x.data, oracles[type]), 1e-6, type);
        checkLayer(`${type} x=[${shape}]`, layer, x);
      });
    }
    it(`${type} keeps its config`, () => {
      const layer = build();
      const copy = nn.layerFromConfig(JSON.parse(JSON.stringify(layer.config))) as st.nn.Layer;
      const x = randomTensor([2, 5], 3);
      expect(Array.from(copy.forward(x).data)).toEqual(Array.from(layer.forward(x).data));
    });
  }

  it('sigmoid does not overflow for large |x|', () => {
    const y = new nn.Sigmoid().forward(st.tensor([[-1e4, 1e4, -100, 100]]));
    expect(Array.from(y.data)).toEqual([0, 1, Math.fround(1 / (1 + Math.exp(100))), 1]);
  });

  it('rejects a bad alpha and a non-tensor input', () => {
    expect(() => new nn.LeakyReLU({ alpha: Number.NaN })).toThrow(TypeError);
    expect(() => new nn.ELU({ alpha: -1 })).toThrow(/alpha/);
    expect(() => new nn.ReLU().forward([1, 2] as unknown as st.Tensor)).toThrow(/ReLU: x must be a Tensor/);
  });

  it('backward before forward is an error', () => {
    expect(() => new nn.Tanh().backward(st.zeros([2, 2]))).toThrow(/backward called before forward/);
  });

  it('backward checks the shape of dy', () => {
    const relu = new nn.ReLU();
    relu.forward(st.zeros([2, 3]));
    expect(() => relu.backward(st.zeros([3, 2]))).toThrow(/dy must have the output's shape \[2, 3\]/);
  });
});

describe('Softmax', () => {
  function oracle(x: st.Tensor, outer: number, dim: number, inner: number): number[] {
    const out = new Array<number>(x.size);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let max = -Infinity;
        for (let d = 0; d < dim; d++) max = Math.max(max, x.data[(o * dim + d) * inner + i]);
        let sum = 0;
        for (let d = 0; d < dim; d++) sum += Math.exp(x.data[(o * dim + d) * inner + i] - max);
        for (let d = 0; d < dim; d++) out[(o * dim + d) * inner + i] = Math.exp(x.data[(o * dim + d) * inner + i] - max) / sum;
      }
    return out;
  }

  it('x=[4,7] axis -1: rows sum to 1, match float64, gradient checks', () => {
    const x = randomTensor([4, 7], 5);
    for (let i = 0; i < x.size; i++) x.data[i] *= 4;
    const layer = new nn.Softmax();
    expectClose(layer.forward(x).data, oracle(x, 4, 7, 1), 1e-6, 'softmax');
    checkLayer('softmax [4,7]', layer, x);
  });

  it('x=[2,3,4,5] axis 1 (per-pixel classes)', () => {
    const x = randomTensor([2, 3, 4, 5], 6);
    const layer = new nn.Softmax({ axis: 1 });
    expectClose(layer.forward(x).data, oracle(x, 2, 3, 20), 1e-6, 'softmax axis 1');
    checkLayer('softmax [2,3,4,5] axis 1', layer, x);
  });

  it('is stable for logits of ±1e4', () => {
    const y = new nn.Softmax().forward(st.tensor([[1e4, -1e4, 1e4 - 1]]));
    expectClose(y.data, [1 / (1 + Math.exp(-1)), 0, Math.exp(-1) / (1 + Math.exp(-1))], 1e-6, 'stable');
  });

  it('rejects the batch axis', () => {
    expect(() => new nn.Softmax({ axis: 0 })).toThrow(/batch axis/);
    expect(() => new nn.Softmax({ axis: 3 }).outputShape([10])).toThrow(/out of range/);
  });
});

describe('Flatten', () => {
  it('x=[2,3,4,5] -> [2,60] without copying, backward restores the shape', () => {
    const x = randomTensor([2, 3, 4, 5], 1);
    const f = new nn.Flatten();
    const y = f.forward(x);
    expect(y.shape).toEqual([2, 60]);
    expect(y.data).toBe(x.data);
    expect(f.outputShape([3, 4, 5])).toEqual([60]);
    expect(f.backward(randomTensor([2, 60], 2)).shape).toEqual([2, 3, 4, 5]);
    expect(() => f.backward(st.zeros([2, 59]))).toThrow(RangeError);
  });
});
