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
import { checkMetadata, type Metadata } from '../io/model-file.js';
import type { Checkpoint } from './checkpoint.js';
import { checkDataset } from '../data/dataset.js';
import {
  checkBoolean, checkInteger, checkObject, checkTensorData, describeType, describeValue, formatShape, isPlainObject, MAX_ELEMENTS, orDefault,
} from '../errors.js';
import type { Graph } from '../models/graph.js';
import { checkRange } from '../optim/checks.js';
import { Tensor } from '../tensor.js';
import type { TrainingData } from './loop.js';
import type { BatchLog, EpochLog, Job, Report, WireData, WireFitOptions, WireTensor } from './protocol.js';
import { snapshot, restoreValues } from './snapshot.js';
import { makeLoss, makeOptimizer, makeSchedule, type Loss, type LossSpec, type OptimizerSpec, type ScheduleSpec } from './specs.js';

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
  /** onBatchEnd and/or onEpochEnd; an object with neither is refused (a misspelt name would go unnoticed). */
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
  /** Memory limits of the worker thread (Node's `resourceLimits`, each > 0 MB); a worker over them dies and fit rejects. */
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

/** Checks a model input `x`: a Tensor with its data, shaped [N, ...the model's input shape]. */
function checkInput(op: string, name: string, x: unknown, model: Graph): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describeType(x)}`);
  checkTensorData(op, name, x);
  const want = model.inputShapes[0];
  if (x.rank !== want.length + 1 || want.some((d, i) => x.shape[i + 1] !== d))
    throw new RangeError(`${op}: ${name} must be [N, ${want.join(', ')}] for this model, got ${formatShape(x.shape)}`);
  return x;
}

/**
 * Checks a dataset against the model and the loss, here on the calling thread: the
 * worker would find the same problems only after copying the data, and its error
 * could not name the argument.
 */
function checkData(op: string, name: string, data: unknown, model: Graph, loss: Loss['type']): asserts data is TrainingData {
  if (typeof data !== 'object' || data === null)
    throw new TypeError(`${op}: ${name} must be { images, labels } or { images, targets }, got ${describeType(data)}`);
  const images = checkInput(op, `${name}.images`, (data as { images?: unknown }).images, model);
  const n = images.shape[0];
  if (n === 0) throw new RangeError(`${op}: ${name} has no examples (images ${formatShape(images.shape)})`);
  const out = model.outputShape;
  if (loss === 'softmaxCrossEntropy' && out.length !== 1)
    throw new RangeError(`${op}: the softmaxCrossEntropy loss needs a model whose output is [N, classes], this one's is [N, ${out.join(', ')}]`);
  if ('targets' in data) {
    const targets = data.targets;
    if (!(targets instanceof Tensor)) throw new TypeError(`${op}: ${name}.targets must be a Tensor, got ${describeType(targets)}`);
    checkTensorData(op, `${name}.targets`, targets);
    if (targets.rank !== out.length + 1 || targets.shape[0] !== n || out.some((d, i) => targets.shape[i + 1] !== d))
      throw new RangeError(
        `${op}: ${name}.targets must be [${n}, ${out.join(', ')}] (a row per image, shaped like the model's output), got ${formatShape(targets.shape)}`,
      );
    if (loss === 'binaryCrossEntropy')
      for (let i = 0; i < targets.size; i++)
        if (!(targets.data[i] >= 0 && targets.data[i] <= 1))
          throw new RangeError(`${op}: ${name}.targets must lie in [0, 1] for the binaryCrossEntropy loss, got ${targets.data[i]} at index ${i}`);
    return;
  }
  checkDataset(`${op}: ${name}`, data);
  if (loss !== 'softmaxCrossEntropy')
    throw new TypeError(`${op}: ${name} has class labels, but the ${loss} loss needs targets, a Tensor [N, ${out.join(', ')}]`);
  const { labels } = data as { labels: Int32Array | Uint8Array };
  for (let i = 0; i < labels.length; i++)
    if (labels[i] < 0 || labels[i] >= out[0])
      throw new RangeError(`${op}: ${name}.labels[${i}] must be a class index in [0, ${out[0]}) for this model's ${out[0]} outputs, got ${labels[i]}`);
}

/** A batch size: an integer >= 1, and no more than one typed array can hold. */
function checkBatchSize(op: string, value: unknown, fallback: number): number {
  const batchSize = checkInteger(op, 'batchSize', orDefault(value, fallback), 1);
  if (batchSize > MAX_ELEMENTS) throw new RangeError(`${op}: batchSize must be at most ${MAX_ELEMENTS}, got ${batchSize}`);
  return batchSize;
}

/** Worker limits Node knows (see Worker's resourceLimits). */
const RESOURCE_LIMITS = ['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];

function checkResourceLimits(op: string, limits: unknown): ResourceLimits | undefined {
  if (limits === undefined) return undefined;
  if (!isPlainObject(limits))
    throw new TypeError(`${op}: resourceLimits must be an object like { maxOldGenerationSizeMb: 4096 }, got ${describeValue(limits)}`);
  for (const [key, value] of Object.entries(limits)) {
    if (!RESOURCE_LIMITS.includes(key)) throw new RangeError(`${op}: resourceLimits has no limit '${key}' (${RESOURCE_LIMITS.join(', ')})`);
    // Node takes a negative or zero limit as it is, and the worker dies at once.
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new RangeError(`${op}: resourceLimits.${key} must be a number of megabytes > 0, got ${describeValue(value)}`);
  }
  return limits;
}

function checkCallbacks(op: string, callbacks: unknown): FitCallbacks | undefined {
  if (callbacks === undefined) return undefined;
  const form = 'an object with onBatchEnd and/or onEpochEnd';
  if (typeof callbacks !== 'object' || callbacks === null) throw new TypeError(`${op}: callbacks must be ${form}, got ${describeValue(callbacks)}`);
  const c = callbacks as Record<string, unknown>;
  // A typo (onEpochEnded) would otherwise leave a run with no callback and no error.
  if (!('onBatchEnd' in c) && !('onEpochEnd' in c)) throw new TypeError(`${op}: callbacks must be ${form}, got ${describeType(callbacks)} with neither`);
  for (const key of ['onBatchEnd', 'onEpochEnd'])
    if (c[key] !== undefined && typeof c[key] !== 'function')
      throw new TypeError(`${op}: callbacks.${key} must be a function, got ${describeValue(c[key])}`);
  return callbacks as FitCallbacks;
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
          // The worker's checks throw TypeError and RangeError too: the caller sees the same class.
          const err = new (report.name === 'TypeError' ? TypeError : report.name === 'RangeError' ? RangeError : Error)(report.message);
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
  // Everything is checked here, before a worker starts: an error then names the option.
  checkObject(op, 'options', options, 'an object like { epochs, batchSize }');
  const loss = orDefault<LossSpec>(options.loss, 'softmaxCrossEntropy');
  const lossType = makeLoss(loss).type;
  checkData(op, 'data', data, model, lossType);
  if (options.validationData !== undefined) checkData(op, 'validationData', options.validationData, model, lossType);
  if (options.augment !== undefined && data.images.rank !== 4)
    throw new RangeError(`fit: augment needs images [N, C, H, W], got ${formatShape(data.images.shape)}`);
  const nonFinite = orDefault(options.nonFinite, 'stop');
  if (nonFinite !== 'stop' && nonFinite !== 'skip') throw new RangeError(`fit: nonFinite must be 'stop' or 'skip', got ${describeValue(nonFinite)}`);
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined) {
    checkObject(op, 'checkpoint', checkpoint, '{ path, everyEpochs? }');
    if (typeof checkpoint.path !== 'string' || checkpoint.path === '')
      throw new TypeError(`fit: checkpoint.path must be a non-empty path, got ${describeValue(checkpoint.path)}`);
    if (checkpoint.metadata !== undefined) checkMetadata(op, 'checkpoint.metadata', checkpoint.metadata);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new TypeError(`fit: signal must be an AbortSignal, got ${describeValue(options.signal)}`);
  const callbacks = checkCallbacks(op, options.callbacks);
  const resourceLimits = checkResourceLimits(op, options.resourceLimits);
  const fitOptions: WireFitOptions = {
    epochs: checkInteger(op, 'epochs', orDefault(options.epochs, 1), 1),
    batchSize: checkBatchSize(op, options.batchSize, 32),
    shuffle: checkBoolean(op, 'shuffle', options.shuffle, true),
    seed: checkInteger(op, 'seed', orDefault(options.seed, 0), 0),
    optimizer: orDefault<OptimizerSpec>(options.optimizer, { type: 'adam', lr: 1e-3 }),
    loss,
    schedule: options.schedule,
    clipNorm: options.clipNorm === undefined ? undefined : checkRange(op, 'clipNorm', options.clipNorm, 0, Infinity),
    augment: options.augment === undefined ? undefined : checkAugment(op, options.augment),
    nonFinite,
    checkpoint: checkpoint && {
      path: path.resolve(checkpoint.path),
      everyEpochs: checkInteger(op, 'checkpoint.everyEpochs', orDefault(checkpoint.everyEpochs, 1), 1),
      metadata: orDefault(checkpoint.metadata, {}),
    },
  };
  // Built once here only to check them: bad options fail before a worker starts.
  const optimizer = makeOptimizer(fitOptions.optimizer, model.params());
  const schedule = fitOptions.schedule === undefined ? undefined : makeSchedule(fitOptions.schedule);
  let resume: Checkpoint | undefined;
  if (options.resume !== undefined) {
    // Imported here: checkpoint.ts reads model files, which build Sequentials, which extend Graph, which imports this module.
    const { checkResumable, loadCheckpoint } = await import('./checkpoint.js');
    if (options.resume === '') throw new TypeError('fit: resume must be a checkpoint file or what loadCheckpoint returned, got an empty string');
    const file = typeof options.resume === 'string' ? options.resume : 'the checkpoint';
    resume = typeof options.resume === 'string' ? loadCheckpoint(options.resume) : options.resume;
    checkResumable(file, resume, fitOptions);
    const want = snapshot(resume.model);
    const have = snapshot(model);
    if (JSON.stringify(want.names) !== JSON.stringify(have.names) || want.values.some((v, i) => v.length !== have.values[i].length))
      throw new RangeError(`fit: resume: ${file} holds a different network from this model`);
    try {
      optimizer.loadState(resume.resume.optimizer);
      if (schedule && resume.resume.schedule) schedule.loadState(resume.resume.schedule);
    } catch (err) {
      throw new (err instanceof TypeError ? TypeError : RangeError)(`fit: resume: ${file}: ${(err as Error).message}`, { cause: err });
    }
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
      if (report.kind === 'batch') callbacks?.onBatchEnd?.(report.log);
      else if (report.kind === 'epoch') {
        restoreValues(model, report.values);
        history.epochs.push(report.log);
        callbacks?.onEpochEnd?.(report.log);
      }
    },
    options.signal,
    resourceLimits,
    // A non-finite loss: keep the weights from just before it.
    (report) => report.values && restoreValues(model, report.values),
  );
  return history;
}

/** See Graph.evaluate. */
export async function evaluate(
  model: Graph, data: TrainingData, options: { batchSize?: number; loss?: LossSpec } = {},
): Promise<{ loss: number; accuracy: number | null }> {
  const op = 'evaluate';
  checkObject(op, 'options', options, 'an object like { batchSize, loss }');
  const loss = orDefault<LossSpec>(options.loss, 'softmaxCrossEntropy');
  checkData(op, 'data', data, model, makeLoss(loss, op).type);
  const batchSize = checkBatchSize(op, options.batchSize, 256);
  let result = { loss: NaN, accuracy: null as number | null };
  await runJob(
    { kind: 'evaluate', model: snapshot(model), data: await wireData(data), batchSize, loss },
    (report) => {
      if (report.kind === 'evaluated') result = { loss: report.loss, accuracy: report.accuracy };
    },
  );
  return result;
}

/** See Graph.predictAsync. */
export async function predictAsync(model: Graph, x: Tensor, options: { batchSize?: number } = {}): Promise<Tensor> {
  const op = 'predict';
  checkObject(op, 'options', options, 'an object like { batchSize }');
  const batchSize = checkBatchSize(op, options.batchSize, 256);
  checkInput(op, 'x', x, model);
  let y: Tensor | undefined;
  await runJob(
    { kind: 'predict', model: snapshot(model), x: await wireTensor(x), batchSize },
    (report) => {
      if (report.kind === 'predicted') y = new Tensor(report.y.data, report.y.shape);
    },
  );
  return y!;
}
