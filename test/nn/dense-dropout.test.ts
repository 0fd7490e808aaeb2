import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { checkLayer } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

describe('Dense', () => {
  for (const [n, inF, units] of [[1, 1, 1], [4, 7, 3], [5, 13, 17]])
    it(`x=[${n},${inF}] units=${units}: y = x·Wᵀ + b, gradients of x, weight, bias`, () => {
      const fc = new nn.Dense({ units, inFeatures: inF, seed: 3 });
      randomTensor([units], 9).data.forEach((v, i) => (fc.bias!.value.data[i] = v));
      const x = randomTensor([n, inF], 1);
      const y = fc.forward(x);
      expect(y.shape).toEqual([n, units]);
      const w = fc.weight!.value.data;
      const want: number[] = [];
      for (let i = 0; i < n; i++)
        for (let u = 0; u < units; u++) {
          let s = fc.bias!.value.data[u];
          for (let k = 0; k < inF; k++) s += x.data[i * inF + k] * w[u * inF + k];
          want.push(s);
        }
      expectClose(y.data, want, 1e-5, 'dense forward');
      checkLayer(`dense ${n}x${inF}->${units}`, fc, x);
    });

  it('accumulates parameter gradients (+=) across backward calls', () => {
    const fc = new nn.Dense({ units: 3, inFeatures: 4 });
    const x = randomTensor([2, 4], 2);
    const dy = randomTensor([2, 3], 3);
    fc.forward(x);
    fc.backward(dy);
    const once = fc.weight!.grad.clone();
    const bias = fc.bias!.grad.clone();
    fc.backward(dy);
    expectClose(fc.weight!.grad.data, Array.from(once.data, (v) => 2 * v), 1e-6, 'dW doubled');
    expectClose(fc.bias!.grad.data, Array.from(bias.data, (v) => 2 * v), 1e-6, 'db doubled');
    fc.zeroGrad();
    expect(fc.weight!.grad.data.every((v) => v === 0)).toBe(true);
  });

  it('weight is [units, inFeatures] with names weight and bias; useBias: false has no bias', () => {
    const fc = new nn.Dense({ units: 5, inFeatures: 3 });
    expect(fc.params().map((p) => [p.name, p.value.shape])).toEqual([['weight', [5, 3]], ['bias', [5]]]);
    expect(new nn.Dense({ units: 5, inFeatures: 3, useBias: false }).params().map((p) => p.name)).toEqual(['weight']);
  });

  it('without inFeatures it is built lazily, then checks the input size', () => {
    const fc = new nn.Dense({ units: 2 });
    expect(fc.params()).toEqual([]);
    expect(fc.forward(st.zeros([3, 6])).shape).toEqual([3, 2]);
    expect(fc.inFeatures).toBe(6);
    expect(() => fc.forward(st.zeros([3, 5]))).toThrow(/expects 6 input features, got 5/);
  });

  it('rejects bad options and inputs', () => {
    expect(() => new nn.Dense({ units: 2.5 })).toThrow(RangeError);
    expect(() => new nn.Dense({ units: 2.5 })).toThrow(/units must be an integer >= 1, got 2.5/);
    expect(() => new nn.Dense({} as st.nn.DenseOptions)).toThrow(/units is required/);
    expect(() => new nn.Dense(undefined as unknown as st.nn.DenseOptions)).toThrow(TypeError);
    expect(() => new nn.Dense({ units: 2, kernelInitializer: 'bogus' as st.nn.InitializerName })).toThrow(/kernelInitializer/);
    expect(() => new nn.Dense({ units: 2, inFeatures: 3 }).forward(st.zeros([2, 3, 1, 1]))).toThrow(/Flatten/);
    expect(() => new nn.Dense({ units: 2, inFeatures: 3 }).backward(st.zeros([2, 2]))).toThrow(/before forward/);
  });
});

describe('Dropout', () => {
  it('keeps about 1 − rate of the values, scaled by 1/(1 − rate): the expectation is unchanged', () => {
    const x = st.ones([100, 100]);
    const y = new nn.Dropout({ rate: 0.3, seed: 5 }).forward(x, { training: true });
    let kept = 0;
    for (const v of y.data) {
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(1 / 0.7, 6);
      }
    }
    // Binomial(10000, 0.7): sd ≈ 46, so ±250 fails only if the mask is wrong.
    expect(Math.abs(kept - 7000)).toBeLessThan(250);
    const mean = y.data.reduce((a, b) => a + b, 0) / y.size;
    expect(Math.abs(mean - 1)).toBeLessThan(0.04);
  });

  it('the same seed gives the same masks; another seed does not', () => {
    const x = randomTensor([8, 16], 1);
    const a = new nn.Dropout({ rate: 0.5, seed: 42 });
    const b = new nn.Dropout({ rate: 0.5, seed: 42 });
    const c = new nn.Dropout({ rate: 0.5, seed: 43 });
    for (let step = 0; step < 3; step++) {
      const ya = a.forward(x, { training: true });
      expect(Array.from(b.forward(x, { training: true }).data)).toEqual(Array.from(ya.data));
      expect(Array.from(c.forward(x, { training: true }).data)).not.toEqual(Array.from(ya.data));
    }
  });

  it('inference is the identity, forward and backward', () => {
    const drop = new nn.Dropout({ rate: 0.5 });
    const x = randomTensor([3, 4], 2);
    expect(Array.from(drop.forward(x).data)).toEqual(Array.from(x.data));
    const dy = randomTensor([3, 4], 3);
    expect(Array.from(drop.backward(dy).data)).toEqual(Array.from(dy.data));
  });

  it('training gradient with the mask fixed by the seed', () => {
    const x = randomTensor([4, 9], 6);
    const dx = checkLayer('dropout', new nn.Dropout({ rate: 0.4, seed: 7 }), x, {
      training: true,
      forward: () => new nn.Dropout({ rate: 0.4, seed: 7 }).forward(x, { training: true }),
    });
    expect(dx.data.some((v) => v === 0)).toBe(true);
  });

  it('rejects rates outside [0, 1)', () => {
    expect(() => new nn.Dropout({ rate: 1 })).toThrow(/rate must be < 1/);
    expect(() => new nn.Dropout({ rate: -0.1 })).toThrow(RangeError);
    expect(() => new nn.Dropout({} as st.nn.DropoutOptions)).toThrow(/rate is required/);
  });
});

describe('initialisers', () => {
  const cases: [st.nn.InitializerName, (fanIn: number, fanOut: number) => number][] = [
    ['heNormal', (i) => Math.sqrt(2 / i)],
    ['heUniform', (i) => Math.sqrt(6 / i) / Math.sqrt(3)],
    ['glorotNormal', (i, o) => Math.sqrt(2 / (i + o))],
    ['glorotUniform', (i, o) => Math.sqrt(6 / (i + o)) / Math.sqrt(3)],
  ];
  for (const [name, std] of cases)
    it(`${name} on a conv weight [64, 32, 3, 3] has std ${name.startsWith('he') ? '√(2/fanIn)' : '√(2/(fanIn+fanOut))'}`, () => {
      const w = st.nn.init.initialize(st.zeros([64, 32, 3, 3]), name, 1);
      const n = w.size;
      const mean = w.data.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(w.data.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      const want = std(32 * 9, 64 * 9);
      expect(Math.abs(sd / want - 1)).toBeLessThan(0.03);
      expect(Math.abs(mean)).toBeLessThan(0.05 * want);
      if (name.endsWith('Uniform')) expect(Math.max(...w.data.map(Math.abs))).toBeLessThanOrEqual(want * Math.sqrt(3));
      expect(Array.from(st.nn.init.initialize(st.zeros([64, 32, 3, 3]), name, 1).data)).toEqual(Array.from(w.data));
    });

  it('layers default to heNormal and differ by seed', () => {
    const a = new nn.Dense({ units: 200, inFeatures: 50, seed: 1 });
    const b = new nn.Dense({ units: 200, inFeatures: 50, seed: 2 });
    expect(Array.from(a.weight!.value.data)).not.toEqual(Array.from(b.weight!.value.data));
    const sd = Math.sqrt(a.weight!.value.data.reduce((s, v) => s + v * v, 0) / a.weight!.value.size);
    expect(Math.abs(sd / Math.sqrt(2 / 50) - 1)).toBeLessThan(0.03);
    expect(a.bias!.value.data.every((v) => v === 0)).toBe(true);
  });
});
