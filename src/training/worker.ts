/**
 * The worker thread that runs `fit`, `evaluate` and `predict` for a model, so the
 * thread that owns the model (a server's event loop) stays free. It rebuilds the
 * model from its snapshot, runs the synchronous loop of loop.ts, and reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Graph } from '../models/graph.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { epochBatches, evaluateData, trainBatch, type TrainingData } from './loop.js';
import type { Job, ModelSnapshot, Report, WireData, WireTensor } from './protocol.js';
import { makeLoss, makeOptimizer, makeSchedule } from './specs.js';
import { restoreValues, snapshotValues } from './snapshot.js';

const post = (report: Report, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(report, transfer);
const tensor = (t: WireTensor) => new Tensor(t.data, t.shape);
const data = (d: WireData): TrainingData =>
  'labels' in d ? { images: tensor(d.images), labels: d.labels } : { images: tensor(d.images), targets: tensor(d.targets) };

function restore(snapshot: ModelSnapshot): Graph {
  const model = Graph.fromConfig(snapshot.config);
  restoreValues(model, snapshot.values);
  return model;
}

function fit(job: Extract<Job, { kind: 'fit' }>): void {
  const { options } = job;
  const model = restore(job.model);
  const optimizer = makeOptimizer(options.optimizer, model.params());
  const loss = makeLoss(options.loss);
  const schedule = options.schedule && makeSchedule(options.schedule);
  const train = data(job.data);
  const validation = job.validation && data(job.validation);
  const n = train.images.shape[0];
  const batchesPerEpoch = Math.ceil(n / options.batchSize);
  const perBatch = options.schedule?.every === 'batch';
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    if (schedule && !perBatch) schedule.step(optimizer);
    const start = performance.now();
    let total = 0;
    let correct = 0;
    let seen = 0;
    let batch = 0;
    const order = { batchSize: options.batchSize, shuffle: options.shuffle, seed: options.seed + epoch };
    for (const { x, t } of epochBatches(train, order)) {
      if (schedule && perBatch) schedule.step(optimizer);
      const r = trainBatch(model, loss, optimizer, x, t, options.clipNorm);
      total += r.loss * r.size;
      correct += r.correct ?? 0;
      seen += r.size;
      const seconds = (performance.now() - start) / 1000;
      post({
        kind: 'batch',
        log: {
          epoch, batch: batch++, batches: batchesPerEpoch, loss: r.loss,
          accuracy: r.correct === null ? null : correct / seen, imagesPerSecond: seen / seconds,
        },
      });
    }
    const seconds = (performance.now() - start) / 1000;
    const log = {
      epoch, loss: total / seen, accuracy: 'labels' in train ? correct / seen : null,
      seconds, imagesPerSecond: seen / seconds, lr: optimizer.lr,
      ...(validation && (({ loss: valLoss, accuracy: valAccuracy }) => ({ valLoss, valAccuracy }))(
        evaluateData(model, loss, validation, options.batchSize),
      )),
    };
    const values = snapshotValues(model);
    post({ kind: 'epoch', log, values }, values.map((v) => v.buffer as ArrayBuffer));
  }
}

function run(job: Job): void {
  switch (job.kind) {
    case 'fit':
      fit(job);
      break;
    case 'evaluate': {
      const result = evaluateData(restore(job.model), makeLoss(job.loss), data(job.data), job.batchSize);
      post({ kind: 'evaluated', ...result });
      break;
    }
    case 'predict': {
      const y = restore(job.model).predictSync(tensor(job.x), { batchSize: job.batchSize });
      post({ kind: 'predicted', y: { data: y.data, shape: [...y.shape] } }, [y.data.buffer as ArrayBuffer]);
      break;
    }
  }
  post({ kind: 'done' });
}

try {
  native.lowerComputePriority();
  run(workerData as Job);
} catch (err) {
  const e = err as Error;
  post({ kind: 'error', name: e.name, message: e.message, stack: e.stack });
}
