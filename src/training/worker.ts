/**
 * The worker thread that runs `fit`, `evaluate` and `predict` for a model, so the
 * thread that owns the model (a server's event loop) stays free. It rebuilds the
 * model from its snapshot, runs the synchronous loop of loop.ts, and reports.
 *
 * Everything random in an epoch is seeded from (seed, epoch): the shuffle, each
 * batch's augmentation (seed, epoch, batch) and the dropout streams, restarted
 * before every epoch. An epoch therefore does not depend on how the run got there,
 * which is what lets a run resumed from a checkpoint match one that never stopped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Graph } from '../models/graph.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { augment, streamSeed } from '../data/augment.js';
import { writeCheckpoint } from './checkpoint.js';
import { epochBatches, evaluateData, trainBatch, type TrainingData } from './loop.js';
import type { EpochLog, Job, ModelSnapshot, Report, WireData, WireTensor } from './protocol.js';
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

/** A layer with a random stream that `fit` restarts each epoch (dropout, stochastic pooling). */
interface Reseedable {
  seed: number | undefined;
  reseed(seed: number): void;
}

const reseedable = (layer: object): layer is Reseedable => typeof (layer as Partial<Reseedable>).reseed === 'function';

/** Thrown when a loss or gradient is not finite under `nonFinite: 'stop'`; carries the weights before it. */
class NonFiniteError extends Error {
  constructor(message: string, readonly values: Float32Array[]) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

function fit(job: Extract<Job, { kind: 'fit' }>): void {
  const { options } = job;
  const model = restore(job.model);
  const optimizer = makeOptimizer(options.optimizer, model.params());
  const loss = makeLoss(options.loss);
  const schedule = options.schedule && makeSchedule(options.schedule);
  if (job.resume) {
    optimizer.loadState(job.resume.optimizer);
    if (schedule && job.resume.schedule) schedule.loadState(job.resume.schedule);
  }
  const train = data(job.data);
  const validation = job.validation && data(job.validation);
  const n = train.images.shape[0];
  const batchesPerEpoch = Math.ceil(n / options.batchSize);
  const perBatch = options.schedule?.every === 'batch';
  const history: EpochLog[] = [...(job.resume?.history ?? [])];
  for (let epoch = job.resume?.epoch ?? 0; epoch < options.epochs; epoch++) {
    // Every random stream restarts from (seed, epoch): shuffle, augmentation, dropout.
    for (const layer of model.layers) if (reseedable(layer)) layer.reseed(streamSeed(layer.seed ?? 0, options.seed, epoch));
    if (schedule && !perBatch) schedule.step(optimizer);
    const start = performance.now();
    let total = 0;
    let correct = 0;
    let seen = 0;
    let batch = 0;
    let skipped = 0;
    const order = { batchSize: options.batchSize, shuffle: options.shuffle, seed: options.seed + epoch };
    for (const { x, t } of epochBatches(train, order)) {
      if (schedule && perBatch) schedule.step(optimizer);
      const input = options.augment ? augment(x, options.augment, streamSeed(options.seed, epoch, batch)) : x;
      const r = trainBatch(model, loss, optimizer, input, t, { clipNorm: options.clipNorm, checkFinite: true });
      if (!r.finite) {
        const what = Number.isFinite(r.loss) ? 'a gradient' : `the loss (${r.loss})`;
        if (options.nonFinite === 'stop')
          throw new NonFiniteError(
            `fit: ${what} is not finite at epoch ${epoch}, batch ${batch} (0-based, of ${batchesPerEpoch}); ` +
              `the model keeps the weights from before that batch (nonFinite: 'skip' skips such batches)`,
            snapshotValues(model),
          );
        skipped++;
        batch++;
        continue;
      }
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
    const log: EpochLog = {
      epoch, loss: total / seen, accuracy: 'labels' in train ? correct / seen : null,
      seconds, imagesPerSecond: seen / seconds, lr: optimizer.lr,
      ...(validation && (({ loss: valLoss, accuracy: valAccuracy }) => ({ valLoss, valAccuracy }))(
        evaluateData(model, loss, validation, options.batchSize),
      )),
      ...(skipped > 0 && { skippedBatches: skipped }),
    };
    history.push(log);
    const done = epoch + 1;
    const cp = options.checkpoint;
    if (cp && (done % cp.everyEpochs === 0 || done === options.epochs)) {
      // Set first: the history saved in the checkpoint holds this log, which a resumed run reports as this run would.
      log.checkpoint = cp.path;
      writeCheckpoint(cp.path, model, history, optimizer, schedule, options, cp.metadata);
    }
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
      // The weights are this job's own copy, so a plan compiled from them cannot go stale.
      const model = restore(job.model);
      // No slice is larger than the input: a batchSize past it would only size the arena for nothing.
      const batchSize = Math.min(job.batchSize, Math.max(1, job.x.shape[0]));
      model.compile({ batchSize });
      const y = model.predictSync(tensor(job.x), { batchSize });
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
  const values = err instanceof NonFiniteError ? err.values : undefined;
  post({ kind: 'error', name: e.name, message: e.message, stack: e.stack, values }, values?.map((v) => v.buffer as ArrayBuffer));
}
