// npm run bench:nets [-- --rounds 5 --threads 2 --only resnet18]
// Whole networks. Inference: striate with its inference plan (graph.compile: batch norm
// folded, conv + bias + Add + ReLU fused into one native call, one arena) against the
// same graph layer by layer (STRIATE_PLAN=off's path), ONNX Runtime (CPU provider, every
// graph optimisation on) running the same graph as st.onnx.encodeOnnx writes it, and,
// for the zoo rows, PyTorch's same network (bench/peers/torch_zoo.py, eval mode under
// no_grad; its own random weights). Training: one SGD step (forward, softmax
// cross-entropy, backward, momentum 0.9) of striate and of PyTorch's same network.
// Each round times one call of every contestant in turn after a pause, so a drift of the
// (shared) machine hits all alike. images/s from the median of `--rounds` rounds, each
// sample after an untimed call; one warm-up call first, which for inference also checks
// that the contestants holding striate's weights agree (`agreement`: each one's max
// relative error against the layer-by-layer output); ratios are of medians of this run.
// Rows: ResNet-18 as bench/lib/nets.mjs writes it (BN folded into the weights, the
// graph every peer of the suite runs), then the zoo models (with their BatchNorm layers)
// at 3x224x224 batch 1 and 3x32x32 batch 32, then training of resnet20 (3x32x32, batch
// 128), ResNet-18 (3x64x64, batch 32) and the CIFAR VGG-11 with batch norm (batch 64).
// Results: bench/results/nets-<date>-t<threads>.json (-partial with --only; written atomically).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { normal, size } from './lib/data.mjs';
import { describeMachine } from './lib/machine.mjs';
import { forwardGflop, initWeights, resnet18 } from './lib/nets.mjs';
import { maxRelError, summarize } from './lib/stats.mjs';
import { inferenceModel, zooSession } from './lib/zoo-session.mjs';
import ortPeer from './peers/onnxruntime.mjs';
import striatePeer from './peers/striate.mjs';
import { startTorchZoo } from './peers/torch-zoo.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const st = await import(pathToFileURL(path.join(here, '..', 'dist', 'index.js')).href);
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, threads: { type: 'string', default: '2' }, only: { type: 'string' } },
  strict: true,
});
const rounds = Number(values.rounds), threads = Number(values.threads);
const now = () => Number(process.hrtime.bigint()) / 1e9;

st.setNumThreads(threads);
let ortVersion = null;
try {
  ortVersion = (await ortPeer.load()).version;
  ortPeer.setThreads(threads);
} catch (e) {
  console.error(`onnxruntime-node unavailable (${e.message}): run \`cd bench && npm ci\``);
}
await striatePeer.load();
const torch = await startTorchZoo(threads);

/** The bench suite's ResNet-18 (BN folded): striate plan, striate layer by layer, ORT. */
async function suiteResnet(variant, batch, seed) {
  const net = resnet18(variant);
  const task = { kind: 'resnet', net, batch, weights: initWeights(net, seed), x: normal(batch * size(net.input), seed + 99) };
  const plain = await striatePeer.prepare(task);
  const planned = await striatePeer.prepare({ ...task, compile: true });
  const contestants = [
    { name: 'striate plan', call: planned.call },
    { name: 'striate layer by layer', call: plain.call },
  ];
  if (ortVersion) {
    const ort = await ortPeer.prepare(task);
    contestants.push({ name: 'onnxruntime', call: ort.call });
  }
  return { gflopPerImage: forwardGflop(net), contestants };
}

/** A zoo model with its BatchNorm layers (random running statistics): plan, layer by layer, ORT. */
async function zooModel(name, options, shape, batch, seed) {
  const model = inferenceModel(st, name, shape, seed, options);
  const x = new st.Tensor(Float32Array.from(normal(batch * size(shape), seed + 7)), [batch, ...shape]);
  model.compile({ batchSize: batch });
  const planned = () => model.predictSync(x, { batchSize: batch }).data;
  const plain = () => {
    process.env.STRIATE_PLAN = 'off';
    try {
      return model.predictSync(x, { batchSize: batch }).data;
    } finally {
      delete process.env.STRIATE_PLAN;
    }
  };
  const contestants = [{ name: 'striate plan', call: planned }, { name: 'striate layer by layer', call: plain }];
  if (ortVersion) {
    const ort = await ortPeer.prepare({ kind: 'graph', graph: model, x: x.data, xShape: x.shape });
    contestants.push({ name: 'onnxruntime', call: ort.call });
  }
  if (torch) {
    await torch.build(name, shape[1], 1000, { batches: [batch] });
    contestants.push({ name: 'pytorch', time: () => torch.time('forward', batch) });
  }
  return { contestants };
}

/** One training step of a zoo model (10 classes), striate against PyTorch's same network. */
async function zooTraining(name, options, shape, batch) {
  const model = st.zoo.models[name]({ numClasses: 10, inputShape: shape, seed: 1, ...options });
  const ours = zooSession(st, model, [batch], 10);
  const contestants = [{ name: 'striate', time: () => ours.time('train', batch) }];
  if (torch) {
    await torch.build(name, shape[1], 10, { batches: [batch], depth: options.depth });
    contestants.push({ name: 'pytorch', time: () => torch.time('train', batch) });
  }
  return { contestants };
}

const rows = [
  ['ResNet-18 (suite, BN folded) 3x224x224 batch 1', () => suiteResnet('imagenet', 1, 400), 1],
  ['ResNet-18 (suite, BN folded) 3x32x32 batch 32', () => suiteResnet('cifar', 32, 500), 32],
];
for (const [name, label, options] of [
  ['resnet18', 'ResNet-18', {}], ['resnet50', 'ResNet-50', {}], ['vgg16', 'VGG-16', {}],
  ['densenet121', 'DenseNet-121', {}], ['googlenet', 'GoogLeNet', {}],
]) {
  rows.push([`${label} (zoo) 3x224x224 batch 1`, () => zooModel(name, options, [3, 224, 224], 1, 600), 1]);
  rows.push([`${label} (zoo) 3x32x32 batch 32`, () => zooModel(name, options, [3, 32, 32], 32, 700), 32]);
}
for (const [name, label, options, shape, batch] of [
  ['resnet20', 'resnet20', {}, [3, 32, 32], 128], ['resnet18', 'ResNet-18', {}, [3, 64, 64], 32],
  ['vgg', 'VGG-11-BN (CIFAR)', { depth: 11 }, [3, 32, 32], 64],
])
  rows.push([`training: ${label} ${shape.join('x')} batch ${batch}`, () => zooTraining(name, options, shape, batch), batch]);

const results = [];
for (const [title, make, batch] of rows) {
  if (values.only && !title.toLowerCase().includes(values.only.toLowerCase())) continue;
  let row;
  try {
    row = await make();
  } catch (e) {
    results.push({ title, error: e.message });
    console.log(`${title}: ${e.message}`);
    continue;
  }
  // Warm-up; the contestants that return outputs (they hold striate's weights) must agree.
  const outputs = new Map();
  for (const c of row.contestants) {
    if (c.call) outputs.set(c.name, Float32Array.from(await c.call()));
    else await c.time();
  }
  const reference = outputs.get('striate layer by layer');
  const agreement = Object.fromEntries([...outputs].filter(([n]) => n !== 'striate layer by layer').map(([n, out]) => [n, maxRelError(out, reference)]));
  const timeOnce = async (c) => {
    if (c.time) return c.time();
    const t0 = now();
    await c.call();
    return now() - t0;
  };
  for (const c of row.contestants) c.samples = [];
  for (let r = 0; r < rounds; r++)
    for (const c of row.contestants) {
      await sleep(50);
      await timeOnce(c); // wakes the thread pool after the pause
      c.samples.push(await timeOnce(c));
    }
  const summary = row.contestants.map((c) => ({ name: c.name, imagesPerSecond: batch / summarize(c.samples).median, seconds: summarize(c.samples) }));
  const by = Object.fromEntries(summary.map((s) => [s.name, s.imagesPerSecond]));
  const ours = by['striate plan'] ?? by.striate;
  const ratios = Object.fromEntries(Object.entries({
    planVsLayerByLayer: by['striate layer by layer'] && ours / by['striate layer by layer'],
    planVsOnnxruntime: by.onnxruntime && ours / by.onnxruntime,
    layerByLayerVsOnnxruntime: by.onnxruntime && by['striate layer by layer'] / by.onnxruntime,
    striateVsPytorch: by.pytorch && ours / by.pytorch,
  }).filter(([, v]) => v !== undefined));
  results.push({ title, batch, summary, ratios, agreement, onnxruntime: ortVersion ? 'run' : 'unavailable', pytorch: torch ? 'run' : 'unavailable' });
  const shown = Object.entries(ratios).map(([n, v]) => `${n} ${v.toFixed(2)}x`).join(' | ');
  const agreed = Object.entries(agreement).map(([n, e]) => `${n} ${e.toExponential(1)}`).join(', ');
  console.log(`${title}: ${summary.map((s) => `${s.name} ${s.imagesPerSecond.toFixed(2)} img/s`).join(' | ')} | ${shown}${agreed ? ` | max rel. error vs layer by layer: ${agreed}` : ''}`);
}
torch?.close();

const require = createRequire(import.meta.url);
const report = {
  date: new Date().toISOString(), machine: describeMachine(), threads, rounds,
  striate: require('../package.json').version, onnxruntime: ortVersion, pytorch: torch?.version ?? null, isa: st.backendInfo().isa,
  note: 'ratios are of medians measured side by side in this one run', results,
};
const dir = path.join(here, 'results');
fs.mkdirSync(dir, { recursive: true });
// A run of some rows (--only) never replaces the day's full one.
const file = path.join(dir, `nets-${report.date.slice(0, 10)}-t${threads}${values.only ? '-partial' : ''}.json`);
fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
fs.renameSync(`${file}.tmp`, file);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
