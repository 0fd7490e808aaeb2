/**
 * Losses: `forward(y, targets)` returns the loss (a number) and keeps what
 * `backward()` needs to return dL/dy. Every loss is a mean, so the gradient
 * scale does not depend on the batch size.
 *   EuclideanLoss        L = (1/N)·Σ_n ½‖y_n − t_n‖²                  dy = (y − t)/N
 *   SoftmaxCrossEntropy  L = −(1/N)·Σ_n Σ_k q_nk · log softmax(y_n)_k  dy = (softmax(y) − q)/N
 *                        q = (1 − ε)·target + ε/K with ε = labelSmoothing
 *   BinaryCrossEntropy   L = −(1/M)·Σ t·log p + (1 − t)·log(1 − p) over all M values
 *                        fromLogits (default): p = σ(y), dy = (σ(y) − t)/M, computed stably;
 *                        else y holds probabilities, clamped to [1e-7, 1 − 1e-7].
 */
import { checkTensorData, describeType, formatShape } from '../errors.js';
import { softmaxCrossEntropy } from '../ops/elementwise.js';
import { Tensor } from '../tensor.js';
import { boolOption, checkInput, checkOptions, numberOption, sameShape } from './layer.js';

/** Integer class labels, one per sample, or one-hot / probability rows as a Tensor [N, K]. */
export type ClassTargets = Int32Array | readonly number[] | Tensor;

function checkTargetTensor(label: string, targets: unknown, y: Tensor): Tensor {
  if (!(targets instanceof Tensor))
    throw new TypeError(`${label}: targets must be a Tensor shaped like y ${formatShape(y.shape)}, got ${describeType(targets)}`);
  checkTensorData(label, 'targets', targets);
  if (!sameShape(targets.shape, y.shape))
    throw new RangeError(`${label}: targets must have y's shape ${formatShape(y.shape)}, got ${formatShape(targets.shape)}`);
  return targets;
}

function missingLossForward(label: string): never {
  throw new Error(`${label}: backward called before forward`);
}

/**
 * Half the squared error, averaged over the batch (Caffe's EuclideanLoss).
 * @example
 * const loss = new st.nn.EuclideanLoss();
 * loss.forward(y, t);
 * model.backward(loss.backward());
 */
export class EuclideanLoss {
  readonly type = 'euclidean';
  private dy: Tensor | undefined;

  get config(): { type: string } {
    return { type: this.type };
  }

  forward(y: Tensor, targets: Tensor): number {
    checkInput('EuclideanLoss', 'y', y, [1, 2, 3, 4, 5, 6], 'a tensor [N, ...]');
    const t = checkTargetTensor('EuclideanLoss', targets, y);
    const n = y.shape[0];
    const dy = new Float32Array(y.size);
    let sum = 0;
    for (let i = 0; i < y.size; i++) {
      const d = y.data[i] - t.data[i];
      sum += d * d;
      dy[i] = d / n;
    }
    this.dy = new Tensor(dy, y.shape);
    return (0.5 * sum) / n;
  }

  backward(): Tensor {
    return this.dy ?? missingLossForward('EuclideanLoss');
  }
}

export interface SoftmaxCrossEntropyOptions {
  /** ε in [0, 1): the target becomes (1 − ε)·onehot + ε/K (Szegedy et al. 2016). Default 0. */
  labelSmoothing?: number;
}

/**
 * Softmax and cross-entropy fused, on logits [N, K]: log-softmax by log-sum-exp,
 * stable for any finite logits. Targets are class indices (Int32Array or number[])
 * or rows of a Tensor [N, K] (one-hot or any distribution).
 * @example
 * const loss = new st.nn.SoftmaxCrossEntropy({ labelSmoothing: 0.1 });
 * const value = loss.forward(logits, Int32Array.from([3, 1, 4]));
 * const dLogits = loss.backward();
 */
export class SoftmaxCrossEntropy {
  readonly type = 'softmaxCrossEntropy';
  readonly labelSmoothing: number;
  private dy: Tensor | undefined;

  constructor(options: SoftmaxCrossEntropyOptions = {}) {
    const o = checkOptions('SoftmaxCrossEntropy', options, false);
    this.labelSmoothing = numberOption('SoftmaxCrossEntropy', 'labelSmoothing', o.labelSmoothing, 0, 0, 1);
    if (this.labelSmoothing >= 1) throw new RangeError(`SoftmaxCrossEntropy: labelSmoothing must be < 1, got ${this.labelSmoothing}`);
  }

  get config(): { type: string; labelSmoothing: number } {
    return { type: this.type, labelSmoothing: this.labelSmoothing };
  }

  forward(y: Tensor, targets: ClassTargets): number {
    const label = 'SoftmaxCrossEntropy';
    checkInput(label, 'y', y, [2], '[N, K] logits');
    const [n, k] = y.shape;
    const { labels, rows } = this.checkTargets(label, targets, y);
    const dy = new Float32Array(y.size);
    const value = softmaxCrossEntropy(y.data, n, k, labels, rows, this.labelSmoothing, dy);
    this.dy = new Tensor(dy, y.shape);
    return value;
  }

  backward(): Tensor {
    return this.dy ?? missingLossForward('SoftmaxCrossEntropy');
  }

  /** Class indices as an Int32Array, or the target rows (before smoothing); exactly one is non-null. */
  private checkTargets(label: string, targets: ClassTargets, y: Tensor): { labels: Int32Array | null; rows: Float32Array | null } {
    const [n, k] = y.shape;
    if (targets instanceof Tensor) return { labels: null, rows: checkTargetTensor(label, targets, y).data };
    if (!(targets instanceof Int32Array) && !Array.isArray(targets))
      throw new TypeError(`${label}: targets must be class indices (Int32Array or number[]) or a Tensor [N, K]`);
    if (targets.length !== n) throw new RangeError(`${label}: expected ${n} targets (one per row of y), got ${targets.length}`);
    for (let i = 0; i < n; i++) {
      const c = targets[i];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k)
        throw new RangeError(`${label}: targets[${i}] must be a class index in [0, ${k}), got ${String(c)}`);
    }
    return { labels: targets instanceof Int32Array ? targets : Int32Array.from(targets), rows: null };
  }
}

export interface BinaryCrossEntropyOptions {
  /** y holds logits (default true: stable, and no Sigmoid layer needed); false: probabilities. */
  fromLogits?: boolean;
}

/**
 * Binary cross-entropy averaged over every value, for one or several independent
 * yes/no outputs. Targets are a Tensor of y's shape with values in [0, 1].
 * @example
 * const loss = new st.nn.BinaryCrossEntropy();   // on logits
 * loss.forward(model.forward(x), labels);
 */
export class BinaryCrossEntropy {
  readonly type = 'binaryCrossEntropy';
  readonly fromLogits: boolean;
  private dy: Tensor | undefined;

  constructor(options: BinaryCrossEntropyOptions = {}) {
    const o = checkOptions('BinaryCrossEntropy', options, false);
    this.fromLogits = boolOption('BinaryCrossEntropy', 'fromLogits', o.fromLogits, true);
  }

  get config(): { type: string; fromLogits: boolean } {
    return { type: this.type, fromLogits: this.fromLogits };
  }

  forward(y: Tensor, targets: Tensor): number {
    const label = 'BinaryCrossEntropy';
    checkInput(label, 'y', y, [1, 2, 3, 4, 5, 6], 'a tensor [N, ...]');
    const t = checkTargetTensor(label, targets, y);
    const m = y.size;
    const dy = new Float32Array(m);
    let total = 0;
    const clamp = 1e-7;
    for (let i = 0; i < m; i++) {
      const target = t.data[i];
      if (!(target >= 0 && target <= 1)) throw new RangeError(`${label}: targets must lie in [0, 1], got ${target} at index ${i}`);
      const v = y.data[i];
      if (this.fromLogits) {
        // max(z, 0) − z·t + log(1 + e^−|z|) never overflows.
        total += Math.max(v, 0) - v * target + Math.log1p(Math.exp(-Math.abs(v)));
        const p = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        dy[i] = (p - target) / m;
      } else {
        if (!(v >= 0 && v <= 1)) throw new RangeError(`${label}: y must hold probabilities in [0, 1] (fromLogits: false), got ${v} at index ${i}`);
        const p = Math.min(Math.max(v, clamp), 1 - clamp);
        total -= target * Math.log(p) + (1 - target) * Math.log(1 - p);
        dy[i] = (p - target) / (p * (1 - p)) / m;
      }
    }
    this.dy = new Tensor(dy, y.shape);
    return total / m;
  }

  backward(): Tensor {
    return this.dy ?? missingLossForward('BinaryCrossEntropy');
  }
}
