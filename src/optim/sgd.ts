/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD computes it
 * (momentum in the Sutskever et al. form, lr applied outside the buffer):
 *
 *   g = grad + weightDecay * p
 *   b = g                                   on step 1
 *   b = momentum * b + (1 - dampening) * g  after
 *   d = g + momentum * b   (nesterov)   or   b   (momentum > 0)   or   g
 *   p = p - lr * d
 * The update runs in the native SIMD kernel, in float32.
 */
import { sgdUpdate } from '../ops/elementwise.js';
import type { Param } from '../param.js';
import { orDefault } from '../errors.js';
import { checkOptionsObject, checkRange } from './checks.js';
import { Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  /** In [0, 1); default 0 (plain SGD). */
  momentum?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
  /** In [0, 1]; scales the gradient's share of the momentum buffer by 1 - dampening. */
  dampening?: number;
}

/**
 * SGD, optionally with momentum, Nesterov momentum and L2 weight decay.
 * @example
 * const opt = new st.optim.SGD(model.params(), { lr: 0.01, momentum: 0.9 });
 * opt.zeroGrad(); model.backward(dy); opt.step();
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly dampening: number;

  constructor(params: readonly Param[], options: SGDOptions) {
    checkOptionsObject('SGD', options, ['lr', 'momentum', 'nesterov', 'weightDecay', 'dampening'], '{ lr, ... }');
    const momentum = checkRange('SGD', 'momentum', orDefault(options.momentum, 0), 0, 1);
    super('SGD', params, options.lr, momentum > 0 ? ['momentum'] : []);
    this.momentum = momentum;
    this.nesterov = orDefault(options.nesterov, false);
    this.weightDecay = checkRange('SGD', 'weightDecay', orDefault(options.weightDecay, 0), 0, Infinity);
    this.dampening = checkRange('SGD', 'dampening', orDefault(options.dampening, 0), 0, 1, { closedHigh: true });
    if (typeof this.nesterov !== 'boolean') throw new TypeError(`SGD: nesterov must be a boolean, got ${String(this.nesterov)}`);
    if (this.nesterov && (momentum === 0 || this.dampening !== 0))
      throw new RangeError(
        `SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${momentum}, dampening ${this.dampening}`,
      );
  }

  protected override update(values: Float32Array[], grads: Float32Array[], t: number): void {
    const momentum = this.momentum;
    sgdUpdate(values, grads, momentum === 0 ? null : this.buffers.momentum, {
      lr: this.lr, weightDecay: this.weightDecay, momentum, nesterov: this.nesterov,
      keep: t === 1 ? 0 : momentum, share: t === 1 ? 1 : 1 - this.dampening,
    });
  }
}
