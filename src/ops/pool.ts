/**
 * 2-D pooling over NCHW tensors, per channel, forward and backward, on the native
 * kernels: max (with the argmax its backward scatters through), average (PyTorch's
 * divisor rules), stochastic (Zeiler & Fergus 2013) and the global forms.
 */
import { checkBoolean, checkTensorData, formatShape } from '../errors.js';
import { native } from '../native.js';
import { Rng } from '../random.js';
import { Tensor, type Shape } from '../tensor.js';
import {
  checkPoolInput, geometryArray, resolvePool, type AvgPoolOptions, type PoolGeometry, type PoolOptions,
  type StochasticPoolOptions,
} from './pool-options.js';
import { outputArray } from './out.js';

export { pool2dOutputShape, type PoolOptions, type AvgPoolOptions, type StochasticPoolOptions } from './pool-options.js';

function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  checkTensorData(op, name, t);
}

function outShape(g: PoolGeometry): number[] {
  return [g.batch, g.channels, g.outH, g.outW];
}

function outSize(g: PoolGeometry): number {
  return g.batch * g.channels * g.outH * g.outW;
}

function checkDy(op: string, dy: Tensor, want: readonly number[]): void {
  if (dy.rank !== want.length || dy.shape.some((d, i) => d !== want[i]))
    throw new RangeError(`${op}: dy must be ${formatShape(want)} (the forward's output), got ${formatShape(dy.shape)}`);
}

/** Arrays for maxPool2dWithArgmax to write into (see `out` of the convolutions). */
export interface MaxPoolOut {
  y: Float32Array;
  argmax: Int32Array;
}

// y into yOut (called yName in errors) and, when withArgmax, the argmax into argmaxOut.
function maxPool(op: string, x: Tensor, options: PoolOptions, yName: string, yOut: unknown, withArgmax: boolean, argmaxOut?: unknown): { y: Tensor; argmax: Int32Array | null } {
  checkTensor(op, 'x', x);
  const g = resolvePool(op, x.shape, options);
  const y = outputArray(op, yName, yOut, outSize(g), Float32Array, [x.data]);
  const argmax = withArgmax ? outputArray(op, 'out.argmax', argmaxOut, y.length, Int32Array, [x.data, y]) : null;
  native.maxPool2d(geometryArray(g), x.data, y, argmax);
  return { y: new Tensor(y, outShape(g)), argmax };
}

/**
 * Max pooling: the largest value of each window, per channel. `out`: an array to write y
 * into, as for avgPool2d.
 * @example
 * const y = st.ops.maxPool2d(x, { kernelSize: 2 });                          // [N, C, 32, 32] -> [N, C, 16, 16]
 * const z = st.ops.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 });  // ResNet's stem pool
 */
export function maxPool2d(x: Tensor, options: PoolOptions, out?: Float32Array): Tensor {
  return maxPool('maxPool2d', x, options, 'out', out, false).y;
}

/**
 * Max pooling that also returns, per output, the flat index `ih * W + iw` of its maximum in
 * the input plane (ties go to the first in row-major window order; padding never wins):
 * what `maxPool2dGrad` scatters through.
 * @example
 * const { y, argmax } = st.ops.maxPool2dWithArgmax(x, { kernelSize: 2 });
 * const dx = st.ops.maxPool2dGrad(dy, argmax, x.shape);
 * `out` ({ y, argmax }) and the gradients' `out` are arrays to write into instead of
 * allocating, of exactly the results' sizes and sharing no memory with the inputs.
 */
export function maxPool2dWithArgmax(x: Tensor, options: PoolOptions, out?: MaxPoolOut): { y: Tensor; argmax: Int32Array } {
  if (out !== undefined && (out === null || typeof out !== 'object'))
    throw new TypeError(`maxPool2dWithArgmax: out must be { y, argmax }, got ${out === null ? 'null' : typeof out}`);
  const { y, argmax } = maxPool('maxPool2dWithArgmax', x, options, 'out.y', out?.y, true, out?.argmax);
  return { y, argmax: argmax as Int32Array };
}

function scatterGrad(op: string, indexName: string, dy: Tensor, index: Int32Array, xShape: Shape, out?: Float32Array): Tensor {
  checkTensor(op, 'dy', dy);
  const [n, c, h, w] = checkPoolInput(op, 'xShape', xShape);
  if (dy.rank !== 4 || dy.shape[0] !== n || dy.shape[1] !== c)
    throw new RangeError(`${op}: dy must be [${n}, ${c}, outH, outW] for xShape ${formatShape(xShape)}, got ${formatShape(dy.shape)}`);
  if (!(index instanceof Int32Array))
    throw new TypeError(`${op}: ${indexName} must be an Int32Array (from the forward), got ${index === null ? 'null' : typeof index}`);
  if (index.length !== dy.size)
    throw new RangeError(`${op}: ${indexName} has ${index.length} elements, dy ${formatShape(dy.shape)} has ${dy.size}`);
  const dx = outputArray(op, 'out', out, n * c * h * w, Float32Array, [dy.data, index]);
  try {
    native.maxPool2dGrad([n, c, h, w, dy.shape[2], dy.shape[3]], dy.data, index, dx);
  } catch (err) {
    // The binding's range check speaks of maxPool2dGrad's argmax; name this op's array.
    if (err instanceof RangeError && op !== 'maxPool2dGrad')
      throw new RangeError(err.message.replace(/^maxPool2dGrad: argmax/, `${op}: ${indexName}`), { cause: err });
    throw err;
  }
  return new Tensor(dx, [n, c, h, w]);
}

/**
 * Gradient of max pooling: each dy goes to the input its argmax names (summed where
 * overlapping windows share a maximum). Deterministic at any thread count.
 * @example
 * const { y, argmax } = st.ops.maxPool2dWithArgmax(x, { kernelSize: 2 });
 * const dx = st.ops.maxPool2dGrad(dy, argmax, x.shape);
 */
export function maxPool2dGrad(dy: Tensor, argmax: Int32Array, xShape: Shape, out?: Float32Array): Tensor {
  return scatterGrad('maxPool2dGrad', 'argmax', dy, argmax, xShape, out);
}

function avgFlag(op: string, options: AvgPoolOptions): boolean {
  return checkBoolean(op, 'countIncludePad', options.countIncludePad, true);
}

/**
 * Average pooling. The divisor counts the padding (`countIncludePad`, default true) or
 * only the in-bounds elements; with ceilMode, a window that runs past the padded input
 * divides by its part inside it (as PyTorch). `out`: as for maxPool2dWithArgmax.
 * @example
 * const y = st.ops.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false });
 */
export function avgPool2d(x: Tensor, options: AvgPoolOptions, out?: Float32Array): Tensor {
  const op = 'avgPool2d';
  checkTensor(op, 'x', x);
  const g = resolvePool(op, x.shape, options);
  const y = outputArray(op, 'out', out, outSize(g), Float32Array, [x.data]);
  native.avgPool2d(geometryArray(g), avgFlag(op, options), x.data, y);
  return new Tensor(y, outShape(g));
}

/**
 * Gradient of average pooling: each dy spread evenly over its window (same options as
 * the forward).
 * @example
 * const dx = st.ops.avgPool2dGrad(dy, x.shape, { kernelSize: 2 });
 */
export function avgPool2dGrad(dy: Tensor, xShape: Shape, options: AvgPoolOptions, out?: Float32Array): Tensor {
  const op = 'avgPool2dGrad';
  checkTensor(op, 'dy', dy);
  const g = resolvePool(op, xShape, options);
  checkDy(op, dy, outShape(g));
  const dx = outputArray(op, 'out', out, g.batch * g.channels * g.inH * g.inW, Float32Array, [dy.data]);
  native.avgPool2dGrad(geometryArray(g), avgFlag(op, options), dy.data, dx);
  return new Tensor(dx, [g.batch, g.channels, g.inH, g.inW]);
}

/**
 * Stochastic pooling (Zeiler & Fergus 2013), for non-negative inputs such as ReLU
 * outputs (negative values count as 0). In training, each window outputs one of its
 * activations a_i, drawn with probability p_i = a_i / Σ a_j from the seeded generator
 * (the same choice on every platform and ISA; an all-zero window outputs 0 and picks
 * its first element), and `index` records the choice for `stochasticPool2dGrad`. At
 * inference it outputs the expectation Σ p_i a_i, and `index` is null.
 * @example
 * const { y, index } = st.ops.stochasticPool2d(h, { kernelSize: 2, training: true, seed: step });
 * const dx = st.ops.stochasticPool2dGrad(dy, index!, h.shape);
 * const yEval = st.ops.stochasticPool2d(h, { kernelSize: 2, training: false }).y;
 */
export function stochasticPool2d(x: Tensor, options: StochasticPoolOptions): { y: Tensor; index: Int32Array | null } {
  const op = 'stochasticPool2d';
  checkTensor(op, 'x', x);
  const g = resolvePool(op, x.shape, options);
  const training = options.training;
  if (typeof training !== 'boolean') throw new TypeError(`${op}: training must be a boolean, got ${String(training)}`);
  const y = new Float32Array(outSize(g));
  if (!training) {
    native.stochasticPool2dInfer(geometryArray(g), x.data, y);
    return { y: new Tensor(y, outShape(g)), index: null };
  }
  const { seed, rng } = options;
  if (rng !== undefined && !(rng instanceof Rng)) throw new TypeError(`${op}: rng must be an Rng, got ${typeof rng}`);
  if (rng !== undefined && seed !== undefined) throw new TypeError(`${op}: give seed or rng, not both`);
  if (seed !== undefined && !Number.isInteger(seed)) throw new TypeError(`${op}: seed must be an integer, got ${String(seed)}`);
  const source = rng ?? new Rng(seed ?? 0);
  const u = new Float64Array(y.length);
  for (let i = 0; i < u.length; i++) u[i] = source.uniform();
  const index = new Int32Array(y.length);
  native.stochasticPool2dTrain(geometryArray(g), x.data, u, y, index);
  return { y: new Tensor(y, outShape(g)), index };
}

/**
 * Gradient of training-mode stochastic pooling: each dy goes to the element its window chose.
 * @example
 * const dx = st.ops.stochasticPool2dGrad(dy, index, x.shape);
 */
export function stochasticPool2dGrad(dy: Tensor, index: Int32Array, xShape: Shape): Tensor {
  return scatterGrad('stochasticPool2dGrad', 'index', dy, index, xShape);
}

/**
 * Gradient of inference-mode stochastic pooling y = Σ a_i² / Σ a_j (over a_i > 0):
 * ∂y/∂a_i = (2 a_i − y) / Σ a_j for a_i > 0, else 0.
 * @example
 * const dx = st.ops.stochasticPool2dInferenceGrad(dy, x, { kernelSize: 2 });
 */
export function stochasticPool2dInferenceGrad(dy: Tensor, x: Tensor, options: PoolOptions): Tensor {
  const op = 'stochasticPool2dInferenceGrad';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'x', x);
  const g = resolvePool(op, x.shape, options);
  checkDy(op, dy, outShape(g));
  const dx = new Float32Array(x.size);
  native.stochasticPool2dInferGrad(geometryArray(g), x.data, dy.data, dx);
  return new Tensor(dx, x.shape);
}

function globalOptions(op: string, xShape: Shape): PoolOptions {
  const [, , h, w] = checkPoolInput(op, 'x', xShape);
  if (h < 1 || w < 1) throw new RangeError(`${op}: x must have H, W >= 1, got ${formatShape(xShape)}`);
  return { kernelSize: [h, w] };
}

/**
 * The mean of each channel's plane: [N, C, H, W] -> [N, C, 1, 1].
 * @example
 * const features = st.ops.globalAvgPool2d(x).reshape([x.shape[0], -1]);
 */
export function globalAvgPool2d(x: Tensor): Tensor {
  checkTensor('globalAvgPool2d', 'x', x);
  return avgPool2d(x, globalOptions('globalAvgPool2d', x.shape));
}

/**
 * Gradient of global average pooling: dy / (H·W) over each plane.
 * @example
 * const dx = st.ops.globalAvgPool2dGrad(dy, x.shape);  // dy [N, C, 1, 1]
 */
export function globalAvgPool2dGrad(dy: Tensor, xShape: Shape): Tensor {
  return avgPool2dGrad(dy, xShape, globalOptions('globalAvgPool2dGrad', xShape));
}

/**
 * The maximum of each channel's plane: [N, C, H, W] -> [N, C, 1, 1].
 * @example
 * const y = st.ops.globalMaxPool2d(x);
 */
export function globalMaxPool2d(x: Tensor): Tensor {
  checkTensor('globalMaxPool2d', 'x', x);
  return maxPool2d(x, globalOptions('globalMaxPool2d', x.shape));
}

/**
 * Global max pooling with the argmax of each plane; its gradient is `maxPool2dGrad`.
 * @example
 * const { y, argmax } = st.ops.globalMaxPool2dWithArgmax(x);
 * const dx = st.ops.maxPool2dGrad(dy, argmax, x.shape);
 */
export function globalMaxPool2dWithArgmax(x: Tensor): { y: Tensor; argmax: Int32Array } {
  checkTensor('globalMaxPool2dWithArgmax', 'x', x);
  return maxPool2dWithArgmax(x, globalOptions('globalMaxPool2dWithArgmax', x.shape));
}
