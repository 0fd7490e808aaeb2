// Optimizers against float64 oracles written here from the textbook (PyTorch)
// formulas, over several steps with changing gradients; an analytic first Adam
// step; convergence on a quadratic; checkpoints through JSON; bad options.
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, RMSProp, SGD, type Optimizer } from '../../src/optim/index.js';
import type { Param } from '../../src/param.js';
import { Rng } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose } from '../helpers/compare.js';

const SIZES = [1, 7, 33];

function makeParams(seed: number, sizes = SIZES): Param[] {
  const rng = new Rng(seed);
  return sizes.map((n, i) => ({
    name: `p${i}`,
    value: new Tensor(Float32Array.from({ length: n }, () => rng.normal()), [n]),
    grad: new Tensor(new Float32Array(n), [n]),
  }));
}

function fillGrads(params: Param[], seed: number): void {
  const rng = new Rng(seed);
  for (const p of params) for (let i = 0; i < p.grad.size; i++) p.grad.data[i] = rng.normal();
}

/** One float64 update of a flat parameter from its gradient; `s` keeps the oracle's buffers. */
type Oracle = (p: Float64Array, g: Float64Array, s: Record<string, Float64Array>, t: number) => void;

function sgdOracle(lr: number, momentum = 0, dampening = 0, nesterov = false, wd = 0): Oracle {
  return (p, g, s, t) => {
    s.b ??= new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + wd * p[i];
      if (momentum !== 0) {
        s.b[i] = t === 1 ? d : momentum * s.b[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * s.b[i] : s.b[i];
      }
      p[i] -= lr * d;
    }
  };
}

function rmspropOracle(lr: number, alpha = 0.99, eps = 1e-8, momentum = 0, wd = 0, centered = false): Oracle {
  return (p, g, s) => {
    s.v ??= new Float64Array(p.length);
    s.a ??= new Float64Array(p.length);
    s.b ??= new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const d = g[i] + wd * p[i];
      s.v[i] = alpha * s.v[i] + (1 - alpha) * d * d;
      let avg: number;
      if (centered) {
        s.a[i] = alpha * s.a[i] + (1 - alpha) * d;
        avg = Math.sqrt(s.v[i] - s.a[i] * s.a[i]) + eps;
      } else {
        avg = Math.sqrt(s.v[i]) + eps;
      }
      if (momentum > 0) {
        s.b[i] = momentum * s.b[i] + d / avg;
        p[i] -= lr * s.b[i];
      } else {
        p[i] -= (lr * d) / avg;
      }
    }
  };
}

function adamOracle(lr: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = 0, decoupled = false): Oracle {
  return (p, g, s, t) => {
    s.m ??= new Float64Array(p.length);
    s.v ??= new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      if (decoupled) p[i] *= 1 - lr * wd;
      const d = decoupled ? g[i] : g[i] + wd * p[i];
      s.m[i] = beta1 * s.m[i] + (1 - beta1) * d;
      s.v[i] = beta2 * s.v[i] + (1 - beta2) * d * d;
      const mHat = s.m[i] / (1 - beta1 ** t);
      const vHat = s.v[i] / (1 - beta2 ** t);
      p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  };
}

const CASES: [string, (params: Param[]) => Optimizer, Oracle][] = [
  ['SGD lr=0.1', (ps) => new SGD(ps, { lr: 0.1 }), sgdOracle(0.1)],
  ['SGD momentum=0.9', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 }), sgdOracle(0.05, 0.9)],
  ['SGD momentum=0.9 dampening=0.5', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.5 }), sgdOracle(0.05, 0.9, 0.5)],
  ['SGD nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true }), sgdOracle(0.05, 0.8, 0, true)],
  ['SGD weightDecay=0.1 momentum=0.5', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.5, weightDecay: 0.1 }), sgdOracle(0.05, 0.5, 0, false, 0.1)],
  ['SGD weightDecay=0.1', (ps) => new SGD(ps, { lr: 0.05, weightDecay: 0.1 }), sgdOracle(0.05, 0, 0, false, 0.1)],
  ['RMSProp defaults', (ps) => new RMSProp(ps, { lr: 0.01 }), rmspropOracle(0.01)],
  ['RMSProp momentum=0.9 alpha=0.9', (ps) => new RMSProp(ps, { lr: 0.01, alpha: 0.9, momentum: 0.9 }), rmspropOracle(0.01, 0.9, 1e-8, 0.9)],
  ['RMSProp centered', (ps) => new RMSProp(ps, { lr: 0.01, centered: true }), rmspropOracle(0.01, 0.99, 1e-8, 0, 0, true)],
  [
    'RMSProp centered momentum weightDecay eps=1e-3',
    (ps) => new RMSProp(ps, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.2, eps: 1e-3 }),
    rmspropOracle(0.01, 0.99, 1e-3, 0.5, 0.2, true),
  ],
  ['Adam defaults', (ps) => new Adam(ps), adamOracle(1e-3)],
  ['Adam lr=0.05 weightDecay=0.1', (ps) => new Adam(ps, { lr: 0.05, weightDecay: 0.1 }), adamOracle(0.05, 0.9, 0.999, 1e-8, 0.1)],
  ['Adam beta1=0.5 beta2=0.9 eps=0.1', (ps) => new Adam(ps, { lr: 0.05, beta1: 0.5, beta2: 0.9, eps: 0.1 }), adamOracle(0.05, 0.5, 0.9, 0.1)],
  ['AdamW defaults', (ps) => new AdamW(ps), adamOracle(1e-3, 0.9, 0.999, 1e-8, 1e-2, true)],
  ['AdamW lr=0.05 weightDecay=0.5', (ps) => new AdamW(ps, { lr: 0.05, weightDecay: 0.5 }), adamOracle(0.05, 0.9, 0.999, 1e-8, 0.5, true)],
];

describe('optimizer steps against float64 oracles', () => {
  for (const [name, make, oracle] of CASES) {
    it(`${name}: 6 steps, sizes ${SIZES}`, () => {
      const params = makeParams(1);
      const optimizer = make(params);
      const want = params.map((p) => Float64Array.from(p.value.data));
      const states = params.map(() => ({}) as Record<string, Float64Array>);
      for (let t = 1; t <= 6; t++) {
        fillGrads(params, 100 + t);
        optimizer.step();
        params.forEach((p, i) => {
          oracle(want[i], Float64Array.from(p.grad.data), states[i], t);
          // Values and buffers are float32, the oracle float64: a few float32 ulps per step.
          expectClose(p.value.data, want[i], 2e-6 * t, `${name} step ${t} ${p.name}`);
        });
      }
      expect(optimizer.stepCount).toBe(6);
    });
  }

  it('Adam moves each weight by about lr on its first step (m/sqrt(v) = sign(g))', () => {
    const params = makeParams(2);
    fillGrads(params, 3);
    const before = params.map((p) => p.value.data.slice());
    new Adam(params, { lr: 0.01 }).step();
    params.forEach((p, k) => {
      for (let i = 0; i < p.value.size; i++) {
        const g = p.grad.data[i];
        expect(p.value.data[i]).toBeCloseTo(before[k][i] - (0.01 * g) / (Math.abs(g) + 1e-8), 6);
      }
    });
  });
});

describe('convergence on a quadratic 0.5 * sum a_i (p_i - c_i)^2', () => {
  const cases: [string, (ps: Param[]) => Optimizer, number][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.2 }), 300],
    ['SGD nesterov', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), 300],
    ['RMSProp', (ps) => new RMSProp(ps, { lr: 0.01, momentum: 0.5 }), 600],
    ['Adam', (ps) => new Adam(ps, { lr: 0.05 }), 1000],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.05, weightDecay: 1e-4 }), 1000],
  ];
  for (const [name, make, steps] of cases) {
    it(`${name}: ${steps} steps reach the minimum`, () => {
      const n = 17;
      const rng = new Rng(9);
      const a = Float64Array.from({ length: n }, () => 0.5 + 1.5 * rng.uniform());
      const c = Float64Array.from({ length: n }, () => 4 * rng.uniform() - 2);
      const params = makeParams(10, [n]);
      const p = params[0];
      const optimizer = make(params);
      const distance = () => Math.max(...Array.from(p.value.data, (v, i) => Math.abs(v - c[i])));
      const start = distance();
      for (let s = 0; s < steps; s++) {
        optimizer.zeroGrad();
        for (let i = 0; i < n; i++) p.grad.data[i] = a[i] * (p.value.data[i] - c[i]);
        optimizer.step();
      }
      expect(start).toBeGreaterThan(0.5);
      expect(distance()).toBeLessThan(2e-2);
    });
  }
});

describe('checkpoints', () => {
  for (const [name, make] of CASES.map(([n, m]) => [n, m] as const)) {
    it(`${name}: state() through JSON resumes bit for bit`, () => {
      const a = makeParams(4);
      const first = make(a);
      for (let t = 1; t <= 3; t++) {
        fillGrads(a, t);
        first.step();
      }
      first.lr = first.lr * 0.5;
      const saved = JSON.parse(JSON.stringify(first.state()));
      const b = a.map((p) => ({ name: p.name, value: p.value.clone(), grad: p.grad.clone() }));
      const second = make(b);
      second.loadState(saved);
      expect(second.lr).toBe(first.lr);
      expect(second.stepCount).toBe(3);
      for (let t = 4; t <= 5; t++) {
        fillGrads(a, t);
        fillGrads(b, t);
        first.step();
        second.step();
      }
      a.forEach((p, i) => expect(Array.from(b[i].value.data)).toEqual(Array.from(p.value.data)));
    });
  }

  it('loadState rejects another optimizer, other params and short buffers, and changes nothing', () => {
    const params = makeParams(5);
    const adam = new Adam(params);
    fillGrads(params, 1);
    adam.step();
    const state = adam.state();
    expect(() => new SGD(makeParams(5), { lr: 0.1 }).loadState(state)).toThrow('SGD.loadState: state is from Adam, not SGD');
    expect(() => new Adam(makeParams(5, [1, 7])).loadState(state)).toThrow(/state has 3 params, this optimizer 2/);
    expect(() => new Adam(makeParams(5, [1, 7, 34])).loadState(state)).toThrow(/params\[2\] is p2 \(34\) but state has p2 \(33\)/);
    const fresh = new Adam(makeParams(5));
    const broken = JSON.parse(JSON.stringify(state));
    broken.params[2].buffers.v.pop();
    expect(() => fresh.loadState(broken)).toThrow(/params\[2\] \(p2\) needs buffer v of 33 numbers/);
    expect(fresh.stepCount).toBe(0);
    expect(fresh.state().params[0].buffers.m).toEqual([0]);
  });
});

describe('optimizer API', () => {
  it('zeroGrad clears every gradient; lr can be set, to 0 but not below', () => {
    const params = makeParams(6);
    fillGrads(params, 1);
    const sgd = new SGD(params, { lr: 0.1 });
    sgd.zeroGrad();
    for (const p of params) expect(p.grad.data.every((g) => g === 0)).toBe(true);
    sgd.lr = 0;
    const before = params[2].value.data.slice();
    fillGrads(params, 2);
    sgd.step();
    expect(Array.from(params[2].value.data)).toEqual(Array.from(before));
    expect(sgd.baseLr).toBe(0.1);
    expect(() => (sgd.lr = -1)).toThrow('SGD: lr must be in [0, Infinity), got -1');
    expect(() => (sgd.lr = NaN)).toThrow(TypeError);
  });

  const bad: [string, () => unknown, RegExp | string][] = [
    ['SGD lr 0', () => new SGD(makeParams(1), { lr: 0 }), 'SGD: lr must be in (0, Infinity), got 0'],
    ['SGD lr missing', () => new SGD(makeParams(1), {} as never), 'SGD: lr must be a finite number, got undefined'],
    ['SGD lr Infinity', () => new SGD(makeParams(1), { lr: Infinity }), /lr must be a finite number/],
    ['SGD momentum 1', () => new SGD(makeParams(1), { lr: 0.1, momentum: 1 }), 'SGD: momentum must be in [0, 1), got 1'],
    ['SGD nesterov without momentum', () => new SGD(makeParams(1), { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 and dampening 0/],
    ['SGD nesterov with dampening', () => new SGD(makeParams(1), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /nesterov needs/],
    ['SGD weightDecay < 0', () => new SGD(makeParams(1), { lr: 0.1, weightDecay: -1 }), 'SGD: weightDecay must be in [0, Infinity), got -1'],
    ['SGD dampening 2', () => new SGD(makeParams(1), { lr: 0.1, momentum: 0.5, dampening: 2 }), 'SGD: dampening must be in [0, 1], got 2'],
    ['RMSProp alpha 1', () => new RMSProp(makeParams(1), { lr: 0.1, alpha: 1 }), 'RMSProp: alpha must be in [0, 1), got 1'],
    ['RMSProp eps 0', () => new RMSProp(makeParams(1), { lr: 0.1, eps: 0 }), 'RMSProp: eps must be in (0, Infinity), got 0'],
    ['Adam beta1 1', () => new Adam(makeParams(1), { beta1: 1 }), 'Adam: beta1 must be in [0, 1), got 1'],
    ['Adam beta2 -0.1', () => new Adam(makeParams(1), { beta2: -0.1 }), 'Adam: beta2 must be in [0, 1), got -0.1'],
    ['AdamW lr -1', () => new AdamW(makeParams(1), { lr: -1 }), 'AdamW: lr must be in (0, Infinity), got -1'],
    ['empty params', () => new Adam([]), 'Adam: params is empty; there is nothing to optimize'],
    ['params not an array', () => new Adam({} as never), TypeError as never],
    [
      'a param twice',
      () => {
        const ps = makeParams(1);
        return new SGD([...ps, ps[0]], { lr: 0.1 });
      },
      /params\[3\] \(p0\) appears twice/,
    ],
    [
      'value and grad of different sizes',
      () => new SGD([{ name: 'w', value: new Tensor(new Float32Array(3), [3]), grad: new Tensor(new Float32Array(2), [2]) }], { lr: 0.1 }),
      'SGD: params[0] (w) has 3 values but 2 gradients',
    ],
  ];
  for (const [name, make, message] of bad) it(`rejects ${name}`, () => expect(make).toThrow(message));
});
