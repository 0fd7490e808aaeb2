// npm run bench:lenet [-- --threads 1,2 --epochs 3 --images 10000 --profile]
// LeNet-5 training throughput on MNIST, synchronously through trainBatch (the loop
// model.fit runs in its worker), on the built dist/ and build/Release addon.
// Data: the first `--images` training images, padded 28 -> 32, normalised; batch 64,
// SGD lr 0.01 momentum 0.9, SoftmaxCrossEntropy. The batches are views made once
// before timing, so the numbers are the training step alone (forward, loss, backward,
// update), not the data pipeline. One warm-up epoch, then images/s as the median of
// `--epochs` timed epochs, for each thread count.
// --profile: per layer type, forward and backward milliseconds per batch (plus the
// loss, zeroGrad and the optimizer step), from one more epoch with timers around them.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);
const { trainBatch } = await import(pathToFileURL(path.join(root, 'dist', 'training', 'loop.js')).href);

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    epochs: { type: 'string', default: '3' },
    images: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '64' },
    profile: { type: 'boolean', default: false },
  },
  strict: true,
});
const threadCounts = values.threads.split(',').map(Number);
const epochs = Number(values.epochs);
const count = Number(values.images);
const batchSize = Number(values.batch);

const mnist = st.data.loadMnist({ split: 'train' });
const first = new st.Tensor(mnist.images.data.slice(0, count * 28 * 28), [count, 1, 28, 28]);
const images = st.data.normalize(st.data.padImages(first, 2), { mean: 0.1307, std: 0.3081 });
const labels = mnist.labels.slice(0, count);

const batches = [];
for (let start = 0; start < count; start += batchSize) {
  const end = Math.min(count, start + batchSize);
  batches.push({
    x: new st.Tensor(images.data.subarray(start * 1024, end * 1024), [end - start, 1, 32, 32]),
    t: labels.subarray(start, end),
  });
}

function lenet5() {
  const nn = st.nn;
  return new st.Sequential(
    [
      new nn.Conv2D({ filters: 6, kernelSize: 5 }), new nn.ReLU(), new nn.MaxPool2D({ kernelSize: 2 }),
      new nn.Conv2D({ filters: 16, kernelSize: 5 }), new nn.ReLU(), new nn.MaxPool2D({ kernelSize: 2 }),
      new nn.Flatten(),
      new nn.Dense({ units: 120 }), new nn.ReLU(),
      new nn.Dense({ units: 84 }), new nn.ReLU(),
      new nn.Dense({ units: 10 }),
    ],
    { inputShape: [1, 32, 32], seed: 1 },
  );
}

function epoch(model, loss, optimizer) {
  let total = 0;
  for (const { x, t } of batches) total += trainBatch(model, loss, optimizer, x, t).loss;
  return total / batches.length;
}

// Wraps obj[name] so its time adds to totals[key]; returns a function that undoes it.
// Only outermost calls count (a convolution's backward calls its accumulateParamGrads).
let depth = 0;
function timeMethod(obj, name, totals, key) {
  const original = obj[name];
  obj[name] = function timed(...args) {
    const start = performance.now();
    depth++;
    try {
      return original.apply(this, args);
    } finally {
      if (--depth === 0) totals.set(key, (totals.get(key) ?? 0) + performance.now() - start);
    }
  };
  return () => delete obj[name];
}

function profile(model, loss, optimizer) {
  const totals = new Map();
  const undo = [];
  for (const layer of model.layers) {
    undo.push(timeMethod(layer, 'forward', totals, `${layer.type} fwd`));
    undo.push(timeMethod(layer, 'backward', totals, `${layer.type} bwd`));
    undo.push(timeMethod(layer, 'accumulateParamGrads', totals, `${layer.type} bwd, no dx`));
  }
  undo.push(timeMethod(loss, 'forward', totals, 'loss fwd'));
  undo.push(timeMethod(loss, 'backward', totals, 'loss bwd'));
  undo.push(timeMethod(model, 'zeroGrad', totals, 'zeroGrad'));
  undo.push(timeMethod(optimizer, 'step', totals, 'optimizer step'));
  const start = performance.now();
  epoch(model, loss, optimizer);
  const wall = performance.now() - start;
  undo.forEach((f) => f());
  const perBatch = (ms) => (ms / batches.length).toFixed(3);
  console.log(`  profile (ms per batch of ${batchSize}; whole step ${perBatch(wall)}):`);
  let covered = 0;
  for (const [key, ms] of [...totals].sort((a, b) => b[1] - a[1])) {
    covered += ms;
    console.log(`    ${key.padEnd(18)} ${perBatch(ms).padStart(8)}  ${((100 * ms) / wall).toFixed(1).padStart(5)}%`);
  }
  console.log(`    ${'other'.padEnd(18)} ${perBatch(wall - covered).padStart(8)}  ${((100 * (wall - covered)) / wall).toFixed(1).padStart(5)}%`);
}

const info = st.backendInfo();
console.log(
  `LeNet-5 training, ${count} MNIST images, batch ${batchSize}, SGD(lr 0.01, momentum 0.9); isa ${info.isa}, ` +
    `${info.hardwareThreads} hardware threads, OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? '(unset)'}`,
);
console.log('| threads | images/s (median) | min | max | ms/batch | final loss |');
console.log('|---:|---:|---:|---:|---:|---:|');
const profiles = [];
for (const threads of threadCounts) {
  st.setNumThreads(threads);
  const model = lenet5();
  const loss = new st.nn.SoftmaxCrossEntropy();
  const optimizer = new st.optim.SGD(model.params(), { lr: 0.01, momentum: 0.9 });
  epoch(model, loss, optimizer);
  const rates = [];
  let last = 0;
  for (let e = 0; e < epochs; e++) {
    const start = performance.now();
    last = epoch(model, loss, optimizer);
    rates.push(count / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  console.log(
    `| ${threads} | ${median.toFixed(0)} | ${rates[0].toFixed(0)} | ${rates[rates.length - 1].toFixed(0)} | ` +
      `${((1000 * batchSize) / median).toFixed(2)} | ${last.toFixed(4)} |`,
  );
  if (values.profile) profiles.push(() => {
    st.setNumThreads(threads);
    console.log(`threads ${threads}:`);
    profile(model, loss, optimizer);
  });
}
for (const run of profiles) run();
