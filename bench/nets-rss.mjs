// npm run bench:nets-rss [-- --threads 2 --only resnet]
// Peak memory of bench:nets's inference rows (the zoo models at 3x224x224 batch 1 and
// 3x32x32 batch 32). Each engine runs each row in a fresh process: striate builds the
// model, compiles its plan and predicts; ONNX Runtime (CPU provider, graph optimisation
// "all") loads the same graph from the file st.onnx.encodeOnnx wrote (this parent writes
// it first) and runs it. Three predictions each, then the child reports its peak
// resident set (VmHWM; Linux) and the resident set it had with only
// the engine loaded, before the model: "model" = peak minus that, what the network, its
// weights and its buffers cost. Results: bench/results/nets-rss-<date>-t<threads>.json.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { normal, size } from './lib/data.mjs';
import { describeMachine } from './lib/machine.mjs';
import { markdownTable } from './lib/table.mjs';
import { inferenceModel } from './lib/zoo-session.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' }, only: { type: 'string' },
    child: { type: 'string' }, model: { type: 'string' }, shape: { type: 'string' }, batch: { type: 'string' },
    seed: { type: 'string' }, file: { type: 'string' },
  },
  strict: true,
});
const threads = Number(values.threads);
const MiB = 1024 * 1024;

/** One engine on one row, in this (child) process: prints { base, peak } in bytes. */
async function child() {
  const shape = values.shape.split('x').map(Number), batch = Number(values.batch);
  const x = Float32Array.from(normal(batch * size(shape), 7));
  let predict, base;
  if (values.child === 'striate') {
    const st = await import(pathToFileURL(path.join(here, '..', 'dist', 'index.js')).href);
    st.setNumThreads(threads);
    base = process.memoryUsage().rss;
    const model = inferenceModel(st, values.model, shape, Number(values.seed));
    model.compile({ batchSize: batch });
    const input = new st.Tensor(x, [batch, ...shape]);
    predict = async () => model.predictSync(input, { batchSize: batch });
  } else {
    const ort = require('onnxruntime-node');
    base = process.memoryUsage().rss;
    const session = await ort.InferenceSession.create(values.file, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [batch, ...shape]) };
    predict = () => session.run(feeds);
  }
  for (let i = 0; i < 3; i++) await predict();
  process.stdout.write(JSON.stringify({ base, peak: peakRss() }));
}

/**
 * This process's peak resident set: VmHWM, not resourceUsage().maxRSS, which after a
 * spawn starts from the parent's peak (Linux carries it over the exec).
 */
function peakRss() {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (!kib) throw new Error('bench:nets-rss: no VmHWM in /proc/self/status (Linux only)');
  return Number(kib[1]) * 1024;
}

function runChild(engine, row, file) {
  const args = [fileURLToPath(import.meta.url), '--child', engine, '--model', row.name, '--shape', row.shape.join('x'),
    '--batch', String(row.batch), '--seed', String(row.seed), '--threads', String(threads)];
  if (file) args.push('--file', file);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${engine} on ${row.title} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(r.stdout);
}

async function parent() {
  const st = await import(pathToFileURL(path.join(here, '..', 'dist', 'index.js')).href);
  const ortVersion = require('onnxruntime-node/package.json').version;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'striate-rss-'));
  const rows = [];
  for (const [name, label] of [['resnet18', 'ResNet-18'], ['resnet50', 'ResNet-50'], ['vgg16', 'VGG-16'], ['densenet121', 'DenseNet-121'], ['googlenet', 'GoogLeNet']])
    for (const [shape, batch, seed] of [[[3, 224, 224], 1, 600], [[3, 32, 32], 32, 700]])
      rows.push({ name, shape, batch, seed, title: `${label} ${shape.join('x')} batch ${batch}` });
  const results = [];
  try {
    for (const row of rows) {
      if (values.only && !`${row.name} ${row.title}`.toLowerCase().includes(values.only.toLowerCase())) continue;
      const file = path.join(dir, `${row.name}.onnx`);
      fs.writeFileSync(file, st.onnx.encodeOnnx(inferenceModel(st, row.name, row.shape, row.seed)));
      const striate = runChild('striate', row), onnxruntime = runChild('ort', row, file);
      fs.rmSync(file);
      results.push({ title: row.title, striate, onnxruntime, peakRatio: striate.peak / onnxruntime.peak });
      const show = (m) => `peak ${(m.peak / MiB).toFixed(0)} MiB (model ${((m.peak - m.base) / MiB).toFixed(0)})`;
      console.log(`${row.title}: striate ${show(striate)} | onnxruntime ${show(onnxruntime)} | striate / ORT peak ${(striate.peak / onnxruntime.peak).toFixed(2)}x`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const mib = (v) => (v / MiB).toFixed(0);
  console.log(`\n${markdownTable(
    ['row', 'striate peak MiB', 'of it the model', 'ORT peak MiB', 'of it the model', 'striate / ORT peak'],
    results.map((r) => [r.title, mib(r.striate.peak), mib(r.striate.peak - r.striate.base), mib(r.onnxruntime.peak),
      mib(r.onnxruntime.peak - r.onnxruntime.base), `${r.peakRatio.toFixed(2)}×`]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  )}`);
  const report = {
    date: new Date().toISOString(), machine: describeMachine(), threads, striate: require('../package.json').version,
    onnxruntime: ortVersion, isa: st.backendInfo().isa, results,
  };
  const out = path.join(here, 'results', `nets-rss-${report.date.slice(0, 10)}-t${threads}${values.only ? '-partial' : ''}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  fs.renameSync(`${out}.tmp`, out);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

await (values.child ? child() : parent());
