/**
 * Options of the 2-D pooling ops, validated and resolved against the input shape into
 * the geometry the native kernels take. The output extent follows PyTorch:
 *   out = floor((in + 2·pad − k + (ceilMode ? stride − 1 : 0)) / stride) + 1,
 * minus one in ceil mode when the last window would start past the input and its
 * left/top padding.
 */
import { checkShape, formatShape, orDefault } from '../errors.js';
import type { Rng } from '../random.js';
import type { Shape } from '../tensor.js';

export interface PoolOptions {
  /** Window size: a number or `[kH, kW]`. */
  kernelSize: number | readonly [number, number];
  /** Step between windows: a number or `[h, w]`; default = kernelSize (smaller overlaps the windows). */
  stride?: number | readonly [number, number];
  /** Implicit padding on each side, at most half the kernel: a number or `[h, w]`; default 0. Padding never wins a max. */
  padding?: number | readonly [number, number];
  /** Round the output size up, keeping a last partial window; default false. */
  ceilMode?: boolean;
}

export interface AvgPoolOptions extends PoolOptions {
  /** Divide by the window size including its padding (PyTorch's default, true), or by the in-bounds count. */
  countIncludePad?: boolean;
}

export interface StochasticPoolOptions extends PoolOptions {
  /** Sample one activation per window (true) or return the probability-weighted average (false). */
  training: boolean;
  /** Seed of the sampling stream when `rng` is not given; default 0. */
  seed?: number;
  /** A generator to draw from (it advances), instead of a fresh one seeded with `seed`. */
  rng?: Rng;
}

/** Everything the kernels need. */
export interface PoolGeometry {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  ceilMode: boolean;
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(String).join(', ')}]` : String(value);
}

function pair(op: string, name: string, value: unknown, min: number, form: string): [number, number] {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  const error = typeof value === 'number' || Array.isArray(value) ? RangeError : TypeError;
  throw new error(`${op}: ${name} must be ${form}, got ${show(value)}`);
}

/** Checks that `shape` is `[N, C, H, W]` and returns it. */
export function checkPoolInput(op: string, name: string, shape: unknown): [number, number, number, number] {
  checkShape(op, name, shape);
  const s = shape as number[];
  if (s.length !== 4) throw new RangeError(`${op}: ${name} must be 4-D [N, C, H, W], got ${formatShape(s)}`);
  return [s[0], s[1], s[2], s[3]];
}

function outSize(inSize: number, kernel: number, stride: number, pad: number, ceilMode: boolean): number {
  let out = Math.floor((inSize + 2 * pad - kernel + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + pad) out--;
  return out;
}

/** Validates `options` against the input shape `[N, C, H, W]` and resolves the geometry. */
export function resolvePool(op: string, xShape: Shape, options: PoolOptions): PoolGeometry {
  const [batch, channels, inH, inW] = checkPoolInput(op, 'x', xShape);
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${op}: options must be an object with kernelSize, got ${show(options)}`);
  const [kernelH, kernelW] = pair(op, 'kernelSize', options.kernelSize, 1, 'a positive integer or [kH, kW]');
  const [strideH, strideW] =
    options.stride === undefined ? [kernelH, kernelW] : pair(op, 'stride', options.stride, 1, 'a positive integer or [h, w]');
  const [padH, padW] =
    options.padding === undefined ? [0, 0] : pair(op, 'padding', options.padding, 0, 'a non-negative integer or [h, w]');
  const ceilMode = orDefault(options.ceilMode, false);
  if (typeof ceilMode !== 'boolean') throw new TypeError(`${op}: ceilMode must be a boolean, got ${show(ceilMode)}`);
  if (2 * padH > kernelH || 2 * padW > kernelW)
    throw new RangeError(
      `${op}: padding [${padH}, ${padW}] must be at most half the kernel size [${kernelH}, ${kernelW}]`,
    );
  if (kernelH > inH + 2 * padH || kernelW > inW + 2 * padW)
    throw new RangeError(
      `${op}: kernel [${kernelH}, ${kernelW}] is larger than the padded input ` +
        `[${inH + 2 * padH}, ${inW + 2 * padW}] (x ${formatShape(xShape)}, padding [${padH}, ${padW}])`,
    );
  const outH = outSize(inH, kernelH, strideH, padH, ceilMode);
  const outW = outSize(inW, kernelW, strideW, padW, ceilMode);
  return { batch, channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, padH, padW, ceilMode };
}

/** The geometry as the native pooling functions take it. */
export function geometryArray(g: PoolGeometry): number[] {
  return [g.batch, g.channels, g.inH, g.inW, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.ceilMode ? 1 : 0];
}

/**
 * The output shape `[N, C, outH, outW]` of a 2-D pooling of an input of shape `xShape`.
 * @example
 * st.ops.pool2dOutputShape([8, 16, 32, 32], { kernelSize: 2 })                          // [8, 16, 16, 16]
 * st.ops.pool2dOutputShape([1, 3, 6, 6], { kernelSize: 3, stride: 2, ceilMode: true }) // [1, 3, 3, 3] (2 without ceilMode)
 */
export function pool2dOutputShape(xShape: Shape, options: PoolOptions): number[] {
  const g = resolvePool('pool2dOutputShape', xShape, options);
  return [g.batch, g.channels, g.outH, g.outW];
}
