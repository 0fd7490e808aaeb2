// A graph's auxiliary outputs (GoogLeNet's and Inception-v3's side classifiers): declared
// with output(node, { auxiliary }), run only by forwardWithAuxiliary, their gradients fed
// to backward; the training loop minimises loss(main) + Σ weight·loss(head), in fit's
// worker too; config, save and load keep them; bad declarations and gradients are refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import type { GraphConfig } from '../../src/models/graph.js';
import { trainBatch } from '../../src/training/loop.js';
import { randomTensor } from '../helpers/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'striate-aux-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** x -> dense -> tanh = trunk; main: dense(3); two heads on the trunk: dense(3) each. */
function build(seed = 1) {
  const g = new st.Graph({ seed });
  const x = g.input([4]);
  const trunk = g.add(new st.nn.Tanh({ name: 'trunk' }), g.add(new st.nn.Dense({ units: 5, name: 'hidden' }), x));
  const a = g.add(new st.nn.Dense({ units: 3, name: 'headA' }), trunk);
  const b = g.add(new st.nn.Dense({ units: 3, name: 'headB' }), trunk);
  return g.output(g.add(new st.nn.Dense({ units: 3, name: 'main' }), trunk), { auxiliary: [{ node: a, weight: 0.3 }, { node: b, weight: 0.4 }] });
}

const bits = (t: st.Tensor) => Array.from(t.data);
const grads = (model: st.Graph) => model.params().map((p) => bits(p.grad));

describe('auxiliary outputs', () => {
  const x = randomTensor([6, 4], 3);
  const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);

  it('forward and predictSync run the output alone; forwardWithAuxiliary runs the heads too', () => {
    const model = build();
    expect(model.auxiliaryOutputs).toEqual([{ name: 'headA', shape: [3], weight: 0.3 }, { name: 'headB', shape: [3], weight: 0.4 }]);
    const head = model.layers.find((l) => l.name === 'headA')!;
    let calls = 0;
    const forward = head.forwardFrom.bind(head);
    head.forwardFrom = (inputs, options) => (calls++, forward(inputs, options));
    const y = model.forward(x, { training: true });
    expect(bits(model.predictSync(x))).toEqual(bits(y));
    expect(calls).toBe(0);
    const { output, auxiliary } = model.forwardWithAuxiliary(x, { training: true });
    expect(calls).toBe(1);
    expect(bits(output)).toEqual(bits(y));
    expect(auxiliary.map((a) => a.shape)).toEqual([[6, 3], [6, 3]]);
  });

  it('backward adds the heads\' gradients into the trunk: the sum of the parts', () => {
    const model = build();
    const dy = randomTensor([6, 3], 1);
    const da = randomTensor([6, 3], 2);
    const db = randomTensor([6, 3], 4);
    const zero = new st.Tensor(new Float32Array(18), [6, 3]);
    const run = (d: st.Tensor, a: st.Tensor, b: st.Tensor) => {
      model.zeroGrad();
      model.forwardWithAuxiliary(x, { training: true });
      const dx = model.backward(d, { auxiliary: [a, b] }) as st.Tensor;
      return [bits(dx), grads(model)] as const;
    };
    const [dxAll, gAll] = run(dy, da, db);
    const parts = [run(dy, zero, zero), run(zero, da, zero), run(zero, zero, db)];
    dxAll.forEach((v, i) => expect(v).toBeCloseTo(parts.reduce((s, [dx]) => s + dx[i], 0), 5));
    const hidden = model.params().findIndex((p) => p.name === 'hidden.weight');
    gAll[hidden].forEach((v, i) => expect(v).toBeCloseTo(parts.reduce((s, [, g]) => s + g[hidden][i], 0), 5));
    // Without head gradients the heads get none, as after a plain forward.
    run(dy, zero, zero);
    expect(grads(model)[model.params().findIndex((p) => p.name === 'headA.weight')].every((g) => g === 0)).toBe(true);
  });

  it('trainBatch minimises loss(main) + 0.3·loss(headA) + 0.4·loss(headB) and updates every head', () => {
    const model = build();
    const loss = new st.nn.SoftmaxCrossEntropy();
    const { output, auxiliary } = model.forwardWithAuxiliary(x, { training: true });
    const want = loss.forward(output, labels) + 0.3 * loss.forward(auxiliary[0], labels) + 0.4 * loss.forward(auxiliary[1], labels);
    const before = model.params().map((p) => bits(p.value));
    const r = trainBatch(model, loss, new st.optim.SGD(model.params(), { lr: 0.1 }), x, labels);
    expect(r.loss).toBeCloseTo(want, 6);
    // accuracy counts the main output only
    expect(r.correct).toBe(Array.from(labels).filter((c, i) => {
      const row = Array.from(output.data.subarray(i * 3, i * 3 + 3));
      return row.indexOf(Math.max(...row)) === c;
    }).length);
    model.params().forEach((p, i) => expect(bits(p.value), p.name).not.toEqual(before[i]));
  });

  it('config, save/load and fromConfig keep the heads; fit trains them in its worker', async () => {
    const model = build();
    expect(model.config.type === 'graph' && model.config.auxiliary).toEqual([{ name: 'headA', weight: 0.3 }, { name: 'headB', weight: 0.4 }]);
    expect('auxiliary' in new st.Sequential([new st.nn.Dense({ units: 2 })], { inputShape: [3] }).config).toBe(false);
    const rebuilt = st.Graph.fromConfig(JSON.parse(JSON.stringify(model.config)));
    expect(rebuilt.auxiliaryOutputs).toEqual(model.auxiliaryOutputs);
    const file = path.join(dir, 'aux.striate');
    model.save(file);
    expect(st.load(file).auxiliaryOutputs).toEqual(model.auxiliaryOutputs);

    const head = () => bits(model.params().find((p) => p.name === 'headB.weight')!.value);
    const before = head();
    const history = await model.fit({ images: x, labels }, { epochs: 2, batchSize: 3, optimizer: { type: 'sgd', lr: 0.1 } });
    expect(head()).not.toEqual(before);
    expect(history.epochs).toHaveLength(2);
  });

  it('refuses bad declarations and gradients that do not match the heads', () => {
    const g = new st.Graph();
    const input = g.input([4]);
    const a = g.add(new st.nn.Dense({ units: 2 }), input);
    const y = g.add(new st.nn.Dense({ units: 2 }), input);
    expect(() => g.output(y, { auxiliary: [{ node: a, weight: 0 }] })).toThrow(/auxiliary\[0\]\.weight must be a finite number > 0, got 0/);
    expect(() => g.output(y, { auxiliary: [{ node: input, weight: 1 }] })).toThrow(/auxiliary\[0\] is the input 'input_1'/);
    expect(() => g.output(y, { auxiliary: [{ node: y, weight: 1 }] })).toThrow(/already an output/);
    expect(() => g.output(y, { auxiliary: [{ node: a, weight: 1 }, { node: a, weight: 1 }] })).toThrow(/auxiliary\[1\] \('dense_1'\) is already an output/);
    expect(() => g.output(y, { auxiliary: [{ node: build().inputShapes as never, weight: 1 }] })).toThrow(/auxiliary\[0\]\.node must be a node of this graph/);
    expect(() => g.output(y, { auxiliary: 'a' as never })).toThrow(/auxiliary must be an array/);

    const model = build();
    const dy = randomTensor([6, 3], 1);
    model.forward(x, { training: true });
    expect(() => model.backward(dy, { auxiliary: [dy, dy] })).toThrow(/call forwardWithAuxiliary/);
    model.forwardWithAuxiliary(x, { training: true });
    expect(() => model.backward(dy, { auxiliary: [dy] })).toThrow(/must hold 2 gradients/);
    expect(() => model.backward(dy, { auxiliary: [dy, randomTensor([6, 2], 1)] })).toThrow(/auxiliary\[1\] must be a Tensor \[6, 3\], got \[6, 2\]/);
    expect(() => st.Graph.fromConfig({ ...(model.config as GraphConfig), auxiliary: [{ name: 'nope', weight: 1 }] })).toThrow(/unknown node 'nope'/);
  });
});
