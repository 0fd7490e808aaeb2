/**
 * 1-D convolution and correlation, as scipy.signal.convolve / correlate compute
 * them with method='direct'. Both are written as the sums in their definitions,
 * evaluated only at the samples the mode keeps.
 */
import type { Tensor } from '../tensor.js';
import { anyTensor, checkCount, read1d, write1d, type Signal1D, type Vector } from './input.js';
import { centredStart, checkMode, span, type Mode, type Span } from './modes.js';

// (a ∗ b)[k] = Σ_j a[k − j]·b[j], over the j where both indices fall inside.
function convolveSpan(a: Float64Array, b: Float64Array, keep: Span): Float64Array {
  const out = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) {
    const k = keep.start + i;
    let sum = 0;
    for (let j = Math.max(0, k - a.length + 1); j <= Math.min(k, b.length - 1); j++) sum += a[k - j] * b[j];
    out[i] = sum;
  }
  return out;
}

// (a ⋆ b)[k] = Σ_j a[k − (m − 1) + j]·b[j]: b slides along a unflipped; k = m − 1
// puts b[0] over a[0].
function correlateSpan(a: Float64Array, b: Float64Array, keep: Span): Float64Array {
  const m = b.length;
  const out = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) {
    const shift = keep.start + i - (m - 1);
    let sum = 0;
    for (let j = Math.max(0, -shift); j < Math.min(m, a.length - shift); j++) sum += a[shift + j] * b[j];
    out[i] = sum;
  }
  return out;
}

/**
 * The convolution of two 1-D signals, value for value as
 * `scipy.signal.convolve(a, b, mode, method='direct')`:
 *
 *     (a ∗ b)[k] = Σ_j a[k − j]·b[j]
 *
 * The kernel `b` is flipped and slid along `a`; at each shift the overlapping
 * samples are multiplied and summed. Convolution is commutative (a ∗ b = b ∗ a)
 * and is what a linear time-invariant system does to its input. With n = a.length
 * and m = b.length, the mode picks the output:
 *
 * - `'full'` (default): n + m − 1 samples, every shift with any overlap.
 * - `'valid'`: n − m + 1 samples where b lies wholly inside a (|n − m| + 1, with
 *   the inputs swapped as scipy does, when b is the longer).
 * - `'same'`: n samples, centred on the full result (starting at ⌊(m − 1)/2⌋).
 *
 * Output: a `Tensor` if `a` or `b` is one, else a `Float64Array`.
 * @throws TypeError/RangeError naming the argument for an empty or non-1-D input
 *   or an unknown mode.
 * @example
 * st.signal.convolve([0, 1, 2, -1, 3], [1, 1, 0])           // Float64Array [0, 1, 3, 1, 2, 3, 0]
 * st.signal.convolve([0, 1, 2, -1, 3], [1, 1, 0], 'valid')  // Float64Array [3, 1, 2]
 * st.signal.convolve([0, 1, 2, -1, 3], [1, 1, 0], 'same')   // Float64Array [1, 3, 1, 2, 3]
 */
export function convolve(a: Tensor, b: Signal1D, mode?: Mode): Tensor;
export function convolve(a: Signal1D, b: Tensor, mode?: Mode): Tensor;
export function convolve(a: Vector, b: Vector, mode?: Mode): Float64Array;
export function convolve(a: Signal1D, b: Signal1D, mode?: Mode): Float64Array | Tensor;
export function convolve(a: Signal1D, b: Signal1D, mode: Mode = 'full'): Float64Array | Tensor {
  const x = read1d('convolve', 'a', a);
  const k = read1d('convolve', 'b', b);
  const keep = span(checkMode('convolve', mode), x.length, k.length, centredStart(k.length));
  checkCount('convolve', 'the result', keep.length);
  return write1d(convolveSpan(x, k, keep), anyTensor(a, b));
}

/**
 * The cross-correlation of two 1-D signals, value for value as
 * `scipy.signal.correlate(a, b, mode, method='direct')`:
 *
 *     (a ⋆ b)[k] = Σ_j a[k − (m − 1) + j]·b[j]
 *
 * Like convolution but `b` is not flipped: each output sample is the dot product
 * of `b` with the stretch of `a` under it, so it peaks where `a` looks like `b`
 * (template matching). It is convolution with the reversed kernel:
 * `correlate(a, b, mode)` equals `convolve(a, [...b].reverse(), mode)` in every
 * mode. It is not commutative: `correlate(b, a)` is `correlate(a, b)` reversed.
 * Modes and sizes as in {@link convolve}: full n + m − 1, valid n − m + 1
 * (|n − m| + 1; when b is the longer, scipy computes correlate(b, a) and reverses
 * it, which is the same samples), same n.
 *
 * Output: a `Tensor` if `a` or `b` is one, else a `Float64Array`.
 * @throws TypeError/RangeError naming the argument for an empty or non-1-D input
 *   or an unknown mode.
 * @example
 * st.signal.correlate([0, 1, 2, -1, 3], [1, 1, 0])           // Float64Array [0, 0, 1, 3, 1, 2, 3]
 * st.signal.correlate([0, 1, 2, -1, 3], [1, 1, 0], 'valid')  // Float64Array [1, 3, 1]
 * st.signal.correlate([0, 1, 2, -1, 3], [1, 1, 0], 'same')   // Float64Array [0, 1, 3, 1, 2]
 */
export function correlate(a: Tensor, b: Signal1D, mode?: Mode): Tensor;
export function correlate(a: Signal1D, b: Tensor, mode?: Mode): Tensor;
export function correlate(a: Vector, b: Vector, mode?: Mode): Float64Array;
export function correlate(a: Signal1D, b: Signal1D, mode?: Mode): Float64Array | Tensor;
export function correlate(a: Signal1D, b: Signal1D, mode: Mode = 'full'): Float64Array | Tensor {
  const x = read1d('correlate', 'a', a);
  const k = read1d('correlate', 'b', b);
  const keep = span(checkMode('correlate', mode), x.length, k.length, centredStart(k.length));
  checkCount('correlate', 'the result', keep.length);
  return write1d(correlateSpan(x, k, keep), anyTensor(a, b));
}
