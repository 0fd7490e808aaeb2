// Order statistics of repeated timings. Medians, not means: one descheduled run on a
// shared 2-core machine should move the spread, not the headline number.

/** Quantile q in [0, 1] of an ascending array, linear between neighbours. */
function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summary of timings in seconds: median, min, max, quartiles, count. */
export function summarize(seconds) {
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

/**
 * Largest error of `got` against `want`, relative to the largest magnitude in `want`:
 * elementwise relative error is meaningless where the reference crosses zero.
 */
export function maxRelError(got, want) {
  if (got.length !== want.length) return Infinity;
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= worst)) worst = d; // NaN propagates as the worst
  }
  return worst / (scale || 1);
}
