/**
 * Elementwise and per-channel kernels the layers call: activations, bias, softmax,
 * dropout, batch norm and local response norm, plus the fused softmax cross-entropy
 * and the optimizers' update rules. They work on raw Float32Arrays in the layout the
 * layers use — a tensor seen as [outer, channels, inner] (NCHW: outer = N, inner = H·W;
 * [N, F]: inner = 1) — and assume their caller validated the shapes. Outputs are
 * written, never allocated (local response norm's backward allocates its scratch);
 * gradients of parameters are accumulated (+=). Sums run in
 * float64 (or float lanes flushed into float64) in a fixed order, so results are the
 * same on every run.
 *
 * Everything but dropout's mask runs in the native SIMD kernels
 * (native/kernels/elementwise); the binding re-checks every length. The mask stays here
 * because it is drawn from the layer's `Rng`, whose stream it must follow exactly.
 */
import { native } from '../native.js';
import type { Rng } from '../random.js';

/** y[o, c, i] += b[c]. */
export function addBias(y: Float32Array, b: Float32Array, outer: number, channels: number, inner: number): void {
  native.biasAdd(y, b, outer, channels, inner);
}

/** db[c] += Σ_{o,i} dy[o, c, i]. */
export function biasGrad(dy: Float32Array, db: Float32Array, outer: number, channels: number, inner: number): void {
  native.biasGrad(dy, db, outer, channels, inner);
}

/** y = max(x, 0). */
export function relu(x: Float32Array, y: Float32Array): void {
  native.reluForward(x, y);
}

/** dx = dy where x > 0, else 0 (the subgradient at 0 is 0, as PyTorch). dx may be dy. */
export function reluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  native.reluGrad(x, dy, dx);
}

/** y = x for x > 0, alpha·x otherwise. */
export function leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void {
  native.leakyRelu(x, y, alpha);
}

export function leakyReluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void {
  native.leakyReluGrad(x, dy, dx, alpha);
}

/**
 * Softmax cross-entropy on logits [n, k] with label smoothing eps: writes
 * dlogits = (softmax − q)/n and returns the mean loss −(1/n)·Σ q·log softmax, where
 * q = (1 − eps)·target + eps/k and target is the one-hot of `labels` (valid class
 * indices) or the rows of `targets`.
 */
export function softmaxCrossEntropy(
  logits: Float32Array, n: number, k: number, labels: Int32Array | null, targets: Float32Array | null, eps: number,
  dlogits: Float32Array,
): number {
  return native.softmaxCrossEntropy(logits, n, k, labels, targets, eps, dlogits) / n;
}

/**
 * One SGD step in place over every parameter of the lists, in one native call; see
 * `SgdStep` in native/kernels/elementwise/elementwise.h for the rule.
 */
export function sgdUpdate(
  values: Float32Array[], grads: Float32Array[], momenta: Float32Array[] | null,
  step: { lr: number; weightDecay: number; momentum: number; keep: number; share: number; nesterov: boolean },
): void {
  native.sgdUpdate(values, grads, momenta, step.lr, step.weightDecay, step.momentum, step.keep, step.share, step.nesterov);
}

/** One Adam / AdamW step in place over every parameter, in one native call; see `AdamStep`. */
export function adamUpdate(
  values: Float32Array[], grads: Float32Array[], ms: Float32Array[], vs: Float32Array[],
  step: { stepSize: number; beta1: number; beta2: number; root2: number; eps: number; l2: number; decay: number },
): void {
  native.adamUpdate(values, grads, ms, vs, step.stepSize, step.beta1, step.beta2, step.root2, step.eps, step.l2, step.decay);
}

/** y = x for x > 0, alpha·(eˣ − 1) otherwise (eˣ − 1 computed without cancellation near 0). */
export function elu(x: Float32Array, y: Float32Array, alpha: number): void {
  native.elu(x, y, alpha);
}

/** dy/dx = 1 for x > 0, alpha·eˣ = y + alpha otherwise (reuses the output). */
export function eluGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void {
  native.eluGrad(x, y, dy, dx, alpha);
}

/** y = 1 / (1 + e⁻ˣ), written so neither branch overflows. */
export function sigmoid(x: Float32Array, y: Float32Array): void {
  native.sigmoid(x, y);
}

/** dx = dy · y · (1 − y). */
export function sigmoidGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  native.sigmoidGrad(y, dy, dx);
}

export function tanh(x: Float32Array, y: Float32Array): void {
  native.tanh(x, y);
}

/** dx = dy · (1 − y²). */
export function tanhGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  native.tanhGrad(y, dy, dx);
}

/** Softmax over the middle axis of [outer, dim, inner], shifted by the max (no overflow). */
export function softmax(x: Float32Array, y: Float32Array, outer: number, dim: number, inner: number): void {
  native.softmax(x, y, outer, dim, inner);
}

/** dx = y · (dy − Σ_d dy·y), over the middle axis of [outer, dim, inner]. */
export function softmaxGrad(y: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, dim: number, inner: number): void {
  native.softmaxGrad(y, dy, dx, outer, dim, inner);
}

/** Inverted dropout's mask: each entry 0 with probability `rate`, else 1/(1 − rate). */
export function dropoutMask(mask: Float32Array, rate: number, rng: Rng): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < rate ? 0 : keep;
}

/** out = a + b; out may be a or b. */
export function add(a: Float32Array, b: Float32Array, out: Float32Array): void {
  native.add(a, b, out);
}

/** out = a · b, elementwise. */
export function multiply(a: Float32Array, b: Float32Array, out: Float32Array): void {
  native.multiply(a, b, out);
}

/**
 * Batch norm on the batch's own statistics: writes each channel's mean and biased
 * variance over [outer, ·, inner] (deterministic sums, float64 results), then
 * y = gamma · (x − mean) / √(variance + eps) + beta; with relu, max(0, y) in the same pass.
 */
export function batchNormTraining(
  x: Float32Array, y: Float32Array, outer: number, channels: number, inner: number, eps: number,
  gamma: Float32Array, beta: Float32Array, mean: Float64Array, variance: Float64Array, relu = false,
): void {
  native.batchNormTrain(x, y, outer, channels, inner, eps, gamma, beta, mean, variance, relu);
}

/** y = gamma · (x − mean) · invStd + beta, per channel; with relu, max(0, y) in the same pass. */
export function batchNorm(
  x: Float32Array, y: Float32Array, outer: number, channels: number, inner: number,
  mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array, relu = false,
): void {
  native.batchNorm(x, y, outer, channels, inner, mean, invStd, gamma, beta, relu);
}

/**
 * Batch norm backward. With x̂ = (x − mean)·invStd and M = outer·inner values per channel:
 *   dgamma += Σ dy·x̂,  dbeta += Σ dy,
 *   dx = gamma·invStd · (dy − Σdy/M − x̂·Σ(dy·x̂)/M)  when the statistics came from this batch,
 *   dx = gamma·invStd · dy                              when they were fixed (running statistics).
 * reluY: the output of a forward run with relu, whose ReLU backward is then fused in (dy
 * counts only where reluY > 0); null for a plain batch norm.
 */
export function batchNormGrad(
  x: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, channels: number, inner: number,
  mean: Float64Array, invStd: Float64Array, gamma: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  batchStatistics: boolean, reluY: Float32Array | null = null,
): void {
  native.batchNormGrad(x, dy, dx, outer, channels, inner, mean, invStd, gamma, dgamma, dbeta, batchStatistics, reluY);
}

/**
 * Local response norm across channels, with PyTorch's window of channels
 * W(c) = [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋]: s_c = k + (alpha/size)·Σ_{j∈W(c)} x_j²,
 * y_c = x_c · s_c^(−beta). `scale` receives s (backward needs it).
 */
export function localResponseNorm(
  x: Float32Array, y: Float32Array, scale: Float32Array, outer: number, channels: number, inner: number,
  size: number, alpha: number, beta: number, k: number,
): void {
  native.localResponseNorm(x, y, scale, outer, channels, inner, size, alpha, beta, k);
}

/**
 * dx_i = dy_i · s_i^(−beta) − (2·alpha·beta/size) · x_i · Σ_{c: i∈W(c)} dy_c · x_c · s_c^(−beta−1),
 * where i ∈ W(c) exactly when c ∈ [i − ⌊(size−1)/2⌋, i + ⌊size/2⌋].
 */
export function localResponseNormGrad(
  x: Float32Array, scale: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, channels: number, inner: number,
  size: number, alpha: number, beta: number,
): void {
  // The kernel keeps each channel's dy·x·s^(−beta−1) for the windows that sum it.
  const work = new Float32Array(x.length);
  native.localResponseNormGrad(x, scale, dy, work, dx, outer, channels, inner, size, alpha, beta);
}
