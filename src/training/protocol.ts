/**
 * The messages between a model's thread and the worker thread that trains it.
 * Tensors travel as { data, shape }; data over a SharedArrayBuffer is shared, not
 * copied, so a 200 MB training set crosses once without a copy per job.
 */
import type { GraphConfig } from '../models/graph.js';
import type { SequentialConfig } from '../models/sequential.js';
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
}

export type Job =
  | { kind: 'fit'; model: ModelSnapshot; data: WireData; validation?: WireData; options: WireFitOptions }
  | { kind: 'evaluate'; model: ModelSnapshot; data: WireData; batchSize: number; loss: LossSpec }
  | { kind: 'predict'; model: ModelSnapshot; x: WireTensor; batchSize: number };

export interface BatchLog {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** Running accuracy over the epoch so far (null without class labels). */
  accuracy: number | null;
  /** Images per second over the epoch so far. */
  imagesPerSecond: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number | null;
  valLoss?: number;
  valAccuracy?: number | null;
  seconds: number;
  imagesPerSecond: number;
  lr: number;
}

export type Report =
  | { kind: 'batch'; log: BatchLog }
  | { kind: 'epoch'; log: EpochLog; values: Float32Array[] }
  | { kind: 'evaluated'; loss: number; accuracy: number | null }
  | { kind: 'predicted'; y: WireTensor }
  | { kind: 'done' }
  | { kind: 'error'; name: string; message: string; stack?: string };
