/**
 * The optimizer base: it holds the parameters, the learning rate, the step count
 * and each parameter's state buffers (momentum, moment estimates), and saves and
 * restores all of it as plain JSON for checkpoints. Subclasses write the update rule
 * over every parameter's `value` and `grad` at once (float32, updated in place), so a
 * native rule runs the whole model's step in one call.
 */
import type { Param } from '../param.js';
import { checkLr, checkParams, checkRange } from './checks.js';

/** An optimizer's state as plain JSON: `JSON.stringify` it into a checkpoint. */
export interface OptimizerState {
  /** The optimizer class, e.g. `'Adam'`; loading into another class is an error. */
  type: string;
  /** Updates made so far (Adam's bias correction depends on it). */
  step: number;
  lr: number;
  /** The learning rate the optimizer was made with; schedules scale this one. */
  baseLr: number;
  /** Per parameter, in order: its name and size (checked on load) and its buffers' values. */
  params: { name: string; size: number; buffers: Record<string, number[]> }[];
}

/**
 * The base of SGD, RMSProp, Adam and AdamW. Weight decay, where an optimizer has
 * it, applies to every parameter given; pass two optimizers to exempt biases.
 * @example
 * const opt = new st.optim.SGD(model.params(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * // forward, loss, backward fill each param's grad
 * opt.step();
 */
export abstract class Optimizer {
  /** The parameters, in the order given. */
  readonly params: readonly Param[];
  private initialLr: number;
  private learningRate: number;
  private steps = 0;
  /** Per buffer name, one Float32Array per parameter, zero at the start. */
  protected readonly buffers: Readonly<Record<string, Float32Array[]>>;

  protected constructor(
    private readonly type: string,
    params: readonly Param[],
    lr: number,
    bufferNames: readonly string[],
  ) {
    this.params = Object.freeze([...checkParams(type, params)]);
    this.initialLr = checkLr(type, lr);
    this.learningRate = lr;
    const buffers: Record<string, Float32Array[]> = {};
    for (const name of bufferNames) buffers[name] = this.params.map((p) => new Float32Array(p.value.size));
    this.buffers = buffers;
  }

  /** The learning rate given to the constructor (or restored); schedules scale this one. */
  get baseLr(): number {
    return this.initialLr;
  }

  /** The learning rate the next `step()` uses. */
  get lr(): number {
    return this.learningRate;
  }

  /** Sets the learning rate; 0 is allowed, since a cosine schedule ends there. */
  set lr(value: number) {
    this.learningRate = checkRange(this.type, 'lr', value, 0, Infinity);
  }

  /** The number of `step()` calls made (or restored). */
  get stepCount(): number {
    return this.steps;
  }

  /** Updates every parameter's value from its gradient. */
  step(): void {
    this.steps++;
    this.update(this.params.map((p) => p.value.data), this.params.map((p) => p.grad.data), this.steps);
  }

  /** Sets every gradient to zero (backward accumulates into them). */
  zeroGrad(): void {
    for (const p of this.params) p.grad.data.fill(0);
  }

  /**
   * Everything needed to resume training, as plain JSON.
   * @example
   * fs.writeFileSync('opt.json', JSON.stringify(optimizer.state()));
   * optimizer.loadState(JSON.parse(fs.readFileSync('opt.json', 'utf8')));
   */
  state(): OptimizerState {
    return {
      type: this.type,
      step: this.steps,
      lr: this.learningRate,
      baseLr: this.initialLr,
      params: this.params.map((p, i) => {
        const buffers: Record<string, number[]> = {};
        for (const [name, list] of Object.entries(this.buffers)) buffers[name] = Array.from(list[i]);
        return { name: p.name, size: p.value.size, buffers };
      }),
    };
  }

  /**
   * Restores `state()` output: the step count, the learning rates and the buffers.
   * The hyperparameters (momentum, betas, ...) stay those given to the constructor.
   */
  loadState(state: OptimizerState): void {
    const op = `${this.type}.loadState`;
    if (typeof state !== 'object' || state === null) throw new TypeError(`${op}: state must be an object from state()`);
    if (state.type !== this.type) throw new TypeError(`${op}: state is from ${String(state.type)}, not ${this.type}`);
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new RangeError(`${op}: step must be an integer >= 0, got ${String(state.step)}`);
    if (!Array.isArray(state.params) || state.params.length !== this.params.length)
      throw new RangeError(`${op}: state has ${state.params?.length} params, this optimizer ${this.params.length}`);
    const lr = checkRange(op, 'lr', state.lr, 0, Infinity);
    const baseLr = checkRange(op, 'baseLr', state.baseLr, 0, Infinity, { openLow: true });
    state.params.forEach((saved, i) => {
      const p = this.params[i];
      if (saved?.name !== p.name || saved.size !== p.value.size)
        throw new RangeError(`${op}: params[${i}] is ${p.name} (${p.value.size}) but state has ${saved?.name} (${saved?.size})`);
      for (const name of Object.keys(this.buffers)) {
        const values = saved.buffers?.[name];
        if (!Array.isArray(values) || values.length !== p.value.size)
          throw new RangeError(`${op}: params[${i}] (${p.name}) needs buffer ${name} of ${p.value.size} numbers`);
      }
    });
    // Checked everything first, so a bad state leaves this optimizer untouched.
    state.params.forEach((saved, i) => {
      for (const [name, list] of Object.entries(this.buffers)) list[i].set(saved.buffers[name]);
    });
    this.steps = state.step;
    this.learningRate = lr;
    this.initialLr = baseLr;
  }

  /**
   * Updates every parameter in place: `values[i]` and `grads[i]` are `params[i]`'s, as
   * are the buffers' i-th arrays; `t` is the step number, 1 on the first step.
   */
  protected abstract update(values: Float32Array[], grads: Float32Array[], t: number): void;
}
