/**
 * st.signal: 1-D and 2-D convolution and correlation, matching scipy.signal
 * (`convolve`, `correlate`, `convolve2d`, `correlate2d`, direct method) value for
 * value, in float64, as plain loops that read like the textbook.
 *
 * Convolution flips the kernel before sliding it: (a ∗ b)[k] = Σ_j a[k − j]·b[j].
 * Correlation slides it as it is: (a ⋆ b)[k] = Σ_j a[k − (m − 1) + j]·b[j], a
 * running dot product that peaks where `a` looks like `b`. What CNN layers call
 * convolution is correlation; in 2-D the two differ by rotating the kernel 180°:
 * `correlate2d(A, B) == convolve2d(A, rot180(B))` (in 'same' mode only for odd
 * kernel sides, since scipy centres correlate2d's 'same' differently: see there).
 *
 * Modes, for a signal of n samples and a kernel of m (per axis in 2-D):
 * `'full'` (default) n + m − 1, `'valid'` n − m + 1, `'same'` n.
 *
 * Inputs are number[], Float32Array, Float64Array, arrays of rows, or Tensors.
 * A Tensor anywhere in the inputs gives a Tensor (float32) back; otherwise 1-D
 * results are Float64Array and 2-D results number[][].
 * @example
 * import * as st from 'striate';
 * st.signal.convolve([0, 1, 2, -1, 3], [1, 1, 0])  // Float64Array [0, 1, 3, 1, 2, 3, 0]
 * const A = [[0, 0, 1, 2], [2, 2, 0, 0], [2, 1, 2, 2], [3, 0, 1, 1]];
 * const B = [[0, 0, -1], [1, -1, 1], [-1, 1, 1]];
 * st.signal.correlate2d(A, B, 'valid')                  // [[0, 3], [1, 3]]
 * st.signal.convolve2d(A, st.signal.rot180(B), 'valid') // [[0, 3], [1, 3]]
 */
export { convolve, correlate } from './convolve.js';
export { convolve2d, correlate2d, rot180 } from './convolve2d.js';
export { slidingCosineSimilarity } from './similarity.js';
export type { Mode } from './modes.js';
export type { Matrix, Signal1D, Signal2D, Vector } from './input.js';
