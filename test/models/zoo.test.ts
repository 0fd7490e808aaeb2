/**
 * Every zoo model at a small width and input: the forward's shape, a few SGD steps
 * lowering the loss on a fixed batch (the training loop's trainBatch, auxiliary
 * classifiers included), save/load bit for bit and a fromConfig rebuild, option errors;
 * GoogLeNet's and Inception-v3's auxiliary classifiers trained but not run in inference;
 * and a CIFAR ResNet learning a small synthetic task.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { MAX_ELEMENTS } from '../../src/errors.js';
import { dryRun } from '../../src/models/zoo/net.js';
import { trainBatch } from '../../src/training/loop.js';
import { randomTensor } from '../helpers/random.js';

/** Small variants of every model in `st.zoo.models`: name -> options. */
export const SMALL: Record<string, Record<string, unknown>> = {
  lenet5: { inputShape: [1, 16, 16] },
  alexnet: { inputShape: [3, 63, 63], width: 1 / 16 },
  vgg11: { inputShape: [3, 32, 32], width: 1 / 16, batchNorm: true },
  vgg13: { inputShape: [3, 32, 32], width: 1 / 16 },
  vgg16: { inputShape: [3, 32, 32], width: 1 / 16, batchNorm: true },
  vgg19: { inputShape: [3, 32, 32], width: 1 / 16 },
  googlenet: { inputShape: [3, 32, 32], width: 1 / 8, auxLogits: true },
  inceptionV3: { inputShape: [3, 75, 75], width: 1 / 16 },
  resnet18: { inputShape: [3, 32, 32], width: 1 / 8 },
  resnet34: { inputShape: [3, 32, 32], width: 1 / 8 },
  resnet50: { inputShape: [3, 32, 32], width: 1 / 8 },
  resnet101: { inputShape: [3, 32, 32], width: 1 / 16 },
  resnet152: { inputShape: [3, 32, 32], width: 1 / 16 },
  densenet121: { inputShape: [3, 32, 32], growthRate: 4 },
  densenet169: { inputShape: [3, 32, 32], growthRate: 2 },
  densenet201: { inputShape: [3, 32, 32], growthRate: 2 },
  resnet20: { width: 0.25, inputShape: [3, 16, 16] },
  resnet32: { width: 0.25, inputShape: [3, 16, 16] },
  resnet56: { width: 0.25, inputShape: [3, 16, 16] },
  vgg: { depth: 11, width: 1 / 8 },
  densenet: { depth: 10, growthRate: 4, inputShape: [3, 16, 16] },
};

const BATCH = 4;
const CLASSES = 5;
const dir = mkdtempSync(join(tmpdir(), 'striate-zoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(name: string, seed = 1): st.Graph {
  return st.zoo.models[name]({ ...SMALL[name], numClasses: CLASSES, seed });
}

function batchFor(model: st.Graph, seed: number): st.Tensor {
  return randomTensor([BATCH, ...model.inputShapes[0]], seed);
}

/** The training loop's step (forward, softmax cross-entropy with any auxiliary heads, backward, SGD). Returns the losses. */
function train(model: st.Graph, x: st.Tensor, labels: number[], steps: number, lr: number): number[] {
  const loss = new st.nn.SoftmaxCrossEntropy();
  const opt = new st.optim.SGD(model.params(), { lr });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push(trainBatch(model, loss, opt, x, Int32Array.from(labels)).loss);
  return losses;
}

/** Whether two tensors hold the same float32 bit patterns (NaN payloads and -0 included). */
function sameBits(a: st.Tensor, b: st.Tensor): boolean {
  return a.size === b.size && Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)
    .equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
}

it('models lists every builder of st.zoo under its name', () => {
  expect(Object.keys(st.zoo.models).sort()).toEqual(Object.keys(SMALL).sort());
  for (const [name, builder] of Object.entries(st.zoo.models)) expect(builder).toBe((st.zoo as Record<string, unknown>)[name]);
});

describe.each(Object.keys(SMALL))('%s (small)', (name) => {
  it('forward gives [N, numClasses] of finite logits; summary lists the layers', () => {
    const model = build(name);
    const y = model.forward(batchFor(model, 2));
    expect(y.shape).toEqual([BATCH, CLASSES]);
    expect(y.data.every(Number.isFinite)).toBe(true);
    expect(model.summary()).toContain(model.countParams().toLocaleString('en'));
    // The dry run (used for VGG's ImageNet counts and shapes) agrees with the built model.
    if (name !== 'lenet5') {
      const dry = dryRun(() => build(name));
      expect(dry.params).toBe(model.countParams());
      expect([dry.inputShape, dry.outputShape]).toEqual([model.inputShapes[0], model.outputShape]);
    }
  });

  it('ten SGD steps lower the loss on a fixed batch', () => {
    const model = build(name);
    // VGG with batch norm at 1/16 width and a 1x1 last grid is touchy: a smaller step.
    const lr = name === 'vgg11' || name === 'vgg16' ? 0.002 : 0.01;
    const losses = train(model, batchFor(model, 3), [1, 3, 0, 2], 10, lr);
    expect(losses.every(Number.isFinite)).toBe(true);
    // Dropout and batch statistics make single steps noisy: the mean of the last three is compared.
    const last = (losses[7] + losses[8] + losses[9]) / 3;
    expect(last, losses.join(' ')).toBeLessThan(losses[0]);
  });

  it('save/load round-trips bit for bit; fromConfig rebuilds the same graph; the seed decides the weights', () => {
    const model = build(name);
    train(model, batchFor(model, 4), [0, 2, 4, 1], 1, 0.01); // moves the batch-norm statistics off their start
    const file = join(dir, `${name}.striate`);
    model.save(file);
    const loaded = st.load(file);
    expect(loaded.config).toEqual(model.config);
    const params = model.params();
    loaded.params().forEach((p, i) => expect(sameBits(p.value, params[i].value), p.name).toBe(true));
    const buffers = model.buffers();
    loaded.buffers().forEach((b, i) => expect(sameBits(b.value, buffers[i].value), b.name).toBe(true));
    const x = batchFor(model, 5);
    expect(sameBits(loaded.forward(x), model.forward(x))).toBe(true);

    const rebuilt = st.Graph.fromConfig(JSON.parse(JSON.stringify(model.config)));
    expect(rebuilt.countParams()).toBe(model.countParams());
    expect(rebuilt.outputShape).toEqual(model.outputShape);
    expect(rebuilt.layers.map((l) => l.config)).toEqual(model.layers.map((l) => l.config));
    // The config carries the seeds: a rebuild starts from the builder's initial weights.
    const fresh = build(name);
    rebuilt.params().forEach((p, i) => expect(sameBits(p.value, fresh.params()[i].value), p.name).toBe(true));
    const other = build(name, 2);
    expect(sameBits(other.params()[0].value, fresh.params()[0].value)).toBe(false);
  });
});

describe('zoo options', () => {
  it('an unknown option is an error naming it (no silent typo)', () => {
    expect(() => st.zoo.resnet20({ widht: 2 } as never)).toThrow(/resnet20: unknown option 'widht'/);
    expect(() => st.zoo.vgg16({ batchnorm: true } as never)).toThrow(/known options: numClasses, inputShape, seed, batchNorm, width/);
  });

  it('bad values are TypeError/RangeError naming the option', () => {
    expect(() => st.zoo.resnet18({ numClasses: 0 })).toThrow(/resnet18: numClasses must be an integer >= 1/);
    expect(() => st.zoo.resnet18({ seed: -1 })).toThrow(/seed/);
    expect(() => st.zoo.resnet18({ inputShape: [32, 32] })).toThrow(/resnet18: inputShape must be \[C, H, W\]/);
    expect(() => st.zoo.resnet20({ width: 0 })).toThrow(/width must be > 0/);
    expect(() => st.zoo.alexnet({ lrn: 'yes' } as never)).toThrow(TypeError);
    expect(() => st.zoo.googlenet({ form: 'v1' } as never)).toThrow(/form must be 'torchvision' or 'paper'/);
    expect(() => st.zoo.vgg({ depth: 12 })).toThrow(/depth must be 11, 13, 16 or 19/);
    expect(() => st.zoo.densenet({ depth: 11 })).toThrow(/depth must be 6n \+ 4/);
    expect(() => st.zoo.densenet({ growthRate: 1.5 })).toThrow(/growthRate/);
    expect(() => st.zoo.models.resnet20(null as never)).toThrow(/options must be an object/);
    expect(() => st.zoo.resnet18({ numClasses: MAX_ELEMENTS + 1 })).toThrow(/resnet18: numClasses must be at most/);
  });

  it('options that give a layer too large to build are named, not taken for a small input', () => {
    expect(() => st.zoo.densenet121({ growthRate: 2 ** 40, inputShape: [3, 32, 32] })).toThrow(
      /^densenet121: the options \{ growthRate: 1099511627776, inputShape: \[3, 32, 32\] \} give a network that cannot be built \(Conv2D/,
    );
    const classes = Math.ceil(MAX_ELEMENTS / 84) + 1; // 84 inputs to the output layer
    expect(() => st.zoo.lenet5({ numClasses: classes })).toThrow(new RegExp(`^lenet5: the options \\{ numClasses: ${classes}, inputShape: \\[1, 32, 32\\] \\} give a network`));
    const side = Math.ceil(Math.sqrt(MAX_ELEMENTS)) + 1; // 3 channels of side² are past a Float32Array
    expect(() => st.zoo.resnet20({ inputShape: [3, side, side] })).toThrow(new RegExp(`^resnet20: the options \\{ inputShape: \\[3, ${side}, ${side}\\] \\} give a network that cannot be built`));
  });

  it('an input too small for the architecture names the smallest one', () => {
    expect(() => st.zoo.alexnet({ inputShape: [3, 62, 62] })).toThrow(/alexnet: inputShape \[3, 62, 62\] is too small.*\[3, 63, 63\]/);
    expect(() => st.zoo.vgg11({ inputShape: [3, 31, 40], width: 1 / 16 })).toThrow(/smallest square input it takes is \[3, 32, 32\]/);
    expect(() => st.zoo.googlenet({ inputShape: [3, 30, 30], width: 1 / 8 })).toThrow(/\[3, 31, 31\]/);
    expect(() => st.zoo.inceptionV3({ inputShape: [3, 74, 74], auxLogits: false, width: 1 / 16 })).toThrow(/\[3, 75, 75\]/);
    // The auxiliary classifier adapts to small grids: the smallest input is the same with it.
    expect(() => st.zoo.inceptionV3({ inputShape: [3, 74, 74], width: 1 / 16 })).toThrow(/\[3, 75, 75\]/);
    expect(() => st.zoo.googlenet({ form: 'paper', auxLogits: true, inputShape: [3, 64, 64], width: 1 / 8 })).toThrow(/pool 5x5\/3/);
    expect(() => st.zoo.lenet5({ inputShape: [1, 15, 15] })).toThrow(/lenet5: inputShape \[1, 15, 15\] is too small; the smallest it takes is \[1, 16, 16\]/);
    expect(st.zoo.resnet18({ inputShape: [3, 1, 1], width: 1 / 16 }).outputShape).toEqual([1000]);
  });

  it('width scales the channels; zeroInitResidual zeroes the last batch norm of every block', () => {
    const half = st.zoo.resnet20({ width: 0.5 });
    expect(half.params().find((p) => p.name === 'conv1.weight')!.value.shape).toEqual([8, 3, 3, 3]);
    const zero = st.zoo.resnet20({ zeroInitResidual: true });
    const gammas = zero.params().filter((p) => p.name.endsWith('.gamma'));
    for (const p of gammas) expect(p.value.data.every((v) => v === (/\.bn2\.gamma$/.test(p.name) ? 0 : 1))).toBe(true);
    // Every block then starts as relu(shortcut): the blocks without a projection pass their input on.
    expect(gammas.filter((p) => /\.bn2\./.test(p.name))).toHaveLength(9);
  });

  it('GoogLeNet paper form: LRN, biases, true 5x5; aux heads add torchvision InceptionAux parameters', () => {
    const paper = st.zoo.googlenet({ form: 'paper', inputShape: [3, 64, 64], width: 1 / 8 });
    expect(paper.layers.filter((l) => l.type === 'localResponseNorm')).toHaveLength(2);
    expect(paper.layers.some((l) => l.type === 'batchNorm2d')).toBe(false);
    expect(paper.params().find((p) => p.name === 'inception3a.branch3.1.weight')!.value.shape.slice(2)).toEqual([5, 5]);
    const tv = st.zoo.googlenet({ inputShape: [3, 64, 64], width: 1 / 8 });
    expect(tv.params().find((p) => p.name === 'inception3a.branch3.1.conv.weight')!.value.shape.slice(2)).toEqual([3, 3]);
    const withAux = st.zoo.googlenet({ inputShape: [3, 64, 64], width: 1 / 8, auxLogits: true, numClasses: 10 });
    // aux at 1/8 width: conv 1x1 to 16 (no bias) + bn, fc 16·4·4 -> 128, fc 128 -> 10; after 4a (64 channels) and 4d (66)
    const auxCount = (c: number) => c * 16 + 32 + 256 * 128 + 128 + 128 * 10 + 10;
    const plain = st.zoo.googlenet({ inputShape: [3, 64, 64], width: 1 / 8, numClasses: 10 });
    expect(withAux.countParams() - plain.countParams()).toBe(auxCount(64) + auxCount(66));
  });
});

describe('auxiliary classifiers', () => {
  const withAux: [string, () => st.Graph, [string, number][]][] = [
    ['googlenet', () => build('googlenet'), [['aux1.fc2', 0.3], ['aux2.fc2', 0.3]]],
    ['inceptionV3', () => build('inceptionV3'), [['AuxLogits.fc', 0.4]]],
  ];

  it('are the auxiliary outputs of GoogLeNet (0.3 each) and Inception-v3 (0.4); auxLogits: false leaves none', () => {
    for (const [, make, heads] of withAux) expect(make().auxiliaryOutputs.map((a) => [a.name, a.weight])).toEqual(heads);
    expect(st.zoo.googlenet({ ...SMALL.googlenet, auxLogits: false }).auxiliaryOutputs).toEqual([]);
    expect(st.zoo.inceptionV3({ ...SMALL.inceptionV3, auxLogits: false }).auxiliaryOutputs).toEqual([]);
    // Inception-v3's head uses torchvision's 5x5/3 pool from a 17x17 grid (299 input) up, an adaptive one below.
    expect(st.zoo.inceptionV3({ inputShape: [3, 299, 299], width: 1 / 16 }).layers.find((l) => l.name === 'AuxLogits.avgpool')!.type).toBe('avgPool2d');
    expect(build('inceptionV3').layers.find((l) => l.name === 'AuxLogits.avgpool')!.type).toBe('adaptiveAvgPool2d');
  });

  for (const [name, make] of withAux)
    it(`${name}: inference runs the main classifier alone; a training step runs the heads and gives every head parameter a gradient`, () => {
      const model = make();
      const aux = model.layers.filter((l) => /^(aux|AuxLogits)/.test(l.name!));
      let calls = 0;
      for (const layer of aux) {
        const forward = layer.forwardFrom.bind(layer);
        layer.forwardFrom = (inputs, options) => (calls++, forward(inputs, options));
      }
      const x = batchFor(model, 6);
      model.forward(x);
      model.forward(x, { training: true });
      model.predictSync(x);
      expect(calls).toBe(0);
      const auxParams = model.params().filter((p) => /^(aux|AuxLogits)/.test(p.name));
      const before = auxParams.map((p) => p.value.clone());
      const loss = new st.nn.SoftmaxCrossEntropy();
      trainBatch(model, loss, new st.optim.SGD(model.params(), { lr: 0.01 }), x, Int32Array.from([0, 1, 2, 3]));
      expect(calls).toBe(aux.length);
      for (const p of auxParams) expect(p.grad.data.some((g) => g !== 0), p.name).toBe(true);
      auxParams.forEach((p, i) => expect(sameBits(p.value, before[i]), p.name).toBe(false));
    });
});

describe('a CIFAR ResNet learns', () => {
  it('resnet20 (width 0.25) classifies 4 synthetic patterns at 16x16 to >= 95% on held-out samples', () => {
    // Class k: a bright 4x4 square in quadrant k of one random channel, on uniform noise.
    const make = (count: number, seed: number) => {
      const rng = new st.Rng(seed);
      const x = new Float32Array(count * 3 * 16 * 16);
      const labels: number[] = [];
      for (let n = 0; n < count; n++) {
        const k = n % 4;
        labels.push(k);
        for (let i = 0; i < 3 * 256; i++) x[n * 768 + i] = rng.uniform() - 0.5;
        const c = Math.floor(rng.uniform() * 3);
        const top = (k >> 1) * 8 + 2 + Math.floor(rng.uniform() * 3);
        const left = (k & 1) * 8 + 2 + Math.floor(rng.uniform() * 3);
        for (let h = top; h < top + 4; h++) for (let w = left; w < left + 4; w++) x[n * 768 + c * 256 + h * 16 + w] += 2;
      }
      return { x: new st.Tensor(x, [count, 3, 16, 16]), labels };
    };
    const trainSet = make(128, 1);
    const test = make(64, 2);
    const model = st.zoo.resnet20({ width: 0.25, inputShape: [3, 16, 16], numClasses: 4, seed: 3 });
    const loss = new st.nn.SoftmaxCrossEntropy();
    const opt = new st.optim.SGD(model.params(), { lr: 0.1, momentum: 0.9 });
    const batch = 32;
    for (let epoch = 0; epoch < 10; epoch++)
      for (let start = 0; start < 128; start += batch) {
        const xb = new st.Tensor(trainSet.x.data.subarray(start * 768, (start + batch) * 768), [batch, 3, 16, 16]);
        model.zeroGrad();
        loss.forward(model.forward(xb, { training: true }), trainSet.labels.slice(start, start + batch));
        model.backward(loss.backward(), { inputGrad: false });
        opt.step();
      }
    const logits = model.predictSync(test.x);
    let correct = 0;
    for (let n = 0; n < 64; n++) {
      const row = Array.from(logits.data.subarray(n * 4, n * 4 + 4));
      if (row.indexOf(Math.max(...row)) === test.labels[n]) correct++;
    }
    expect(correct / 64).toBeGreaterThanOrEqual(0.95);
  });
});
