/**
 * Elementwise and per-channel kernels the layers call: activations, bias, softmax,
 * dropout, batch norm and local response norm, plus the fused softmax cross-entropy
 * and the optimizers' update rules. They work on raw Float32Arrays in the layout the
 * layers use — a tensor seen as [outer, channels, inner] (NCHW: outer = N, inner = H·W;
 * [N, F]: inner = 1) — and assume their caller validated the shapes. Outputs are
 * written, never allocated; gradients of parameters are accumulated (+=). Sums run in
 * float64 (or float lanes flushed into float64) in a fixed order, so results are the
 * same on every run.
 *
 * The training hot path (ReLU, leaky ReLU, bias and its gradient, softmax cross-entropy,
 * SGD and Adam updates) runs in the native SIMD kernels (native/kernels/elementwise);
 * the binding re-checks every length. The rest are plain loops here.
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

/** One SGD step in place; see `SgdStep` in native/kernels/elementwise/elementwise.h for the rule. */
export function sgdUpdate(
  value: Float32Array, grad: Float32Array, momentumBuffer: Float32Array | null,
  step: { lr: number; weightDecay: number; momentum: number; keep: number; share: number; nesterov: boolean },
): void {
  native.sgdUpdate(value, grad, momentumBuffer, step.lr, step.weightDecay, step.momentum, step.keep, step.share, step.nesterov);
}

/** One Adam / AdamW step in place; see `AdamStep` in native/kernels/elementwise/elementwise.h. */
export function adamUpdate(
  value: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array,
  step: { stepSize: number; beta1: number; beta2: number; root2: number; eps: number; l2: number; decay: number },
): void {
  native.adamUpdate(value, grad, m, v, step.stepSize, step.beta1, step.beta2, step.root2, step.eps, step.l2, step.decay);
}

/** y = x for x > 0, alpha·(eˣ − 1) otherwise. */
export function elu(x: Float32Array, y: Float32Array, alpha: number): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
}

/** dy/dx = 1 for x > 0, alpha·eˣ = y + alpha otherwise (reuses the output). */
export function eluGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha);
}

/** y = 1 / (1 + e⁻ˣ), written so neither branch overflows. */
export function sigmoid(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

/** dx = dy · y · (1 − y). */
export function sigmoidGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < y.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}

export function tanh(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
}

/** dx = dy · (1 − y²). */
export function tanhGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
}

/** Softmax over the middle axis of [outer, dim, inner], shifted by the max (no overflow). */
export function softmax(x: Float32Array, y: Float32Array, outer: number, dim: number, inner: number): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let max = -Infinity;
      for (let d = 0; d < dim; d++) max = Math.max(max, x[base + d * inner]);
      let sum = 0;
      for (let d = 0; d < dim; d++) {
        const e = Math.exp(x[base + d * inner] - max);
        y[base + d * inner] = e;
        sum += e;
      }
      const scale = 1 / sum;
      for (let d = 0; d < dim; d++) y[base + d * inner] *= scale;
    }
}

/** dx = y · (dy − Σ_d dy·y), over the middle axis of [outer, dim, inner]. */
export function softmaxGrad(y: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, dim: number, inner: number): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += dy[base + d * inner] * y[base + d * inner];
      for (let d = 0; d < dim; d++) {
        const p = base + d * inner;
        dx[p] = y[p] * (dy[p] - dot);
      }
    }
}

/** Inverted dropout's mask: each entry 0 with probability `rate`, else 1/(1 − rate). */
export function dropoutMask(mask: Float32Array, rate: number, rng: Rng): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < rate ? 0 : keep;
}

/** out = a · b, elementwise. */
export function multiply(a: Float32Array, b: Float32Array, out: Float32Array): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
}

/** Per-channel mean and biased variance of [outer, channels, inner] (two passes, float64). */
export function channelMoments(
  x: Float32Array, outer: number, channels: number, inner: number, mean: Float64Array, variance: Float64Array,
): void {
  const count = outer * inner;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) sum += x[base + i];
    }
    const m = sum / count;
    let sq = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) {
        const d = x[base + i] - m;
        sq += d * d;
      }
    }
    mean[c] = m;
    variance[c] = sq / count;
  }
}

/** y = gamma · (x − mean) · invStd + beta, per channel. */
export function batchNorm(
  x: Float32Array, y: Float32Array, outer: number, channels: number, inner: number,
  mean: ArrayLike<number>, invStd: ArrayLike<number>, gamma: Float32Array, beta: Float32Array,
): void {
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const scale = gamma[c] * invStd[c];
      const shift = beta[c] - mean[c] * scale;
      for (let i = 0; i < inner; i++) y[base + i] = x[base + i] * scale + shift;
    }
}

/**
 * Batch norm backward. With x̂ = (x − mean)·invStd and M = outer·inner values per channel:
 *   dgamma += Σ dy·x̂,  dbeta += Σ dy,
 *   dx = gamma·invStd · (dy − Σdy/M − x̂·Σ(dy·x̂)/M)  when the statistics came from this batch,
 *   dx = gamma·invStd · dy                              when they were fixed (running statistics).
 */
export function batchNormGrad(
  x: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, channels: number, inner: number,
  mean: ArrayLike<number>, invStd: ArrayLike<number>, gamma: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  batchStatistics: boolean,
): void {
  const count = outer * inner;
  for (let c = 0; c < channels; c++) {
    const m = mean[c];
    const s = invStd[c];
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) {
        const g = dy[base + i];
        sumDy += g;
        sumDyXhat += g * (x[base + i] - m) * s;
      }
    }
    dgamma[c] += sumDyXhat;
    dbeta[c] += sumDy;
    const scale = gamma[c] * s;
    const meanDy = batchStatistics ? sumDy / count : 0;
    const meanDyXhat = batchStatistics ? sumDyXhat / count : 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) {
        const xhat = (x[base + i] - m) * s;
        dx[base + i] = scale * (dy[base + i] - meanDy - xhat * meanDyXhat);
      }
    }
  }
}

/** The channel window of local response norm, as PyTorch: [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋]. */
function lrnWindow(size: number): { before: number; after: number } {
  return { before: Math.floor(size / 2), after: Math.floor((size - 1) / 2) };
}

/**
 * Local response norm across channels: s_c = k + (alpha/size)·Σ_{j∈W(c)} x_j²,
 * y_c = x_c · s_c^(−beta). `scale` receives s (backward needs it).
 */
export function localResponseNorm(
  x: Float32Array, y: Float32Array, scale: Float32Array, outer: number, channels: number, inner: number,
  size: number, alpha: number, beta: number, k: number,
): void {
  const { before, after } = lrnWindow(size);
  const a = alpha / size;
  for (let o = 0; o < outer; o++) {
    const plane = o * channels * inner;
    for (let i = 0; i < inner; i++)
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        const lo = Math.max(0, c - before);
        const hi = Math.min(channels - 1, c + after);
        for (let j = lo; j <= hi; j++) {
          const v = x[plane + j * inner + i];
          sum += v * v;
        }
        const p = plane + c * inner + i;
        const s = k + a * sum;
        scale[p] = s;
        y[p] = x[p] * Math.pow(s, -beta);
      }
  }
}

/**
 * dx_i = dy_i · s_i^(−beta) − (2·alpha·beta/size) · x_i · Σ_{c: i∈W(c)} dy_c · x_c · s_c^(−beta−1),
 * where i ∈ W(c) exactly when c ∈ [i − ⌊(size−1)/2⌋, i + ⌊size/2⌋].
 */
export function localResponseNormGrad(
  x: Float32Array, scale: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, channels: number, inner: number,
  size: number, alpha: number, beta: number,
): void {
  const { before, after } = lrnWindow(size);
  const factor = (2 * alpha * beta) / size;
  for (let o = 0; o < outer; o++) {
    const plane = o * channels * inner;
    for (let i = 0; i < inner; i++)
      for (let ch = 0; ch < channels; ch++) {
        const p = plane + ch * inner + i;
        let sum = 0;
        const lo = Math.max(0, ch - after);
        const hi = Math.min(channels - 1, ch + before);
        for (let c = lo; c <= hi; c++) {
          const q = plane + c * inner + i;
          sum += dy[q] * x[q] * Math.pow(scale[q], -beta - 1);
        }
        dx[p] = dy[p] * Math.pow(scale[p], -beta) - factor * x[p] * sum;
      }
  }
}
