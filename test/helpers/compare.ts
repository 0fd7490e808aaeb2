/**
 * Compares a float32 result with a float64 oracle. The error of each element is
 * |got - want| / (|want| + scale); a failure names the worst index and both values.
 */
export function maxRelativeError(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  scale = 1,
): { error: number; index: number } {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let error = 0;
  let index = -1;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i] - want[i]) / (Math.abs(want[i]) + scale);
    if (!(e <= error)) {
      error = e;
      index = i;
    }
  }
  return { error, index };
}

export function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tolerance: number,
  context: string,
  scale = 1,
): void {
  const { error, index } = maxRelativeError(got, want, scale);
  if (!(error <= tolerance))
    throw new Error(
      `${context}: error ${error.toExponential(2)} > ${tolerance.toExponential(2)} at index ${index}: ` +
        `got ${got[index]}, want ${want[index]}`,
    );
}
