/**
 * A Graph runs each ReLU whose input is a batch norm read by nothing else inside that
 * batch norm (BatchNorm.forwardRelu, and the ReLU's backward inside the batch norm's).
 * The fused pass must give the bits of the two layers run apart (`STRIATE_PLAN=off`)
 * for the output, dx and every parameter gradient, and must leave alone the pairs it
 * cannot fuse: a batch norm with a second reader, a batch norm that is an output, and a
 * layer whose forward was replaced on the instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

afterEach(() => {
  delete process.env.STRIATE_PLAN;
});

/**
 * conv → BN → ReLU (fusible) → conv → BN2 → ReLU and BN2 → Add (BN2 has two readers),
 * Add → ReLU → BN3 → ReLU (fusible) → BN4 → ReLU → flatten → dense, BN4 also an
 * auxiliary output (so not fusible). Odd channel counts and a 5×7 map, so no kernel runs
 * on whole vectors only.
 */
function model() {
  const g = new st.Graph({ seed: 3 });
  const layers = {
    conv1: new nn.Conv2D({ filters: 5, kernelSize: 3, padding: 1 }), bn1: new nn.BatchNorm2D(), relu1: new nn.ReLU(),
    conv2: new nn.Conv2D({ filters: 5, kernelSize: 3, padding: 1 }), bn2: new nn.BatchNorm2D(), relu2: new nn.ReLU(),
    add: new nn.Add(), relu3: new nn.ReLU(), bn3: new nn.BatchNorm2D(), relu4: new nn.ReLU(),
    bn4: new nn.BatchNorm2D(), relu5: new nn.ReLU(), flatten: new nn.Flatten(), dense: new nn.Dense({ units: 4 }),
  };
  const x = g.input([3, 5, 7]);
  const a = g.add(layers.relu1, g.add(layers.bn1, g.add(layers.conv1, x)));
  const b = g.add(layers.bn2, g.add(layers.conv2, a));
  const sum = g.add(layers.add, g.add(layers.relu2, b), b);
  const c = g.add(layers.relu4, g.add(layers.bn3, g.add(layers.relu3, sum)));
  const aux = g.add(layers.bn4, c);
  g.output(g.add(layers.dense, g.add(layers.flatten, g.add(layers.relu5, aux))), { auxiliary: [{ node: aux, weight: 0.5 }] });
  return { graph: g, layers };
}

/** Output, auxiliary output, dx and every parameter gradient of one training step, as bytes. */
function step(graph: st.Graph, x: st.Tensor): Buffer[] {
  graph.zeroGrad();
  const { output, auxiliary } = graph.forwardWithAuxiliary(x, { training: true });
  const dy = randomTensor([...output.shape], 5);
  const dAux = auxiliary.map((a, k) => randomTensor([...a.shape], 6 + k));
  const dx = graph.backward(dy, { auxiliary: dAux }) as st.Tensor;
  const bytes = (t: st.Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return [output, ...auxiliary, dx, ...graph.params().map((p) => p.grad)].map((t) => Buffer.from(bytes(t)));
}

describe('batch norm + ReLU fused in a Graph', () => {
  it('a training step gives the bits of the layers run apart, fused pairs only where allowed', () => {
    const x = randomTensor([3, 3, 5, 7], 1);
    const { graph, layers } = model();
    const calls = new Map<string, number>();
    // Counted through `forward` (replacing forwardFrom would stop the fusion, see below).
    for (const [name, layer] of Object.entries(layers)) {
      if (!(layer instanceof nn.Layer)) continue;
      const forward = layer.forward.bind(layer);
      layer.forward = (input, options) => (calls.set(name, (calls.get(name) ?? 0) + 1), forward(input, options));
    }
    process.env.STRIATE_PLAN = 'off';
    const apart = step(graph, x);
    expect([...calls.keys()].sort()).toEqual(Object.keys(layers).filter((n) => n !== 'add').sort());
    calls.clear();
    delete process.env.STRIATE_PLAN;
    const fused = step(graph, x);
    // relu1 and relu4 ran inside bn1 and bn3 (which ran through forwardRelu, not forward);
    // relu2 (bn2 has two readers), relu3 (after Add) and relu5 (bn4 is an output) ran apart.
    expect([...calls.keys()].sort()).toEqual(['bn2', 'bn4', 'conv1', 'conv2', 'dense', 'flatten', 'relu2', 'relu3', 'relu5']);
    expect(fused.length).toBe(apart.length);
    fused.forEach((bytes, k) => expect(bytes.equals(apart[k]), `tensor ${k} (output, aux, dx, then gradients)`).toBe(true));
    // The ReLU did something: some of bn1's outputs are negative, so the fused ReLU zeroed them.
    const pre = layers.bn1.forward(layers.conv1.forward(x), { training: true });
    expect(pre.data.some((v) => v < 0)).toBe(true);
  });

  it('inference forward (training off) gives the bits of the layers run apart', () => {
    const x = randomTensor([2, 3, 5, 7], 8);
    const { graph } = model();
    graph.forward(x, { training: true });
    process.env.STRIATE_PLAN = 'off';
    const apart = graph.forward(x).data.slice();
    delete process.env.STRIATE_PLAN;
    expect(Buffer.from(graph.forward(x).data.buffer).equals(Buffer.from(apart.buffer))).toBe(true);
  });

  it('a ReLU whose forwardFrom was replaced runs its replacement, not a fused ReLU', () => {
    const x = randomTensor([2, 3, 5, 7], 9);
    const { graph, layers } = model();
    const plain = graph.forward(x, { training: true }).data.slice();
    // A "ReLU" that lets negative values through: the output must change.
    layers.relu1.forwardFrom = (inputs) => inputs[0].clone();
    const replaced = graph.forward(x, { training: true }).data;
    expect(Buffer.from(replaced.buffer).equals(Buffer.from(plain.buffer))).toBe(false);
    delete (layers.relu1 as Partial<typeof layers.relu1>).forwardFrom;
    expect(Buffer.from(graph.forward(x, { training: true }).data.buffer).equals(Buffer.from(plain.buffer))).toBe(true);
  });
});
