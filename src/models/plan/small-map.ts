/**
 * A convolution on a map so small that every output's window covers the whole input is
 * a dense layer: y[n, co, o] = b[co] + Σ_{ci, p} W'[co, o, ci, p] · x[n, ci, p], where
 * W'[co, o, ci, p] is the tap of W that joins input pixel p to output pixel o. NCHW lays
 * x out as [N, Cin·H·W] and y as [N, Cout·Ho·Wo], so the plan runs it as a 1×1
 * convolution on a 1×1 map of Cin·H·W channels: one SGEMM over the batch (the pointwise
 * path's y = x · W'^T), where a 3×3 convolution on a 2×2 map (DenseNet-121's third block,
 * ResNet's third stage, VGG's last at 3×32×32) went through Winograd F(2,3) or im2col,
 * each a few products of a handful of columns per image. Every pair (o, p) is a real
 * tap, so W' multiplies no padding: the same multiply-adds as the convolution, summed in
 * W''s order instead of the kernel's (float32 rounding apart, the same values).
 */
import { resolveConv, type Conv2dOptions } from '../../ops/conv-options.js';
import { Tensor, type Shape } from '../../tensor.js';

/**
 * W' may be at most this many times W, which bounds the memory the plan adds: 2×2 maps
 * under 3×3 kernels (16 pairs of pixels against 9 taps) and 5×5 kernels qualify; a 3×3
 * map under a 5×5 kernel (81 against 25) does not.
 */
const MAX_GROWTH = 2;

/** Per dimension, the tap joining output o to input i (-1 when none): o·s + k·d − pad = i. */
function tapTable(size: number, kernel: number, stride: number, dilation: number, pad: number, out: number): Int32Array | undefined {
  const table = new Int32Array(out * size).fill(-1);
  for (let o = 0; o < out; o++)
    for (let k = 0; k < kernel; k++) {
      const i = o * stride + k * dilation - pad;
      if (i >= 0 && i < size) table[o * size + i] = k;
    }
  return table.includes(-1) ? undefined : table;
}

/**
 * The dense form of a convolution of `weight` [Cout, Cin, kH, kW] (+ `bias`) on inputs of
 * sample shape `inputShape` [Cin, H, W]: `weight` [Cout·Ho·Wo, Cin·H·W, 1, 1] and `bias`
 * [Cout·Ho·Wo], for x viewed as [N, Cin·H·W, 1, 1]; undefined when some output's window
 * misses some input pixel, the layer is grouped, its input and output maps are 1×1 already
 * (a pointwise layer), or W' would grow past MAX_GROWTH times W.
 * @example convAsDense([128, 2, 2], w3x3, b, { padding: 1 })   // weight [128, 512, 1, 1] for w [32, 128, 3, 3]
 */
export function convAsDense(inputShape: Shape, weight: Tensor, bias: Tensor | null, options: Conv2dOptions):
  { weight: Tensor; bias: Tensor | null } | undefined {
  const g = resolveConv('compile', 2, [1, ...inputShape], weight.shape, options);
  const pixels = g.inH * g.inW, outPixels = g.outH * g.outW;
  if (g.groups !== 1 || (pixels === 1 && outPixels === 1)) return undefined;
  if (pixels * outPixels > MAX_GROWTH * g.kernelH * g.kernelW) return undefined;
  const rows = tapTable(g.inH, g.kernelH, g.strideH, g.dilationH, g.padTop, g.outH);
  const cols = tapTable(g.inW, g.kernelW, g.strideW, g.dilationW, g.padLeft, g.outW);
  if (!rows || !cols) return undefined;
  const cout = g.outChannels, cin = g.inChannels, taps = g.kernelH * g.kernelW, k = cin * pixels;
  const dense = new Float32Array(cout * outPixels * k), w = weight.data;
  // Row (co, o) of W', pixel p of every input channel: tap t of each of co's filters.
  for (let co = 0; co < cout; co++)
    for (let o = 0; o < outPixels; o++) {
      const row = (co * outPixels + o) * k, oh = Math.floor(o / g.outW), ow = o % g.outW;
      for (let p = 0; p < pixels; p++) {
        const t = rows[oh * g.inH + Math.floor(p / g.inW)] * g.kernelW + cols[ow * g.inW + (p % g.inW)];
        for (let ci = 0, from = co * cin * taps + t; ci < cin; ci++, from += taps) dense[row + ci * pixels + p] = w[from];
      }
    }
  let denseBias: Tensor | null = null;
  if (bias) {
    const b = new Float32Array(cout * outPixels);
    for (let co = 0; co < cout; co++) b.fill(bias.data[co], co * outPixels, (co + 1) * outPixels);
    denseBias = new Tensor(b, [cout * outPixels]);
  }
  return { weight: new Tensor(dense, [cout * outPixels, k, 1, 1]), bias: denseBias };
}
