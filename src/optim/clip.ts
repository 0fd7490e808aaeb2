/**
 * Gradient clipping by global norm (Pascanu et al., 2013), as
 * torch.nn.utils.clip_grad_norm_: with N = sqrt(sum of grad^2 over all params),
 * when N > maxNorm every gradient is scaled by maxNorm / (N + 1e-6).
 */
import type { Param } from '../param.js';
import { checkParams, checkRange } from './checks.js';

/**
 * Rescales all gradients together so their joint L2 norm is at most `maxNorm`, and
 * returns the norm before clipping (summed in float64). A non-finite norm (an
 * overflowed or NaN gradient) is returned and the gradients are left as they are,
 * so the caller can see it and skip the step.
 * @example
 * const norm = st.optim.clipGradNorm(model.params(), 5);
 * if (Number.isFinite(norm)) optimizer.step();
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  // A parameter listed twice would count twice in the norm and be scaled twice.
  checkParams('clipGradNorm', params, true);
  checkRange('clipGradNorm', 'maxNorm', maxNorm, 0, Infinity);
  let sum = 0;
  for (const p of params) {
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  const norm = Math.sqrt(sum);
  if (Number.isFinite(norm) && norm > maxNorm) {
    const factor = maxNorm / (norm + 1e-6);
    for (const p of params) {
      const g = p.grad.data;
      for (let i = 0; i < g.length; i++) g[i] *= factor;
    }
  }
  return norm;
}
