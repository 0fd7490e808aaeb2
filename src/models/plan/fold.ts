/**
 * Batch norm folded into the layer before it, for inference: with the running
 * statistics BN is a per-channel affine map y = s·(x − μ) + β, s = γ/√(σ² + eps), so a
 * convolution or dense layer z = W·x + b followed by it is one layer with
 *   W'[c, …] = s[c]·W[c, …],   b'[c] = s[c]·(b[c] − μ[c]) + β[c].
 * Computed in float64, rounded once to float32; the folded layer differs from the pair
 * by float32 rounding only.
 */
import type { BatchNorm1D, BatchNorm2D } from '../../nn/batch-norm.js';
import { Tensor } from '../../tensor.js';

/** Folded copies of `weight` [C, …] and `bias` [C] (null: zero) for the batch norm `bn` over C channels. */
export function foldBatchNorm(weight: Tensor, bias: Tensor | null, bn: BatchNorm1D | BatchNorm2D): { weight: Tensor; bias: Tensor } {
  const channels = weight.shape[0];
  const gamma = bn.gamma!.value.data, beta = bn.beta!.value.data;
  const mean = bn.runningMean!.data, variance = bn.runningVar!.data;
  if (gamma.length !== channels) throw new RangeError(`foldBatchNorm: ${bn.name} has ${gamma.length} channels, the layer before it ${channels}`);
  const per = weight.size / channels;
  const w = new Float32Array(weight.size), b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = gamma[c] / Math.sqrt(variance[c] + bn.eps);
    for (let i = c * per; i < (c + 1) * per; i++) w[i] = weight.data[i] * s;
    b[c] = s * ((bias ? bias.data[c] : 0) - mean[c]) + beta[c];
  }
  return { weight: new Tensor(w, weight.shape), bias: new Tensor(b, [channels]) };
}
