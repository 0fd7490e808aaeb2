/**
 * The training loop, synchronous and in the textbook's order. For each mini-batch:
 *   forward   y = f_L(... f_1(x))           layers l = 1..L
 *   loss      E = loss(y, t)  (+ Σ_k w_k·loss(a_k, t) over a graph's auxiliary outputs a_k)
 *   backward  dE/dx_l for l = L..1, each layer adding dE/dθ_l into its params' grad
 *   update    θ ← optimizer(θ, dE/dθ) for every parameter
 * `fit` runs these functions in a worker thread; they also serve a hand-written loop.
 */
import { batches } from '../data/batches.js';
import type { Graph } from '../models/graph.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm } from '../optim/clip.js';
import { Tensor } from '../tensor.js';
import type { Loss } from './specs.js';

/** Class labels (softmax cross-entropy) or target tensors (Euclidean, binary cross-entropy). */
export type TrainingData =
  | { images: Tensor; labels: Int32Array | Uint8Array }
  | { images: Tensor; targets: Tensor };

export interface BatchResult {
  /** The training loss: the output's, plus each auxiliary output's times its weight. */
  loss: number;
  /** Correct arg-max predictions in the batch (null when the targets are not class labels). */
  correct: number | null;
  size: number;
}

/** The number of rows of `y` whose arg-max equals the label. */
export function countCorrect(y: Tensor, labels: ArrayLike<number>): number {
  const [n, k] = [y.shape[0], y.size / y.shape[0]];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (y.data[i * k + j] > y.data[i * k + best]) best = j;
    if (best === labels[i]) correct++;
  }
  return correct;
}

export interface TrainBatchOptions {
  /** Clip the global gradient norm to this value before the update. */
  clipNorm?: number;
  /** Skip the update when the loss or a gradient is NaN or infinite (`finite: false` in the result). */
  checkFinite?: boolean;
}

/** True when no gradient holds a NaN or an infinity. */
export function gradientsFinite(optimizer: Optimizer): boolean {
  for (const p of optimizer.params) {
    const g = p.grad.data;
    // A sum is NaN or infinite as soon as one term is (or it overflows, which is no better).
    let sum = 0;
    for (let i = 0; i < g.length; i++) sum += g[i];
    if (!Number.isFinite(sum)) return false;
  }
  return true;
}

/**
 * One step of gradient descent on one mini-batch. A graph's auxiliary outputs (GoogLeNet's
 * and Inception-v3's side classifiers) run too and add weight·loss to the loss; accuracy
 * is the main output's. With `checkFinite`, a batch whose loss or gradients are not
 * finite leaves the weights as they were.
 */
export function trainBatch(
  model: Graph, loss: Loss, optimizer: Optimizer, x: Tensor, t: Int32Array | Tensor, options: TrainBatchOptions = {},
): BatchResult & { finite: boolean } {
  model.zeroGrad();
  const lossOf = (loss.forward as (y: Tensor, t: Int32Array | Tensor) => number).bind(loss);
  const { output: y, auxiliary } = model.forwardWithAuxiliary(x, { training: true });
  let value = lossOf(y, t);
  const dy = loss.backward();
  // Each loss forward allocates the dy that backward returns, so one loss serves every head.
  const weights = model.auxiliaryOutputs.map((a) => a.weight);
  const auxGrads = auxiliary.map((a, k) => {
    value += weights[k] * lossOf(a, t);
    const g = loss.backward();
    for (let i = 0; i < g.size; i++) g.data[i] *= weights[k];
    return g;
  });
  const correct = t instanceof Tensor ? null : countCorrect(y, t);
  if (options.checkFinite && !Number.isFinite(value)) return { loss: value, correct, size: x.shape[0], finite: false };
  model.backward(dy, { inputGrad: false, auxiliary: auxGrads });
  if (options.checkFinite && !gradientsFinite(optimizer)) return { loss: value, correct, size: x.shape[0], finite: false };
  if (options.clipNorm !== undefined) clipGradNorm(optimizer.params, options.clipNorm);
  optimizer.step();
  return { loss: value, correct, size: x.shape[0], finite: true };
}

/** The mini-batches of an epoch, with the targets that go with each. */
export function* epochBatches(
  data: TrainingData, options: { batchSize: number; shuffle: boolean; seed: number },
): Generator<{ x: Tensor; t: Int32Array | Tensor }> {
  if ('labels' in data) {
    for (const { x, y } of batches(data, options)) yield { x, t: y };
    return;
  }
  // Targets travel as the "labels" of an index dataset, then are gathered row by row.
  const n = data.images.shape[0];
  const index = { images: data.images, labels: Int32Array.from({ length: n }, (_, i) => i) };
  const rowSize = data.targets.size / n;
  for (const { x, y } of batches(index, options)) {
    const t = new Float32Array(y.length * rowSize);
    for (let i = 0; i < y.length; i++) t.set(data.targets.data.subarray(y[i] * rowSize, (y[i] + 1) * rowSize), i * rowSize);
    yield { x, t: new Tensor(t, [y.length, ...data.targets.shape.slice(1)]) };
  }
}

/** Mean loss and accuracy over a dataset, in inference mode. */
export function evaluateData(
  model: Graph, loss: Loss, data: TrainingData, batchSize: number,
): { loss: number; accuracy: number | null } {
  let total = 0;
  let correct = 0;
  let seen = 0;
  for (const { x, t } of epochBatches(data, { batchSize, shuffle: false, seed: 0 })) {
    const y = model.forward(x, { training: false });
    total += (loss.forward as (y: Tensor, t: Int32Array | Tensor) => number)(y, t) * x.shape[0];
    if (!(t instanceof Tensor)) correct += countCorrect(y, t);
    seen += x.shape[0];
  }
  return { loss: total / seen, accuracy: 'labels' in data ? correct / seen : null };
}
