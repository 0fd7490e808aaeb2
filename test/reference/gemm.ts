/** float64 oracle: alpha * op(A) * op(B) + beta * C, row-major, dense leading dimensions. */
export function gemmReference(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: ArrayLike<number>, b: ArrayLike<number>, beta: number, c: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = alpha * acc + (beta === 0 ? 0 : beta * c[i * n + j]);
    }
  return out;
}
