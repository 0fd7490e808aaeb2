/**
 * Training components described as plain JSON, so that `fit` can hand them to the
 * worker thread that trains: `{ type: 'sgd', lr: 0.01, momentum: 0.9 }` becomes
 * `new SGD(params, { lr: 0.01, momentum: 0.9 })` there.
 */
import { describeType, describeValue } from '../errors.js';
import { BinaryCrossEntropy, EuclideanLoss, SoftmaxCrossEntropy } from '../nn/losses.js';
import type { Param } from '../param.js';
import { Adam, AdamW } from '../optim/adam.js';
import { Optimizer } from '../optim/optimizer.js';
import { RMSProp } from '../optim/rmsprop.js';
import { CosineAnnealingLR, ExponentialLR, LinearWarmup, StepLR, type Schedule } from '../optim/schedules.js';
import { SGD } from '../optim/sgd.js';

export type OptimizerSpec =
  | ({ type: 'sgd' } & ConstructorParameters<typeof SGD>[1])
  | ({ type: 'adam' } & NonNullable<ConstructorParameters<typeof Adam>[1]>)
  | ({ type: 'adamw' } & NonNullable<ConstructorParameters<typeof AdamW>[1]>)
  | ({ type: 'rmsprop' } & ConstructorParameters<typeof RMSProp>[1]);

export type LossSpec =
  | 'softmaxCrossEntropy'
  | 'euclidean'
  | 'binaryCrossEntropy'
  | { type: 'softmaxCrossEntropy'; labelSmoothing?: number }
  | { type: 'euclidean' }
  | { type: 'binaryCrossEntropy'; fromLogits?: boolean };

type ScheduleKind =
  | { type: 'step'; stepSize: number; gamma: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; tMax: number; etaMin?: number }
  | { type: 'warmup'; warmupSteps: number; startFactor?: number; then?: ScheduleKind };

/**
 * A learning-rate schedule, stepped before every epoch (default) or every batch
 * (`every: 'batch'`, with steps counted in batches); `warmup` wraps another.
 */
export type ScheduleSpec = ScheduleKind & { every?: 'epoch' | 'batch' };

export type Loss = SoftmaxCrossEntropy | EuclideanLoss | BinaryCrossEntropy;


export function makeOptimizer(spec: OptimizerSpec, params: readonly Param[]): Optimizer {
  if (spec instanceof Optimizer)
    throw new TypeError(
      'fit: optimizer must be a plain description such as { type: "sgd", lr: 0.01, momentum: 0.9 }: ' +
        'fit trains in a worker thread, which builds its own optimizer (an Optimizer instance serves a hand-written loop)',
    );
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`fit: optimizer must be { type, ...options }, got ${describeType(spec)}`);
  const { type, ...options } = spec;
  switch (type) {
    case 'sgd': return new SGD(params, options as ConstructorParameters<typeof SGD>[1]);
    case 'adam': return new Adam(params, options);
    case 'adamw': return new AdamW(params, options);
    case 'rmsprop': return new RMSProp(params, options as ConstructorParameters<typeof RMSProp>[1]);
    default: throw new RangeError(`fit: optimizer.type must be 'sgd', 'adam', 'adamw' or 'rmsprop', got ${describeValue(type)}`);
  }
}

/** The loss `spec` describes; `op` (fit, evaluate) names the caller in errors. */
export function makeLoss(spec: LossSpec, op = 'fit'): Loss {
  if (typeof spec !== 'string' && (typeof spec !== 'object' || spec === null))
    throw new TypeError(`${op}: loss must be a loss name or { type, ...options }, got ${describeValue(spec)}`);
  const { type, ...options } = (typeof spec === 'string' ? { type: spec } : spec) as { type?: unknown } & Record<string, unknown>;
  switch (type) {
    case 'softmaxCrossEntropy': return new SoftmaxCrossEntropy(options);
    case 'euclidean': return new EuclideanLoss();
    case 'binaryCrossEntropy': return new BinaryCrossEntropy(options);
    default: throw new RangeError(`${op}: loss must be 'softmaxCrossEntropy', 'euclidean' or 'binaryCrossEntropy', got ${describeValue(type)}`);
  }
}

export function makeSchedule(spec: ScheduleSpec): Schedule {
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`fit: schedule must be { type, ...options }, got ${describeType(spec)}`);
  if (spec.every !== undefined && spec.every !== 'epoch' && spec.every !== 'batch')
    throw new RangeError(`fit: schedule.every must be 'epoch' or 'batch', got ${describeValue(spec.every)}`);
  switch (spec.type) {
    case 'step': return new StepLR(spec);
    case 'exponential': return new ExponentialLR(spec);
    case 'cosine': return new CosineAnnealingLR(spec);
    case 'warmup': return new LinearWarmup(spec, spec.then && makeSchedule(spec.then));
    default: throw new RangeError(`fit: schedule.type must be 'step', 'exponential', 'cosine' or 'warmup', got ${describeValue((spec as { type: unknown }).type)}`);
  }
}
