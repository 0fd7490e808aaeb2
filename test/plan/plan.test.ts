// graph.compile(): the inference plan against the layer-by-layer path, on hand-built
// graphs with batch norm, residual adds, concatenation and fan-out and on zoo models at
// a small size; STRIATE_PLAN=off; determinism; no new buffers after the first run.
import { afterEach, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { MAX_ELEMENTS } from '../../src/errors.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/** Gives every batch norm random running statistics and affine parameters, so folding matters. */
function randomizeBatchNorms(model: st.Graph, seed: number): void {
  let k = seed;
  for (const layer of model.layers)
    if (layer instanceof nn.BatchNorm2D || layer instanceof nn.BatchNorm1D) {
      const c = layer.gamma!.value.size;
      layer.gamma!.value.data.set(randomTensor([c], k++).data.map((v) => 1 + 0.5 * v));
      layer.beta!.value.data.set(randomTensor([c], k++).data.map((v) => 0.3 * v));
      layer.runningMean!.data.set(randomTensor([c], k++).data.map((v) => 0.2 * v));
      layer.runningVar!.data.set(randomTensor([c], k++).data.map((v) => 0.5 + 0.4 * Math.abs(v)));
    }
}

function bits(a: st.Tensor, b: st.Tensor): boolean {
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
}

/** A block with everything the planner must get right: BN, a residual Add fed by two convs, fan-out, concat, pooling, dense + BN. */
function branchy(channels: number, seed = 3): st.Graph {
  const g = new st.Graph({ seed });
  const x = g.input([channels, 9, 11]);
  const stem = g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), g.add(new nn.Conv2D({ filters: 7, kernelSize: 3, padding: 1 }), x)));
  // fan-out: stem feeds a branch, the shortcut and the concat
  let a = g.add(new nn.Conv2D({ filters: 7, kernelSize: 3, padding: 1 }), stem);
  a = g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), a));
  a = g.add(new nn.BatchNorm2D(), g.add(new nn.Conv2D({ filters: 7, kernelSize: 3, padding: 1, useBias: false }), a));
  const res = g.add(new nn.ReLU(), g.add(new nn.Add(), a, stem));
  // two convolutions meeting at one Add (only one may take it)
  const p = g.add(new nn.Conv2D({ filters: 5, kernelSize: 1 }), res);
  const q = g.add(new nn.BatchNorm2D(), g.add(new nn.Conv2D({ filters: 5, kernelSize: 3, padding: 1 }), stem));
  const pq = g.add(new nn.Add(), p, q);
  const cat = g.add(new nn.Concat(), res, pq, stem);
  const pooled = g.add(new nn.Flatten(), g.add(new nn.MaxPool2D({ kernelSize: 2 }), cat));
  const fc = g.add(new nn.BatchNorm1D(), g.add(new nn.Dense({ units: 6 }), pooled));
  return g.output(g.add(new nn.ReLU(), fc));
}

afterEach(() => {
  delete process.env.STRIATE_PLAN;
});

describe('graph.compile', () => {
  it('fuses conv + BN + ReLU and conv + BN + Add + ReLU, folds dense + BN, and leaves the rest', () => {
    const model = branchy(3);
    const plan = model.compile();
    const chains = plan.steps.map((s) => s.nodes.map((n) => n.replace(/_\d+$/, '')).join('+'));
    expect(chains).toContain('conv2d+batchNorm2d+relu');
    expect(chains).toContain('conv2d+batchNorm2d+add+relu');
    expect(chains).toContain('dense+batchNorm1d');
    // conv2d_4 (1x1) takes the Add; conv2d_5 + its BN stays a step of its own.
    expect(chains.filter((c) => c === 'conv2d+add').length + chains.filter((c) => c === 'conv2d+batchNorm2d+add').length).toBe(1);
    expect(plan.steps.filter((s) => s.kind === 'conv').length).toBe(5);
  });

  for (const [n, channels] of [[1, 3], [4, 5]] as const)
    it(`a branchy graph (residual, concat, fan-out) equals forward: batch ${n}, ${channels} channels`, () => {
      const model = branchy(channels);
      randomizeBatchNorms(model, 10);
      const x = randomTensor([n, channels, 9, 11], 20);
      const want = model.forward(x);
      const plain = model.predictSync(x);
      expect(bits(plain, want)).toBe(true);
      model.compile();
      const got = model.predictSync(x, { batchSize: 3 });
      expectClose(got.data, want.data, 1e-5, 'plan vs forward');
      expect(bits(got, plain)).toBe(false); // the plan did run (folding re-rounds)
    });

  it('puts batch norms (fused with their ReLU), concatenations and pools into the arena and reuses their memory by liveness', () => {
    // DenseNet's pattern: BN and ReLU before each convolution, each block's output the concatenation of all before it.
    const g = new st.Graph({ seed: 6 });
    let features = g.input([4, 8, 8]);
    for (let layer = 0; layer < 4; layer++) {
      const pre = g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), features));
      features = g.add(new nn.Concat(), features, g.add(new nn.Conv2D({ filters: 3, kernelSize: 3, padding: 1 }), pre));
    }
    const pooled = g.add(new nn.AvgPool2D({ kernelSize: 2 }), g.add(new nn.MaxPool2D({ kernelSize: 3, stride: 1, padding: 1 }), features));
    const model = g.output(g.add(new nn.Dense({ units: 5 }), g.add(new nn.Flatten(), pooled)));
    randomizeBatchNorms(model, 7);
    const plan = model.compile({ batchSize: 2 });
    const arena = [...plan.arenaRanges(2).keys()].map((n) => n.replace(/_\d+$/, ''));
    // Each BN + ReLU is one step, named by (and writing) the ReLU's node.
    for (const type of ['relu', 'concat', 'maxPool2d', 'avgPool2d']) expect(arena, type).toContain(type);
    expect(plan.steps.filter((s) => s.kind === 'affine').map((s) => s.nodes.map((n) => n.replace(/_\d+$/, '')))).toEqual(
      Array(4).fill(['batchNorm2d', 'relu']),
    );
    expect(plan.steps.filter((s) => s.kind === 'layer' && s.inArena).length).toBe(6);
    // The 4 BN, 4 concat, 2 pool and 4 conv outputs per sample, more than the arena holds.
    const total = [...plan.arenaRanges(1).values()].reduce((a, [b, e]) => a + (e - b), 0);
    expect(plan.arenaFloatsPerSample).toBeLessThan(total);
    for (const n of [1, 2, 3]) {
      const x = randomTensor([n, 4, 8, 8], 8 + n);
      expectClose(model.predictSync(x).data, model.forward(x).data, 1e-5, `batch ${n}`);
    }
  });

  it('for one sample, writes the values a channel concatenation reads straight into their parts of it', () => {
    const g = new st.Graph({ seed: 12 });
    const x = g.input([3, 6, 7]);
    const conv = (c: number, t: st.GraphNode) => g.add(new nn.Conv2D({ filters: c, kernelSize: 3, padding: 1 }), t);
    const stem = g.add(new nn.MaxPool2D({ kernelSize: 3, stride: 1, padding: 1 }), conv(4, x));
    // A DenseNet block: each concatenation the first part of the next.
    const placed = [stem];
    let features = stem, grown = stem;
    for (let layer = 0; layer < 3; layer++) {
      grown = conv(2, g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), features)));
      placed.push(features, grown);
      features = g.add(new nn.Concat(), features, grown);
    }
    // Copied, not placed: the graph's input, a value twice in one concatenation, one that the
    // block's last concatenation has taken (grown), and a ReLU's output (not in the arena).
    const a = conv(3, features);
    const relu = g.add(new nn.ReLU(), g.add(new nn.Add(), a, a));
    const mixed = g.add(new nn.Concat(), x, a, grown, features, a, relu);
    const model = g.output(g.add(new nn.Dense({ units: 4 }), g.add(new nn.Flatten(), g.add(new nn.AvgPool2D({ kernelSize: 2 }), mixed))));
    randomizeBatchNorms(model, 13);
    const plan = model.compile({ batchSize: 1 });
    const inside = (v: st.GraphNode, host: st.GraphNode, batch: number) => {
      const ranges = plan.arenaRanges(batch);
      const [b0, e0] = ranges.get(v.name)!, [b1, e1] = ranges.get(host.name)!;
      return b0 >= b1 && e0 <= e1;
    };
    for (const v of placed.slice(1)) {
      expect(inside(v, features, 1), `${v.name} inside ${features.name} for one sample`).toBe(true);
      expect(inside(v, features, 2), `${v.name} apart at batch 2`).toBe(false);
    }
    expect(inside(features, mixed, 1)).toBe(true);
    expect(inside(a, mixed, 1)).toBe(false);
    for (const n of [1, 2, 1]) {
      const input = randomTensor([n, 3, 6, 7], 30 + n);
      expectClose(model.predictSync(input).data, model.forward(input).data, 1e-5, `batch ${n}`);
    }
  });

  it('runs a batch norm + ReLU that only a 1x1 convolution reads inside that convolution', () => {
    // DenseNet's layers: BN → ReLU → 1x1 conv (fused), BN → ReLU → 3x3 conv (a 3x3 takes
    // no input norm: an AffineStep), and a BN + ReLU that two layers read (an AffineStep).
    const g = new st.Graph({ seed: 14 });
    const x = g.input([6, 7, 9]);
    const pre = (t: st.GraphNode) => g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), t));
    const a = g.add(new nn.Conv2D({ filters: 8, kernelSize: 1 }), pre(x));
    const c = g.add(new nn.Concat(), x, a);
    const d = g.add(new nn.Concat(), c, g.add(new nn.Conv2D({ filters: 5, kernelSize: 3, padding: 1 }), pre(c)));
    const shared = pre(d);
    const both = g.add(new nn.Concat(), g.add(new nn.Conv2D({ filters: 3, kernelSize: 1 }), shared), shared);
    const model = g.output(g.add(new nn.Dense({ units: 4 }), g.add(new nn.Flatten(), both)));
    randomizeBatchNorms(model, 15);
    const plan = model.compile({ batchSize: 2 });
    const kinds = plan.steps.map((s) => (s.kind === 'conv' && s.inputNorm ? 'conv+norm' : s.kind));
    expect(kinds).toEqual(['conv+norm', 'layer', 'affine', 'conv', 'layer', 'affine', 'conv', 'layer', 'layer', 'layer']);
    expect(plan.steps[0].nodes.map((n) => n.replace(/_\d+$/, ''))).toEqual(['conv2d', 'batchNorm2d', 'relu']);
    for (const n of [1, 2, 3]) {
      const input = randomTensor([n, 6, 7, 9], 50 + n);
      expectClose(model.predictSync(input).data, model.forward(input).data, 1e-5, `batch ${n}`);
    }
  });

  it('a batch norm with no convolution before it runs with its ReLU in one pass, with the bits of the two layers', () => {
    const g = new st.Graph({ seed: 8 });
    const x = g.input([5, 3, 7]);
    const bn = g.add(new nn.BatchNorm2D(), x);
    const kept = g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), bn)); // bn is read twice: not fused with anything
    const model = g.output(g.add(new nn.Dense({ units: 4 }), g.add(new nn.Flatten(), g.add(new nn.Add(), kept, bn))));
    randomizeBatchNorms(model, 3);
    const input = randomTensor([3, 5, 3, 7], 4);
    const want = model.forward(input);
    const plan = model.compile({ batchSize: 3 });
    expect(plan.steps.map((s) => s.kind)).toEqual(['layer', 'affine', 'layer', 'layer', 'layer']);
    expect(bits(model.predictSync(input), want)).toBe(true);
    // Training afterwards updates the statistics: the plan is compiled again, not stale.
    model.forward(input, { training: true });
    expect(bits(model.predictSync(input), model.forward(input))).toBe(true);
  });

  it('STRIATE_PLAN=off gives the uncompiled path bit for bit', () => {
    const model = branchy(3);
    randomizeBatchNorms(model, 1);
    const x = randomTensor([2, 3, 9, 11], 2);
    const before = model.predictSync(x);
    model.compile();
    process.env.STRIATE_PLAN = 'off';
    expect(bits(model.predictSync(x), before)).toBe(true);
  });

  it('is bitwise deterministic across runs and allocates no new arena after the first', () => {
    const model = branchy(3);
    randomizeBatchNorms(model, 4);
    const plan = model.compile({ batchSize: 2 });
    const x = randomTensor([2, 3, 9, 11], 5);
    const first = model.predictSync(x);
    const second = model.predictSync(x);
    expect(bits(first, second)).toBe(true);
    // a conv output sits in the arena: the same memory from run to run
    const g = new st.Graph({ seed: 1 });
    const i = g.input([3, 8, 8]);
    g.output(g.add(new nn.ReLU(), g.add(new nn.Conv2D({ filters: 4, kernelSize: 3 }), i)));
    const p = g.compile({ batchSize: 2 });
    const a = p.run([randomTensor([2, 3, 8, 8], 1)]).data, b = p.run([randomTensor([1, 3, 8, 8], 2)]).data;
    expect(a.buffer).toBe(b.buffer);
    expect(plan.arenaFloatsPerSample).toBeGreaterThan(0);
  });

  it('recompiles after training changes the weights', () => {
    const model = branchy(3);
    model.compile();
    const x = randomTensor([4, 3, 9, 11], 6);
    model.predictSync(x);
    model.forward(x, { training: true }); // updates the BN running statistics
    expectClose(model.predictSync(x).data, model.forward(x).data, 1e-5, 'after training');
  });

  it('follows the weights fit copies back after every epoch', async () => {
    const model = branchy(3);
    model.compile();
    const x = randomTensor([8, 3, 9, 11], 8);
    const train = { images: x, labels: Int32Array.from({ length: 8 }, (_, i) => i % 6) };
    const gaps: number[] = [];
    // predictSync inside onEpochEnd: each epoch's weights, not the ones the plan was compiled from.
    await model.fit(train, {
      epochs: 3, batchSize: 4, optimizer: { type: 'sgd', lr: 0.5 }, seed: 1,
      callbacks: { onEpochEnd: () => {
        const planned = model.predictSync(x).data, plain = model.forward(x).data;
        gaps.push(Math.max(...planned.map((v, i) => Math.abs(v - plain[i]))));
      } },
    });
    expect(gaps).toHaveLength(3);
    for (const gap of gaps) expect(gap).toBeLessThan(1e-4);
  });

  it('runs in predict\'s worker too, and STRIATE_PLAN=off turns it off there', async () => {
    const model = branchy(3);
    randomizeBatchNorms(model, 40);
    const x = randomTensor([5, 3, 9, 11], 9);
    const plain = model.forward(x);
    const planned = await model.predict(x, { batchSize: 2 });
    // Folding batch norm rounds differently: close, but not the layer-by-layer bits.
    expectClose(planned.data, plain.data, 1e-4, 'predict with the plan');
    expect(bits(planned, plain)).toBe(false);
    process.env.STRIATE_PLAN = 'off';
    expect(bits(await model.predict(x, { batchSize: 2 }), plain)).toBe(true);
  });

  it('rejects bad options by name', () => {
    const model = branchy(3);
    expect(() => model.compile({ batchSize: 0 })).toThrow(/batchSize must be an integer >= 1/);
    expect(() => model.compile({ threads: 1.5 })).toThrow(/threads must be an integer in \[1, 1024\], got 1.5/);
    // setNumThreads would refuse these too, but naming its own argument n.
    expect(() => model.compile({ threads: 2 ** 32 + 3 })).toThrow(/compile: threads must be an integer in \[1, 1024\], got 4294967299/);
    // Each value of the graph holds batchSize samples: [MAX_ELEMENTS, 3, 9, 11] is past what a Float32Array holds.
    expect(() => model.compile({ batchSize: MAX_ELEMENTS })).toThrow(new RegExp(`compile: batchSize ${MAX_ELEMENTS} is too large: node '.*' \\[${MAX_ELEMENTS}, \\d+, 9, 11\\] would hold`));
  });

  it('refuses a batchSize whose arena would not fit one Float32Array, though each value would', () => {
    const g = new st.Graph({ seed: 3 });
    const x = g.input([3, 9, 11]);
    const stem = g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), g.add(new nn.Conv2D({ filters: 7, kernelSize: 3, padding: 1 }), x)));
    g.output(g.add(new nn.Add(), g.add(new nn.Conv2D({ filters: 7, kernelSize: 3, padding: 1 }), stem), stem));
    // stem is live while the second convolution writes: two values of 7·9·11 per sample.
    expect(g.compile({ batchSize: 1 }).arenaFloatsPerSample).toBe(2 * 693);
    const batch = Math.floor(MAX_ELEMENTS / 693);
    expect(() => g.compile({ batchSize: batch })).toThrow(new RegExp(`compile: batchSize ${batch} is too large: the arena would hold 1386 values per sample`));
  });

  it('runs on the given thread count and restores the caller\'s', () => {
    const model = branchy(3);
    const x = randomTensor([2, 3, 9, 11], 7);
    const before = st.getNumThreads();
    model.compile({ threads: 1 });
    const one = model.predictSync(x);
    expect(st.getNumThreads()).toBe(before);
    model.compile({ threads: 2 });
    expectClose(model.predictSync(x).data, one.data, 1e-5, '2 threads vs 1');
  });
});

describe('graph.compile on zoo models at a small size', () => {
  const zoo: [string, () => st.Graph, number[]][] = [
    ['resnet20', () => st.zoo.models.resnet20({ numClasses: 10, inputShape: [3, 16, 16], width: 0.5 }), [3, 16, 16]],
    ['resnet18', () => st.zoo.models.resnet18({ numClasses: 10, inputShape: [3, 32, 32], width: 0.125 }), [3, 32, 32]],
    ['resnet50', () => st.zoo.models.resnet50({ numClasses: 10, inputShape: [3, 32, 32], width: 0.0625 }), [3, 32, 32]],
    ['vgg11 + BN', () => st.zoo.models.vgg11({ numClasses: 10, inputShape: [3, 32, 32], width: 0.125, batchNorm: true }), [3, 32, 32]],
    ['googlenet', () => st.zoo.models.googlenet({ numClasses: 10, inputShape: [3, 64, 64], width: 0.125 }), [3, 64, 64]],
    ['densenet (CIFAR)', () => st.zoo.models.densenet({ numClasses: 10, depth: 10, growthRate: 4 }), [3, 32, 32]],
  ];
  for (const [name, build, shape] of zoo)
    it(`${name}: compiled predictSync equals forward, batch 1 and 3`, () => {
      const model = build();
      randomizeBatchNorms(model, 30);
      model.compile();
      for (const n of [1, 3]) {
        const x = randomTensor([n, ...shape], 40 + n);
        const want = model.forward(x);
        expectClose(model.predictSync(x).data, want.data, 2e-4, `${name} batch ${n}`, 1);
      }
    });
});
