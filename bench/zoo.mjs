// npm run bench:zoo [-- --models resnet20,resnet18 --sizes cifar,imagenet --reps 5 --quick --no-peer]
// Throughput of the zoo networks, striate beside PyTorch (bench/peers/torch_zoo.py with
// /usr/bin/python3: torchvision's models where striate's match them, the CIFAR nets
// written out the same): forward images/s at batch 1 and 32 (inference: predictSync /
// torch.no_grad in eval mode) and training images/s at batch 32 (forward, softmax
// cross-entropy, backward, SGD with momentum), each the median of --reps runs after a
// warm-up, at the machine's thread count. Sizes: cifar = 3x32x32 (Inception-v3: its
// smallest, 75x75), imagenet = 3x224x224 (Inception-v3: 299x299); the CIFAR nets run at
// cifar only. Ratio = striate / torch (> 1: striate is faster). --quick (the default
// without --models) runs resnet20 and resnet18 at cifar size only; the full run over
// every model at both sizes takes hours on a small machine (VGG at 224 trains at a few
// images/s). Needs `npm run build` (dist/).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    sizes: { type: 'string' },
    reps: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    'no-peer': { type: 'boolean', default: false },
  },
});
const CIFAR_NETS = new Set(['resnet20', 'resnet32', 'resnet56', 'vgg', 'densenet']);
const ALL = Object.keys(st.zoo.models).filter((name) => name !== 'lenet5'); // bench:lenet covers LeNet-5
const quick = values.quick || values.models === undefined;
const models = values.models ? values.models.split(',') : quick ? ['resnet20', 'resnet18'] : ALL;
const sizes = (values.sizes ?? (quick ? 'cifar' : 'cifar,imagenet')).split(',');
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 5) throw new RangeError(`bench:zoo: --reps must be an integer >= 5, got ${values.reps}`);
for (const name of models) if (!st.zoo.models[name]) throw new RangeError(`bench:zoo: unknown model '${name}'; known: ${ALL.join(', ')}`);
for (const size of sizes) if (size !== 'cifar' && size !== 'imagenet') throw new RangeError(`bench:zoo: sizes are cifar and imagenet, got '${size}'`);

const CLASSES = 10;

/** The square input side of a model at a size, or undefined where it does not run. */
function sideOf(name, size) {
  if (CIFAR_NETS.has(name)) return size === 'cifar' ? 32 : undefined;
  if (name === 'inceptionV3') return size === 'cifar' ? 75 : 299;
  return size === 'cifar' ? 32 : 224;
}

/** The zoo options that make striate's network the one the peer builds. */
function build(name, side) {
  const extra = name === 'alexnet' ? { lrn: false } : name === 'inceptionV3' || name === 'googlenet' ? { auxLogits: false } : {};
  if (name === 'alexnet' && side < 63) side = 63; // AlexNet's smallest input
  return st.zoo.models[name]({ numClasses: CLASSES, inputShape: [3, side, side], seed: 1, ...extra });
}

function rate(batch, fn) {
  fn();
  const seconds = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    seconds.push((performance.now() - t0) / 1e3);
  }
  return batch / summarize(seconds).median;
}

function random(shape, seed) {
  const rng = new st.Rng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return new st.Tensor(data, shape);
}

const rows = [];
for (const name of models)
  for (const size of sizes) {
    const side = sideOf(name, size);
    if (side === undefined) continue;
    const model = build(name, side);
    const input = model.inputShapes[0];
    for (const batch of [1, 32]) {
      const x = random([batch, ...input], 2);
      rows.push({ name, size, side: input[1], mode: 'forward', batch, ours: rate(batch, () => model.predictSync(x, { batchSize: batch })) });
    }
    const x = random([32, ...input], 3);
    const labels = Array.from({ length: 32 }, (_, i) => i % CLASSES);
    const loss = new st.nn.SoftmaxCrossEntropy();
    const opt = new st.optim.SGD(model.params(), { lr: 0.01, momentum: 0.9 });
    const step = () => {
      model.zeroGrad();
      loss.forward(model.forward(x, { training: true }), labels);
      model.backward(loss.backward(), { inputGrad: false });
      opt.step();
    };
    rows.push({ name, size, side: input[1], mode: 'train', batch: 32, ours: rate(32, step) });
    console.error(`striate ${name} ${size} done`);
  }

let peer = new Map();
const python = '/usr/bin/python3';
if (!values['no-peer'] && spawnSync(python, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) {
  const inputs = [...new Set(rows.map((r) => `${r.name}/${r.size}=${r.side}`))].join(',');
  const r = spawnSync(python, [path.join(root, 'bench', 'peers', 'torch_zoo.py'), '--models', models.join(','), '--sizes', sizes.join(','),
    '--inputs', inputs, '--reps', String(reps), '--classes', String(CLASSES)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status === 0) {
    const [, ...lines] = r.stdout.trim().split('\n');
    for (const line of lines) {
      const [name, size, , mode, batch, ips] = line.split(',');
      peer.set(`${name}/${size}/${mode}/${batch}`, Number(ips));
    }
  } else console.error('torch_zoo.py failed; showing striate alone');
} else if (!values['no-peer']) console.log(`(torch/torchvision do not import in ${python}: showing striate alone)\n`);

const f = (v, digits = 1) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
console.log(`striate threads: ${st.getNumThreads()}, torch: its default; reps: ${reps} (medians)`);
console.log('| model | input | mode | batch | striate img/s | torch img/s | ratio |');
console.log('|---|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  const t = peer.get(`${r.name}/${r.size}/${r.mode}/${r.batch}`);
  console.log(`| ${r.name} | 3x${r.side}x${r.side} | ${r.mode} | ${r.batch} | ${f(r.ours)} | ${f(t)} | ${f(t && r.ours / t, 2)} |`);
}
