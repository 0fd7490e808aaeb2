import { describe, expect, it, vi } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { gradcheck, type GradTarget } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/** Forward, backward with a random dy, then central differences for x and every parameter. */
function checkModel(context: string, model: st.Graph, x: st.Tensor, training = false): st.Tensor {
  const y = model.forward(x, { training });
  const dy = randomTensor([...y.shape], 77);
  model.zeroGrad();
  const dx = model.backward(dy) as st.Tensor;
  const targets: GradTarget[] = [
    { name: 'x', value: x, grad: dx.clone() },
    ...model.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad.clone() })),
  ];
  gradcheck(context, () => model.forward(x, { training }), dy, targets, { maxPerTarget: 30 });
  return dx;
}

describe('Graph', () => {
  it('fan-out: x feeds two branches that are summed; x gets the sum of both gradients', () => {
    const g = new st.Graph({ seed: 1 });
    const x = g.input([5]);
    const a = g.add(new nn.Dense({ units: 4 }), x);
    const b = g.add(new nn.Dense({ units: 4 }), x);
    g.output(g.add(new nn.Add(), a, b));
    const input = randomTensor([3, 5], 2);
    const dx = checkModel('fan-out', g, input);
    // dx = dy·Wa + dy·Wb, the two branches' gradients summed
    const [wa, wb] = [g.params()[0].value, g.params()[2].value];
    const dy = randomTensor([3, 4], 77);
    const want = st.ops.matmul(dy, wa);
    const viaB = st.ops.matmul(dy, wb);
    expectClose(dx.data, Array.from(want.data, (v, i) => v + viaB.data[i]), 1e-5, 'summed gradient');
  });

  it('residual block with the shortcut used twice (Add(a, x) and a later Add with x)', () => {
    const g = new st.Graph({ seed: 2 });
    const x = g.input([2, 5, 5]);
    let a = g.add(new nn.Conv2D({ filters: 2, kernelSize: 3, padding: 1 }), x);
    a = g.add(new nn.Tanh(), a);
    a = g.add(new nn.Conv2D({ filters: 2, kernelSize: 3, padding: 1 }), a);
    const y = g.add(new nn.Add(), a, x, x);
    g.output(g.add(new nn.Sigmoid(), y));
    checkModel('resnet block', g, randomTensor([2, 2, 5, 5], 3));
  });

  it('DenseNet block: each layer sees the concatenation of all earlier features', () => {
    const g = new st.Graph({ seed: 3 });
    const x = g.input([3, 4, 4]);
    let features = x;
    for (let i = 0; i < 2; i++) {
      let h = g.add(new nn.BatchNorm2D(), features);
      h = g.add(new nn.Tanh(), h);
      h = g.add(new nn.Conv2D({ filters: 2, kernelSize: 3, padding: 1 }), h);
      features = g.add(new nn.Concat(), features, h);
    }
    g.output(features);
    expect(g.outputShape).toEqual([7, 4, 4]);
    checkModel('densenet block', g, randomTensor([2, 3, 4, 4], 4), true);
    expect(g.summary()).toContain('concat_2');
  });

  it('Concat along axis 1 places each input in its slice, backward splits dy', () => {
    const cat = new nn.Concat();
    const a = randomTensor([2, 1, 3], 1);
    const b = randomTensor([2, 2, 3], 2);
    const y = cat.forward([a, b]);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(Array.from(y.data.subarray(9, 12))).toEqual(Array.from(a.data.subarray(3, 6)));
    expect(Array.from(y.data.subarray(12, 18))).toEqual(Array.from(b.data.subarray(6, 12)));
    const [da, db] = cat.backward(y);
    expect(Array.from(da.data)).toEqual(Array.from(a.data));
    expect(Array.from(db.data)).toEqual(Array.from(b.data));
  });

  it('params are prefixed by layer names; config rebuilds the same graph', () => {
    const g = new st.Graph({ seed: 4 });
    const x = g.input([6]);
    const h = g.add(new nn.Dense({ units: 3 }), x);
    const r = g.add(new nn.ReLU({ name: 'act' }), h);
    g.output(g.add(new nn.Concat(), r, h));
    expect(g.params().map((p) => p.name)).toEqual(['dense_1.weight', 'dense_1.bias']);
    const copy = st.Graph.fromConfig(JSON.parse(JSON.stringify(g.config)));
    expect(copy.config).toEqual(g.config);
    const input = randomTensor([2, 6], 5);
    expect(Array.from(copy.forward(input).data)).toEqual(Array.from(g.forward(input).data));
  });

  it('inputGrad: false gives the same parameter gradients, bit for bit, without any dx for the data', () => {
    // Two inputs: a data path through Dropout (no parameters) into a convolution, and
    // a second input whose branch merges in after a parameterised layer.
    const build = () => {
      const g = new st.Graph({ seed: 5 });
      const x = g.input([2, 6, 6]);
      const z = g.input([3, 4, 4]);
      let a = g.add(new nn.Dropout({ rate: 0 }), x);
      a = g.add(new nn.Conv2D({ filters: 3, kernelSize: 3 }), a);
      a = g.add(new nn.Tanh(), a);
      const b = g.add(new nn.Conv2D({ filters: 3, kernelSize: 1 }), z);
      const y = g.add(new nn.Add(), a, b, z);
      g.output(g.add(new nn.Conv2D({ filters: 2, kernelSize: 3 }), y));
      return g;
    };
    const inputs = [randomTensor([2, 2, 6, 6], 6), randomTensor([2, 3, 4, 4], 7)];
    const dy = randomTensor([2, 2, 2, 2], 8);
    const full = build();
    full.forward(inputs, { training: true });
    full.zeroGrad();
    expect(full.backward(dy)).toHaveLength(2);
    const lean = build();
    lean.forward(inputs, { training: true });
    lean.zeroGrad();
    const convs = lean.layers.filter((l): l is st.nn.Conv2D => l instanceof nn.Conv2D);
    const gradInputs = convs.map((c) => vi.spyOn(c as unknown as { gradInput: () => st.Tensor }, 'gradInput'));
    expect(lean.backward(dy, { inputGrad: false })).toBeUndefined();
    // The two convolutions fed by data skip dx; the last one's input leads to parameters.
    expect(gradInputs.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 1]);
    const want = full.params();
    lean.params().forEach((p, i) => {
      expect(p.name).toBe(want[i].name);
      expect(Array.from(p.grad.data)).toEqual(Array.from(want[i].grad.data));
    });
  });

  it('predictSync writes over values nobody reads again, and answers as forward does, bit for bit', () => {
    // Shortcuts read twice (by a convolution and by Add), Add(a, x, x), Flatten's view of
    // its input, Dropout returning its input, a pointwise activation on a graph input,
    // and Softmax, which must not work in place.
    const g = new st.Graph({ seed: 9 });
    const x = g.input([3, 5, 5]);
    const x0 = g.add(new nn.ReLU(), x);
    let a = g.add(new nn.Conv2D({ filters: 3, kernelSize: 3, padding: 1 }), x0);
    a = g.add(new nn.ReLU(), a);
    a = g.add(new nn.Conv2D({ filters: 3, kernelSize: 3, padding: 1 }), a);
    let y = g.add(new nn.Add(), a, x0, x0);
    y = g.add(new nn.Dropout({ rate: 0.5 }), y);
    y = g.add(new nn.Tanh(), y);
    const b = g.add(new nn.Add(), y, a);
    const flat = g.add(new nn.Flatten(), b);
    const h = g.add(new nn.Sigmoid(), flat);
    const d = g.add(new nn.Dense({ units: 4 }), h);
    g.output(g.add(new nn.Softmax(), g.add(new nn.Add(), d, g.add(new nn.ELU(), d))));
    const input = randomTensor([5, 3, 5, 5], 10);
    const before = Float32Array.from(input.data);
    const want = g.forward(input).clone();
    const got = g.predictSync(input, { batchSize: 2 });
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    expect(Array.from(input.data)).toEqual(Array.from(before));
    expect(() => g.backward(st.zeros([5, 4]))).toThrow(/backward called before forward/);
  });

  it('errors: missing inputs, Add shape mismatch, backward before forward, no output, foreign node', () => {
    const g = new st.Graph();
    const x = g.input([4]);
    expect(() => g.add(new nn.ReLU())).toThrow(/needs at least one input node/);
    expect(() => g.add(new nn.ReLU(), x, x)).toThrow(/takes exactly 1 input, got 2/);
    const a = g.add(new nn.Dense({ units: 3 }), x);
    expect(() => g.add(new nn.Add(), a, x)).toThrow(/Add.*inputs must have one shape; input 0 is \[3\], input 1 is \[4\]/);
    expect(() => g.forward(st.zeros([1, 4]))).toThrow(/no output/);
    g.output(a);
    expect(() => g.backward(st.zeros([1, 3]))).toThrow(/backward called before forward/);
    expect(() => g.forward(st.zeros([2, 5]))).toThrow(/input 0 must be \[N, 4\]/);
    const other = new st.Graph();
    expect(() => g.add(new nn.ReLU(), other.input([4]))).toThrow(/must be a node of this graph/);
    expect(() => g.add(new nn.ReLU({ name: 'dense_1' }), a)).toThrow(/name 'dense_1' is already used/);
    g.forward(st.zeros([2, 4]));
    expect(() => g.backward(st.zeros([2, 4]))).toThrow(/dy must have the output's shape \[2, 3\]/);
  });
});
