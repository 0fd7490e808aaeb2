/**
 * float64 oracles of 2-D pooling over NCHW data, written from the definitions (PyTorch's
 * output size and divisor rules, Zeiler & Fergus's stochastic pooling), one window at
 * a time. Inputs are read as doubles; nothing is rounded to float32.
 */
export interface Geometry {
  n: number; c: number; h: number; w: number;
  kH: number; kW: number; sH: number; sW: number; pH: number; pW: number;
  ceilMode: boolean;
  outH: number; outW: number;
}

function extent(size: number, k: number, s: number, p: number, ceilMode: boolean): number {
  const span = size + 2 * p - k;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // PyTorch drops a last window that would start in the right/bottom padding.
  if (ceilMode && (out - 1) * s >= size + p) out--;
  return out;
}

export function geometry(
  shape: readonly number[], kernel: [number, number], stride: [number, number], pad: [number, number], ceilMode: boolean,
): Geometry {
  const [n, c, h, w] = shape;
  return {
    n, c, h, w, kH: kernel[0], kW: kernel[1], sH: stride[0], sW: stride[1], pH: pad[0], pW: pad[1], ceilMode,
    outH: extent(h, kernel[0], stride[0], pad[0], ceilMode), outW: extent(w, kernel[1], stride[1], pad[1], ceilMode),
  };
}

/** Calls fn(plane, o, cells, paddedCount) for every output, cells = in-bounds flat indices in row-major order. */
function eachWindow(g: Geometry, fn: (plane: number, o: number, cells: number[], paddedCount: number) => void): void {
  for (let plane = 0; plane < g.n * g.c; plane++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++) {
        const top = oh * g.sH - g.pH, left = ow * g.sW - g.pW;
        const bottom = Math.min(top + g.kH, g.h + g.pH), right = Math.min(left + g.kW, g.w + g.pW);
        const cells: number[] = [];
        for (let ih = Math.max(top, 0); ih < Math.min(bottom, g.h); ih++)
          for (let iw = Math.max(left, 0); iw < Math.min(right, g.w); iw++) cells.push(ih * g.w + iw);
        fn(plane, (plane * g.outH + oh) * g.outW + ow, cells, (bottom - top) * (right - left));
      }
}

export function maxPool(x: ArrayLike<number>, g: Geometry): { y: Float64Array; argmax: Int32Array } {
  const y = new Float64Array(g.n * g.c * g.outH * g.outW);
  const argmax = new Int32Array(y.length);
  eachWindow(g, (plane, o, cells) => {
    const base = plane * g.h * g.w;
    let best = cells[0];
    for (const i of cells) if (x[base + i] > x[base + best]) best = i;
    y[o] = x[base + best];
    argmax[o] = best;
  });
  return { y, argmax };
}

export function avgPool(x: ArrayLike<number>, g: Geometry, countIncludePad: boolean): Float64Array {
  const y = new Float64Array(g.n * g.c * g.outH * g.outW);
  eachWindow(g, (plane, o, cells, paddedCount) => {
    let sum = 0;
    for (const i of cells) sum += x[plane * g.h * g.w + i];
    y[o] = sum / (countIncludePad ? paddedCount : cells.length);
  });
  return y;
}

/** Training: the element whose cumulative share of max(a, 0) first exceeds u (all-zero: the first cell). */
export function stochasticTrain(x: ArrayLike<number>, g: Geometry, u: ArrayLike<number>): { y: Float64Array; index: Int32Array } {
  const y = new Float64Array(g.n * g.c * g.outH * g.outW);
  const index = new Int32Array(y.length);
  eachWindow(g, (plane, o, cells) => {
    const base = plane * g.h * g.w;
    const positive = cells.filter((i) => x[base + i] > 0);
    const total = positive.reduce((s, i) => s + x[base + i], 0);
    let chosen = cells[0];
    let cum = 0;
    for (const i of positive) {
      cum += x[base + i];
      chosen = i;
      if (cum > u[o] * total) break;
    }
    y[o] = total > 0 ? x[base + chosen] : 0;
    index[o] = chosen;
  });
  return { y, index };
}

/** Inference: Σ a_i² / Σ a_i over a_i > 0 (0 for an all-zero window). */
export function stochasticInfer(x: ArrayLike<number>, g: Geometry): Float64Array {
  const y = new Float64Array(g.n * g.c * g.outH * g.outW);
  eachWindow(g, (plane, o, cells) => {
    let s1 = 0, s2 = 0;
    for (const i of cells) {
      const a = x[plane * g.h * g.w + i];
      if (a > 0) {
        s1 += a;
        s2 += a * a;
      }
    }
    y[o] = s1 > 0 ? s2 / s1 : 0;
  });
  return y;
}

/**
 * Central differences of L(x) = Σ_o dy_o · f(x)_o in float64: the gradient each
 * backward must match. f is one of the oracles above, closed over its options.
 */
export function numericGradient(f: (x: Float64Array) => Float64Array, x: ArrayLike<number>, dy: ArrayLike<number>, eps = 1e-6): Float64Array {
  const at = Float64Array.from(x);
  const grad = new Float64Array(at.length);
  const loss = () => f(at).reduce((s, v, o) => s + v * dy[o], 0);
  for (let i = 0; i < at.length; i++) {
    const keep = at[i];
    at[i] = keep + eps;
    const plus = loss();
    at[i] = keep - eps;
    const minus = loss();
    at[i] = keep;
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
}
