// Layers that keep their output and gradient arrays (kept-array.ts) must write them in
// full: a second training step, over arrays holding the first step's values, gives the
// same bits as a fresh layer's first step.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

const cases: [string, () => st.nn.Layer, number[]][] = [
  ['Conv2D', () => new nn.Conv2D({ filters: 4, kernelSize: 3, padding: 1, inChannels: 3, seed: 1 }), [2, 3, 7, 7]],
  ['Conv1D', () => new nn.Conv1D({ filters: 4, kernelSize: 5, stride: 2, inChannels: 3, seed: 1 }), [2, 3, 19]],
  ['MaxPool2D', () => new nn.MaxPool2D({ kernelSize: 3, stride: 2, padding: 1 }), [2, 3, 9, 9]],
  ['AvgPool2D', () => new nn.AvgPool2D({ kernelSize: 2 }), [2, 3, 9, 9]],
  ['Dense', () => new nn.Dense({ units: 5, inFeatures: 7, seed: 1 }), [3, 7]],
  ['BatchNorm2D', () => new nn.BatchNorm2D(), [4, 3, 5, 5]],
  ['LocalResponseNorm', () => new nn.LocalResponseNorm({ size: 3 }), [2, 5, 4, 4]],
  ['ReLU', () => new nn.ReLU(), [2, 3, 4, 4]],
  ['Tanh', () => new nn.Tanh(), [2, 3, 4, 4]],
];

describe('kept arrays', () => {
  for (const [name, make, shape] of cases) {
    it(`${name}: a second training step writes every element of its output and gradients`, () => {
      const x1 = randomTensor(shape, 1);
      const x2 = randomTensor(shape, 2);
      const used = make();
      const y1 = used.forward(x1, { training: true });
      used.backward(randomTensor([...y1.shape], 3));
      used.zeroGrad();
      const y = used.forward(x2, { training: true }).clone();
      const dx = used.backward(randomTensor([...y1.shape], 4)).clone();

      const fresh = make();
      const wantY = fresh.forward(x2, { training: true });
      const wantDx = fresh.backward(randomTensor([...y1.shape], 4));
      expect(Array.from(y.data)).toEqual(Array.from(wantY.data));
      expect(Array.from(dx.data)).toEqual(Array.from(wantDx.data));
      fresh.params().forEach((p, i) => expect(Array.from(used.params()[i].grad.data)).toEqual(Array.from(p.grad.data)));
    });
  }

  it('MaxPool2D inside predictSync writes the training forward\'s values without an argmax, and refuses a backward after it', () => {
    const pool = new nn.MaxPool2D({ kernelSize: 3, stride: 1, padding: 1 });
    const x = randomTensor([2, 3, 8, 8], 5);
    const want = pool.forward(x, { training: true }).clone();
    const got = pool.forward(x, { transient: { overwritable: [false] } });
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    expect(() => pool.backward(randomTensor([2, 3, 8, 8], 6))).toThrow(/MaxPool2D.*backward after a forward inside predictSync/);
    pool.forward(x, { training: true });
    expect(pool.backward(randomTensor([2, 3, 8, 8], 6)).shape).toEqual([2, 3, 8, 8]);
  });

  it('Concat: a second training step writes every element of its output and of each input\'s gradient', () => {
    const shapes = [[2, 3, 4, 5], [2, 2, 4, 5]];
    const step = (layer: st.nn.Concat, seed: number) => {
      const y = layer.forward(shapes.map((s, i) => randomTensor(s, seed + i)), { training: true }).clone();
      return [y, ...layer.backward(randomTensor([2, 5, 4, 5], seed + 2)).map((dx) => dx.clone())];
    };
    const used = new nn.Concat();
    step(used, 1);
    const got = step(used, 10), want = step(new nn.Concat(), 10);
    got.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(want[i].data)));
  });

  it('Add: a training forward writes its kept array, every element, again at the next one; a plain forward returns a fresh array', () => {
    const add = new nn.Add();
    const inputs = (seed: number) => [randomTensor([2, 3, 4], seed), randomTensor([2, 3, 4], seed + 1), randomTensor([2, 3, 4], seed + 2)];
    const first = add.forward(inputs(1), { training: true });
    const second = add.forward(inputs(10), { training: true });
    expect(second.data.buffer).toBe(first.data.buffer);
    expect(Array.from(second.data)).toEqual(Array.from(new nn.Add().forward(inputs(10), { training: true }).data));
    expect(add.forward(inputs(10)).data.buffer).not.toBe(first.data.buffer);
  });

  it('Graph: the gradient of a node two layers read is summed into a kept array, in full at every backward', () => {
    const make = () => {
      const g = new st.Graph({ seed: 4 });
      const x = g.input([3, 5, 5]);
      const a = g.add(new nn.Conv2D({ filters: 3, kernelSize: 3, padding: 1 }), x);
      const h = g.add(new nn.Conv2D({ filters: 3, kernelSize: 3, padding: 1 }), a);
      g.output(g.add(new nn.ReLU(), g.add(new nn.Add(), h, a)));  // a feeds the second conv and the shortcut
      return g;
    };
    // dx and the first convolution's gradients come through the sum at `a`.
    const step = (g: st.Graph, seed: number) => {
      g.zeroGrad();
      g.forward(randomTensor([2, 3, 5, 5], seed), { training: true });
      const dx = (g.backward(randomTensor([2, 3, 5, 5], seed + 1)) as st.Tensor).clone();
      return [dx, ...g.params().map((p) => p.grad.clone())];
    };
    const used = make();
    step(used, 1);
    const got = step(used, 20), want = step(make(), 20);
    got.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(want[i].data)));
  });

  it('a layer given an arena slice (transient.out) writes its output there, and names a slice of the wrong size', () => {
    const bn = new nn.BatchNorm2D();
    const x = randomTensor([2, 3, 4, 4], 7);
    const out = new Float32Array(x.size);
    const y = bn.forward(x, { transient: { overwritable: [false], out } });
    expect(y.data).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(bn.forward(x).data));
    expect(() => bn.forward(x, { transient: { overwritable: [false], out: new Float32Array(5) } })).toThrow(/BatchNorm2D.*transient.out has 5 elements, the output 96/);
  });
});
