/**
 * Winograd convolution for the inference plan (native/kernels/conv2d/winograd.h): 3×3
 * kernels at stride 1, dilation 1, groups 1, any padding. Each tile×tile block of
 * outputs is computed from a (tile+2)² input patch as
 *   Y = Aᵀ [ Σ_ci (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
 * the weights' transform G g Gᵀ done once, when the plan is compiled (`winogradWeights`),
 * the products summed over the channels on the SGEMM. F(4×4, 3×3) needs 4× fewer
 * multiplications than the direct loops, F(2×2, 3×3) 2.25×. The price is rounding: against
 * float64, F(4,3)'s worst output is 10–30× further off than im2col's (about 1e-5 of the
 * output's scale at 512 channels), F(2,3)'s within 2× (measured in
 * native/tests/winograd_test.cc, which holds both to a bound that grows with Cin).
 */
import { checkTensorData, formatShape } from '../../errors.js';
import { native, type ConvAlgorithm } from '../../native.js';
import { nativeShape, resolveConv, type Conv2dOptions, type ConvGeometry } from '../../ops/conv-options.js';
import type { Conv2dEpilogue } from '../../ops/conv.js';
import { outputArray } from '../../ops/out.js';
import { Tensor, type Shape } from '../../tensor.js';

export type { ConvAlgorithm } from '../../native.js';

/** The output tile of a Winograd convolution: F(2×2, 3×3) or F(4×4, 3×3). */
export type WinogradTile = 2 | 4;

/** Weights transformed for one tile size: data [(tile+2)², Cout, Cin] from a weight of `shape` [Cout, Cin, 3, 3]. */
export interface WinogradWeights {
  tile: WinogradTile;
  shape: readonly number[];
  data: Float32Array;
}

function fits(g: ConvGeometry): boolean {
  return g.kernelH === 3 && g.kernelW === 3 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1 && g.groups === 1;
}

/** Whether Winograd can run a conv2d of these shapes and options. */
export function winogradApplies(xShape: Shape, wShape: Shape, options: Conv2dOptions): boolean {
  return fits(resolveConv('winogradApplies', 2, xShape, wShape, options));
}

/**
 * The forward algorithm for a conv2d of these shapes at the current thread count: with
 * `winograd` the inference plan's choice (Winograd where the native cost model predicts
 * it 1.2× faster), else the plain path the native dispatcher takes (as `st.ops.conv2d`).
 */
export function convAlgorithm(xShape: Shape, wShape: Shape, options: Conv2dOptions, winograd: boolean): ConvAlgorithm {
  return native.conv2dAlgorithm(winograd, ...nativeShape(resolveConv('convAlgorithm', 2, xShape, wShape, options)));
}

/**
 * Transforms a 3×3 weight [Cout, Cin, 3, 3] for Winograd F(tile×tile, 3×3), in float64
 * rounded once to float32.
 * @example
 * const u = winogradWeights(w, 4);   // u.data: [36, Cout, Cin]
 */
export function winogradWeights(weight: Tensor, tile: WinogradTile): WinogradWeights {
  const op = 'winogradWeights';
  if (!(weight instanceof Tensor)) throw new TypeError(`${op}: weight must be a Tensor, got ${weight === null ? 'null' : typeof weight}`);
  checkTensorData(op, 'weight', weight);
  if (tile !== 2 && tile !== 4) throw new RangeError(`${op}: tile must be 2 or 4, got ${String(tile)}`);
  const [cout, cin, kh, kw] = weight.shape;
  if (weight.rank !== 4 || kh !== 3 || kw !== 3)
    throw new RangeError(`${op}: weight must be [Cout, Cin, 3, 3], got ${formatShape(weight.shape)}`);
  const data = new Float32Array((tile + 2) ** 2 * cout * cin);
  native.conv2dWinogradWeights(weight.data, data, cout, cin, tile);
  return { tile, shape: [...weight.shape], data };
}

/**
 * conv2dFused by Winograd: y = act((W ⋆ x + b) + residual) from W transformed by
 * `winogradWeights`, written into `out` when given (of the output's size, sharing no
 * memory with the inputs). Bitwise the same at any thread count; the fused epilogue
 * gives the bits of the plain Winograd convolution followed by the add and the ReLU.
 */
export function conv2dWinograd(x: Tensor, weights: WinogradWeights, b: Tensor | null, options: Conv2dOptions,
  epilogue: Conv2dEpilogue, out?: Float32Array): Tensor {
  const op = 'conv2dWinograd';
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: x must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  checkTensorData(op, 'x', x);
  const g = resolveConv(op, 2, x.shape, weights.shape, options);
  if (!fits(g)) throw new RangeError(`${op}: Winograd runs 3×3 kernels at stride 1, dilation 1, groups 1; got ${formatShape(weights.shape)} with ${JSON.stringify(options)}`);
  if (weights.data.length !== (weights.tile + 2) ** 2 * g.outChannels * g.inChannels)
    throw new RangeError(`${op}: weights.data has ${weights.data.length} elements, expected ${(weights.tile + 2) ** 2 * g.outChannels * g.inChannels}`);
  if (b !== null && (!(b instanceof Tensor) || b.rank !== 1 || b.shape[0] !== g.outChannels))
    throw new RangeError(`${op}: b must be [Cout] = [${g.outChannels}] or null`);
  const shape = [g.batch, g.outChannels, g.outH, g.outW];
  const residual = epilogue.residual ?? null;
  if (residual !== null && (residual.rank !== 4 || residual.shape.some((d, i) => d !== shape[i])))
    throw new RangeError(`${op}: epilogue.residual must be the output shape ${formatShape(shape)}, got ${formatShape(residual.shape)}`);
  if (epilogue.inputNorm) throw new RangeError(`${op}: Winograd takes no epilogue.inputNorm (conv2dFused does)`);
  const activation = epilogue.activation ?? 'none';
  if (activation !== 'none' && activation !== 'relu')
    throw new RangeError(`${op}: epilogue.activation must be 'none' or 'relu', got ${String(activation)}`);
  const inputs = [x.data, weights.data, ...(b ? [b.data] : []), ...(residual ? [residual.data] : [])];
  const y = outputArray(op, 'out', out, shape.reduce((a, d) => a * d, 1), Float32Array, inputs);
  native.conv2dWinograd(weights.tile, x.data, weights.data, b ? b.data : null, y, ...nativeShape(g),
    residual ? residual.data : null, activation === 'relu' ? 1 : 0);
  return new Tensor(y, shape);
}
