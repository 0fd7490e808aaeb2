/**
 * Sliding cosine similarity: normalised template matching. Correlation peaks where
 * the image is bright as much as where it looks like the template; dividing by the
 * norms leaves only the likeness of shape.
 */
import { formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import {
  anyTensor,
  readEither,
  write1d,
  write2d,
  type Grid,
  type Matrix,
  type Signal1D,
  type Signal2D,
  type Vector,
} from './input.js';

// S[r][c] = Σ W·B / (‖W‖·‖B‖), W = A[r … r + mR − 1][c … c + mC − 1]; 0 if a norm is 0.
function similarityMap(a: Grid, b: Grid): Grid {
  const rows = a.rows - b.rows + 1;
  const cols = a.cols - b.cols + 1;
  let bSquares = 0;
  for (let i = 0; i < b.data.length; i++) bSquares += b.data[i] * b.data[i];
  const bNorm = Math.sqrt(bSquares);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let dot = 0;
      let wSquares = 0;
      for (let i = 0; i < b.rows; i++) {
        for (let j = 0; j < b.cols; j++) {
          const w = a.data[(r + i) * a.cols + (c + j)];
          dot += w * b.data[i * b.cols + j];
          wSquares += w * w;
        }
      }
      const norms = Math.sqrt(wSquares) * bNorm;
      out[r * cols + c] = norms === 0 ? 0 : dot / norms;
    }
  }
  return { data: out, rows, cols };
}

/**
 * The cosine similarity between `b` and every window of `a` the same size as `b`,
 * at the 'valid' positions (each window wholly inside `a`):
 *
 *     S[r][c] = Σ_i Σ_j W[i][j]·B[i][j] / (‖W‖·‖B‖),   W = the window of A at (r, c)
 *
 * It is `correlate2d(A, B, 'valid')` divided by the norms, so each value lies in
 * [−1, 1] (up to rounding): 1 where the window is a positive multiple of `b`,
 * −1 a negative one, 0 when orthogonal. Where a window is all zeros (or `b` is),
 * the cosine is undefined and this returns 0: there is nothing to match.
 *
 * `a` and `b` are both 2-D (output [n − m + 1] per axis) or both 1-D (output
 * n − m + 1 samples); `b` must fit inside `a` in every dimension.
 * Output: a `Tensor` if `a` or `b` is one, else a `number[][]` (2-D) or a
 * `Float64Array` (1-D).
 * @throws TypeError/RangeError naming the argument for an empty, ragged or
 *   mismatched-rank input, or a `b` larger than `a`.
 * @example
 * st.signal.slidingCosineSimilarity([[0, 0, 0], [0, 1, 1], [0, 1, 1]], [[1, 1], [1, 1]])
 * // [[0.5, 0.7071…], [0.7071…, 1]]
 * st.signal.slidingCosineSimilarity([1, 0, 0, 2, 2, 0], [1, 1])
 * // Float64Array [0.7071…, 0, 0.7071…, 1, 0.7071…]   (the window [0, 0] gives 0)
 */
export function slidingCosineSimilarity(a: Tensor, b: Signal1D | Signal2D): Tensor;
export function slidingCosineSimilarity(a: Signal1D | Signal2D, b: Tensor): Tensor;
export function slidingCosineSimilarity(a: Vector, b: Vector): Float64Array;
export function slidingCosineSimilarity(a: Matrix, b: Matrix): number[][];
export function slidingCosineSimilarity(a: Signal1D | Signal2D, b: Signal1D | Signal2D): Float64Array | number[][] | Tensor;
export function slidingCosineSimilarity(a: Signal1D | Signal2D, b: Signal1D | Signal2D): Float64Array | number[][] | Tensor {
  const op = 'slidingCosineSimilarity';
  const image = readEither(op, 'a', a);
  const template = readEither(op, 'b', b);
  if (image.rank !== template.rank)
    throw new RangeError(`${op}: a and b must have the same rank, got a ${image.rank}-D and b ${template.rank}-D`);
  const ga = image.grid;
  const gb = template.grid;
  if (gb.rows > ga.rows || gb.cols > ga.cols) {
    const shape = (g: Grid) => formatShape(image.rank === 1 ? [g.cols] : [g.rows, g.cols]);
    throw new RangeError(`${op}: b ${shape(gb)} must fit inside a ${shape(ga)} in every dimension`);
  }
  const map = similarityMap(ga, gb);
  return image.rank === 1 ? write1d(map.data, anyTensor(a, b)) : write2d(map, anyTensor(a, b));
}
