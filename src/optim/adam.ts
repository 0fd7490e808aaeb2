/**
 * Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019), as
 * torch.optim.Adam and torch.optim.AdamW compute them. On step t:
 *
 *   p = p * (1 - lr * weightDecay)        (AdamW: decay decoupled from the gradient)
 *   g = grad + weightDecay * p            (Adam: L2 penalty in the gradient)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g^2
 *   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * eps is added after the bias correction of v, as PyTorch does (the paper's
 * "epsilon-hat" variant would add it before). The update runs in the native SIMD
 * kernel, in float32.
 */
import { adamUpdate } from '../ops/elementwise.js';
import type { Param } from '../param.js';
import { orDefault } from '../errors.js';
import { checkOptionsObject, checkRange } from './checks.js';
import { Optimizer } from './optimizer.js';

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Decay of the first moment, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the second moment, in [0, 1); default 0.999. */
  beta2?: number;
  /** > 0; default 1e-8. */
  eps?: number;
  /** >= 0. Adam: L2 penalty in the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
}

abstract class AdamBase extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  protected constructor(type: string, params: readonly Param[], options: AdamOptions, defaultWeightDecay: number) {
    // An unknown key is refused: PyTorch's `betas: [0.9, 0.999]` would otherwise be ignored in silence.
    checkOptionsObject(type, options, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'], 'an object like { lr: 1e-3 }');
    super(type, params, orDefault(options.lr, 1e-3), ['m', 'v']);
    this.beta1 = checkRange(type, 'beta1', orDefault(options.beta1, 0.9), 0, 1);
    this.beta2 = checkRange(type, 'beta2', orDefault(options.beta2, 0.999), 0, 1);
    this.eps = checkRange(type, 'eps', orDefault(options.eps, 1e-8), 0, Infinity, { openLow: true });
    this.weightDecay = checkRange(type, 'weightDecay', orDefault(options.weightDecay, defaultWeightDecay), 0, Infinity);
  }

  /** Runs the moment updates and the step; `l2` and `decay` select Adam's or AdamW's decay. */
  protected adamUpdate(values: Float32Array[], grads: Float32Array[], t: number, l2: number, decay: number): void {
    const { beta1, beta2, eps } = this;
    adamUpdate(values, grads, this.buffers.m, this.buffers.v, {
      stepSize: this.lr / (1 - beta1 ** t), root2: Math.sqrt(1 - beta2 ** t), beta1, beta2, eps, l2, decay,
    });
  }
}

/**
 * Adam, with weight decay as an L2 penalty added to the gradient (as PyTorch's Adam).
 * @example
 * const opt = new st.optim.Adam(model.params(), { lr: 1e-3 });
 */
export class Adam extends AdamBase {
  constructor(params: readonly Param[], options: AdamOptions = {}) {
    super('Adam', params, options, 0);
  }

  protected override update(values: Float32Array[], grads: Float32Array[], t: number): void {
    this.adamUpdate(values, grads, t, this.weightDecay, 1);
  }
}

/**
 * AdamW: Adam with weight decay decoupled from the gradient (`p *= 1 - lr * wd`
 * before the Adam step), so decay is not scaled down by the adaptive denominator.
 * @example
 * const opt = new st.optim.AdamW(model.params(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends AdamBase {
  constructor(params: readonly Param[], options: AdamOptions = {}) {
    super('AdamW', params, options, 1e-2);
  }

  protected override update(values: Float32Array[], grads: Float32Array[], t: number): void {
    this.adamUpdate(values, grads, t, 0, 1 - this.lr * this.weightDecay);
  }
}
