/**
 * The model API under fuzzing: Sequential and Graph (building, forward, backward,
 * predictSync, compile, save, ONNX export; fit, evaluate and predict, which start a
 * worker thread, with few calls), loading models and checkpoints, st.onnx, the zoo
 * builders' options, st.gradcheck and st.viz.
 */
import fc from 'fast-check';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import * as st from '../../src/index.js';
import {
  badBool, badEnum, badInt, badNumber, badRange, badShape, badString, badTensor, detachedTensor, hugeSize, junk,
} from './bad-values.js';
import type { Entry, Slot } from './harness.js';
import { arg, dir, opt, options, t } from './slots.js';

const small = () =>
  new st.Sequential([new st.nn.Conv2D({ filters: 2, kernelSize: 3 }), new st.nn.ReLU(), new st.nn.Flatten(), new st.nn.Dense({ units: 3 })], {
    inputShape: [1, 5, 5],
    seed: 1,
  });
const model = small();
const modelFile = path.join(dir, 'model.striate');
model.save(modelFile);
const onnxFile = path.join(dir, 'model.onnx');
model.toOnnx(onnxFile);

const missingDir = path.join(dir, 'no', 'such', 'dir');
const aDir = path.join(dir, 'a-dir');
const notAModel = path.join(dir, 'not-a-model.bin');
writeFileSync(notAModel, 'STRIATE\0 but nothing else');
/** Paths that cannot be read as the file asked for, and the words an error may name them by. */
const badPath = fc.oneof(badString, fc.constantFrom<unknown>('', path.join(dir, 'missing.striate'), missingDir, aDir, notAModel));
const pathNames = ['file', 'path', 'source', 'missing.striate', missingDir, aDir, notAModel, dir];
/** Places a file cannot be written. */
const badTarget = fc.oneof(badString, fc.constantFrom<unknown>('', path.join(missingDir, 'x.out'), aDir));
const targetNames = ['file', 'path', missingDir, aDir];

const images = (n = 8) => st.rand([n, 1, 5, 5], { seed: 4 });
const labels = (n = 8) => Int32Array.from({ length: n }, (_, i) => i % 3);
const trainingData = () => ({ images: images(), labels: labels() });
const badData = fc.oneof(
  junk,
  fc.constantFrom<unknown>({}, { images: 3, labels: labels() }, { images: images(), labels: [0, 1] }),
  fc.constant(null).map(() => ({ images: images(), labels: labels(7) })),
  fc.constant(null).map(() => ({ images: st.rand([8, 2, 5, 5]), labels: labels() })),
  fc.constant(null).map(() => ({ images: detachedTensor([8, 1, 5, 5]), labels: labels() })),
  fc.constant(null).map(() => ({ images: images(), labels: Int32Array.from({ length: 8 }, () => 7) })),
  fc.constant(null).map(() => ({ images: images(), labels: Int32Array.from({ length: 8 }, () => -1) })),
  fc.constant(null).map(() => ({ images: images(), targets: st.zeros([8, 4]) })),
  fc.constant(null).map(() => ({ images: st.rand([0, 1, 5, 5]), labels: new Int32Array(0) })),
);
const dataNames = ['data', 'images', 'labels', 'targets', 'label'];

/** A Graph with one input, one ReLU and one Dense: fresh for each call. */
function graph(): { g: st.Graph; x: st.GraphNode } {
  const g = new st.Graph({ seed: 1 });
  return { g, x: g.input([1, 5, 5]) };
}

const sequentialConfig = () => JSON.parse(JSON.stringify(small().config));
const graphConfig = () => {
  const { g, x } = graph();
  return JSON.parse(JSON.stringify(g.output(g.add(new st.nn.Dense({ units: 2 }), g.add(new st.nn.Flatten(), x))).config));
};

/** A Graph of the same layers as `model`. */
const graphModel = (() => {
  const { g, x } = graph();
  let y = g.add(new st.nn.Conv2D({ filters: 2, kernelSize: 3 }), x);
  y = g.add(new st.nn.Flatten(), g.add(new st.nn.ReLU(), y));
  return g.output(g.add(new st.nn.Dense({ units: 3 }), y));
})();

/** forward, backward and predictSync of a built model (Graph and Sequential each declare their own). */
function running(label: string, m: st.Graph): Record<string, Entry> {
  return {
    [`${label}.forward`]: {
      args: () => [t([2, 1, 5, 5]), { training: false }],
      call: (x, o) => m.forward(x as never, o as never),
      slots: [arg(0, ['input', 'x'], badTensor([2, 1, 5, 5], { match: [1, 2, 3] })), options(1), opt(1, 'training', badBool)],
    },
    [`${label}.backward`]: {
      args: () => [t([2, 3]), {}],
      call: (dy, o) => {
        m.forward(t([2, 1, 5, 5]), { training: true });
        return m.backward(dy as never, o as never);
      },
      slots: [
        arg(0, ['dy'], badTensor([2, 3], { match: [0, 1] })), options(1), opt(1, 'inputGrad', badBool),
        opt(1, 'auxiliary', fc.oneof(junk, fc.constantFrom<unknown>({}, 3)), ['auxiliary']),
      ],
    },
    [`${label}.predictSync`]: {
      args: () => [t([3, 1, 5, 5]), { batchSize: 2 }],
      call: (x, o) => m.predictSync(x as never, o as never),
      slots: [arg(0, ['input', 'x'], badTensor([3, 1, 5, 5], { match: [1, 2, 3] })), options(1), opt(1, 'batchSize', badInt(1))],
    },
  };
}

/** Sequential and Graph: building, running, training, saving. */
export const models: Record<string, Entry> = {
  Sequential: {
    args: () => [[new st.nn.Flatten(), new st.nn.Dense({ units: 2 })], { inputShape: [1, 5, 5], seed: 1 }],
    call: (layers, o) => new st.Sequential(layers as never, o as never).predictSync(t([2, 1, 5, 5])),
    slots: [
      arg(0, ['layers'], fc.oneof(junk, fc.constantFrom<unknown>({}, [], [null], [1], [{ forward: 1 }], [new st.nn.Add()]))),
      options(1),
      opt(1, 'inputShape', fc.oneof(badShape(3), fc.constantFrom<unknown>([0, 5, 5], [2, 5, 5], [])), ['inputShape', 'shape', 'input']),
      opt(1, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1))),
    ],
  },
  'Sequential.build': {
    args: () => [[1, 5, 5]],
    call: (s) => new st.Sequential([new st.nn.Flatten(), new st.nn.Dense({ units: 2 })]).build(s as never),
    slots: [arg(0, ['inputShape', 'shape', 'input'], fc.oneof(badShape(), fc.constantFrom<unknown>([], [0, 5, 5])))],
  },
  'Sequential.fromConfig': {
    args: () => [sequentialConfig(), {}],
    call: (c, o) => st.Sequential.fromConfig(c as never, o as never),
    slots: [
      arg(0, ['config', 'layers', 'type'], fc.oneof(junk, fc.constantFrom<unknown>({}, { layers: 3 }, [{ type: 'nope' }], [3]))),
      opt(0, 'layers', fc.oneof(junk, fc.constantFrom<unknown>([{ type: 'dense' }], [{ type: 'add' }], [null])), ['layers', 'config', 'units', 'type']),
      opt(0, 'inputShape', badShape(3), ['inputShape', 'shape', 'input']),
      options(1), opt(1, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1))),
    ],
  },
  Graph: {
    args: () => [{ seed: 1 }],
    call: (o) => new st.Graph(o as never).input([3]),
    slots: [options(0), opt(0, 'seed', fc.oneof(badNumber, fc.constantFrom(0.5, -1)))],
  },
  'Graph.input': {
    args: () => [[1, 5, 5], { name: 'in' }],
    call: (s, o) => new st.Graph({ seed: 1 }).input(s as never, o as never),
    slots: [
      arg(0, ['shape'], fc.oneof(badShape(), fc.constantFrom<unknown>([], [0, 5, 5]))), options(1),
      opt(1, 'name', fc.constantFrom<unknown>(1, {}, [], '', null, Symbol('n'))),
    ],
  },
  'Graph.add': {
    args: () => [new st.nn.ReLU(), 'node'],
    call: (l, which) => {
      const { g, x } = graph();
      return g.add(l as never, (which === 'node' ? x : which) as never);
    },
    slots: [
      arg(0, ['layer', 'Dense', 'input'], fc.oneof(junk, fc.constantFrom<unknown>({}, { forward: 1 }), fc.constant(null).map(() => new st.nn.Dense({ units: 2 })))),
      arg(1, ['input', 'node'], fc.oneof(junk, fc.constantFrom<unknown>({}, { shape: [1, 5, 5] }), fc.constant(null).map(() => graph().x))),
    ],
  },
  'Graph.output': {
    args: () => ['node', {}],
    call: (which, o) => {
      const { g, x } = graph();
      return g.output((which === 'node' ? x : which) as never, o as never);
    },
    slots: [
      arg(0, ['node', 'output'], fc.oneof(junk, fc.constantFrom<unknown>({}), fc.constant(null).map(() => graph().x))),
      options(1), opt(1, 'auxiliary', fc.oneof(junk, fc.constantFrom<unknown>({}, [null], [{ node: 3, weight: 1 }])), ['auxiliary']),
    ],
  },
  ...running('Graph', graphModel), ...running('Sequential', model),
  'Graph.forwardWithAuxiliary': {
    args: () => [t([2, 1, 5, 5]), { training: true }],
    call: (x, o) => small().forwardWithAuxiliary(x as never, o as never),
    slots: [arg(0, ['input', 'x'], badTensor([2, 1, 5, 5], { match: [1, 2, 3] })), options(1), opt(1, 'training', badBool)],
  },
  'Graph.compile': {
    args: () => [{ batchSize: 2 }],
    call: (o) => small().compile(o as never),
    slots: [options(0), opt(0, 'batchSize', fc.oneof(badInt(1), hugeSize)), opt(0, 'threads', fc.oneof(badInt(1), hugeSize))],
  },
  'Graph.fromConfig': {
    args: () => [graphConfig(), {}],
    call: (c, o) => st.Graph.fromConfig(c as never, o as never),
    slots: [
      arg(0, ['config', 'inputShape'], fc.oneof(junk, fc.constantFrom<unknown>({}, { type: 'graph' }, [{ type: 'nope' }]))),
      opt(0, 'inputs', fc.oneof(junk, fc.constantFrom<unknown>([null], [{ name: 'x', shape: [-1] }])), ['inputs', 'shape', 'config']),
      opt(0, 'nodes', fc.oneof(junk, fc.constantFrom<unknown>([null], [{ layer: { type: 'nope' }, inputs: ['input_1'] }])), ['nodes', 'type', 'config']),
      opt(0, 'output', fc.oneof(junk, fc.constantFrom<unknown>('nowhere')), ['output', 'node', 'nowhere']),
      options(1),
    ],
  },
  'Graph.save': {
    args: () => [path.join(dir, 'saved.striate'), { note: 'ok', list: [1, 'a', null, { deep: true }] }],
    call: (f, m) => model.save(f as string, m as never),
    slots: [
      arg(0, targetNames, badTarget),
      arg(1, ['metadata'], fc.oneof(
        fc.constantFrom<unknown>(3, 'x', [], null, 3n, new Date(0), new Map()),
        fc.constant(null).map(() => {
          const o: Record<string, unknown> = { a: {} };
          (o.a as Record<string, unknown>).back = o;
          return o;
        }),
        fc.constantFrom<unknown>({ big: 1n }, { f: () => 1 }, { n: NaN }, { i: -Infinity }, { d: new Date(0) }, { u: undefined }, { s: Symbol('s') }, { l: [1, undefined] }),
      )),
    ],
    files: true,
  },
  'Graph.toOnnx': {
    args: () => [path.join(dir, 'saved.onnx'), { opset: 13 }],
    call: (f, o) => model.toOnnx(f as string, o as never),
    slots: [arg(0, targetNames, badTarget), options(1), opt(1, 'opset', fc.oneof(badInt(13, 18), fc.constant(12))), opt(1, 'dynamicBatch', badBool)],
    files: true,
  },
  'Graph.fit': {
    args: () => [trainingData(), { epochs: 1, batchSize: 4 }],
    call: (d, o) => small().fit(d as never, o as never),
    slots: [
      arg(0, dataNames, badData), options(1),
      opt(1, 'epochs', badInt(1)), opt(1, 'batchSize', badInt(1)), opt(1, 'seed', badInt(0)),
      opt(1, 'shuffle', badBool),
      opt(1, 'optimizer', fc.oneof(
        junk, fc.constantFrom<unknown>({}, { type: 'nope' }, { type: 'adam', lr: -1 }, { type: 'sgd' }, { type: 'adam', betas: [0.9, 0.9] }),
      ), ['optimizer', 'type', 'lr', 'betas']),
      opt(1, 'loss', fc.oneof(badString, fc.constantFrom<unknown>('nope', { type: 'nope' }, { type: 'softmaxCrossEntropy', labelSmoothing: 2 })), ['loss', 'labelSmoothing']),
      opt(1, 'schedule', fc.oneof(junk, fc.constantFrom<unknown>({}, { type: 'nope' }, { type: 'step' }, { type: 'step', stepSize: 1, every: 'x' })),
        ['schedule', 'type', 'stepSize', 'every']),
      opt(1, 'clipNorm', badRange(0, Infinity)),
      opt(1, 'validationData', badData, ['validationData', ...dataNames]),
      opt(1, 'callbacks', fc.oneof(junk, fc.constantFrom<unknown>({ onEpochEnd: 3 }, { onBatchEnd: 'x' }, {}, { onEpochEnded: () => 1 })), ['callbacks', 'onEpochEnd', 'onBatchEnd']),
      opt(1, 'signal', fc.oneof(junk, fc.constantFrom<unknown>({}, { aborted: false })), ['signal']),
      opt(1, 'nonFinite', badEnum(['stop', 'skip'])),
      opt(1, 'augment', fc.oneof(junk, fc.constantFrom<unknown>({ cropPadding: -1 }, { flip: true })), ['augment', 'cropPadding', 'flip']),
      opt(1, 'checkpoint', fc.oneof(
        junk, fc.constantFrom<unknown>({}, { path: 3 }, { path: '' }, { path: path.join(dir, 'c.striate'), everyEpochs: 0 }, { path: path.join(dir, 'c.striate'), metadata: { n: NaN } }),
      ), ['checkpoint', 'path', 'everyEpochs']),
      opt(1, 'resume', fc.oneof(junk, fc.constantFrom<unknown>(path.join(dir, 'missing.striate'), modelFile, {})), ['resume', 'missing.striate', modelFile]),
      opt(1, 'resourceLimits', fc.oneof(junk, fc.constantFrom<unknown>({ maxOldGenerationSizeMb: -1 }, { maxOldGenerationSizeMb: 0 }, { heap: 64 })), ['resourceLimits']),
    ],
    runs: 60,
    files: true,
  },
  'Graph.evaluate': {
    args: () => [trainingData(), { batchSize: 4 }],
    call: (d, o) => model.evaluate(d as never, o as never),
    slots: [
      arg(0, dataNames, badData), options(1), opt(1, 'batchSize', badInt(1)),
      opt(1, 'loss', fc.oneof(badString, fc.constantFrom<unknown>('nope', { type: 'nope' })), ['loss']),
    ],
    runs: 24,
  },
  'Graph.predict': {
    args: () => [images(3), { batchSize: 2 }],
    call: (x, o) => model.predict(x as never, o as never),
    slots: [arg(0, ['input', 'x'], badTensor([3, 1, 5, 5], { match: [1, 2, 3] })), options(1), opt(1, 'batchSize', fc.oneof(badInt(1), hugeSize))],
    runs: 24,
  },
  load: { args: () => [modelFile], call: (f) => st.load(f as string), slots: [arg(0, pathNames, badPath)], files: true },
  loadWithMetadata: { args: () => [modelFile], call: (f) => st.loadWithMetadata(f as string), slots: [arg(0, pathNames, badPath)], files: true },
  loadCheckpoint: {
    args: () => [checkpointFile],
    call: (f) => st.loadCheckpoint(f as string),
    slots: [arg(0, [...pathNames, modelFile], fc.oneof(badPath, fc.constant(modelFile)))],
    files: true,
  },
};
const checkpointFile = path.join(dir, 'checkpoint.striate');

/** st.onnx: export and import. */
export const onnx: Record<string, Entry> = {
  load: {
    args: () => [onnxFile, {}],
    call: (s, o) => st.onnx.load(s as never, o as never),
    slots: [
      arg(0, [...pathNames, 'ONNX model', 'bytes'], fc.oneof(badPath, fc.constantFrom<unknown>(new Uint8Array(0), new Uint8Array([1, 2, 3]), new Float32Array(4)))),
      options(1), opt(1, 'constants', fc.oneof(junk, fc.constantFrom<unknown>({ w: 3 }, { nowhere: st.zeros([1]) })), ['constants', 'w']),
      opt(1, 'name', badString, ['name']),
    ],
    files: true,
  },
  save: {
    args: () => ['model', path.join(dir, 'fuzz.onnx'), {}],
    call: (m, f, o) => st.onnx.save((m === 'model' ? model : m) as never, f as string, o as never),
    slots: [
      arg(0, ['model', 'Graph'], fc.oneof(junk, fc.constantFrom<unknown>({}, { layers: [] }))),
      arg(1, targetNames, badTarget), options(2), opt(2, 'opset', badInt(13, 18)), opt(2, 'dynamicBatch', badBool),
    ],
    files: true,
  },
  encodeOnnx: {
    args: () => ['model', {}],
    call: (m, o) => st.onnx.encodeOnnx((m === 'model' ? model : m) as never, o as never),
    slots: [arg(0, ['model', 'Graph'], fc.oneof(junk, fc.constantFrom<unknown>({}))), options(1), opt(1, 'opset', badInt(13, 18)), opt(1, 'dynamicBatch', badBool)],
  },
};

/** Each zoo builder at a small width, and bad values of its options. */
const zooValid: Record<string, Record<string, unknown>> = {
  lenet5: {}, alexnet: { width: 0.05, inputShape: [3, 64, 64] },
  vgg11: { width: 0.05, inputShape: [3, 32, 32] }, vgg13: { width: 0.05, inputShape: [3, 32, 32] },
  vgg16: { width: 0.05, inputShape: [3, 32, 32] }, vgg19: { width: 0.05, inputShape: [3, 32, 32] },
  googlenet: { width: 0.05, inputShape: [3, 64, 64] }, inceptionV3: { width: 0.05, inputShape: [3, 75, 75] },
  resnet18: { width: 0.05, inputShape: [3, 16, 16] }, resnet34: { width: 0.05, inputShape: [3, 16, 16] },
  resnet50: { width: 0.05, inputShape: [3, 16, 16] }, resnet101: { width: 0.05, inputShape: [3, 16, 16] },
  resnet152: { width: 0.05, inputShape: [3, 16, 16] },
  densenet121: { growthRate: 2, inputShape: [3, 32, 32] }, densenet169: { growthRate: 2, inputShape: [3, 32, 32] },
  densenet201: { growthRate: 2, inputShape: [3, 32, 32] },
  resnet20: { width: 0.25 }, resnet32: { width: 0.25 }, resnet56: { width: 0.25 }, vgg: { width: 0.1 }, densenet: { growthRate: 2, depth: 10 },
};
const zooKnobs: Record<string, fc.Arbitrary<unknown>> = {
  width: badRange(0, Infinity, { low: true }), zeroInitResidual: badBool, batchNorm: badBool, lrn: badBool, auxLogits: badBool,
  growthRate: fc.oneof(badInt(1), hugeSize), depth: badInt(10), form: badEnum(['v1']),
};
const knownKnobs: Record<string, string[]> = {
  alexnet: ['lrn', 'width'], googlenet: ['auxLogits', 'width'], inceptionV3: ['auxLogits', 'width'],
  vgg11: ['batchNorm', 'width'], vgg13: ['batchNorm', 'width'], vgg16: ['batchNorm', 'width'], vgg19: ['batchNorm', 'width'], vgg: ['batchNorm', 'width', 'depth'],
  resnet18: ['width', 'zeroInitResidual'], resnet34: ['width', 'zeroInitResidual'], resnet50: ['width', 'zeroInitResidual'],
  resnet101: ['width', 'zeroInitResidual'], resnet152: ['width', 'zeroInitResidual'],
  resnet20: ['width', 'zeroInitResidual'], resnet32: ['width', 'zeroInitResidual'], resnet56: ['width', 'zeroInitResidual'],
  densenet121: ['growthRate'], densenet169: ['growthRate'], densenet201: ['growthRate'], densenet: ['growthRate', 'depth'],
};

/** st.zoo: every builder's common and own options. */
export const zoo: Record<string, Entry> = Object.fromEntries(
  Object.entries(zooValid).map(([name, valid]) => {
    const build = (st.zoo as unknown as Record<string, (o: unknown) => unknown>)[name];
    const slots: Slot[] = [
      options(0),
      opt(0, 'numClasses', fc.oneof(badInt(1), hugeSize)),
      opt(0, 'inputShape', fc.oneof(badShape(3), fc.constantFrom<unknown>([3, 2 ** 20, 2 ** 20], [])), ['inputShape', 'shape']),
      opt(0, 'seed', badInt(0)),
      opt(0, 'numClass', fc.constant(10), ['numClass']),
      ...(knownKnobs[name] ?? []).map((k) => opt(0, k, zooKnobs[k])),
    ];
    return [name, { args: () => [{ numClasses: 3, ...valid }], call: (o: unknown) => build(o), slots, runs: 24 } satisfies Entry];
  }),
);

const denseLayer = () => new st.nn.Dense({ units: 2, inFeatures: 3, seed: 1 });
const gradTargets = () => {
  const x = t([2, 3]);
  return [{ name: 'x', kind: 'input', value: x, grad: st.zeros([2, 3]) }];
};

/** st.gradcheck and its helpers. */
export const gradcheck: Record<string, Entry> = {
  gradcheck: {
    args: () => ['dense', t([2, 3]), { samples: 2 }],
    call: (s, x, o) => st.gradcheck((s === 'dense' ? denseLayer() : s) as never, x as never, o as never),
    slots: [
      arg(0, ['subject'], fc.oneof(junk, fc.constantFrom<unknown>({}, { forward: 1, backward: 2 }))),
      arg(1, ['inputs', 'x'], fc.oneof(junk, fc.constantFrom<unknown>([], [3], {}), badTensor([2, 3], { ranks: [] }))),
      options(2), opt(2, 'eps', badRange(0, Infinity, { low: true })), opt(2, 'atol', badRange(0, Infinity)), opt(2, 'rtol', badRange(0, Infinity)),
      opt(2, 'samples', badInt(1)), opt(2, 'seed', fc.oneof(badNumber, fc.constant(0.5))), opt(2, 'training', badBool), opt(2, 'params', badBool), opt(2, 'throwOnFailure', badBool),
    ],
  },
  compareGradients: {
    args: () => [() => 1, st.tensor([1]), gradTargets(), {}],
    call: (f, dy, targets, o) => st.compareGradients(f as never, dy as never, targets as never, o as never),
    slots: [
      // A function returning a number is a valid forward (junk's `() => 3`); one returning no number or tensor is not.
      arg(0, ['forward'], fc.oneof(junk.filter((v) => typeof v !== 'function'), fc.constantFrom<unknown>(() => 'x', () => null, () => [1]))),
      arg(1, ['dy'], badTensor([1], { ranks: [] })),
      arg(2, ['targets'], fc.oneof(junk, fc.constantFrom<unknown>({}, [null], [{ name: 'x' }]))), options(3), opt(3, 'eps', badRange(0, Infinity, { low: true })),
    ],
  },
  formatGradcheckReport: {
    args: () => [st.gradcheck(denseLayer(), t([2, 3]), { samples: 2 })],
    call: (r) => st.formatGradcheckReport(r as never),
    slots: [arg(0, ['report'], fc.oneof(junk, fc.constantFrom<unknown>({}, { ok: true })))],
  },
};

const conv = () => {
  const c = new st.nn.Conv2D({ filters: 2, kernelSize: 3, inChannels: 1, seed: 1 });
  return c;
};
const epochLog = { epoch: 0, loss: 1, accuracy: 0.5, valLoss: null, valAccuracy: null, seconds: 1, lr: 0.1, skippedBatches: 0 };

/** st.viz: pictures of filters, feature maps and training curves. */
export const viz: Record<string, Entry> = {
  filters: {
    args: () => ['conv', path.join(dir, 'filters.png')],
    call: (l, f) => st.viz.filters(l === 'conv' ? conv() : l, f as string),
    slots: [
      arg(0, ['layer'], fc.oneof(
        junk, fc.constantFrom<unknown>({}),
        fc.constant(null).map(() => new st.nn.Dense({ units: 2 })), fc.constant(null).map(() => new st.nn.Conv2D({ filters: 2, kernelSize: 3 })),
      )),
      arg(1, targetNames, badTarget),
    ],
    files: true,
    runs: 32,
  },
  featureMaps: {
    args: () => [st.rand([1, 5, 5], { seed: 1 }), { layer: 0 }, path.join(dir, 'maps.png')],
    call: (x, o, f) => st.viz.featureMaps(model, x as never, o as never, f as string),
    slots: [
      arg(0, ['image'], badTensor([1, 5, 5], { ranks: [4], match: [0, 1, 2] })), options(1),
      opt(1, 'layer', fc.oneof(junk.filter((v) => typeof v !== 'string'), fc.constantFrom<unknown>(-1, 99, 0.5, 'nope', {})), ['layer']),
      arg(2, targetNames, badTarget),
    ],
    files: true,
    runs: 32,
  },
  curves: {
    args: () => [{ epochs: [epochLog] }, path.join(dir, 'curves.png')],
    call: (h, f) => st.viz.curves(h as never, f as string),
    slots: [arg(0, ['history'], fc.oneof(junk, fc.constantFrom<unknown>({}, [], { epochs: [] }, [{ epoch: 'x' }]))), arg(1, targetNames, badTarget)],
    files: true,
    runs: 16,
  },
  curvePoints: {
    args: () => [[epochLog]],
    call: (e) => st.viz.curvePoints(e as never),
    slots: [arg(0, ['epochs'], fc.oneof(junk, fc.constantFrom<unknown>({}, [null], [{ epoch: 'x', loss: 1 }])))],
  },
};

/** Writes the checkpoint loadCheckpoint's valid call reads (a short fit: call once, before the entries run). */
export async function writeCheckpoint(): Promise<void> {
  await small().fit(trainingData(), { epochs: 1, batchSize: 4, checkpoint: { path: checkpointFile } });
}
