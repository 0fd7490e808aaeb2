// st.gradcheck itself: it passes right gradients (a function, a layer, a model),
// reports a wrong one with the entry, both values and the errors, and throws when asked;
// it differences across kinks and dropout without false failures yet still catches a
// wrong mask, checks a model's auxiliary heads, and leaves the subject as it found it.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { randomTensor } from '../helpers/random.js';

const matmul: st.GradFunction = (a, b) => ({
  value: st.ops.matmul(a, b),
  backward: (dy) => [st.ops.matmul(dy, b, { transB: true }), st.ops.matmul(a, dy, { transA: true })],
});

const bits = (t: st.Tensor) => Array.from(t.data);

describe('st.gradcheck', () => {
  it('passes a right gradient: a function y = a·b with both inputs', () => {
    const report = st.gradcheck(matmul, [randomTensor([3, 4], 1), randomTensor([4, 5], 2)]);
    expect(report.ok).toBe(true);
    expect(report.inputs.map((e) => [e.name, e.checked, e.passed])).toEqual([['inputs[0]', 12, true], ['inputs[1]', 20, true]]);
    for (const e of report.inputs) {
      expect(e.absError).toBeLessThanOrEqual(report.atol + report.rtol * Math.abs(e.numeric) + e.noise);
      expect(Math.abs(e.analytic)).toBeGreaterThan(0);
      // The float32 rounding allowance is there, and far below gradients of order 1.
      expect(e.noise).toBeGreaterThan(0);
      expect(e.noise).toBeLessThan(1e-3);
    }
    expect(report.params).toEqual([]);
  });

  it('reports a wrong gradient: the entry, both values and the errors', () => {
    // d/dx of sum(dy * x^2) is 2·dy·x; this backward forgets the 2 for entry 5 only.
    const square: st.GradFunction = (x) => ({
      value: new st.Tensor(x.data.map((v) => v * v), x.shape),
      backward: (dy) => new st.Tensor(dy.data.map((g, i) => (i === 5 ? 1 : 2) * g * x.data[i]), x.shape),
    });
    const x = st.tensor([[0.5, -0.7, 0.9, 0.3], [-0.4, 0.8, -0.6, 0.2]]);
    const report = st.gradcheck(square, [x]);
    expect(report.ok).toBe(false);
    const [e] = report.inputs;
    expect(e).toMatchObject({ name: 'inputs[0]', kind: 'input', index: 5, passed: false, checked: 8, failed: 1 });
    expect(e.relError).toBeCloseTo(0.5, 3); // analytic is half the numeric
    expect(e.absError).toBeCloseTo(Math.abs(e.numeric - e.analytic), 12);
    expect(bits(x)).toEqual(bits(st.tensor([[0.5, -0.7, 0.9, 0.3], [-0.4, 0.8, -0.6, 0.2]]))); // restored
    expect(() => st.gradcheck(square, [x], { throwOnFailure: true })).toThrow(/gradcheck failed[^]*FAIL inputs\[0\]\[5\]: analytic/);
    try {
      st.gradcheck(square, [x], { throwOnFailure: true });
    } catch (err) {
      expect(err).toBeInstanceOf(st.GradcheckError);
      expect((err as st.GradcheckError).report.inputs[0].index).toBe(5);
    }
  });

  it('a scalar function (a loss) is checked with dy = 1', () => {
    const sumSquares: st.GradFunction = (x) => ({
      value: x.data.reduce((a, v) => a + v * v, 0),
      backward: (dy) => new st.Tensor(x.data.map((v) => 2 * v * dy.data[0]), x.shape),
    });
    const report = st.gradcheck(sumSquares, st.tensor([0.9, -1.7, 2.5]));
    expect(report.ok).toBe(true);
    expect(report.inputs[0].analytic).toBeCloseTo(2 * [0.9, -1.7, 2.5][report.inputs[0].index], 5);
  });

  it('Richardson extrapolation cancels the O(h²) error of a central difference: exact on a cubic', () => {
    // L = Σ x³ with a step of 0.2: D(h) is off by h²·x (1.5% at x = 0.9), (4·D(h/2) − D(h))/3 by nothing.
    const x = st.tensor([0.9, -1.7, 2.5]);
    const grad = new st.Tensor(x.data.map((v) => 3 * v * v), x.shape);
    const report = st.compareGradients(() => Float64Array.of(x.data.reduce((a, v) => a + v ** 3, 0)), st.tensor([1]),
      [{ name: 'x', kind: 'input', value: x, grad }], { eps: 0.2, rtol: 1e-3, atol: 0 });
    expect(report.ok, st.formatGradcheckReport(report)).toBe(true);
  });

  it('checks a layer and its parameters, and finds a corrupted parameter gradient', () => {
    const conv = new st.nn.Conv2D({ filters: 2, kernelSize: 3, padding: 1, seed: 3 });
    const x = randomTensor([2, 2, 5, 4], 4);
    const report = st.gradcheck(conv, x);
    expect(report.ok).toBe(true);
    expect(report.params.map((e) => e.name).sort()).toEqual(conv.params().map((p) => p.name).sort());
    expect(report.params.every((e) => e.checked === conv.params().find((p) => p.name === e.name)!.value.size)).toBe(true);

    // A layer whose backward scales the bias gradient wrongly is caught on the bias only.
    class BadBias extends st.nn.Dense {
      override backward(dy: st.Tensor): st.Tensor {
        const dx = super.backward(dy);
        const bias = this.params().find((p) => p.name.endsWith('bias'))!;
        bias.grad.data[1] *= 1.3;
        return dx;
      }
    }
    const dense = new BadBias({ units: 3, seed: 1 });
    const bad = st.gradcheck(dense, randomTensor([4, 5], 6));
    expect(bad.ok).toBe(false);
    const failing = [...bad.inputs, ...bad.params].filter((e) => !e.passed);
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ kind: 'param', index: 1, failed: 1 });
    expect(failing[0].name).toMatch(/bias/);
  });

  it('checks a model, samples entries, and rejects bad arguments', () => {
    const model = new st.Sequential([new st.nn.Dense({ units: 4 }), new st.nn.Tanh(), new st.nn.Dense({ units: 2 })], { inputShape: [3], seed: 2 });
    const report = st.gradcheck(model, randomTensor([2, 3], 7), { samples: 5 });
    expect(report.ok).toBe(true);
    expect(report.inputs[0].checked).toBe(5);
    expect(report.params).toHaveLength(4);
    expect(() => st.gradcheck(model, [] as st.Tensor[])).toThrow(TypeError);
    expect(() => st.gradcheck({} as never, randomTensor([1, 3], 1))).toThrow(/subject must be a layer, a model, or a function/);
    expect(() => st.gradcheck((() => 3) as never, randomTensor([1, 3], 1))).toThrow(/must return \{ value: Tensor \| number, backward/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { eps: 0 })).toThrow(/eps must be a finite number > 0/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { rtol: -1 })).toThrow(/rtol/);
    // Options of the wrong type are refused, not taken as their truthiness (or null as the default).
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { params: 'false' as never })).toThrow(/^gradcheck: params must be a boolean, got false$/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { throwOnFailure: 1 as never })).toThrow(/^gradcheck: throwOnFailure must be a boolean/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { training: null as never })).toThrow(/^gradcheck: training must be a boolean, got null/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { samples: 0.5 })).toThrow(/^gradcheck: samples must be an integer >= 1/);
    expect(() => st.formatGradcheckReport(null as never)).toThrow(/^formatGradcheckReport: report must be what gradcheck returns/);
  });

  it('compareGradients checks its arguments before it perturbs anything', () => {
    const y = st.tensor([1, 2, 3]);
    const targets = () => [{ name: 'y', kind: 'input' as const, value: y, grad: st.zeros([3]) }];
    const sum = () => y.data.reduce((a, b) => a + b, 0);
    const detached = st.zeros([1]);
    structuredClone(detached.data.buffer, { transfer: [detached.data.buffer as ArrayBuffer] });
    expect(() => st.compareGradients(sum, detached, targets())).toThrow(/^compareGradients: dy has 0 values for shape \[1\]/);
    expect(() => st.compareGradients(sum, (() => 1) as never, targets())).toThrow(/^compareGradients: dy must be a Tensor, got function/);
    expect(() => st.compareGradients(sum, st.zeros([2]), targets())).toThrow(/^compareGradients: dy must be shaped like what forward returns, \[1\], got \[2\]/);
    expect(() => st.compareGradients(() => 'x' as never, st.tensor([1]), targets())).toThrow(/^compareGradients: forward must return a Tensor/);
    expect(() => st.compareGradients(sum, st.tensor([1]), new Map() as never)).toThrow(/^compareGradients: targets must be an array/);
    expect(() => st.compareGradients(sum, st.tensor([1]), [null] as never)).toThrow(/^compareGradients: targets\[0\] must be \{ name, kind/);
    expect(() => st.compareGradients(sum, st.tensor([1]), targets(), true as never)).toThrow(/^compareGradients: options must be an object/);
    expect(Array.from(y.data)).toEqual([1, 2, 3]);
    // A forward that throws mid-check leaves the value it was perturbing as it was.
    let calls = 0;
    const failing = () => {
      if (++calls > 1) throw new Error('forward failed');
      return sum();
    };
    expect(() => st.compareGradients(failing, st.tensor([1]), targets())).toThrow('forward failed');
    expect(Array.from(y.data)).toEqual([1, 2, 3]);
  });
});

describe('st.gradcheck across kinks and random masks', () => {
  // conv -> relu (-> max pool) -> dense: plenty of ReLU inputs and window maxima within
  // a step of 1e-2 of a kink, as in any real block.
  const kinked = (relu: st.nn.Layer, pool: boolean) => new st.Sequential([
    new st.nn.Conv2D({ filters: 4, kernelSize: 3, padding: 1 }), relu,
    ...(pool ? [new st.nn.MaxPool2D({ kernelSize: 2 })] : []), new st.nn.Flatten(), new st.nn.Dense({ units: 3 }),
  ], { inputShape: [2, 6, 6], seed: 5 });

  it('keeps the pieces of the unperturbed pass: no false failures where plain differences cross kinks', () => {
    const model = kinked(new st.nn.ReLU(), true);
    const x = randomTensor([2, 2, 6, 6], 8);
    expect(st.gradcheck(model, x).ok).toBe(true);
    // The same differences without the replay: entries whose step crosses a kink fail.
    const y = model.forward(x);
    const dy = randomTensor([...y.shape], 1);
    model.zeroGrad();
    const dx = model.backward(dy);
    const targets = [{ name: 'x', kind: 'input' as const, value: x, grad: dx.clone() },
      ...model.params().map((p) => ({ name: p.name, kind: 'param' as const, value: p.value, grad: p.grad.clone() }))];
    const plain = st.compareGradients(() => model.forward(x), dy, targets);
    expect(plain.ok).toBe(false);
    // Each layer's own forward is back: the model computes what it computed before.
    expect(bits(model.forward(x))).toEqual(bits(y));
    expect(model.layers.every((l) => !Object.hasOwn(l, 'forwardFrom'))).toBe(true);
  });

  it('still catches a ReLU whose backward lets gradient through where its forward did not', () => {
    class LeakyMask extends st.nn.ReLU {
      override backward(dy: st.Tensor): st.Tensor {
        const x = this.x!;
        return new st.Tensor(dy.data.map((g, i) => (x.data[i] > -0.1 ? g : 0)), dy.shape);
      }
    }
    const report = st.gradcheck(kinked(new LeakyMask(), false), randomTensor([2, 2, 6, 6], 8));
    expect(report.ok).toBe(false);
    expect(report.inputs[0].passed).toBe(false);
  });

  it('dropout draws the same mask in every pass; batch-norm statistics and the dropout stream are restored', () => {
    const build = () => new st.Sequential([
      new st.nn.Dense({ units: 6 }), new st.nn.BatchNorm1D(), new st.nn.Tanh(), new st.nn.Dropout({ rate: 0.5 }), new st.nn.Dense({ units: 2 }),
    ], { inputShape: [4], seed: 3 });
    const model = build();
    const x = randomTensor([5, 4], 2);
    const report = st.gradcheck(model, x, { training: true });
    expect(report.ok, st.formatGradcheckReport(report)).toBe(true);
    const fresh = build();
    model.buffers().forEach((b, i) => expect(bits(b.value), b.name).toEqual(bits(fresh.buffers()[i].value)));
    // The stream restarts from the layer's seed: the next training pass draws a fresh model's first mask.
    expect(bits(model.forward(x, { training: true }))).toEqual(bits(fresh.forward(x, { training: true })));
  });

  it("checks a model's auxiliary heads, and catches a wrong backward inside one", () => {
    const build = () => {
      const g = new st.Graph({ seed: 4 });
      const x = g.input([5]);
      const h = g.add(new st.nn.Tanh(), g.add(new st.nn.Dense({ units: 4 }), x));
      const aux = g.add(new st.nn.Dense({ units: 3, name: 'aux' }), h);
      return g.output(g.add(new st.nn.Dense({ units: 2 }), h), { auxiliary: [{ node: aux, weight: 0.4 }] });
    };
    const x = randomTensor([3, 5], 5);
    const model = build();
    const report = st.gradcheck(model, x);
    expect(report.ok).toBe(true);
    expect(report.params.map((e) => e.name)).toContain('aux.weight');
    expect(report.params.find((e) => e.name === 'aux.weight')!.analytic).not.toBe(0);

    const bad = build();
    const aux = bad.layers.find((l) => l.name === 'aux')!;
    const backward = aux.backwardTo.bind(aux);
    aux.backwardTo = (dy) => backward(dy).map((g) => new st.Tensor(g.data.map((v) => 1.2 * v), g.shape));
    const failed = st.gradcheck(bad, x);
    expect(failed.ok).toBe(false);
    expect(failed.inputs[0].passed).toBe(false); // the trunk below the head got the wrong gradient
  });
});
