/**
 * 2-D convolution and correlation, as scipy.signal.convolve2d / correlate2d
 * compute them (zero fill at the borders), and the 180° rotation that links them.
 * Both are the double sums of their definitions, evaluated only at the samples the
 * mode keeps, one axis at a time.
 */
import { formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { anyTensor, checkCount, read2d, write2d, type Grid, type Matrix, type Signal2D } from './input.js';
import { centredStart, checkMode, correlate2dStart, span, type Mode, type Span } from './modes.js';

// (A ∗ B)[r][c] = Σ_i Σ_j A[r − i][c − j]·B[i][j], over the (i, j) inside both.
function convolveSpans(a: Grid, b: Grid, rows: Span, cols: Span): Grid {
  const out = new Float64Array(rows.length * cols.length);
  for (let y = 0; y < rows.length; y++) {
    const r = rows.start + y;
    for (let x = 0; x < cols.length; x++) {
      const c = cols.start + x;
      let sum = 0;
      for (let i = Math.max(0, r - a.rows + 1); i <= Math.min(r, b.rows - 1); i++)
        for (let j = Math.max(0, c - a.cols + 1); j <= Math.min(c, b.cols - 1); j++)
          sum += a.data[(r - i) * a.cols + (c - j)] * b.data[i * b.cols + j];
      out[y * cols.length + x] = sum;
    }
  }
  return { data: out, rows: rows.length, cols: cols.length };
}

// (A ⋆ B)[r][c] = Σ_i Σ_j A[r − (mR − 1) + i][c − (mC − 1) + j]·B[i][j]: B slides
// over A unrotated; (r, c) = (mR − 1, mC − 1) puts B[0][0] over A[0][0].
function correlateSpans(a: Grid, b: Grid, rows: Span, cols: Span): Grid {
  const out = new Float64Array(rows.length * cols.length);
  for (let y = 0; y < rows.length; y++) {
    const top = rows.start + y - (b.rows - 1);
    for (let x = 0; x < cols.length; x++) {
      const left = cols.start + x - (b.cols - 1);
      let sum = 0;
      for (let i = Math.max(0, -top); i < Math.min(b.rows, a.rows - top); i++)
        for (let j = Math.max(0, -left); j < Math.min(b.cols, a.cols - left); j++)
          sum += a.data[(top + i) * a.cols + (left + j)] * b.data[i * b.cols + j];
      out[y * cols.length + x] = sum;
    }
  }
  return { data: out, rows: rows.length, cols: cols.length };
}

/**
 * The spans a mode keeps along rows and columns. In 'valid' mode scipy needs one
 * input at least as large as the other in every dimension, and raises otherwise.
 */
function spans(op: string, mode: Mode, a: Grid, b: Grid, sameStart: (m: number) => number): [Span, Span] {
  if (mode === 'valid') {
    const aCovers = a.rows >= b.rows && a.cols >= b.cols;
    const bCovers = b.rows >= a.rows && b.cols >= a.cols;
    if (!aCovers && !bCovers)
      throw new RangeError(
        `${op}: 'valid' mode needs one input at least as large as the other in every dimension (as scipy), ` +
          `got a ${formatShape([a.rows, a.cols])} and b ${formatShape([b.rows, b.cols])}`,
      );
  }
  const rows = span(mode, a.rows, b.rows, sameStart(b.rows));
  const cols = span(mode, a.cols, b.cols, sameStart(b.cols));
  checkCount(op, 'the result', rows.length * cols.length);
  return [rows, cols];
}

/**
 * The 2-D convolution of `a` with the kernel `b`, value for value as
 * `scipy.signal.convolve2d(a, b, mode)` (zero fill outside `a`):
 *
 *     (A ∗ B)[r][c] = Σ_i Σ_j A[r − i][c − j]·B[i][j]
 *
 * The kernel is rotated by 180° and slid over the image; at each position the
 * overlapping values are multiplied and summed. With `a` of n rows (or columns)
 * and `b` of m, each axis of the output has
 *
 * - `'full'` (default): n + m − 1, every position with any overlap.
 * - `'valid'`: n − m + 1, the positions where b lies wholly inside a. If b is
 *   the larger in every dimension the inputs are swapped (|n − m| + 1), as scipy;
 *   if each is larger in a different dimension, a RangeError (scipy raises).
 * - `'same'`: n, centred on the full result (starting at ⌊(m − 1)/2⌋).
 *
 * Output: a `Tensor` if `a` or `b` is one, else a `number[][]`.
 * @throws TypeError/RangeError naming the argument for an empty, ragged or
 *   non-2-D input or an unknown mode.
 * @example
 * const A = [[0, 0, 1, 2], [2, 2, 0, 0], [2, 1, 2, 2], [3, 0, 1, 1]];
 * const B = [[0, 0, -1], [1, -1, 1], [-1, 1, 1]];
 * st.signal.convolve2d(A, B, 'valid')  // [[-3, 0], [4, 3]]
 * st.signal.convolve2d(A, B, 'same')   // [[0, -1, -1, -1], [0, -3, 0, 1], [-1, 4, 3, -1], [-2, 5, 1, 4]]
 */
export function convolve2d(a: Tensor, b: Signal2D, mode?: Mode): Tensor;
export function convolve2d(a: Signal2D, b: Tensor, mode?: Mode): Tensor;
export function convolve2d(a: Matrix, b: Matrix, mode?: Mode): number[][];
export function convolve2d(a: Signal2D, b: Signal2D, mode?: Mode): number[][] | Tensor;
export function convolve2d(a: Signal2D, b: Signal2D, mode: Mode = 'full'): number[][] | Tensor {
  const image = read2d('convolve2d', 'a', a);
  const kernel = read2d('convolve2d', 'b', b);
  const [rows, cols] = spans('convolve2d', checkMode('convolve2d', mode), image, kernel, centredStart);
  return write2d(convolveSpans(image, kernel, rows, cols), anyTensor(a, b));
}

/**
 * The 2-D cross-correlation of `a` with the template `b`, value for value as
 * `scipy.signal.correlate2d(a, b, mode)` (zero fill outside `a`):
 *
 *     (A ⋆ B)[r][c] = Σ_i Σ_j A[r − (mR − 1) + i][c − (mC − 1) + j]·B[i][j]
 *
 * The template slides over the image unrotated and each output is the dot product
 * of `b` with the patch under it; this is what a CNN's "convolution" layer
 * computes. Correlating is convolving with the kernel rotated by 180°:
 *
 *     correlate2d(A, B, mode) == convolve2d(A, rot180(B), mode)
 *
 * for 'full' and 'valid' always, and for 'same' when both sides of `b` are odd.
 * For an even side scipy centres 'same' one sample later in correlate2d
 * (starting at ⌊m/2⌋) than in convolve2d (⌊(m − 1)/2⌋), and so does this.
 * Output sizes per axis as in {@link convolve2d}: full n + m − 1, valid n − m + 1
 * (swapped inputs, as scipy, when b is the larger in every dimension), same n.
 *
 * Output: a `Tensor` if `a` or `b` is one, else a `number[][]`.
 * @throws TypeError/RangeError naming the argument for an empty, ragged or
 *   non-2-D input or an unknown mode.
 * @example
 * const A = [[0, 0, 1, 2], [2, 2, 0, 0], [2, 1, 2, 2], [3, 0, 1, 1]];
 * const B = [[0, 0, -1], [1, -1, 1], [-1, 1, 1]];
 * st.signal.correlate2d(A, B, 'valid')                 // [[0, 3], [1, 3]]
 * st.signal.convolve2d(A, st.signal.rot180(B), 'valid') // [[0, 3], [1, 3]]
 */
export function correlate2d(a: Tensor, b: Signal2D, mode?: Mode): Tensor;
export function correlate2d(a: Signal2D, b: Tensor, mode?: Mode): Tensor;
export function correlate2d(a: Matrix, b: Matrix, mode?: Mode): number[][];
export function correlate2d(a: Signal2D, b: Signal2D, mode?: Mode): number[][] | Tensor;
export function correlate2d(a: Signal2D, b: Signal2D, mode: Mode = 'full'): number[][] | Tensor {
  const image = read2d('correlate2d', 'a', a);
  const template = read2d('correlate2d', 'b', b);
  const [rows, cols] = spans('correlate2d', checkMode('correlate2d', mode), image, template, correlate2dStart);
  return write2d(correlateSpans(image, template, rows, cols), anyTensor(a, b));
}

/**
 * `b` rotated by 180°: rows in reverse order, each row reversed, so
 * `rot180(B)[i][j] = B[mR − 1 − i][mC − 1 − j]`. It turns correlation into
 * convolution and back (see {@link correlate2d}).
 *
 * Output: a `Tensor` if `b` is one, else a `number[][]`.
 * @example
 * st.signal.rot180([[1, 2, 3], [4, 5, 6]])  // [[6, 5, 4], [3, 2, 1]]
 */
export function rot180(b: Tensor): Tensor;
export function rot180(b: Matrix): number[][];
export function rot180(b: Signal2D): number[][] | Tensor;
export function rot180(b: Signal2D): number[][] | Tensor {
  const grid = read2d('rot180', 'b', b);
  const n = grid.data.length;
  const out = new Float64Array(n);
  // Row-major, so turning the grid half round reverses its flat data.
  for (let i = 0; i < n; i++) out[i] = grid.data[n - 1 - i];
  return write2d({ data: out, rows: grid.rows, cols: grid.cols }, anyTensor(b));
}
