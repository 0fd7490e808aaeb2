/**
 * RMSProp (Hinton's lecture 6e), as torch.optim.RMSprop computes it:
 *
 *   g = grad + weightDecay * p
 *   v = alpha * v + (1 - alpha) * g^2
 *   a = alpha * a + (1 - alpha) * g          (centered only)
 *   r = sqrt(v - a^2) + eps   (centered)   or   sqrt(v) + eps
 *   b = momentum * b + g / r;  p = p - lr * b      (momentum > 0)
 *   p = p - lr * g / r                             (otherwise)
 *
 * eps is added outside the square root (PyTorch's choice; Keras adds it inside).
 */
import type { Param } from '../param.js';
import { orDefault } from '../errors.js';
import { checkOptionsObject, checkRange } from './checks.js';
import { Optimizer } from './optimizer.js';

export interface RMSPropOptions {
  lr: number;
  /** Decay of the squared-gradient average, in [0, 1); default 0.99. */
  alpha?: number;
  /** Added to the root, > 0; default 1e-8. */
  eps?: number;
  /** In [0, 1); default 0. */
  momentum?: number;
  /** L2 penalty added to the gradient, >= 0; default 0. */
  weightDecay?: number;
  /** Divide by an estimate of the gradient's variance rather than its second moment. */
  centered?: boolean;
}

/**
 * RMSProp: each weight's step is divided by a running RMS of its gradient.
 * @example
 * const opt = new st.optim.RMSProp(model.params(), { lr: 1e-3 });
 */
export class RMSProp extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly centered: boolean;

  constructor(params: readonly Param[], options: RMSPropOptions) {
    checkOptionsObject('RMSProp', options, ['lr', 'alpha', 'eps', 'momentum', 'weightDecay', 'centered'], '{ lr, ... }');
    const momentum = checkRange('RMSProp', 'momentum', orDefault(options.momentum, 0), 0, 1);
    const centered = orDefault(options.centered, false);
    if (typeof centered !== 'boolean') throw new TypeError(`RMSProp: centered must be a boolean, got ${String(centered)}`);
    const buffers = ['squareAvg'];
    if (centered) buffers.push('gradAvg');
    if (momentum > 0) buffers.push('momentum');
    super('RMSProp', params, options.lr, buffers);
    this.alpha = checkRange('RMSProp', 'alpha', orDefault(options.alpha, 0.99), 0, 1);
    this.eps = checkRange('RMSProp', 'eps', orDefault(options.eps, 1e-8), 0, Infinity, { openLow: true });
    this.momentum = momentum;
    this.weightDecay = checkRange('RMSProp', 'weightDecay', orDefault(options.weightDecay, 0), 0, Infinity);
    this.centered = centered;
  }

  protected override update(values: Float32Array[], grads: Float32Array[]): void {
    for (let i = 0; i < values.length; i++) this.updateOne(values[i], grads[i], i);
  }

  private updateOne(value: Float32Array, grad: Float32Array, index: number): void {
    const { lr, alpha, eps, momentum: mu, weightDecay: wd, centered } = this;
    const n = value.length;
    const sq = this.buffers.squareAvg[index];
    const avg = centered ? this.buffers.gradAvg[index] : null;
    const buf = mu > 0 ? this.buffers.momentum[index] : null;
    for (let i = 0; i < n; i++) {
      const g = grad[i] + wd * value[i];
      const v = alpha * sq[i] + (1 - alpha) * g * g;
      sq[i] = v;
      let r: number;
      if (avg !== null) {
        const a = alpha * avg[i] + (1 - alpha) * g;
        avg[i] = a;
        // v >= a^2 in exact arithmetic; float32 storage can leave it a hair below.
        r = Math.sqrt(Math.max(v - a * a, 0)) + eps;
      } else {
        r = Math.sqrt(v) + eps;
      }
      if (buf !== null) {
        const b = mu * buf[i] + g / r;
        buf[i] = b;
        value[i] -= lr * b;
      } else {
        value[i] -= (lr * g) / r;
      }
    }
  }
}
