// npm run bench:memory [-- --steps 10000 --predicts 1000 --batch 32 --model resnet20 --threads N]
// Memory over a long run, in one process: --steps LeNet-5 training steps (forward,
// softmax cross-entropy, backward, SGD with momentum; 8 random MNIST-shaped batches in
// turn), then --predicts predictSync calls on a zoo model (8 random CIFAR-shaped images).
// After a full garbage collection every tenth of each phase it samples the resident set
// (RSS), the JS heap (committed by V8, and in use), the JS ArrayBuffers (where tensors
// live) and the native core's scratch (st.memoryStats(): bytes held, allocations made).
// V8 sizes its young generation to the allocation rate: when it doubles (8 to 16 MiB
// here, after about a thousand resnet20 calls) RSS steps up once by as much. Drift = the last sample
// against the one after the first tenth (the warm-up); "range" = the smallest and the
// largest sample from there on, against it.
// test/reliability/memory.test.ts asserts the same at a smaller count. Needs dist/.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describeMachine } from './lib/machine.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10000' },
    predicts: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '32' },
    model: { type: 'string', default: 'resnet20' },
    threads: { type: 'string' },
  },
  strict: true,
});
const positive = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 10) throw new RangeError(`bench:memory: --${name} must be an integer >= 10, got ${values[name]}`);
  return n;
};
const steps = positive('steps');
const predicts = positive('predicts');
const batch = Number(values.batch);
if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`bench:memory: --batch must be a positive integer, got ${values.batch}`);
if (!st.zoo.models[values.model]) throw new RangeError(`bench:memory: unknown zoo model '${values.model}'`);
if (values.threads !== undefined) st.setNumThreads(Number(values.threads));

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

function sample(step) {
  // A second collection frees what the first only found (a buffer referenced from objects it freed).
  gc();
  gc();
  const { rss, heapTotal, heapUsed, arrayBuffers } = process.memoryUsage();
  const { liveBytes, allocations } = st.memoryStats();
  return { step, rss, heapTotal, heapUsed, arrayBuffers, scratchBytes: liveBytes, scratchAllocations: allocations };
}

const MB = (b) => (b / 2 ** 20).toFixed(2);
const pct = (now, ref) => `${now >= ref ? '+' : ''}${((100 * (now - ref)) / ref).toFixed(2)}%`;

/** Runs `step` `count` times, sampling every tenth; prints the samples and the drift. */
function phase(title, count, step) {
  const start = performance.now();
  const samples = [sample(0)];
  for (let i = 1; i <= count; i++) {
    step(i);
    if (i % Math.floor(count / 10) === 0) samples.push(sample(i));
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`\n${title}: ${count} calls in ${seconds.toFixed(1)} s`);
  console.log('| call | RSS MiB | JS heap committed MiB | JS heap used MiB | ArrayBuffers MiB | scratch MiB | scratch allocations |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of samples)
    console.log(
      `| ${s.step} | ${MB(s.rss)} | ${MB(s.heapTotal)} | ${MB(s.heapUsed)} | ${MB(s.arrayBuffers)} | ${MB(s.scratchBytes)} | ` +
        `${s.scratchAllocations} |`,
    );
  const ref = samples[1];
  const last = samples[samples.length - 1];
  const rest = samples.slice(1);
  const line = (key, show) => {
    const min = Math.min(...rest.map((s) => s[key]));
    const max = Math.max(...rest.map((s) => s[key]));
    return `  ${key.padEnd(19)} after warm-up ${show(ref[key])}, last ${show(last[key])} (${pct(last[key], ref[key])}), ` +
      `range ${show(min)} to ${show(max)} (${pct(min, ref[key])} to ${pct(max, ref[key])})`;
  };
  console.log(`drift from call ${ref.step} to call ${last.step}:`);
  console.log(line('rss', (b) => `${MB(b)} MiB`));
  console.log(line('heapTotal', (b) => `${MB(b)} MiB`));
  console.log(line('heapUsed', (b) => `${MB(b)} MiB`));
  console.log(line('arrayBuffers', (b) => `${MB(b)} MiB`));
  console.log(line('scratchBytes', (b) => `${MB(b)} MiB`));
  console.log(line('scratchAllocations', String));
}

const info = st.backendInfo();
const machine = describeMachine();
console.log(
  `bench:memory on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; isa ${info.isa}, ${info.threads} threads`,
);

const lenet = st.zoo.lenet5({ seed: 1 });
const loss = new st.nn.SoftmaxCrossEntropy();
const optimizer = new st.optim.SGD(lenet.params(), { lr: 0.01, momentum: 0.9 });
const batches = Array.from({ length: 8 }, (_, k) => ({
  x: st.randn([batch, 1, 32, 32], { seed: 10 + k }),
  labels: Int32Array.from({ length: batch }, (_, i) => (i * 7 + k) % 10),
}));
phase(`LeNet-5 training steps, batch ${batch}`, steps, (i) => {
  const { x, labels } = batches[i % batches.length];
  lenet.zeroGrad();
  loss.forward(lenet.forward(x, { training: true }), labels);
  lenet.backward(loss.backward(), { inputGrad: false });
  optimizer.step();
});

const zooModel = st.zoo.models[values.model]({ numClasses: 10, seed: 1 });
const images = st.randn([8, ...zooModel.inputShapes[0]], { seed: 2 });
phase(`${values.model} predictSync, batch 8`, predicts, () => zooModel.predictSync(images));
