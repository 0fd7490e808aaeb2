/**
 * float64 oracle for convolution: direct loops over the geometry that
 * `resolveConv` produces (1-D as H = 1), forward and the analytic gradients.
 */
import type { ConvGeometry } from '../../src/ops/conv-options.js';

function inIndex(g: ConvGeometry, n: number, c: number, ih: number, iw: number): number {
  return ((n * g.inChannels + c) * g.inH + ih) * g.inW + iw;
}
function wIndex(g: ConvGeometry, co: number, ci: number, kh: number, kw: number): number {
  return ((co * (g.inChannels / g.groups) + ci) * g.kernelH + kh) * g.kernelW + kw;
}
function outIndex(g: ConvGeometry, n: number, co: number, oh: number, ow: number): number {
  return ((n * g.outChannels + co) * g.outH + oh) * g.outW + ow;
}

/** Calls fn for every (output, weight, input) triple that the convolution multiplies. */
function forEachTap(
  g: ConvGeometry,
  fn: (outI: number, wI: number, inI: number, co: number) => void,
): void {
  const cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++)
    for (let co = 0; co < g.outChannels; co++) {
      const group = Math.floor(co / coutG);
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++)
          for (let ci = 0; ci < cinG; ci++)
            for (let kh = 0; kh < g.kernelH; kh++) {
              const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
              if (ih < 0 || ih >= g.inH) continue;
              for (let kw = 0; kw < g.kernelW; kw++) {
                const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                if (iw < 0 || iw >= g.inW) continue;
                fn(outIndex(g, n, co, oh, ow), wIndex(g, co, ci, kh, kw), inIndex(g, n, group * cinG + ci, ih, iw), co);
              }
            }
    }
}

export function conv2dForwardReference(
  g: ConvGeometry, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null,
): Float64Array {
  const y = new Float64Array(g.batch * g.outChannels * g.outH * g.outW);
  if (b) for (let i = 0; i < y.length; i++) y[i] = b[Math.floor(i / (g.outH * g.outW)) % g.outChannels];
  forEachTap(g, (o, wi, xi) => {
    y[o] += w[wi] * x[xi];
  });
  return y;
}

export function conv2dGradInputReference(g: ConvGeometry, dy: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(g.batch * g.inChannels * g.inH * g.inW);
  forEachTap(g, (o, wi, xi) => {
    dx[xi] += w[wi] * dy[o];
  });
  return dx;
}

export function conv2dGradWeightReference(
  g: ConvGeometry, x: ArrayLike<number>, dy: ArrayLike<number>,
): { dw: Float64Array; db: Float64Array } {
  const dw = new Float64Array(g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW);
  const db = new Float64Array(g.outChannels);
  forEachTap(g, (o, wi, xi) => {
    dw[wi] += dy[o] * x[xi];
  });
  for (let i = 0; i < dy.length; i++) db[Math.floor(i / (g.outH * g.outW)) % g.outChannels] += dy[i];
  return { dw, db };
}
