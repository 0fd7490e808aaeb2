/**
 * The three output modes of scipy.signal, and which part of the full result each
 * keeps. Along one axis, with an input of length n and a kernel of length m, the
 * full result has n + m − 1 samples (every shift where the two overlap at all):
 *
 * - `'full'`:  all n + m − 1 samples.
 * - `'valid'`: the |n − m| + 1 samples where one input lies wholly inside the
 *   other (n − m + 1 in the usual case m ≤ n: no zero padding is ever read).
 * - `'same'`:  n samples, as many as the first input, taken from the middle.
 */
export type Mode = 'full' | 'valid' | 'same';

const MODES: readonly Mode[] = ['full', 'valid', 'same'];

/** Returns `mode` (`'full'` when undefined), or throws naming the op. */
export function checkMode(op: string, mode: unknown): Mode {
  if (mode === undefined) return 'full';
  if (typeof mode !== 'string')
    throw new TypeError(`${op}: mode must be 'full', 'valid' or 'same', got ${typeof mode} ${String(mode)}`);
  if (!(MODES as readonly string[]).includes(mode))
    throw new RangeError(`${op}: mode must be 'full', 'valid' or 'same', got '${mode}'`);
  return mode as Mode;
}

/** A run of samples of the full result along one axis: indices start … start + length − 1. */
export interface Span {
  start: number;
  length: number;
}

/**
 * Which samples of the full result (length n + m − 1) a mode keeps along one axis.
 *
 * `sameStart` is where `'same'` begins. scipy centres it at ⌊(m − 1)/2⌋ for
 * convolve, correlate and convolve2d, but correlate2d (a separate C routine)
 * starts at ⌊m/2⌋: the two agree for odd m and differ by one for even m.
 *
 * `'valid'` keeps the samples where the shorter input lies wholly inside the
 * longer, whichever of the two is longer: scipy swaps the inputs when the second
 * is larger, and since full(b, a) is full(a, b) (convolution) or its reverse
 * (correlation), the kept samples are those of full(a, b) from min(n, m) − 1 to
 * max(n, m) − 1.
 */
export function span(mode: Mode, n: number, m: number, sameStart: number): Span {
  switch (mode) {
    case 'full':
      return { start: 0, length: n + m - 1 };
    case 'same':
      return { start: sameStart, length: n };
    case 'valid':
      return { start: Math.min(n, m) - 1, length: Math.abs(n - m) + 1 };
  }
}

/** scipy's 'same' start for convolve, correlate and convolve2d. */
export function centredStart(m: number): number {
  return (m - 1) >> 1;
}

/** scipy's 'same' start for correlate2d: one sample later than centredStart for even m. */
export function correlate2dStart(m: number): number {
  return m >> 1;
}
