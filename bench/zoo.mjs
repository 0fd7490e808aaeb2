// npm run bench:zoo [-- --quick | --models resnet20,resnet18 --sizes cifar,imagenet --side 224 --imagenet-all --reps 5 --threads N --no-peer]
// Throughput of every zoo network (LeNet-5 has bench:lenet), striate beside PyTorch's same
// network (bench/peers/torch_zoo.py under /usr/bin/python3, plain torch.nn: Debian's
// python3-torch has no torchvision), each network's parameter count held against striate's
// (the "params" column). Per network and input size: forward images/s at batch 1 and 32
// (inference: predictSync / eval mode under torch.no_grad) and training images/s at batch
// 32 (forward, softmax cross-entropy, backward, SGD with momentum), at the machine's
// thread count for both (or --threads N: on a machine shared with other jobs, a parallel
// region's barrier can wait a whole time slice for a descheduled thread, in either
// library, so 1 thread measures the kernels there). Each is the median of --reps samples
// taken in rounds that alternate the two libraries (a drift of the shared machine hits
// both alike), after a warm-up call of each. Each sample follows a 50 ms pause (the other
// library's thread pool stops spinning on the cores) and, for a call under 0.25 s, an
// untimed call that wakes the library's own threads.
//
// Sizes: cifar = 3x32x32 for every network, all three rows (AlexNet and Inception-v3 at
// their smallest inputs, 63 and 75); imagenet = 3x224x224 (Inception-v3 3x299x299, or
// --side S and S·299/224) for the ImageNet networks, forward at batch 1 only unless
// --imagenet-all adds forward batch 32 and training batch 32 there: those take hours on 2
// cores (one VGG-16 training step of batch 32 at 224 is ~1.5 TFLOP per library), while the
// default run (every network, 5 reps, both libraries) took 14.6 minutes with --threads 1
// on a 2-core machine shared with other jobs. --quick: resnet20 and resnet18, 3 reps,
// under a minute. The ratio is striate / PyTorch (> 1: striate is faster). Results:
// bench/results/zoo-<date>-t<threads>.json (-quick or -partial for smaller runs; written
// atomically). Needs `npm run build` (dist/).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './lib/machine.mjs';
import { summarize } from './lib/stats.mjs';
import { zooSession } from './lib/zoo-session.mjs';
import { startTorchZoo } from './peers/torch-zoo.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = (file) => import(pathToFileURL(path.join(here, '..', 'dist', file)).href);
const st = await dist('index.js');
const { writeFileAtomic } = await dist('io/model-file.js');

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    sizes: { type: 'string' },
    side: { type: 'string', default: '224' },
    'imagenet-all': { type: 'boolean', default: false },
    reps: { type: 'string' },
    quick: { type: 'boolean', default: false },
    threads: { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
  },
  strict: true,
});
const CIFAR_NETS = new Set(['resnet20', 'resnet32', 'resnet56', 'vgg', 'densenet']);
const ALL = Object.keys(st.zoo.models).filter((name) => name !== 'lenet5');
const models = values.models ? values.models.split(',') : values.quick ? ['resnet20', 'resnet18'] : ALL;
const sizes = (values.sizes ?? 'cifar,imagenet').split(',');
const reps = Number(values.reps ?? (values.quick ? 3 : 5));
const side = Number(values.side);
if (!Number.isInteger(reps) || reps < 3) throw new RangeError(`bench:zoo: --reps must be an integer >= 3, got ${values.reps}`);
if (!Number.isInteger(side) || side < 32) throw new RangeError(`bench:zoo: --side must be an integer >= 32, got ${values.side}`);
for (const name of models) if (!st.zoo.models[name] || name === 'lenet5') throw new RangeError(`bench:zoo: unknown model '${name}'; known: ${ALL.join(', ')}`);
for (const size of sizes) if (size !== 'cifar' && size !== 'imagenet') throw new RangeError(`bench:zoo: sizes are cifar and imagenet, got '${size}'`);

const CLASSES = 10;
const BATCHES = [1, 32];
const TRAIN_BATCH = 32;
/** A call shorter than this gets an untimed call right before its timed one. */
const PRIME_BELOW_S = 0.25;
/** The pause before each sample: the other library's thread pool stops spinning on the cores. */
const PAUSE_MS = 50;
if (values.threads !== undefined) {
  const n = Number(values.threads);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bench:zoo: --threads must be an integer >= 1, got ${values.threads}`);
  st.setNumThreads(n);
}
const threads = st.getNumThreads();

/** The square input side of a model at a size, or undefined where it does not run (CIFAR nets at imagenet). */
function sideOf(name, size) {
  if (CIFAR_NETS.has(name)) return size === 'cifar' ? 32 : undefined;
  if (size === 'imagenet') return name === 'inceptionV3' ? Math.round((side * 299) / 224) : side;
  return name === 'inceptionV3' ? 75 : name === 'alexnet' ? 63 : 32;
}

/** striate's network as the peer builds it: AlexNet without LRN (torchvision's), no auxiliary classifiers. */
function build(name, s) {
  const extra = name === 'alexnet' ? { lrn: false } : name === 'inceptionV3' || name === 'googlenet' ? { auxLogits: false } : {};
  return st.zoo.models[name]({ numClasses: CLASSES, inputShape: [3, s, s], seed: 1, ...extra });
}

/** Median seconds of each library for one (mode, batch), sampled in alternating rounds. */
async function measure(libraries, mode, batch) {
  const primed = [];
  for (const lib of libraries) primed.push((await lib.time(mode, batch)) < PRIME_BELOW_S); // warm-up
  const samples = libraries.map(() => []);
  for (let r = 0; r < reps; r++)
    for (const k of r % 2 ? [...libraries.keys()].reverse() : libraries.keys()) {
      await sleep(PAUSE_MS);
      if (primed[k]) await libraries[k].time(mode, batch);
      samples[k].push(await libraries[k].time(mode, batch));
    }
  return samples.map((s) => summarize(s));
}

const peer = values['no-peer'] ? undefined : await startTorchZoo(threads);
const started = performance.now();
const rows = [];
for (const name of models)
  for (const size of sizes) {
    const s = sideOf(name, size);
    if (s === undefined) continue;
    const model = build(name, s);
    const params = model.countParams();
    const torchParams = peer && (await peer.build(name, s, CLASSES, { batches: BATCHES }));
    const libraries = [zooSession(st, model, BATCHES, CLASSES), ...(peer ? [peer] : [])];
    const all = size === 'cifar' || values['imagenet-all'];
    for (const [mode, batch] of all ? [['forward', 1], ['forward', 32], ['train', TRAIN_BATCH]] : [['forward', 1]]) {
      const [ours, theirs] = await measure(libraries, mode, batch);
      const row = {
        model: name, size, input: [3, s, s], mode, batch, params, torchParams: torchParams ?? null,
        striate: { imagesPerSecond: batch / ours.median, seconds: ours },
        torch: theirs ? { imagesPerSecond: batch / theirs.median, seconds: theirs } : null,
      };
      row.ratio = row.torch ? row.striate.imagesPerSecond / row.torch.imagesPerSecond : null;
      rows.push(row);
    }
    console.error(`${name} ${size} (3x${s}x${s}) done, ${((performance.now() - started) / 60e3).toFixed(1)} min`);
  }
peer?.close();

const f = (v, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const check = (r) => (r.torchParams === null ? r.params.toLocaleString('en') : `${r.params.toLocaleString('en')} ${r.params === r.torchParams ? '✓' : `✗ (torch ${r.torchParams.toLocaleString('en')})`}`);
console.log(`striate ${st.backendInfo().isa}, ${threads} threads; torch ${peer ? `${peer.version}, ${peer.threads} threads` : 'not run'}; medians of ${reps}`);
console.log('| model | input | params (= torch) | mode | batch | striate img/s | torch img/s | striate/torch |');
console.log('|---|---|---:|---|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.model} | ${r.input.join('x')} | ${check(r)} | ${r.mode} | ${r.batch} | ${f(r.striate.imagesPerSecond)} | ${f(r.torch?.imagesPerSecond)} | ${f(r.ratio, 2)} |`);
const mismatched = rows.filter((r) => r.torchParams !== null && r.params !== r.torchParams);
if (mismatched.length) console.log(`\nparameter counts differ for ${[...new Set(mismatched.map((r) => r.model))].join(', ')}: not the same network`);

const require = createRequire(import.meta.url);
const report = {
  date: new Date().toISOString(), machine: describeMachine(), threads, reps, side, sizes, imagenetAll: values['imagenet-all'],
  minutes: (performance.now() - started) / 60e3,
  striate: require('../package.json').version, isa: st.backendInfo().isa, torch: peer?.version ?? null,
  command: `npm run bench:zoo -- ${process.argv.slice(2).join(' ')}`.trim(),
  note: 'images/s from medians of samples taken in alternating rounds in this one run; ratio = striate / torch', rows,
};
const dir = path.join(here, 'results');
fs.mkdirSync(dir, { recursive: true });
// A run of fewer networks or sizes, or without the peer, never replaces the day's full one.
const partial = values.quick ? '-quick' : values.models || values.sizes || values['no-peer'] ? '-partial' : '';
const file = path.join(dir, `zoo-${report.date.slice(0, 10)}-t${threads}${partial}.json`);
writeFileAtomic(file, Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
