/**
 * Options of the convolution ops (stride, padding, dilation, groups), validated and
 * resolved against the input and weight shapes into the explicit geometry the native
 * kernels take. One resolver serves 1-D (as H = 1) and 2-D.
 */
import { checkInteger, checkShape, formatShape, MAX_ELEMENTS, orDefault } from '../errors.js';

/** Padding of a 2-D convolution: all sides, `[h, w]`, `[top, bottom, left, right]`, `'valid'` (none) or `'same'`. */
export type Conv2dPadding = number | readonly [number, number] | readonly [number, number, number, number] | 'valid' | 'same';

export interface Conv2dOptions {
  /** Step between output pixels: a number or `[h, w]`; default 1. */
  stride?: number | readonly [number, number];
  /**
   * Zero padding; default 0. `'same'` gives an output of ceil(input / stride) with the
   * total padding split evenly, the odd pixel at the bottom/right (as TensorFlow).
   */
  padding?: Conv2dPadding;
  /** Spacing between kernel taps: a number or `[h, w]`; default 1. */
  dilation?: number | readonly [number, number];
  /** Channel groups; Cin and Cout must divide by it (groups = Cin is depthwise); default 1. */
  groups?: number;
}

/** Padding of a 1-D convolution: both sides, `[left, right]`, `'valid'` or `'same'`. */
export type Conv1dPadding = number | readonly [number, number] | 'valid' | 'same';

export interface Conv1dOptions {
  /** Step between outputs; default 1. */
  stride?: number;
  /** Zero padding; default 0. `'same'` gives ceil(length / stride) outputs, the odd pad on the right. */
  padding?: Conv1dPadding;
  /** Spacing between kernel taps; default 1. */
  dilation?: number;
  /** Channel groups; default 1. */
  groups?: number;
}

/** Everything the kernels need, 1-D convolutions seen as H = 1. */
export interface ConvGeometry {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  groups: number;
  outH: number;
  outW: number;
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => show(v)).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/** One positive integer per spatial dimension, from a number or a tuple. */
function perDim(op: string, name: string, value: unknown, dims: 1 | 2): number[] {
  if (value === undefined) return dims === 2 ? [1, 1] : [1];
  const form = dims === 2 ? 'a positive integer or [h, w]' : 'a positive integer';
  if (typeof value === 'number') {
    checkInteger(op, name, value, 1);
    return dims === 2 ? [value, value] : [value];
  }
  if (dims === 2 && Array.isArray(value) && value.length === 2)
    return value.map((v, i) => checkInteger(op, `${name}[${i}]`, v, 1));
  throw new TypeError(`${op}: ${name} must be ${form}, got ${show(value)}`);
}

/** [before, after] padding per spatial dimension. */
function resolvePadding(op: string, padding: unknown, dims: 1 | 2, input: number[], span: number[], stride: number[]): [number, number][] {
  if (padding === undefined || padding === 'valid') return input.map(() => [0, 0]);
  if (padding === 'same')
    return input.map((size, i) => {
      const out = Math.ceil(size / stride[i]);
      const total = Math.max(0, (out - 1) * stride[i] + span[i] - size);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  const pad = (v: unknown, name: string) => checkInteger(op, name, v, 0);
  if (typeof padding === 'number') {
    const p = pad(padding, 'padding');
    return input.map(() => [p, p]);
  }
  if (Array.isArray(padding)) {
    const v = padding.map((p, i) => pad(p, `padding[${i}]`));
    if (dims === 1 && v.length === 2) return [[v[0], v[1]]];
    if (dims === 2 && v.length === 2) return [[v[0], v[0]], [v[1], v[1]]];
    if (dims === 2 && v.length === 4) return [[v[0], v[1]], [v[2], v[3]]];
  }
  const forms = dims === 2 ? "a non-negative integer, [h, w], [top, bottom, left, right], 'valid' or 'same'" : "a non-negative integer, [left, right], 'valid' or 'same'";
  throw new TypeError(`${op}: padding must be ${forms}, got ${show(padding)}`);
}

/**
 * Validates x and w shapes and the options of a convolution with `dims` spatial
 * dimensions and returns its geometry. Throws a TypeError or RangeError naming the op,
 * the argument, what was expected and what came.
 */
export function resolveConv(op: string, dims: 1 | 2, xShape: unknown, wShape: unknown, options: unknown): ConvGeometry {
  const xForm = dims === 2 ? '[N, Cin, H, W]' : '[N, Cin, L]';
  const wForm = dims === 2 ? '[Cout, Cin/groups, kH, kW]' : '[Cout, Cin/groups, k]';
  checkShape(op, 'x shape', xShape);
  checkShape(op, 'w shape', wShape);
  const x = xShape as number[];
  const w = wShape as number[];
  if (x.length !== dims + 2) throw new RangeError(`${op}: x must be ${dims + 2}-D ${xForm}, got shape ${formatShape(x)}`);
  if (w.length !== dims + 2) throw new RangeError(`${op}: w must be ${dims + 2}-D ${wForm}, got shape ${formatShape(w)}`);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options)))
    throw new TypeError(`${op}: options must be an object, got ${show(options)}`);
  const opts = (options ?? {}) as Record<string, unknown>;
  const groups = opts.groups === undefined ? 1 : checkInteger(op, 'groups', opts.groups, 1);
  const stride = perDim(op, 'stride', opts.stride, dims);
  const dilation = perDim(op, 'dilation', opts.dilation, dims);

  const [batch, inChannels] = x;
  const input = x.slice(2);
  const outChannels = w[0];
  const kernel = w.slice(2);
  for (let i = 1; i < x.length; i++)
    if (x[i] < 1) throw new RangeError(`${op}: x must have no empty dimension besides N, got shape ${formatShape(x)}`);
  if (w.some((d) => d < 1)) throw new RangeError(`${op}: w must have no empty dimension, got shape ${formatShape(w)}`);
  if (inChannels % groups !== 0)
    throw new RangeError(`${op}: input channels (${inChannels}) must divide by groups (${groups})`);
  if (outChannels % groups !== 0)
    throw new RangeError(`${op}: output channels (${outChannels}) must divide by groups (${groups})`);
  const perGroup = inChannels / groups;
  if (w[1] !== perGroup) {
    // A channels-last weight ([Cout, kH, kW, Cin]) is the usual mistake; show the kernel it holds.
    const k = w[w.length - 1] === perGroup && dims === 2 ? [w[1], w[2]] : kernel;
    throw new RangeError(`${op}: w must be ${wForm} = ${formatShape([outChannels, perGroup, ...k])}, got ${formatShape(w)}`);
  }

  const span = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  const pads = resolvePadding(op, opts.padding, dims, input, span, stride);
  const padded = input.map((s, i) => s + pads[i][0] + pads[i][1]);
  if (span.some((s, i) => s > padded[i]))
    throw new RangeError(
      `${op}: the kernel ${kernel.join('×')}${dilation.some((d) => d > 1) ? ` (dilated to ${span.join('×')})` : ''} ` +
        `is larger than the padded input ${padded.join('×')}`,
    );
  const out = padded.map((p, i) => Math.floor((p - span[i]) / stride[i]) + 1);
  const outElements = batch * outChannels * out.reduce((a, d) => a * d, 1);
  if (outElements > MAX_ELEMENTS)
    throw new RangeError(
      `${op}: the output [${[batch, outChannels, ...out].join(', ')}] (x ${formatShape(x)}, w ${formatShape(w)}, padding ${show(orDefault(opts.padding, 0))}) ` +
        `has ${outElements} elements, more than the ${MAX_ELEMENTS} a Float32Array can hold`,
    );
  const at = (v: number[], i: number, fill: number) => (dims === 2 ? v[i] : i === 0 ? fill : v[0]);
  const padAt = (i: number): [number, number] => (dims === 2 ? pads[i] : i === 0 ? [0, 0] : pads[0]);
  return {
    batch, inChannels, inH: at(input, 0, 1), inW: at(input, 1, 1),
    outChannels, kernelH: at(kernel, 0, 1), kernelW: at(kernel, 1, 1),
    strideH: at(stride, 0, 1), strideW: at(stride, 1, 1),
    padTop: padAt(0)[0], padBottom: padAt(0)[1], padLeft: padAt(1)[0], padRight: padAt(1)[1],
    dilationH: at(dilation, 0, 1), dilationW: at(dilation, 1, 1),
    groups, outH: at(out, 0, 1), outW: at(out, 1, 1),
  };
}

/** The shape arguments the native conv functions take after their tensors. */
export function nativeShape(g: ConvGeometry): number[] {
  return [
    g.batch, g.inChannels, g.inH, g.inW, g.outChannels, g.kernelH, g.kernelW, g.strideH, g.strideW,
    g.padTop, g.padBottom, g.padLeft, g.padRight, g.dilationH, g.dilationW, g.groups,
  ];
}
