/**
 * `fit`, `evaluate` and `predict` off the calling thread: each job runs in a worker
 * thread (worker.ts) on a copy of the model, so a server's event loop keeps
 * serving while a network trains. The layer code stays synchronous; only this
 * module knows about threads. Training data is placed in shared memory once and
 * read by the worker in place; the trained weights are copied back into the
 * model after every epoch, so `onEpochEnd` sees them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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
function runJob(job: Job, onReport: (r: Report) => void, signal?: AbortSignal): Promise<void> {
  if (!existsSync(workerPath))
    return Promise.reject(new Error(`striate: ${workerPath} is missing; build the TypeScript with \`npm run build\``));
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    const worker = new Worker(workerPath, { workerData: job });
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
    worker.on('error', settle);
    worker.on('exit', (code) => settle(new Error(`striate: the training worker exited with code ${code}`)));
  });
}

/** See Graph.fit. */
export async function fit(model: Graph, data: TrainingData, options: FitOptions = {}): Promise<History> {
  const op = 'fit';
  checkData(op, 'data', data, model);
  if (options.validationData) checkData(op, 'validationData', options.validationData, model);
  const fitOptions: WireFitOptions = {
    epochs: checkInteger(op, 'epochs', options.epochs ?? 1, 1),
    batchSize: checkInteger(op, 'batchSize', options.batchSize ?? 32, 1),
    shuffle: options.shuffle ?? true,
    seed: checkInteger(op, 'seed', options.seed ?? 0, 0),
    optimizer: options.optimizer ?? { type: 'adam', lr: 1e-3 },
    loss: options.loss ?? 'softmaxCrossEntropy',
    schedule: options.schedule,
    clipNorm: options.clipNorm,
  };
  // Built once here only to check them: bad options fail before a worker starts.
  makeOptimizer(fitOptions.optimizer, model.params());
  makeLoss(fitOptions.loss);
  if (fitOptions.schedule) makeSchedule(fitOptions.schedule);
  const job: Job = {
    kind: 'fit',
    model: snapshot(model),
    data: await wireData(data),
    validation: options.validationData && (await wireData(options.validationData)),
    options: fitOptions,
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
