// st.gradcheck itself: it passes right gradients (a function, a layer, a model),
// reports a wrong one with the entry, both values and the errors, and throws when asked.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { randomTensor } from '../helpers/random.js';

const matmul = {
  forward: (a: st.Tensor, b: st.Tensor) => st.ops.matmul(a, b),
  backward: (dy: st.Tensor, a: st.Tensor, b: st.Tensor) => [
    st.ops.matmul(dy, b, { transB: true }),
    st.ops.matmul(a, dy, { transA: true }),
  ],
};

describe('st.gradcheck', () => {
  it('passes a right gradient: y = a·b with both inputs', () => {
    const report = st.gradcheck(matmul, [randomTensor([3, 4], 1), randomTensor([4, 5], 2)]);
    expect(report.ok).toBe(true);
    expect(report.inputs.map((e) => [e.name, e.checked, e.passed])).toEqual([['inputs[0]', 12, true], ['inputs[1]', 20, true]]);
    for (const e of report.inputs) {
      expect(e.absError).toBeLessThanOrEqual(report.atol + report.rtol * Math.abs(e.numeric));
      expect(Math.abs(e.analytic)).toBeGreaterThan(0);
    }
    expect(report.params).toEqual([]);
  });

  it('reports a wrong gradient: the entry, both values and the errors', () => {
    // d/dx of sum(dy * x^2) is 2·dy·x; this backward forgets the 2 for entry 5 only.
    const square = {
      forward: (x: st.Tensor) => new st.Tensor(x.data.map((v) => v * v), x.shape),
      backward: (dy: st.Tensor, x: st.Tensor) => new st.Tensor(dy.data.map((g, i) => (i === 5 ? 1 : 2) * g * x.data[i]), x.shape),
    };
    const x = st.tensor([[0.5, -0.7, 0.9, 0.3], [-0.4, 0.8, -0.6, 0.2]]);
    const report = st.gradcheck(square, [x]);
    expect(report.ok).toBe(false);
    const [e] = report.inputs;
    expect(e).toMatchObject({ name: 'inputs[0]', kind: 'input', index: 5, passed: false, checked: 8, failed: 1 });
    expect(e.relError).toBeCloseTo(0.5, 3); // analytic is half the numeric
    expect(e.absError).toBeCloseTo(Math.abs(e.numeric - e.analytic), 12);
    expect(Array.from(x.data)).toEqual(Array.from(st.tensor([[0.5, -0.7, 0.9, 0.3], [-0.4, 0.8, -0.6, 0.2]]).data)); // restored
    expect(() => st.gradcheck(square, [x], { throwOnFailure: true })).toThrow(/gradcheck failed[^]*FAIL inputs\[0\]\[5\]: analytic/);
    try {
      st.gradcheck(square, [x], { throwOnFailure: true });
    } catch (err) {
      expect(err).toBeInstanceOf(st.GradcheckError);
      expect((err as st.GradcheckError).report.inputs[0].index).toBe(5);
    }
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
    expect(() => st.gradcheck({} as never, randomTensor([1, 3], 1))).toThrow(/subject must be/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { eps: 0 })).toThrow(/eps must be a finite number > 0/);
    expect(() => st.gradcheck(model, randomTensor([2, 3], 7), { rtol: -1 })).toThrow(/rtol/);
  });
});
