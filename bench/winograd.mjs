// npm run bench:winograd [-- --threads 1,2 --reps 7 --cpu --no-model]
// Winograd F(2x2, 3x3) and F(4x4, 3x3) (the inference plan's algorithm for 3x3 stride-1
// convolutions) against the plain forward the native dispatcher picks (direct or im2col),
// on ResNet-18's 3x3 layers: the ImageNet sizes at batch 1 and the CIFAR sizes at batch
// 32, each with the residual + ReLU epilogue of a fused plan step. Then the whole of
// st.zoo.resnet18() at 3x224x224, batch 1, compiled with convAlgorithm 'auto' (the cost
// model's picks) against 'plain'. Every time is the median of --reps runs after a
// warm-up, the candidates interleaved run by run in one process, so that a busy machine
// slows them alike; ratio = plain / candidate (> 1: the candidate is faster). With --cpu,
// the least process CPU time of the runs instead, which sees through other jobs' load at
// 1 thread (at 2, waiting threads' spinning counts too). `model` is what the cost model
// picks for the layer at that thread count. Needs `npm run build`.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);
const wino = await import(pathToFileURL(path.join(root, 'dist', 'models', 'plan', 'winograd.js')).href);

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    reps: { type: 'string', default: '7' },
    cpu: { type: 'boolean', default: false },
    'no-model': { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 5) throw new RangeError(`bench:winograd: --reps must be an integer >= 5, got ${values.reps}`);
const threadCounts = values.threads.split(',').map(Number);
if (threadCounts.some((t) => !Number.isInteger(t) || t < 1))
  throw new RangeError(`bench:winograd: --threads must be integers >= 1, got ${values.threads}`);

// [name, batch, channels, map]: ResNet-18's 3x3 stride-1 layers (Cin = Cout).
const layers = [
  ['r18-64@56', 1, 64, 56], ['r18-128@28', 1, 128, 28], ['r18-256@14', 1, 256, 14], ['r18-512@7', 1, 512, 7],
  ['cifar-64@32', 32, 64, 32], ['cifar-128@16', 32, 128, 16], ['cifar-256@8', 32, 256, 8], ['cifar-512@4', 32, 512, 4],
];

/** Seconds, wall clock or (--cpu) this process's CPU time. */
const clock = values.cpu ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; } : () => performance.now() / 1e3;

/** Each candidate's median seconds (--cpu: least), run in turn `reps` times after one warm-up each. */
function interleaved(candidates) {
  for (const run of Object.values(candidates)) run();
  const times = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (let r = 0; r < reps; r++)
    for (const [k, run] of Object.entries(candidates)) {
      const t0 = clock();
      run();
      times[k].push(clock() - t0);
    }
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, values.cpu ? summarize(t).min : summarize(t).median]));
}

const ms = (s) => (s * 1e3).toFixed(2);
const info = st.backendInfo();
console.log(`striate ${info.version}, ${info.isa}, ${info.hardwareThreads} hardware threads; ${values.cpu ? 'least CPU time' : 'median wall time'} of ${reps}\n`);
console.log('| layer | threads | plain path | plain ms | F(2,3) ms | F(4,3) ms | plain/F(2,3) | plain/F(4,3) | model |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|---|');
for (const threads of threadCounts) {
  st.setNumThreads(threads);
  for (const [name, batch, c, map] of layers) {
    const x = st.randn([batch, c, map, map], { seed: 1 });
    const w = st.randn([c, c, 3, 3], { seed: 2, std: Math.sqrt(2 / (9 * c)) });
    const b = st.randn([c], { seed: 3 });
    const residual = st.randn([batch, c, map, map], { seed: 4 });
    const opts = { padding: 1 };
    const epilogue = { residual, activation: 'relu' };
    const out = new Float32Array(batch * c * map * map);
    const u2 = wino.winogradWeights(w, 2), u4 = wino.winogradWeights(w, 4);
    const t = interleaved({
      plain: () => st.ops.conv2dFused(x, w, b, opts, epilogue, out),
      f2: () => wino.conv2dWinograd(x, u2, b, opts, epilogue, out),
      f4: () => wino.conv2dWinograd(x, u4, b, opts, epilogue, out),
    });
    const plainPath = wino.convAlgorithm(x.shape, w.shape, opts, false);
    const model = wino.convAlgorithm(x.shape, w.shape, opts, true);
    console.log(`| ${name} b${batch} | ${threads} | ${plainPath} | ${ms(t.plain)} | ${ms(t.f2)} | ${ms(t.f4)} | ` +
      `${(t.plain / t.f2).toFixed(2)} | ${(t.plain / t.f4).toFixed(2)} | ${model} |`);
  }
}

if (!values['no-model']) {
  console.log('\n| st.zoo.resnet18() 3x224x224 batch 1 | threads | plain ms | auto ms | plain/auto | Winograd layers (auto) |');
  console.log('|---|---:|---:|---:|---:|---|');
  const x = st.randn([1, 3, 224, 224], { seed: 5 });
  for (const threads of threadCounts) {
    const plain = st.zoo.resnet18(), auto = st.zoo.resnet18();
    plain.compile({ batchSize: 1, threads, convAlgorithm: 'plain' });
    const plan = auto.compile({ batchSize: 1, threads });
    const t = interleaved({ plain: () => plain.predictSync(x), auto: () => auto.predictSync(x) });
    const picks = plan.steps.filter((s) => s.kind === 'conv' && s.algorithm.startsWith('winograd')).map((s) => s.algorithm);
    const f4 = picks.filter((a) => a === 'winograd-f4').length;
    console.log(`| resnet18 | ${threads} | ${ms(t.plain)} | ${ms(t.auto)} | ${(t.plain / t.auto).toFixed(2)} | ` +
      `${picks.length} (${f4} F(4,3), ${picks.length - f4} F(2,3)) |`);
  }
}
