/**
 * The messages between a model's thread and the worker thread that trains it.
 * Tensors travel as { data, shape }; data over a SharedArrayBuffer is shared, not
 * copied, so a 200 MB training set crosses once without a copy per job.
 */
import type { GraphConfig } from '../models/graph.js';
import type { SequentialConfig } from '../models/sequential.js';
import type { AugmentSpec } from '../data/augment.js';
import type { OptimizerState } from '../optim/optimizer.js';
import type { LossSpec, OptimizerSpec, ScheduleSpec } from './specs.js';

export interface WireTensor {
  data: Float32Array;
  shape: number[];
}

export type WireData = { images: WireTensor; labels: Int32Array | Uint8Array } | { images: WireTensor; targets: WireTensor };

/** A model as config plus the values of its params and buffers, in model order. */
export interface ModelSnapshot {
  config: GraphConfig | SequentialConfig;
  names: string[];
  values: Float32Array[];
}

export interface WireFitOptions {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  optimizer: OptimizerSpec;
  loss: LossSpec;
  schedule?: ScheduleSpec;
  clipNorm?: number;
  augment?: AugmentSpec;
  /** What a NaN or infinite loss or gradient does: stop with an error, or skip that batch's update. */
  nonFinite: 'stop' | 'skip';
  checkpoint?: { path: string; everyEpochs: number; metadata: Record<string, unknown> };
}

/** Where a resumed run starts: the epochs done and the optimizer and schedule state after them. */
export interface ResumeState {
  epoch: number;
  /** The logs of the epochs before it. */
  history: EpochLog[];
  optimizer: OptimizerState;
  schedule?: { step: number };
}

export type Job =
  | { kind: 'fit'; model: ModelSnapshot; data: WireData; validation?: WireData; options: WireFitOptions; resume?: ResumeState }
  | { kind: 'evaluate'; model: ModelSnapshot; data: WireData; batchSize: number; loss: LossSpec }
  | { kind: 'predict'; model: ModelSnapshot; x: WireTensor; batchSize: number };

export interface BatchLog {
  epoch: number;
  batch: number;
  batches: number;
  /** The batch's training loss (with auxiliary outputs: the output's plus each head's times its weight). */
  loss: number;
  /** Running accuracy over the epoch so far (null without class labels). */
  accuracy: number | null;
  /** Images per second over the epoch so far. */
  imagesPerSecond: number;
}

export interface EpochLog {
  epoch: number;
  /** The mean training loss (with auxiliary outputs: the output's plus each head's times its weight; valLoss is the output's alone). */
  loss: number;
  accuracy: number | null;
  valLoss?: number;
  valAccuracy?: number | null;
  seconds: number;
  imagesPerSecond: number;
  lr: number;
  /** Batches whose update was skipped for a non-finite loss or gradient (`nonFinite: 'skip'`). */
  skippedBatches?: number;
  /** The checkpoint file written after this epoch, if one was. */
  checkpoint?: string;
}

export type Report =
  | { kind: 'batch'; log: BatchLog }
  | { kind: 'epoch'; log: EpochLog; values: Float32Array[] }
  | { kind: 'evaluated'; loss: number; accuracy: number | null }
  | { kind: 'predicted'; y: WireTensor }
  | { kind: 'done' }
  /** `values`: weights to keep (those before a batch whose loss was not finite). */
  | { kind: 'error'; name: string; message: string; stack?: string; values?: Float32Array[] };
