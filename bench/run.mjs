// npm run bench [-- --quick] [-- --threads N] [-- --only conv,resnet]
// striate side by side with the libraries a Node user would pick instead, on identical
// data: tfjs (pure JS), tfjs-wasm (XNNPACK), onnxruntime-node, convnetjs and PyTorch.
// Prints a table per workload, thread scaling and a summary; writes
// bench/results/<date>.json and a PNG chart of the speed ratios.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, readArgs } from './lib/args.mjs';
import { ratioChart } from './lib/chart.mjs';
import { DataDir } from './lib/data.mjs';
import { describeMachine } from './lib/machine.mjs';
import { scalingTable, summaryTable, targetFor, taskTable } from './lib/report.mjs';
import { maxRelError, summarize } from './lib/stats.mjs';
import { convTasks, gemmTasks, lenetTask, poolTasks, resnetTasks } from './lib/tasks.mjs';
import { timeInterleaved } from './lib/timing.mjs';
import striate from './peers/striate.mjs';
import { tfjsCpu, tfjsNodeStatus, tfjsWasm } from './peers/tfjs.mjs';
import onnxruntime from './peers/onnxruntime.mjs';
import convnetjs from './peers/convnetjs.mjs';
import pytorch from './peers/torch.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = readArgs(process.argv.slice(2));
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const config = JSON.parse(readFileSync(path.join(here, 'workloads.json'), 'utf8'));
const method = args.quick ? config.method.quick : config.method.full;
const tolerance = config.method.checkTolerance;
const started = Date.now();
const dataDir = new DataDir();
const firstLine = (e) => String(e?.message ?? e).split('\n')[0];

// Libraries written in plain JS run single-threaded at < 1 GFLOP/s (tfjs's conv
// backward at ~0.01): they skip the calls that would take them minutes each.
const SLOW = new Set(['tfjs', 'convnetjs']);

const peers = [];
const unavailable = [];
if (!existsSync(path.join(here, 'node_modules')))
  console.log('(bench/node_modules is missing: install the peers with `npm --prefix bench ci --ignore-scripts`; running what loads)\n');
for (const peer of [striate, tfjsCpu, tfjsWasm, onnxruntime, convnetjs, pytorch]) {
  if (args.peers && peer !== striate && !args.peers.has(peer.name)) continue;
  try {
    peer.info = await peer.load({ dataDir });
    peers.push(peer);
  } catch (e) {
    if (peer === striate) {
      console.error(`bench: striate does not load: ${firstLine(e)}`);
      process.exit(1);
    }
    unavailable.push({ name: peer.name, why: firstLine(e) });
  }
}
unavailable.push({ name: 'tfjs-node', why: tfjsNodeStatus() });

async function setThreads(n) {
  for (const peer of peers) peer.threads = await peer.setThreads(n);
}
await setThreads(args.threads);

const machine = describeMachine();
const backend = striate.info.backend;
console.log(`# striate benchmark${args.quick ? ' (--quick)' : ''}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}`);
console.log(`Vector extensions: ${machine.vectorExtensions.join(' ')}; striate ISA: ${backend.isa} (available: ${backend.isasAvailable?.join(', ')})`);
console.log(`Threads requested: ${args.threads}\n`);
for (const peer of peers) console.log(`- ${peer.name} ${peer.info.version}: ${peer.threads} thread(s); ${peer.info.detail}`);
for (const u of unavailable) console.log(`- ${u.name}: ${u.why}`);
console.log(`\nMethod: ${method.warmup} warm-up call, then ${method.minReps}–${method.maxReps} timed calls per library (until ${method.budgetSeconds} s spent) in blocks of ${method.block} after a ${method.pauseMs} ms pause and an untimed call, libraries interleaved by block; median and min–max. Every peer's output is checked against striate's (max |peer − striate| / max |striate|; ⚠ above ${tolerance}).\n`);

/** Prepares every peer for `task`, checks outputs against striate's, times them interleaved. */
async function runTask(task, { timing = method, only } = {}) {
  const taskStarted = Date.now();
  const entries = [];
  let reference;
  for (const peer of peers) {
    if (only && !only.has(peer.name)) continue;
    const entry = { name: peer.name };
    entries.push(entry);
    if (SLOW.has(peer.name) && task.gflop > (method.slowPeerMaxGflop[task.kind] ?? method.slowPeerMaxGflop.default)) {
      entry.why = `skipped${args.quick ? ' in --quick' : ''} (pure JS, ${task.gflop.toFixed(2)} GFLOP per call)`;
      continue;
    }
    try {
      // The slow peers train LeNet-5 on fewer images; images/s stays comparable.
      const own = SLOW.has(peer.name) && task.slowCount ? { ...task, count: task.slowCount } : task;
      const prepared = await peer.prepare(own);
      if (typeof prepared === 'string') {
        entry.why = prepared;
        continue;
      }
      const t0 = performance.now();
      await prepared.enter?.();
      const outputs = await prepared.result();
      entry.checkSeconds = (performance.now() - t0) / 1e3;
      if (task.kind === 'lenet') entry.checkSeconds *= own.count / (task.checkSteps * task.batch);
      if (peer === striate) reference = outputs;
      else if (reference) entry.maxRelError = Math.max(...outputs.map((out, i) => maxRelError(out, reference[i])));
      entry.case = prepared;
      entry.count = own.count;
    } catch (e) {
      entry.why = `failed: ${firstLine(e)}`;
    }
  }
  const timed = entries.filter((e) => e.case);
  await timeInterleaved(timed, timing);
  for (const e of timed) await e.case.dispose?.();
  const striateEntry = entries.find((e) => e.name === 'striate');
  const striateMedian = striateEntry?.samples ? summarize(striateEntry.samples).median : undefined;
  const perSecond = (e, median) => (task.kind === 'lenet' ? e.count : task.work) / median;
  const striateRate = striateMedian ? perSecond(striateEntry, striateMedian) : undefined;
  const result = {
    group: task.group, kind: task.kind, name: task.name, title: task.title, unit: task.unit, work: task.work,
    short: `${{ 'conv-fwd': 'conv fwd ', 'conv-bwd': 'conv bwd ', 'pool-fwd': 'pool fwd', 'pool-bwd': 'pool bwd', gemm: 'GEMM ', lenet: '', resnet: 'ResNet-18 ' }[task.kind]}${task.kind.startsWith('pool') ? '' : task.name}`,
    target: targetFor(task, config.targets),
    peers: entries.map((e) => {
      if (!e.samples) return { name: e.name, status: 'n/a', why: e.why ?? (striateEntry?.why ? 'n/a (no striate reference)' : 'n/a') };
      const s = summarize(e.samples);
      const throughput = perSecond(e, s.median);
      return {
        name: e.name, status: 'ok', ...s, samples: e.samples, throughput,
        ratio: striateRate ? striateRate / throughput : undefined,
        maxRelError: e.name === 'striate' ? 0 : e.maxRelError ?? null,
        mismatch: reference !== undefined && e.name !== 'striate' && !(e.maxRelError <= tolerance),
        ...(task.kind === 'lenet' ? { images: e.count } : {}),
      };
    }),
  };
  result.seconds = (Date.now() - taskStarted) / 1e3;
  console.log(`${taskTable(result)}\n\n(${result.seconds.toFixed(1)} s for this workload)\n`);
  return result;
}

const results = [];
const seed = config.seed;
if (args.groups.has('gemm')) for (const task of gemmTasks(config.gemm, seed)) results.push(await runTask(task));
if (args.groups.has('conv')) for (const task of convTasks(config.conv, seed)) results.push(await runTask(task));
if (args.groups.has('pool')) for (const task of poolTasks(config.pool, seed)) results.push(await runTask(task));
if (args.groups.has('lenet')) {
  const cfg = config.lenet;
  const count = args.quick ? cfg.quickImages : cfg.images;
  const reps = args.quick ? cfg.quickReps : cfg.reps;
  let task;
  try {
    const st = await import('../dist/index.js');
    const mnist = st.data.loadMnist({ split: 'train' });
    const images = st.data.padImages(mnist.images, 2).data.subarray(0, count * 32 * 32);
    const slowCount = Math.min(count, args.quick ? cfg.quickSlowPeerImages : cfg.slowPeerImages);
    task = { ...lenetTask(cfg, { images, labels: Int32Array.from(mnist.labels.subarray(0, count)), count, seed }), slowCount };
    if (slowCount < count) task.title += ` (${[...SLOW].join(', ')}: the first ${slowCount})`;
  } catch (e) {
    console.log(`### LeNet-5 training\n\nn/a: MNIST did not load through st.data.loadMnist (${firstLine(e)})\n`);
  }
  if (task) results.push(await runTask(task, { timing: { warmup: 0, minReps: reps, maxReps: reps, budgetSeconds: Infinity, pauseMs: method.pauseMs, block: 1 } }));
}
if (args.groups.has('resnet')) for (const task of resnetTasks(config.resnet, seed)) results.push(await runTask(task));

const scaling = [];
let threadCounts = [];
if (args.groups.has('scaling')) {
  for (let t = 1; t < args.cores; t *= 2) threadCounts.push(t);
  threadCounts.push(args.cores);
  threadCounts = [...new Set(threadCounts)];
  const names = new Set(args.quick ? config.scaling.quickConv : config.scaling.conv);
  const tasks = convTasks(config.conv.filter((s) => names.has(s.name)), seed);
  const knobs = new Set(['striate', 'pytorch', 'onnxruntime']);
  const rows = new Map();
  for (const threads of threadCounts) {
    await setThreads(threads);
    console.log(`(thread scaling: ${threads} thread(s))`);
    for (const task of tasks) {
      const r = await runTask(task, { only: knobs });
      for (const p of r.peers) {
        const key = `${r.short}/${p.name}`;
        if (!rows.has(key)) rows.set(key, { workload: r.short, name: p.name, byThreads: {} });
        if (p.status === 'ok') rows.get(key).byThreads[threads] = p.median;
        else rows.get(key).why = p.why.startsWith('n/a') ? 'n/a' : p.why;
      }
    }
  }
  await setThreads(args.threads);
  scaling.push(...[...rows.values()].filter((r) => Object.keys(r.byThreads).length));
  console.log(`${scalingTable(scaling, threadCounts)}\n`);
}

const peerNames = peers.map((p) => p.name);
console.log(`## Summary: striate speed ÷ peer speed (> 1: striate faster), ${args.threads} threads\n`);
console.log(`${summaryTable(results, peerNames)}\n`);
const minutes = (Date.now() - started) / 60e3;
console.log(`Total time ${minutes.toFixed(1)} min.`);

if (args.save) {
  const outDir = args.out ? path.resolve(args.out) : path.join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 10) + (args.quick ? '-quick' : '');
  const libraries = Object.fromEntries(peers.map((p) => [p.name, { version: p.info.version, threads: p.threads, detail: p.info.detail }]));
  for (const u of unavailable) libraries[u.name] = { unavailable: u.why };
  const json = { date: new Date().toISOString(), quick: args.quick, threads: args.threads, machine, striateBackend: backend, libraries, method, minutes, results, scaling: { threadCounts, rows: scaling } };
  writeFileSync(path.join(outDir, `${stamp}.json`), `${JSON.stringify(json, null, 1)}\n`);
  const bars = results.flatMap((r) => r.peers.filter((p) => p.status === 'ok' && p.name !== 'striate' && p.ratio).map((p) => ({ label: r.short, peer: p.name, ratio: p.ratio, mismatch: p.mismatch })));
  const png = await ratioChart({
    title: `striate vs peers, ${args.threads} threads${args.quick ? ' (quick run)' : ''}`,
    subtitle: `${machine.cpu}, ${backend.isa}, Node ${machine.node}, ${stamp}`,
    bars,
  });
  writeFileSync(path.join(outDir, `${stamp}.png`), png);
  console.log(`Wrote ${path.relative(process.cwd(), path.join(outDir, stamp))}.json and .png`);
}
pytorch.close?.();
