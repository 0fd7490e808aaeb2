// npm run bench:event-loop [-- --images 60000 --threads 2]
// Does training block the server? LeNet-5 trains on MNIST through model.fit (a worker
// thread) while the main thread runs a 5 ms setInterval and perf_hooks measures the
// event-loop delay. For contrast, the same work done by a synchronous loop on the main
// thread (a few hundred batches) shows what blocking looks like. Lag percentiles come
// from monitorEventLoopDelay (which cannot sample while the loop is blocked); the
// longest gap between two timer callbacks catches a block of any length.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as st from '../dist/index.js';
import { trainBatch } from '../dist/training/loop.js';
import { makeLoss, makeOptimizer } from '../dist/training/specs.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '60000' }, threads: { type: 'string' } } });
if (values.threads) st.setNumThreads(Number(values.threads));
const raw = st.data.loadMnist({ split: 'train' });
const count = Math.min(Number(values.images), raw.labels.length);
const sub = st.data.subset(raw, Int32Array.from({ length: count }, (_, i) => i));
const train = { images: st.data.normalize(st.data.padImages(sub.images, 2), { mean: 0.1307, std: 0.3081 }), labels: sub.labels };
const optimizer = { type: 'sgd', lr: 0.01, momentum: 0.9 };

async function measure(label, work) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let ticks = 0;
  let last = performance.now();
  let longestGap = 0;
  const tick = () => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  };
  const timer = setInterval(() => {
    ticks++;
    tick();
  }, 5);
  histogram.enable();
  const start = performance.now();
  await work();
  tick();
  const seconds = (performance.now() - start) / 1000;
  histogram.disable();
  clearInterval(timer);
  const ms = (ns) => (ns / 1e6).toFixed(1);
  console.log(
    `| ${label} | ${seconds.toFixed(1)} | ${ticks} of ${Math.floor((seconds * 1000) / 5)} | ` +
      `${ms(histogram.percentile(50))} | ${ms(histogram.percentile(99))} | ${longestGap.toFixed(1)} |`,
  );
}

const info = st.backendInfo();
console.log(`LeNet-5, batch 64, SGD momentum 0.9, ${count} MNIST images; ${info.isa}, ${info.threads} threads\n`);
console.log('| training | seconds | 5 ms ticks fired (of expected) | lag p50 ms | lag p99 ms | longest gap between ticks, ms |');
console.log('|---|---:|---:|---:|---:|---:|');
await measure('model.fit (worker thread)', () => st.zoo.lenet5().fit(train, { epochs: 1, batchSize: 64, optimizer }));
const model = st.zoo.lenet5();
const opt = makeOptimizer(optimizer, model.params());
const loss = makeLoss('softmaxCrossEntropy');
const few = st.data.subset(train, Int32Array.from({ length: Math.min(count, 6400) }, (_, i) => i));
await measure('synchronous loop on the main thread', async () => {
  for (const { x, y } of st.data.batches(few, { batchSize: 64, shuffle: true })) trainBatch(model, loss, opt, x, y);
});
