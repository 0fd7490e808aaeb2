/**
 * Kernel taps that never read the image, cut off for inference. On a map smaller than a
 * kernel's reach every window lies partly in the zero padding: a 3×3 convolution (padding
 * 1) on a 1×1 map (ImageNet networks' last stage at 3×32×32) reads the image through its
 * centre tap only, and its other eight taps multiply zeros. Per spatial dimension, tap k
 * of output o reads input o·s + k·d − pad; the taps that no output reads inside the
 * input are cut from the ends of the kernel and the padding shrinks to match, so that
 * each output is the same sum less terms that were exactly zero (a 1×1 kernel there: 9×
 * fewer multiply-adds, and the pointwise GEMM path). Taps dead only for some outputs
 * stay: a window sum cannot skip them per output.
 */
import { resolveConv, type Conv2dOptions } from '../../ops/conv-options.js';
import { Tensor, type Shape } from '../../tensor.js';

/** The live taps [first, last] of one dimension, with the padding before and after that keeps `out` outputs; undefined when none can be cut. */
function liveTaps(size: number, kernel: number, stride: number, dilation: number, pad: number, out: number):
  { first: number; last: number; before: number; after: number } | undefined {
  const reads = (k: number) => {
    for (let o = 0; o < out; o++) {
      const i = o * stride + k * dilation - pad;
      if (i >= 0 && i < size) return true;
    }
    return false;
  };
  let first = 0, last = kernel - 1;
  while (first <= last && !reads(first)) first++;
  while (last > first && !reads(last)) last--;
  if (first > last || (first === 0 && last === kernel - 1)) return undefined;
  const before = pad - first * dilation;
  const after = (out - 1) * stride + (last - first) * dilation + 1 - size - before;
  return before >= 0 && after >= 0 ? { first, last, before, after } : undefined;
}

/**
 * `weight` [Cout, Cin/groups, kH, kW] and `options` for an input of `inputShape` [Cin, H, W]
 * without the taps no output reads inside the image; the same objects when there are none.
 * @example trimDeadTaps([512, 1, 1], w3x3, { padding: 1 })   // { weight: [512, 512, 1, 1], options: { padding: [0, 0, 0, 0], ... } }
 */
export function trimDeadTaps(inputShape: Shape, weight: Tensor, options: Conv2dOptions): { weight: Tensor; options: Conv2dOptions } {
  const g = resolveConv('compile', 2, [1, ...inputShape], weight.shape, options);
  const rows = liveTaps(g.inH, g.kernelH, g.strideH, g.dilationH, g.padTop, g.outH)
    ?? { first: 0, last: g.kernelH - 1, before: g.padTop, after: g.padBottom };
  const cols = liveTaps(g.inW, g.kernelW, g.strideW, g.dilationW, g.padLeft, g.outW)
    ?? { first: 0, last: g.kernelW - 1, before: g.padLeft, after: g.padRight };
  const kh = rows.last - rows.first + 1, kw = cols.last - cols.first + 1;
  if (kh === g.kernelH && kw === g.kernelW) return { weight, options };
  const filters = weight.shape[0] * weight.shape[1];
  const cut = new Float32Array(filters * kh * kw);
  for (let f = 0; f < filters; f++)
    for (let r = 0; r < kh; r++) {
      const from = (f * g.kernelH + rows.first + r) * g.kernelW + cols.first;
      cut.set(weight.data.subarray(from, from + kw), (f * kh + r) * kw);
    }
  return {
    weight: new Tensor(cut, [weight.shape[0], weight.shape[1], kh, kw]),
    options: { ...options, padding: [rows.before, rows.after, cols.before, cols.after] },
  };
}
