/**
 * Training checkpoints: everything a run needs to go on exactly where it stopped.
 * A checkpoint is a model file (src/io/model-file.ts: topology, weights, batch-norm
 * statistics, CRC) whose metadata holds, under `checkpoint`:
 *
 *   epoch      epochs finished
 *   optimizer  its state(): step count, lr, base lr, and each parameter's buffers
 *              (momentum, Adam's moments) as base64 little-endian float32, exact
 *   schedule   the schedule's step count
 *   history    the epoch logs so far
 *   fit        the options that decide the numbers (seed, batch size, optimizer,
 *              schedule, loss, augmentation, ...), compared on resume
 *
 * It is written atomically (a temp file, then rename), so a crash mid-write leaves
 * the previous checkpoint. Shuffle order, augmentation and dropout masks are all
 * seeded per epoch, so a run resumed from epoch k reaches bit for bit the weights
 * of one that never stopped.
 */
import { encodeModel, writeFileAtomic, type Metadata } from '../io/model-file.js';
import { loadWithMetadata } from '../io/model-load.js';
import { describeType } from '../errors.js';
import { Graph } from '../models/graph.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import type { Schedule } from '../optim/schedules.js';
import type { EpochLog, ResumeState, WireFitOptions } from './protocol.js';

/** The options of a fit that must be equal for a resumed run to continue the same numbers. */
export type FitFingerprint = Omit<WireFitOptions, 'epochs' | 'checkpoint'>;

interface SavedCheckpoint {
  epoch: number;
  history: EpochLog[];
  optimizer: Omit<OptimizerState, 'params'> & { params: { name: string; size: number; buffers: Record<string, string> }[] };
  schedule?: { step: number };
  fit: FitFingerprint;
}

function encodeFloats(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * 4);
  return bytes.toString('base64');
}

function decodeFloats(text: string, file: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`${file}: an optimizer buffer is not whole float32 values`);
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

export function fingerprint(options: WireFitOptions): FitFingerprint {
  const { epochs: _epochs, checkpoint: _checkpoint, ...rest } = options;
  return JSON.parse(JSON.stringify(rest)) as FitFingerprint;
}

/** Writes a checkpoint after `history.length` epochs; `metadata` is kept beside it (e.g. how the run was started). */
export function writeCheckpoint(
  file: string, model: Graph, history: readonly EpochLog[], optimizer: Optimizer, schedule: Schedule | undefined,
  options: WireFitOptions, metadata: Metadata = {},
): void {
  const state = optimizer.state();
  const saved: SavedCheckpoint = {
    epoch: history.length,
    history: [...history],
    optimizer: {
      ...state,
      params: state.params.map((p) => ({
        name: p.name, size: p.size,
        buffers: Object.fromEntries(Object.entries(p.buffers).map(([name, values]) => [name, encodeFloats(values)])),
      })),
    },
    schedule: schedule?.state(),
    fit: fingerprint(options),
  };
  writeFileAtomic(file, encodeModel(model, { ...metadata, checkpoint: saved }));
}

export interface Checkpoint {
  /** The model, with the weights and statistics of the epoch it was written after. */
  model: Graph;
  /** Epochs finished. */
  epoch: number;
  /** What `fit` needs to go on from here. */
  resume: ResumeState;
  /** The options that decide the numbers; `fit({ resume })` refuses different ones. */
  fit: FitFingerprint;
  /** Metadata written with the checkpoint (without the checkpoint state itself). */
  metadata: Metadata;
}

/**
 * Reads a checkpoint written by `fit({ checkpoint })`.
 * @example
 * const { model, epoch } = st.loadCheckpoint('run.ckpt');
 * await model.fit(train, { ...sameOptions, epochs: 30, resume: 'run.ckpt' });
 */
export function loadCheckpoint(file: string): Checkpoint {
  if (typeof file !== 'string') throw new TypeError(`loadCheckpoint: file must be a path, got ${typeof file}`);
  const { model, metadata } = loadWithMetadata(file);
  const { checkpoint, ...rest } = metadata as { checkpoint?: SavedCheckpoint } & Metadata;
  if (typeof checkpoint !== 'object' || checkpoint === null || !Number.isInteger(checkpoint.epoch) || !checkpoint.optimizer)
    throw new Error(`${file}: a model file, but not a checkpoint (no training state); was it written by fit({ checkpoint })?`);
  const optimizer: OptimizerState = {
    ...checkpoint.optimizer,
    params: checkpoint.optimizer.params.map((p) => ({
      name: p.name, size: p.size,
      buffers: Object.fromEntries(Object.entries(p.buffers).map(([name, text]) => [name, decodeFloats(text, file)])),
    })),
  };
  return {
    model, epoch: checkpoint.epoch, fit: checkpoint.fit, metadata: rest,
    resume: { epoch: checkpoint.epoch, history: checkpoint.history ?? [], optimizer, schedule: checkpoint.schedule },
  };
}

/** Throws if `checkpoint` is not a Checkpoint, or if `options` would not continue its run. */
export function checkResumable(file: string, checkpoint: Checkpoint, options: WireFitOptions): void {
  const c = checkpoint as Partial<Checkpoint> | null;
  if (
    typeof c !== 'object' || c === null || !(c.model instanceof Graph) || !Number.isInteger(c.epoch) ||
    typeof c.resume !== 'object' || c.resume === null || typeof c.fit !== 'object' || c.fit === null
  )
    throw new TypeError(`fit: resume must be a checkpoint file or what loadCheckpoint returned ({ model, epoch, resume, fit }), got ${describeType(checkpoint)}`);
  const want = checkpoint.fit as unknown as Record<string, unknown>;
  const got = fingerprint(options) as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
  const differ = keys.filter((k) => JSON.stringify(want[k]) !== JSON.stringify(got[k]));
  if (differ.length > 0)
    throw new RangeError(
      `fit: resume: ${file} was written by a run with different ${differ.join(', ')} ` +
        `(${differ.map((k) => `${k}: ${JSON.stringify(want[k])} there, ${JSON.stringify(got[k])} here`).join('; ')})`,
    );
  if (checkpoint.epoch >= options.epochs)
    throw new RangeError(`fit: resume: ${file} has already finished ${checkpoint.epoch} epochs; epochs must be larger, got ${options.epochs}`);
}
