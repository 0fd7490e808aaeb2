/**
 * Convolution (cross-correlation, as in PyTorch) on the native core, forward and
 * backward, 2-D on NCHW and 1-D on NCL (run as 2-D with H = 1).
 *
 *   y[n, co, oh, ow] = b[co] + Σ_{ci, kh, kw} w[co, ci, kh, kw] · x[n, g·Cin/groups + ci, oh·sH − padTop + kh·dH, ow·sW − padLeft + kw·dW]
 *   dx = Σ over the outputs each input pixel feeds;  dw = Σ_n dy ⋆ x;  db = Σ_{n, oh, ow} dy
 *
 * The native dispatcher picks a path per shape: 1×1 straight on the SGEMM, im2col +
 * SGEMM in general, a direct SIMD loop for few input channels.
 */
import { checkTensorData, formatShape, orDefault } from '../errors.js';
import { native } from '../native.js';
import { Tensor, type Shape } from '../tensor.js';
import { outputArray } from './out.js';
import { nativeShape, resolveConv, type Conv1dOptions, type Conv2dOptions, type ConvGeometry } from './conv-options.js';

export type { Conv1dOptions, Conv2dOptions, Conv1dPadding, Conv2dPadding } from './conv-options.js';

function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  checkTensorData(op, name, t);
}

function checkBias(op: string, b: unknown, outChannels: number): Float32Array | null {
  if (b === undefined || b === null) return null;
  checkTensor(op, 'b', b);
  if (b.rank !== 1 || b.shape[0] !== outChannels)
    throw new RangeError(`${op}: b must be [Cout] = [${outChannels}], got ${formatShape(b.shape)}`);
  return b.data;
}

function checkGradOutput(op: string, dy: Tensor, want: number[]): void {
  if (dy.rank !== want.length || dy.shape.some((d, i) => d !== want[i]))
    throw new RangeError(`${op}: dy must be the output shape ${formatShape(want)}, got ${formatShape(dy.shape)}`);
}

function outShape(g: ConvGeometry, dims: 1 | 2): number[] {
  return dims === 2 ? [g.batch, g.outChannels, g.outH, g.outW] : [g.batch, g.outChannels, g.outW];
}

function forward(op: string, dims: 1 | 2, x: Tensor, w: Tensor, b: Tensor | null | undefined, options: unknown, out: unknown): Tensor {
  checkTensor(op, 'x', x);
  checkTensor(op, 'w', w);
  const g = resolveConv(op, dims, x.shape, w.shape, options);
  const bias = checkBias(op, b, g.outChannels);
  const shape = outShape(g, dims);
  const y = outputArray(op, 'out', out, shape.reduce((a, d) => a * d, 1), Float32Array, bias ? [x.data, w.data, bias] : [x.data, w.data]);
  native.conv2dForward(x.data, w.data, bias, y, ...nativeShape(g));
  return new Tensor(y, shape);
}

function gradInput(op: string, dims: 1 | 2, dy: Tensor, w: Tensor, xShape: Shape, options: unknown, out: unknown): Tensor {
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'w', w);
  const g = resolveConv(op, dims, xShape, w.shape, options);
  checkGradOutput(op, dy, outShape(g, dims));
  const dx = outputArray(op, 'out', out, xShape.reduce((a, d) => a * d, 1), Float32Array, [dy.data, w.data]);
  native.conv2dGradInput(dy.data, w.data, dx, ...nativeShape(g));
  return new Tensor(dx, xShape);
}

function gradWeight(op: string, dims: 1 | 2, x: Tensor, dy: Tensor, wShape: Shape, options: unknown): { dw: Tensor; db: Tensor } {
  checkTensor(op, 'x', x);
  checkTensor(op, 'dy', dy);
  const g = resolveConv(op, dims, x.shape, wShape, options);
  checkGradOutput(op, dy, outShape(g, dims));
  const dw = new Float32Array(wShape.reduce((a, d) => a * d, 1));
  const db = new Float32Array(g.outChannels);
  native.conv2dGradWeight(x.data, dy.data, dw, db, ...nativeShape(g));
  return { dw: new Tensor(dw, wShape), db: new Tensor(db, [g.outChannels]) };
}

/**
 * 2-D convolution of x `[N, Cin, H, W]` with w `[Cout, Cin/groups, kH, kW]` plus an
 * optional bias b `[Cout]`; returns y `[N, Cout, outH, outW]`. The convolutions and their
 * input gradients take an optional `out`, a Float32Array of exactly the result's size
 * (sharing no memory with the inputs) to write into instead of allocating.
 * @example
 * const x = st.randn([8, 3, 32, 32], { seed: 1 });
 * const w = st.randn([16, 3, 5, 5], { seed: 2, std: 0.1 });
 * const y = st.ops.conv2d(x, w, st.zeros([16]), { padding: 'same' });  // [8, 16, 32, 32]
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv2dOptions = {}, out?: Float32Array): Tensor {
  return forward('conv2d', 2, x, w, b, options, out);
}

/** What `conv2dFused` applies to each output after the bias (and to x before the convolution). */
export interface Conv2dEpilogue {
  /** Added after the bias: a tensor of the output's shape (a residual shortcut), sharing no memory with `out`. */
  residual?: Tensor | null;
  /** Applied last; default 'none'. */
  activation?: 'none' | 'relu';
  /**
   * Before the convolution, x through a batch norm with these inference statistics (each
   * Cin long) and a ReLU, as the batch norm layer and the ReLU give them: DenseNet's
   * BN → ReLU → 1×1 convolution in one call, the normalised x never written out (on the
   * 1×1 path image by image; the other paths normalise a copy first).
   */
  inputNorm?: Conv2dInputNorm | null;
}

/** A batch norm's inference statistics and parameters: y = gamma·(x − mean)·invStd + beta per channel. */
export interface Conv2dInputNorm {
  mean: Float64Array;
  invStd: Float64Array;
  gamma: Float32Array;
  beta: Float32Array;
}

/**
 * conv2d with the layers that follow it in a residual network fused into one native
 * call: y = act((W ⋆ x + b) + residual), each output finished as it is stored. Gives the
 * bits of conv2d, then `add`, then ReLU run one after another (an inference plan's step).
 * @example
 * const y = st.ops.conv2dFused(x, w, b, { padding: 1 }, { residual: shortcut, activation: 'relu' });
 */
export function conv2dFused(x: Tensor, w: Tensor, b: Tensor | null | undefined, options: Conv2dOptions,
  epilogue: Conv2dEpilogue, out?: Float32Array): Tensor {
  const op = 'conv2dFused';
  checkTensor(op, 'x', x);
  checkTensor(op, 'w', w);
  if (epilogue === null || typeof epilogue !== 'object') throw new TypeError(`${op}: epilogue must be an object, got ${String(epilogue)}`);
  const activation = orDefault(epilogue.activation, 'none');
  if (activation !== 'none' && activation !== 'relu')
    throw new RangeError(`${op}: epilogue.activation must be 'none' or 'relu', got ${String(activation)}`);
  const g = resolveConv(op, 2, x.shape, w.shape, options);
  const bias = checkBias(op, b, g.outChannels);
  const shape = outShape(g, 2);
  let residual: Float32Array | null = null;
  if (epilogue.residual !== undefined && epilogue.residual !== null) {
    checkTensor(op, 'epilogue.residual', epilogue.residual);
    if (!sameDims(epilogue.residual.shape, shape))
      throw new RangeError(`${op}: epilogue.residual must be the output shape ${formatShape(shape)}, got ${formatShape(epilogue.residual.shape)}`);
    residual = epilogue.residual.data;
  }
  const norm = epilogue.inputNorm ?? null;
  if (norm !== null) checkInputNorm(op, norm, g.inChannels);
  const inputs = [x.data, w.data, ...(bias ? [bias] : []), ...(residual ? [residual] : [])];
  const y = outputArray(op, 'out', out, shape.reduce((a, d) => a * d, 1), Float32Array, inputs);
  if (norm === null) native.conv2dForward(x.data, w.data, bias, y, ...nativeShape(g), residual, activation === 'relu' ? 1 : 0);
  else
    native.conv2dForward(x.data, w.data, bias, y, ...nativeShape(g), residual, activation === 'relu' ? 1 : 0,
      norm.mean, norm.invStd, norm.gamma, norm.beta);
  return new Tensor(y, shape);
}

function checkInputNorm(op: string, norm: Conv2dInputNorm, channels: number): void {
  if (typeof norm !== 'object') throw new TypeError(`${op}: epilogue.inputNorm must be an object, got ${String(norm)}`);
  const fields = [['mean', Float64Array], ['invStd', Float64Array], ['gamma', Float32Array], ['beta', Float32Array]] as const;
  for (const [name, type] of fields) {
    const a: unknown = norm[name];
    if (!(a instanceof type)) throw new TypeError(`${op}: epilogue.inputNorm.${name} must be a ${type.name}`);
    if (a.length !== channels)
      throw new RangeError(`${op}: epilogue.inputNorm.${name} must have Cin = ${channels} elements, got ${a.length}`);
  }
}

function sameDims(a: Shape, b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The gradient of conv2d with respect to its input: dx of shape xShape from dy
 * `[N, Cout, outH, outW]` (the transposed convolution of dy with w).
 * @example
 * const dx = st.ops.conv2dGradInput(dy, w, x.shape, { padding: 'same' });
 */
export function conv2dGradInput(dy: Tensor, w: Tensor, xShape: Shape, options: Conv2dOptions = {}, out?: Float32Array): Tensor {
  return gradInput('conv2dGradInput', 2, dy, w, xShape, options, out);
}

/**
 * The gradients of conv2d with respect to its weight (dw of shape wShape) and bias
 * (db `[Cout]`, dy summed over N, outH and outW). Deterministic for a thread count.
 * @example
 * const { dw, db } = st.ops.conv2dGradWeight(x, dy, w.shape, { padding: 'same' });
 */
export function conv2dGradWeight(x: Tensor, dy: Tensor, wShape: Shape, options: Conv2dOptions = {}): { dw: Tensor; db: Tensor } {
  return gradWeight('conv2dGradWeight', 2, x, dy, wShape, options);
}

/**
 * The output shape `[N, Cout, outH, outW]` of conv2d for these shapes and options,
 * validated as conv2d would (for layers' shape inference).
 * @example
 * st.ops.conv2dOutputShape([1, 3, 224, 224], [64, 3, 11, 11], { stride: 4, padding: 2 })  // [1, 64, 55, 55]
 */
export function conv2dOutputShape(xShape: Shape, wShape: Shape, options: Conv2dOptions = {}): number[] {
  return outShape(resolveConv('conv2dOutputShape', 2, xShape, wShape, options), 2);
}

/**
 * 1-D convolution of x `[N, Cin, L]` with w `[Cout, Cin/groups, k]` plus an optional
 * bias `[Cout]`; returns `[N, Cout, outL]`.
 * @example
 * const y = st.ops.conv1d(st.randn([4, 2, 100], { seed: 1 }), st.randn([8, 2, 7], { seed: 2 }), null, { padding: 'same' });  // [4, 8, 100]
 */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null, options: Conv1dOptions = {}, out?: Float32Array): Tensor {
  return forward('conv1d', 1, x, w, b, options, out);
}

/**
 * The gradient of conv1d with respect to its input, of shape xShape `[N, Cin, L]`.
 * @example
 * const dx = st.ops.conv1dGradInput(dy, w, x.shape, { stride: 2 });
 */
export function conv1dGradInput(dy: Tensor, w: Tensor, xShape: Shape, options: Conv1dOptions = {}, out?: Float32Array): Tensor {
  return gradInput('conv1dGradInput', 1, dy, w, xShape, options, out);
}

/**
 * The gradients of conv1d with respect to its weight (shape wShape `[Cout, Cin/groups, k]`) and bias `[Cout]`.
 * @example
 * const { dw, db } = st.ops.conv1dGradWeight(x, dy, w.shape, { stride: 2 });
 */
export function conv1dGradWeight(x: Tensor, dy: Tensor, wShape: Shape, options: Conv1dOptions = {}): { dw: Tensor; db: Tensor } {
  return gradWeight('conv1dGradWeight', 1, x, dy, wShape, options);
}
