/**
 * `fit`, `evaluate` and `predict` off the calling thread: each job runs in a worker
 * thread (worker.ts) on a copy of the model, so a server's event loop keeps
 * serving while a network trains. The layer code stays synchronous; only this
 * module knows about threads. Training data is placed in shared memory once and
 * read by the worker in place; the trained weights are copied back into the
 * model after every epoch, so `onEpochEnd` sees them.
 *
 * The model here changes only between epochs (or, on a non-finite loss, to the
 * weights just before it), so whatever stops a job — an abort, a callback that
 * throws, a worker that dies — leaves it whole, as of its last finished epoch.
 * Checkpoints are written by the worker (checkpoint.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { checkAugment, type AugmentSpec } from '../data/augment.js';
import type { Metadata } from '../io/model-file.js';
import type { Checkpoint } from './checkpoint.js';
import { checkDataset } from '../data/dataset.js';
import { checkInteger, formatShape } from '../errors.js';
import type { Graph } from '../models/graph.js';
import { Tensor } from '../tensor.js';
import type { TrainingData } from './loop.js';
import type { BatchLog, EpochLog, Job, Report, WireData, WireFitOptions, WireTensor } from './protocol.js';
import { snapshot, restoreValues } from './snapshot.js';
import { makeLoss, makeOptimizer, makeSchedule, type LossSpec, type OptimizerSpec, type ScheduleSpec } from './specs.js';

export interface FitCallbacks {
  /** After every mini-batch, on the calling thread. */
  onBatchEnd?(log: BatchLog): void;
  /** After every epoch, once the model holds that epoch's weights. */
  onEpochEnd?(log: EpochLog): void;
}

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Default { type: 'adam', lr: 1e-3 }. */
  optimizer?: OptimizerSpec;
  /** Default 'softmaxCrossEntropy'. */
  loss?: LossSpec;
  /** A learning-rate schedule, stepped before each epoch (or each batch: `every: 'batch'`). */
  schedule?: ScheduleSpec;
  /** Clip the global gradient norm to this value before each update. */
  clipNorm?: number;
  /** Evaluated after each epoch (valLoss, valAccuracy in the epoch log). */
  validationData?: TrainingData;
  /** Shuffle each epoch (default true), seeded by seed + epoch. */
  shuffle?: boolean;
  /** Default 0. */
  seed?: number;
  callbacks?: FitCallbacks;
  /** Stops training: the promise rejects with an AbortError, the model keeps its last finished epoch. */
  signal?: AbortSignal;
  /**
   * Random crop and flip of each training batch, in the worker, seeded by (seed, epoch,
   * batch); see `st.data.augment`. Validation data is never augmented.
   */
  augment?: AugmentSpec;
  /**
   * A NaN or infinite loss or gradient: `'stop'` (default) rejects with an error naming
   * the epoch and batch and keeps the weights from before that batch; `'skip'` skips
   * that batch's update and counts it in the epoch log's `skippedBatches`.
   */
  nonFinite?: 'stop' | 'skip';
  /**
   * Writes a checkpoint (model, optimizer state, schedule position, epoch) every
   * `everyEpochs` epochs (default 1) and after the last, atomically; `metadata` is stored with it.
   */
  checkpoint?: { path: string; everyEpochs?: number; metadata?: Metadata };
  /**
   * Goes on from a checkpoint (a file, or `loadCheckpoint`'s result): the model takes its
   * weights, the optimizer and schedule their state, and training starts at the epoch
   * after it, up to `epochs` in all. The options that decide the numbers (seed, batch
   * size, optimizer, schedule, ...) must be those of the run that wrote it: the result
   * is then bit for bit that of a run that never stopped.
   */
  resume?: string | Checkpoint;
  /** Memory limits of the worker thread (Node's `resourceLimits`); a worker over them dies and fit rejects. */
  resourceLimits?: ResourceLimits;
}

export interface History {
  epochs: EpochLog[];
}

const workerPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'training', 'worker.js');

/**
 * Float32 data in shared memory (as it is, if it already is). A training set can be
 * hundreds of megabytes: it is copied in slices, yielding to the event loop between
 * them, so the copy does not stall a server either.
 */
async function shared(data: Float32Array): Promise<Float32Array> {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const out = new Float32Array(new SharedArrayBuffer(data.byteLength));
  const slice = 1 << 20;
  for (let start = 0; start < data.length; start += slice) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    out.set(data.subarray(start, start + slice), start);
  }
  return out;
}

async function wireTensor(t: Tensor): Promise<WireTensor> {
  return { data: await shared(t.data), shape: [...t.shape] };
}

function checkData(op: string, name: string, data: TrainingData, model: Graph): void {
  if (typeof data !== 'object' || data === null) throw new TypeError(`${op}: ${name} must be { images, labels } or { images, targets }`);
  const want = model.inputShapes[0];
  const images = data.images;
  if (!(images instanceof Tensor)) throw new TypeError(`${op}: ${name}.images must be a Tensor`);
  if (images.rank !== want.length + 1 || want.some((d, i) => images.shape[i + 1] !== d))
    throw new RangeError(`${op}: ${name}.images must be [N, ${want.join(', ')}] for this model, got ${formatShape(images.shape)}`);
  if ('targets' in data) {
    if (!(data.targets instanceof Tensor) || data.targets.shape[0] !== images.shape[0])
      throw new RangeError(`${op}: ${name}.targets must be a Tensor with one row per image`);
    return;
  }
  checkDataset(`${op}: ${name}`, data);
}

async function wireData(data: TrainingData): Promise<WireData> {
  if ('targets' in data) return { images: await wireTensor(data.images), targets: await wireTensor(data.targets) };
  return { images: await wireTensor(data.images), labels: data.labels };
}

/** Runs one job in a fresh worker; `onReport` sees each report before the job settles. */
function runJob(
  job: Job, onReport: (r: Report) => void, signal?: AbortSignal, resourceLimits?: ResourceLimits,
  onError?: (report: Extract<Report, { kind: 'error' }>) => void,
): Promise<void> {
  if (!existsSync(workerPath))
    return Promise.reject(new Error(`striate: ${workerPath} is missing; build the TypeScript with \`npm run build\``));
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    const worker = new Worker(workerPath, { workerData: job, resourceLimits });
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      if (err) reject(err);
      else resolve();
    };
    const abort = () => settle(signal!.reason ?? new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', abort);
    worker.on('message', (report: Report) => {
      if (settled) return;
      try {
        if (report.kind === 'error') {
          onError?.(report);
          const err = new Error(report.message);
          err.name = report.name;
          err.stack = report.stack;
          return settle(err);
        }
        if (report.kind === 'done') return settle();
        onReport(report);
      } catch (err) {
        settle(err); // a callback threw: stop training and pass its error on
      }
    });
    // The worker died (out of memory, an uncaught error): the model here was never touched mid-epoch.
    worker.on('error', (err) =>
      settle(new Error(`striate: the ${job.kind} worker died: ${err.message}; the model keeps the weights of its last finished epoch`, { cause: err })),
    );
    worker.on('exit', (code) =>
      settle(new Error(`striate: the ${job.kind} worker exited with code ${code} before finishing; the model keeps the weights of its last finished epoch`)),
    );
  });
}

/** See Graph.fit. */
export async function fit(model: Graph, data: TrainingData, options: FitOptions = {}): Promise<History> {
  const op = 'fit';
  checkData(op, 'data', data, model);
  if (options.validationData) checkData(op, 'validationData', options.validationData, model);
  if (options.augment !== undefined && data.images.rank !== 4)
    throw new RangeError(`fit: augment needs images [N, C, H, W], got ${formatShape(data.images.shape)}`);
  const nonFinite = options.nonFinite ?? 'stop';
  if (nonFinite !== 'stop' && nonFinite !== 'skip') throw new RangeError(`fit: nonFinite must be 'stop' or 'skip', got ${String(nonFinite)}`);
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined && (typeof checkpoint !== 'object' || checkpoint === null || typeof checkpoint.path !== 'string'))
    throw new TypeError('fit: checkpoint must be { path, everyEpochs? }');
  const fitOptions: WireFitOptions = {
    epochs: checkInteger(op, 'epochs', options.epochs ?? 1, 1),
    batchSize: checkInteger(op, 'batchSize', options.batchSize ?? 32, 1),
    shuffle: options.shuffle ?? true,
    seed: checkInteger(op, 'seed', options.seed ?? 0, 0),
    optimizer: options.optimizer ?? { type: 'adam', lr: 1e-3 },
    loss: options.loss ?? 'softmaxCrossEntropy',
    schedule: options.schedule,
    clipNorm: options.clipNorm,
    augment: options.augment && checkAugment(op, options.augment),
    nonFinite,
    checkpoint: checkpoint && {
      path: path.resolve(checkpoint.path),
      everyEpochs: checkInteger(op, 'checkpoint.everyEpochs', checkpoint.everyEpochs ?? 1, 1),
      metadata: checkpoint.metadata ?? {},
    },
  };
  // Built once here only to check them: bad options fail before a worker starts.
  makeOptimizer(fitOptions.optimizer, model.params());
  makeLoss(fitOptions.loss);
  if (fitOptions.schedule) makeSchedule(fitOptions.schedule);
  let resume: Checkpoint | undefined;
  if (options.resume !== undefined) {
    // Imported here: checkpoint.ts reads model files, which build Sequentials, which extend Graph, which imports this module.
    const { checkResumable, loadCheckpoint } = await import('./checkpoint.js');
    const file = typeof options.resume === 'string' ? options.resume : 'the checkpoint';
    resume = typeof options.resume === 'string' ? loadCheckpoint(options.resume) : options.resume;
    checkResumable(file, resume, fitOptions);
    const want = snapshot(resume.model);
    const have = snapshot(model);
    if (JSON.stringify(want.names) !== JSON.stringify(have.names) || want.values.some((v, i) => v.length !== have.values[i].length))
      throw new RangeError(`fit: resume: ${file} holds a different network from this model`);
    restoreValues(model, want.values);
  }
  const job: Job = {
    kind: 'fit',
    model: snapshot(model),
    data: await wireData(data),
    validation: options.validationData && (await wireData(options.validationData)),
    options: fitOptions,
    resume: resume?.resume,
  };
  const history: History = { epochs: [] };
  await runJob(
    job,
    (report) => {
      if (report.kind === 'batch') options.callbacks?.onBatchEnd?.(report.log);
      else if (report.kind === 'epoch') {
        restoreValues(model, report.values);
        history.epochs.push(report.log);
        options.callbacks?.onEpochEnd?.(report.log);
      }
    },
    options.signal,
    options.resourceLimits,
    // A non-finite loss: keep the weights from just before it.
    (report) => report.values && restoreValues(model, report.values),
  );
  return history;
}

/** See Graph.evaluate. */
export async function evaluate(
  model: Graph, data: TrainingData, options: { batchSize?: number; loss?: LossSpec } = {},
): Promise<{ loss: number; accuracy: number | null }> {
  let result = { loss: NaN, accuracy: null as number | null };
  makeLoss(options.loss ?? 'softmaxCrossEntropy');
  checkData('evaluate', 'data', data, model);
  await runJob(
    {
      kind: 'evaluate',
      model: snapshot(model),
      data: await wireData(data),
      batchSize: checkInteger('evaluate', 'batchSize', options.batchSize ?? 256, 1),
      loss: options.loss ?? 'softmaxCrossEntropy',
    },
    (report) => {
      if (report.kind === 'evaluated') result = { loss: report.loss, accuracy: report.accuracy };
    },
  );
  return result;
}

/** See Graph.predictAsync. */
export async function predictAsync(model: Graph, x: Tensor, options: { batchSize?: number } = {}): Promise<Tensor> {
  if (!(x instanceof Tensor)) throw new TypeError('predict: x must be a Tensor');
  let y: Tensor | undefined;
  await runJob(
    { kind: 'predict', model: snapshot(model), x: await wireTensor(x), batchSize: checkInteger('predict', 'batchSize', options.batchSize ?? 256, 1) },
    (report) => {
      if (report.kind === 'predicted') y = new Tensor(report.y.data, report.y.shape);
    },
  );
  return y!;
}
