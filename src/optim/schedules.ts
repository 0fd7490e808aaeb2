/**
 * Learning-rate schedules. Each is a pure function `lrAt(step, baseLr)` of the step
 * count, so a schedule holds nothing but its options and a counter; `step(optimizer)`
 * sets the optimizer's lr for the current count from its `baseLr`, then advances.
 * Call it once before each epoch (or each batch, for per-iteration schedules):
 *
 *   StepLR             baseLr * gamma^floor(t / stepSize)
 *   ExponentialLR      baseLr * gamma^t
 *   CosineAnnealingLR  etaMin + (baseLr - etaMin) * (1 + cos(pi * min(t, tMax) / tMax)) / 2
 *   LinearWarmup       baseLr * (f + (1 - f) * t / warmupSteps)   for t < warmupSteps,
 *                      then inner.lrAt(t - warmupSteps) (or baseLr)
 *
 * These match PyTorch's StepLR, ExponentialLR, CosineAnnealingLR and LinearLR
 * chained by SequentialLR, except that the cosine holds etaMin after tMax instead of
 * rising again.
 */
import { checkInteger, describeType, orDefault } from '../errors.js';
import { checkRange } from './checks.js';
import { Optimizer } from './optimizer.js';

/**
 * The base of the schedules: subclasses define `lrAt`.
 * @example
 * const schedule = new st.optim.StepLR({ stepSize: 10, gamma: 0.5 });
 * schedule.lrAt(25, 0.1)  // 0.025
 */
export abstract class Schedule {
  private count = 0;

  /** The learning rate at step `t` (0-based) for an optimizer made with `baseLr`. */
  abstract lrAt(t: number, baseLr: number): number;

  /** How many times `step` has been called. */
  get stepCount(): number {
    return this.count;
  }

  /**
   * Sets `optimizer.lr` to `lrAt(stepCount, optimizer.baseLr)`, advances the count and
   * returns the lr set.
   * @example
   * for (let epoch = 0; epoch < 30; epoch++) { schedule.step(opt); trainOneEpoch(); }
   */
  step(optimizer: Optimizer): number {
    if (!(optimizer instanceof Optimizer))
      throw new TypeError(`${this.constructor.name}.step: optimizer must be an Optimizer (SGD, Adam, ...), got ${describeType(optimizer)}`);
    const lr = this.lrAt(this.count, optimizer.baseLr);
    optimizer.lr = lr;
    this.count++;
    return lr;
  }

  /** The count, for checkpoints. */
  state(): { step: number } {
    return { step: this.count };
  }

  loadState(state: { step: number }): void {
    if (typeof state !== 'object' || state === null)
      throw new TypeError(`${this.constructor.name}.loadState: state must be { step } from state(), got ${describeType(state)}`);
    this.count = checkInteger(`${this.constructor.name}.loadState`, 'step', state?.step, 0);
  }

  protected checkStep(t: number, baseLr: number): void {
    checkInteger(`${this.constructor.name}.lrAt`, 't', t, 0);
    checkRange(`${this.constructor.name}.lrAt`, 'baseLr', baseLr, 0, Infinity);
  }
}

/**
 * Multiplies the lr by `gamma` every `stepSize` steps.
 * @example new st.optim.StepLR({ stepSize: 30, gamma: 0.1 }).lrAt(65, 0.1)  // 0.001
 */
export class StepLR extends Schedule {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(options: { stepSize: number; gamma?: number }) {
    super();
    scheduleOptions('StepLR', options, '{ stepSize, gamma? }');
    this.stepSize = checkInteger('StepLR', 'stepSize', options.stepSize, 1);
    this.gamma = checkRange('StepLR', 'gamma', orDefault(options.gamma, 0.1), 0, Infinity, { openLow: true });
  }

  override lrAt(t: number, baseLr: number): number {
    this.checkStep(t, baseLr);
    return baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/**
 * Multiplies the lr by `gamma` every step.
 * @example new st.optim.ExponentialLR({ gamma: 0.9 }).lrAt(2, 1)  // 0.81
 */
export class ExponentialLR extends Schedule {
  readonly gamma: number;

  constructor(options: { gamma: number }) {
    super();
    scheduleOptions('ExponentialLR', options, '{ gamma }');
    this.gamma = checkRange('ExponentialLR', 'gamma', options.gamma, 0, Infinity, { openLow: true });
  }

  override lrAt(t: number, baseLr: number): number {
    this.checkStep(t, baseLr);
    return baseLr * this.gamma ** t;
  }
}

/**
 * Half a cosine from the base lr down to `etaMin` over `tMax` steps (SGDR without restarts).
 * @example new st.optim.CosineAnnealingLR({ tMax: 100 }).lrAt(50, 0.1)  // 0.05
 */
export class CosineAnnealingLR extends Schedule {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(options: { tMax: number; etaMin?: number }) {
    super();
    scheduleOptions('CosineAnnealingLR', options, '{ tMax, etaMin? }');
    this.tMax = checkInteger('CosineAnnealingLR', 'tMax', options.tMax, 1);
    this.etaMin = checkRange('CosineAnnealingLR', 'etaMin', orDefault(options.etaMin, 0), 0, Infinity);
  }

  override lrAt(t: number, baseLr: number): number {
    this.checkStep(t, baseLr);
    const progress = Math.min(t, this.tMax) / this.tMax;
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos(Math.PI * progress))) / 2;
  }
}

/**
 * Ramps the lr linearly from `startFactor * baseLr` to `baseLr` over `warmupSteps`
 * steps, then hands over to `inner` (whose step 0 follows the warm-up) if given.
 * @example
 * const schedule = new st.optim.LinearWarmup({ warmupSteps: 500, startFactor: 0.01 },
 *   new st.optim.CosineAnnealingLR({ tMax: 9500 }));
 */
export class LinearWarmup extends Schedule {
  readonly warmupSteps: number;
  readonly startFactor: number;

  /** `startFactor` in (0, 1], default 1/3 (PyTorch's LinearLR default). */
  constructor(
    options: { warmupSteps: number; startFactor?: number },
    readonly inner?: Schedule,
  ) {
    super();
    scheduleOptions('LinearWarmup', options, '{ warmupSteps, startFactor? }');
    this.warmupSteps = checkInteger('LinearWarmup', 'warmupSteps', options.warmupSteps, 1);
    this.startFactor = checkRange('LinearWarmup', 'startFactor', orDefault(options.startFactor, 1 / 3), 0, 1, {
      openLow: true,
      closedHigh: true,
    });
    if (inner !== undefined && !(inner instanceof Schedule))
      throw new TypeError(`LinearWarmup: inner must be a schedule (StepLR, CosineAnnealingLR, ...)`);
  }

  override lrAt(t: number, baseLr: number): number {
    this.checkStep(t, baseLr);
    if (t < this.warmupSteps) return baseLr * (this.startFactor + ((1 - this.startFactor) * t) / this.warmupSteps);
    return this.inner ? this.inner.lrAt(t - this.warmupSteps, baseLr) : baseLr;
  }
}

/** Throws unless a schedule's options are an object (schedules from fit specs carry extra keys: not checked). */
function scheduleOptions(op: string, options: unknown, form: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${op}: options must be ${form}, got ${describeType(options)}`);
}
