/**
 * The ONNX operators striate imports, each with the opsets and attributes it reads and
 * the striate layer it becomes. This table is the single source of the README's ONNX
 * table (`operatorTable()`), so the two cannot drift. Shapes here are full ONNX shapes
 * (batch first); a GraphNode's `shape` is one sample's (batch excluded).
 */
import { BatchNorm1D, BatchNorm2D } from '../../nn/batch-norm.js';
import { Conv1D, Conv2D } from '../../nn/conv.js';
import { Dense } from '../../nn/dense.js';
import { Dropout } from '../../nn/dropout.js';
import { Flatten } from '../../nn/flatten.js';
import { LocalResponseNorm } from '../../nn/local-response-norm.js';
import { Add, Concat } from '../../nn/merge.js';
import { AdaptiveAvgPool2D } from '../../nn/adaptive-pool.js';
import { AvgPool2D, MaxPool2D, StochasticPool2D } from '../../nn/pooling.js';
import { pool2dOutputShape } from '../../ops/pool.js';
import { ELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from '../../nn/activations.js';
import type { GraphNode } from '../../models/graph.js';
import type { BaseLayer } from '../../nn/layer.js';
import type { Constant, NodeContext, Value } from './context.js';
import { quoted } from '../../errors.js';
import { tensorValues } from './proto.js';

export interface Operator {
  /** The ONNX op_type (default domain). */
  op: string;
  /** The lowest and highest opset whose version of this operator striate reads. */
  opsets: [number, number];
  /** The attributes read; any other attribute present is an error. */
  attributes: string[];
  /** What it becomes in striate, for the README. */
  becomes: string;
  /** For a sub-graph imported as one layer: its operators, which the README shows in place of `op`. */
  pattern?: string;
  /** Builds the node's output value (output 0; other outputs must be unused). */
  convert(ctx: NodeContext): Value;
}

const node = (n: GraphNode): Value => ({ node: n });
const rankOf = (n: GraphNode) => n.shape.length + 1;
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function floats(c: Constant): Float32Array {
  return Float32Array.from(c.values);
}

/** [before, after] padding per spatial dimension from pads or auto_pad. */
function spatialPads(ctx: NodeContext, input: readonly number[], kernel: number[], strides: number[], dilations: number[]): [number, number][] {
  const n = input.length;
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return input.map(() => [0, 0]);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER')
    return input.map((size, i) => {
      const out = Math.ceil(size / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
  if (autoPad !== 'NOTSET') throw ctx.unsupported(`auto_pad ${quoted(autoPad)} is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  const pads = ctx.ints('pads') ?? new Array<number>(2 * n).fill(0);
  if (pads.length !== 2 * n) throw ctx.unsupported(`pads has ${pads.length} values, expected ${2 * n}`);
  if (pads.some((p) => p < 0)) throw ctx.unsupported(`negative pads [${pads.join(', ')}] (cropping) are not supported`);
  return input.map((_, i) => [pads[i], pads[i + n]]);
}

function perDim(ctx: NodeContext, name: string, n: number, fallback: number): number[] {
  const v = ctx.ints(name) ?? new Array<number>(n).fill(fallback);
  if (v.length !== n || v.some((d) => !Number.isInteger(d) || d < 1))
    throw ctx.unsupported(`${name} must be ${n} positive integers, got [${v.join(', ')}]`);
  return v;
}

function conv(ctx: NodeContext): Value {
  const x = ctx.data(0);
  const w = ctx.constant(1, 'weight')!;
  const b = ctx.constant(2, 'bias');
  const spatial = x.shape.length - 1;
  if (spatial !== 1 && spatial !== 2) throw ctx.unsupported(`${spatial}-D convolution (striate has Conv1D and Conv2D)`);
  if (w.dims.length !== spatial + 2) throw ctx.unsupported(`weight is ${w.dims.length}-D, expected ${spatial + 2}-D`);
  const kernel = w.dims.slice(2);
  const declared = ctx.ints('kernel_shape');
  if (declared && declared.join() !== kernel.join()) throw ctx.unsupported(`kernel_shape [${declared.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  const groups = ctx.int('group', 1);
  const strides = perDim(ctx, 'strides', spatial, 1);
  const dilations = perDim(ctx, 'dilations', spatial, 1);
  const pads = spatialPads(ctx, x.shape.slice(1), kernel, strides, dilations);
  if (b && product(b.dims) !== w.dims[0]) throw ctx.unsupported(`bias has ${product(b.dims)} values for ${w.dims[0]} filters`);
  const common = { filters: w.dims[0], groups, useBias: b !== undefined, inChannels: x.shape[0] };
  const layer = spatial === 2
    ? new Conv2D({ ...common, kernelSize: [kernel[0], kernel[1]], stride: [strides[0], strides[1]], dilation: [dilations[0], dilations[1]],
      padding: [pads[0][0], pads[0][1], pads[1][0], pads[1][1]] })
    : new Conv1D({ ...common, kernelSize: kernel[0], stride: strides[0], dilation: dilations[0], padding: [pads[0][0], pads[0][1]] });
  if (product(w.dims) !== layer.weight!.value.size)
    throw ctx.unsupported(`weight ${w.dims.join('x')} does not fit ${x.shape[0]} input channels in ${groups} groups`);
  layer.weight!.value.data.set(floats(w));
  if (b) layer.bias!.value.data.set(floats(b));
  return node(ctx.add(layer, x));
}

/**
 * MaxPool, AveragePool and the stochastic-pooling pattern: 2-D, padding of at most
 * half the window. Asymmetric padding (what SAME_UPPER/SAME_LOWER give for an odd
 * total) becomes the begin padding on both sides plus the ceil mode that yields ONNX's
 * output size: the windows then start at the same places and are clipped at the end
 * alike, so max and in-bounds averages agree. Where no ceil mode gives that size (a
 * stride of 1), striate's pooling has no such form.
 */
function pool(ctx: NodeContext, kind: 'max' | 'avg' | 'stochastic'): Value {
  const x = ctx.data(0);
  if (x.shape.length !== 3) throw ctx.unsupported(`${x.shape.length - 1}-D pooling (striate pools 2-D images)`);
  const kernel = ctx.ints('kernel_shape');
  if (!kernel || kernel.length !== 2) throw ctx.unsupported('kernel_shape must give 2 sizes');
  const strides = perDim(ctx, 'strides', 2, 1);
  const dilations = perDim(ctx, 'dilations', 2, 1);
  if (dilations.some((d) => d !== 1)) throw ctx.unsupported(`dilations [${dilations.join(', ')}] (striate pools without dilation)`);
  const pads = spatialPads(ctx, x.shape.slice(1), kernel, strides, dilations);
  if (pads.some(([begin], i) => 2 * begin > kernel[i]))
    throw ctx.unsupported(`pads ${JSON.stringify(pads)}: striate pools with padding of at most half the window [${kernel.join(', ')}]`);
  const countIncludePad = ctx.int('count_include_pad', 0) === 1;
  const options = {
    kernelSize: [kernel[0], kernel[1]] as [number, number], stride: [strides[0], strides[1]] as [number, number],
    padding: [pads[0][0], pads[1][0]] as [number, number], ceilMode: ctx.int('ceil_mode', 0) === 1,
  };
  if (pads.some(([begin, end]) => begin !== end)) {
    const why = `pads ${JSON.stringify(pads)} (begin, end per axis) of a ${x.shape[1]}x${x.shape[2]} input`;
    if (options.ceilMode) throw ctx.unsupported(`${why} with ceil_mode = 1: striate pools with equal padding on both sides`);
    if (kind === 'avg' && countIncludePad)
      throw ctx.unsupported(`${why} with count_include_pad = 1: striate's divisor counts equal padding on both sides`);
    const want = x.shape.slice(1).map((size, i) => Math.floor((size + pads[i][0] + pads[i][1] - kernel[i]) / strides[i]) + 1);
    const fits = (ceilMode: boolean) => {
      try {
        return pool2dOutputShape([1, ...x.shape], { ...options, ceilMode }).slice(2).join() === want.join();
      } catch {
        return false;
      }
    };
    if (fits(false)) options.ceilMode = false;
    else if (fits(true)) options.ceilMode = true;
    else throw ctx.unsupported(`${why}: striate pools with equal padding on both sides, and no ceil mode gives its ${want.join('x')} output`);
  }
  const layer = kind === 'max' ? new MaxPool2D(options)
    : kind === 'avg' ? new AvgPool2D({ ...options, countIncludePad })
    : new StochasticPool2D(options);
  return node(ctx.add(layer, x));
}

function globalPool(ctx: NodeContext, kind: 'max' | 'avg'): Value {
  const x = ctx.data(0);
  if (x.shape.length !== 3) throw ctx.unsupported(`global pooling of a ${x.shape.length + 1}-D tensor (striate pools [N, C, H, W])`);
  const layer = kind === 'avg' ? new AdaptiveAvgPool2D({ outputSize: 1 }) : new MaxPool2D({ kernelSize: [x.shape[1], x.shape[2]] });
  return node(ctx.add(layer, x));
}

/** A Dense layer y = x·Wᵀ + b from W [units, inFeatures] (and an optional bias). */
function dense(ctx: NodeContext, x: GraphNode, weight: Float32Array, units: number, bias: Float32Array | undefined): Value {
  const layer = new Dense({ units, inFeatures: x.shape[0], useBias: bias !== undefined });
  layer.weight!.value.data.set(weight);
  if (bias) layer.bias!.value.data.set(bias);
  return node(ctx.add(layer, x));
}

function gemm(ctx: NodeContext): Value {
  const x = ctx.data(0);
  if (x.shape.length !== 1) throw ctx.unsupported(`input A is ${rankOf(x)}-D; Gemm takes [N, K]`);
  if (ctx.int('transA', 0) !== 0)
    throw ctx.unsupported('transA = 1: A is then [K, N], its batch along the second axis, and striate keeps the batch first');
  const b = ctx.constant(1, 'weight B')!;
  const transB = ctx.int('transB', 0) === 1;
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  const inFeatures = x.shape[0];
  if (b.dims.length !== 2 || b.dims[transB ? 1 : 0] !== inFeatures)
    throw ctx.unsupported(`B ${b.dims.join('x')} does not fit A [N, ${inFeatures}] (transB = ${Number(transB)})`);
  const units = b.dims[transB ? 0 : 1];
  const weight = new Float32Array(units * inFeatures);
  for (let u = 0; u < units; u++)
    for (let k = 0; k < inFeatures; k++) weight[u * inFeatures + k] = alpha * b.values[transB ? u * inFeatures + k : k * units + u];
  const c = ctx.constant(2, 'bias C');
  let bias: Float32Array | undefined;
  if (c) {
    const size = product(c.dims);
    if (!(size === 1 || (size === units && c.dims[c.dims.length - 1] === units)))
      throw ctx.unsupported(`bias C ${c.dims.join('x')} is not a scalar or [${units}] (a per-sample bias depends on the batch)`);
    bias = new Float32Array(units);
    for (let u = 0; u < units; u++) bias[u] = beta * c.values[size === 1 ? 0 : u];
  }
  return dense(ctx, x, weight, units, bias);
}

function matmul(ctx: NodeContext): Value {
  const x = ctx.data(0);
  const b = ctx.constant(1, 'weight B')!;
  if (x.shape.length !== 1 || b.dims.length !== 2 || b.dims[0] !== x.shape[0])
    throw ctx.unsupported(`MatMul of [N, ${x.shape.join(', ')}] by a constant ${b.dims.join('x')}: striate reads [N, K]·[K, M]`);
  const [inFeatures, units] = b.dims;
  const weight = new Float32Array(units * inFeatures);
  for (let u = 0; u < units; u++) for (let k = 0; k < inFeatures; k++) weight[u * inFeatures + k] = b.values[k * units + u];
  return dense(ctx, x, weight, units, undefined);
}

function batchNorm(ctx: NodeContext): Value {
  const x = ctx.data(0);
  if (ctx.int('training_mode', 0) !== 0) throw ctx.unsupported('training_mode = 1 (the running statistics as outputs)');
  if (ctx.opset < 7 && ctx.int('is_test', 0) !== 1) throw ctx.unsupported('is_test = 0 (training form)');
  if (ctx.int('spatial', 1) !== 1) throw ctx.unsupported('spatial = 0 (per-position statistics)');
  const channels = x.shape[0];
  const names = ['scale', 'bias', 'mean', 'variance'];
  const [scale, bias, mean, variance] = names.map((what, k) => {
    const c = ctx.constant(k + 1, what)!;
    if (!c || product(c.dims) !== channels) throw ctx.unsupported(`${what} must hold ${channels} values`);
    return floats(c);
  });
  const momentum = 1 - ctx.float('momentum', 0.9);
  const options = { channels, eps: ctx.float('epsilon', 1e-5), momentum: Math.min(1, Math.max(0, momentum)) };
  const rank = rankOf(x);
  if (rank > 4) throw ctx.unsupported(`batch norm of a ${rank}-D tensor (striate has BatchNorm1D and BatchNorm2D)`);
  const layer = rank === 4 ? new BatchNorm2D(options) : new BatchNorm1D(options);
  layer.gamma!.value.data.set(scale);
  layer.beta!.value.data.set(bias);
  layer.runningMean!.data.set(mean);
  layer.runningVar!.data.set(variance);
  return node(ctx.add(layer, x));
}

function lrn(ctx: NodeContext): Value {
  const x = ctx.data(0);
  const size = ctx.int('size', 0);
  if (size < 1 || size % 2 === 0) throw ctx.unsupported(`size ${size}: striate's window matches ONNX's for odd sizes only`);
  const layer = new LocalResponseNorm({ size, alpha: ctx.float('alpha', 1e-4), beta: ctx.float('beta', 0.75), k: ctx.float('bias', 1) });
  return node(ctx.add(layer, x));
}

function softmax(ctx: NodeContext): Value {
  const x = ctx.data(0);
  const rank = rankOf(x);
  const given = ctx.int('axis', ctx.opset < 13 ? 1 : -1);
  const axis = given < 0 ? given + rank : given;
  if (axis < 1 || axis >= rank) throw ctx.unsupported(`axis ${given} of a ${rank}-D tensor (striate normalises along a sample axis, not the batch)`);
  // Before opset 13 Softmax normalised over all axes from `axis` on, flattened.
  if (ctx.opset < 13 && axis !== rank - 1) throw ctx.unsupported(`axis ${given} before opset 13 normalises the flattened axes ${axis}..${rank - 1}`);
  return node(ctx.add(new Softmax({ axis }), x));
}

function dropout(ctx: NodeContext): Value {
  const x = ctx.data(0);
  let rate = ctx.float('ratio', 0.5);
  if (ctx.opset >= 12) {
    const r = ctx.constant(1, 'ratio');
    rate = r ? r.values[0] : 0.5;
    const t = ctx.constant(2, 'training_mode');
    if (t && t.values[0] !== 0) throw ctx.unsupported('training_mode = true (striate applies dropout in training only)');
  }
  if (!(rate >= 0 && rate < 1)) throw ctx.unsupported(`ratio ${rate} is not in [0, 1)`);
  return node(ctx.add(new Dropout({ rate }), x));
}

function flatten(ctx: NodeContext): Value {
  const x = ctx.data(0);
  const rank = rankOf(x);
  const given = ctx.int('axis', 1);
  if ((given < 0 ? given + rank : given) !== 1) throw ctx.unsupported(`axis ${given} of a ${rank}-D tensor (striate flattens each sample: axis 1)`);
  return node(ctx.add(new Flatten(), x));
}

function add(ctx: NodeContext): Value {
  if (ctx.inputCount !== 2 || ctx.isConstant(0) || ctx.isConstant(1))
    throw ctx.unsupported('striate adds two computed tensors (a constant operand would be a bias: fold it into the layer before)');
  const [a, b] = [ctx.data(0), ctx.data(1)];
  if (a.shape.join() !== b.shape.join())
    throw ctx.unsupported(`broadcasting [N, ${a.shape.join(', ')}] + [N, ${b.shape.join(', ')}] (striate adds tensors of one shape)`);
  return node(ctx.add(new Add(), a, b));
}

function concat(ctx: NodeContext): Value {
  const inputs = (ctx.node.input ?? []).map((_, k) => ctx.data(k));
  const rank = rankOf(inputs[0]);
  const given = ctx.int('axis', 1);
  const axis = given < 0 ? given + rank : given;
  if (axis < 1 || axis >= rank) throw ctx.unsupported(`axis ${given} of ${rank}-D tensors (striate concatenates along a sample axis)`);
  if (inputs.length === 1) return node(inputs[0]);
  return node(ctx.add(new Concat({ axis }), ...inputs));
}

/**
 * Reshape keeping the batch: the target's first entry is 0 (copy) or -1 (infer, the
 * rest fixed), or the batch itself written as a number, as static-shape exports do
 * (PyTorch's x.view(1, -1) gives [1, -1]). That number is accepted when it is the
 * batch every graph input declares; the Flatten it becomes takes any batch.
 */
function reshape(ctx: NodeContext): Value {
  const x = ctx.data(0);
  const target = [...ctx.constant(1, 'shape')!.values];
  const size = product(x.shape);
  const allowZero = ctx.int('allowzero', 0) === 1;
  const shown = `shape [${target.join(', ')}] of [N, ${x.shape.join(', ')}]`;
  const literal = target[0] >= 1;
  if (literal && target[0] !== ctx.batch)
    throw ctx.unsupported(
      `${shown}: the batch is given as ${target[0]}, but the graph's inputs declare ${ctx.batch === undefined ? 'no fixed batch' : `batch ${ctx.batch}`}, so this reshape may mix samples`,
    );
  const sample = target.slice(1).map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const free = sample.indexOf(-1);
  if (free >= 0) sample[free] = size / product(sample.filter((d, i) => i !== free));
  const keepsBatch = literal || (target[0] === 0 && !allowZero) || (target[0] === -1 && free < 0);
  if (!keepsBatch || product(sample) !== size || sample.some((d) => !Number.isInteger(d) || d < 1))
    throw ctx.unsupported(`${shown}: striate reshapes only by keeping the batch and flattening`);
  if (sample.join() === x.shape.join()) return node(x);
  if (sample.length === 1) return node(ctx.add(new Flatten(), x));
  throw ctx.unsupported(`${shown}: striate reshapes only by flattening each sample`);
}

/** Transpose of a constant (old PyTorch exports transpose a Linear's weight before MatMul): folded into the constant. */
function transpose(ctx: NodeContext): Value {
  if (!ctx.isConstant(0)) throw ctx.unsupported('a computed input (striate has no transpose layer; a constant input is folded)');
  const c = ctx.constant(0, 'input')!;
  const rank = c.dims.length;
  const perm = ctx.ints('perm') ?? c.dims.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
    throw ctx.unsupported(`perm [${perm.join(', ')}] is not a permutation of the ${rank} axes of a ${c.dims.join('x')} constant`);
  const dims = perm.map((p) => c.dims[p]);
  const strides = c.dims.map((_, i) => product(c.dims.slice(i + 1)));
  const values = new Float64Array(c.values.length);
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < values.length; k++) {
    values[k] = c.values[index.reduce((at, v, i) => at + v * strides[perm[i]], 0)];
    for (let i = rank - 1; i >= 0 && ++index[i] === dims[i]; i--) index[i] = 0;
  }
  return { constant: { dims, values } };
}

function identity(ctx: NodeContext): Value {
  return ctx.isConstant(0) ? { constant: ctx.constant(0, 'input')! } : node(ctx.data(0));
}

function constant(ctx: NodeContext): Value {
  const a = ctx.node.attribute?.[0];
  if (!a || (ctx.node.attribute?.length ?? 0) !== 1) throw ctx.unsupported('a Constant needs exactly one value attribute');
  if (a.name === 'value' && a.t) {
    try {
      return { constant: tensorValues(a.t) };
    } catch (err) {
      throw ctx.unsupported((err as Error).message);
    }
  }
  if (a.name === 'value_float') return { constant: { dims: [], values: Float64Array.of(a.f ?? 0) } };
  if (a.name === 'value_int') return { constant: { dims: [], values: Float64Array.of(a.i ?? 0) } };
  if (a.name === 'value_floats') return { constant: { dims: [a.floats?.length ?? 0], values: Float64Array.from(a.floats ?? []) } };
  if (a.name === 'value_ints') return { constant: { dims: [a.ints?.length ?? 0], values: Float64Array.from(a.ints ?? []) } };
  throw ctx.unsupported(`attribute ${a.name} (striate reads value, value_float(s) and value_int(s))`);
}

const unary = (make: (ctx: NodeContext) => BaseLayer) => (ctx: NodeContext): Value =>
  node(ctx.add(make(ctx), ctx.data(0)));

const POOL = ['kernel_shape', 'strides', 'pads', 'auto_pad', 'ceil_mode', 'dilations'];

/** Every operator `st.onnx.load` reads, by op_type. */
export const OPERATORS: readonly Operator[] = [
  { op: 'Conv', opsets: [1, 18], attributes: ['kernel_shape', 'strides', 'pads', 'auto_pad', 'dilations', 'group'], becomes: 'Conv2D / Conv1D (bias optional)', convert: conv },
  { op: 'MaxPool', opsets: [1, 18], attributes: [...POOL, 'storage_order'], becomes: 'MaxPool2D (2-D; pads at most half the window, uneven ones where a stride > 1 lets the ceil mode give ONNX\'s size)', convert: (c) => pool(c, 'max') },
  { op: 'AveragePool', opsets: [1, 18], attributes: [...POOL, 'count_include_pad'], becomes: 'AvgPool2D (as MaxPool; uneven pads with count_include_pad = 0)', convert: (c) => pool(c, 'avg') },
  { op: 'GlobalAveragePool', opsets: [1, 18], attributes: [], becomes: 'AdaptiveAvgPool2D (1x1)', convert: (c) => globalPool(c, 'avg') },
  { op: 'GlobalMaxPool', opsets: [1, 18], attributes: [], becomes: 'MaxPool2D (whole plane)', convert: (c) => globalPool(c, 'max') },
  { op: 'Gemm', opsets: [6, 18], attributes: ['transA', 'transB', 'alpha', 'beta', 'broadcast'], becomes: 'Dense (B constant; transA = 0)', convert: gemm },
  { op: 'MatMul', opsets: [1, 18], attributes: [], becomes: 'Dense without bias (B constant 2-D)', convert: matmul },
  { op: 'BatchNormalization', opsets: [6, 18], attributes: ['epsilon', 'momentum', 'training_mode', 'is_test', 'spatial'], becomes: 'BatchNorm2D / BatchNorm1D', convert: batchNorm },
  { op: 'LRN', opsets: [1, 18], attributes: ['size', 'alpha', 'beta', 'bias'], becomes: 'LocalResponseNorm (odd size)', convert: lrn },
  { op: 'Relu', opsets: [6, 18], attributes: [], becomes: 'ReLU', convert: unary(() => new ReLU()) },
  { op: 'LeakyRelu', opsets: [6, 18], attributes: ['alpha'], becomes: 'LeakyReLU', convert: unary((c) => new LeakyReLU({ alpha: c.float('alpha', 0.01) })) },
  { op: 'Elu', opsets: [6, 18], attributes: ['alpha'], becomes: 'ELU', convert: unary((c) => new ELU({ alpha: c.float('alpha', 1) })) },
  { op: 'Sigmoid', opsets: [6, 18], attributes: [], becomes: 'Sigmoid', convert: unary(() => new Sigmoid()) },
  { op: 'Tanh', opsets: [6, 18], attributes: [], becomes: 'Tanh', convert: unary(() => new Tanh()) },
  { op: 'Softmax', opsets: [1, 18], attributes: ['axis'], becomes: 'Softmax (a sample axis)', convert: softmax },
  { op: 'Dropout', opsets: [6, 18], attributes: ['ratio', 'seed', 'is_test'], becomes: 'Dropout', convert: dropout },
  { op: 'Flatten', opsets: [1, 18], attributes: ['axis'], becomes: 'Flatten (axis 1)', convert: flatten },
  { op: 'Add', opsets: [7, 18], attributes: [], becomes: 'Add (two computed tensors of one shape)', convert: add },
  { op: 'Concat', opsets: [4, 18], attributes: ['axis'], becomes: 'Concat (a sample axis)', convert: concat },
  { op: 'Reshape', opsets: [5, 18], attributes: ['allowzero'], becomes: 'Flatten, or nothing (constant shape keeping the batch: 0, -1, or the inputs\' fixed batch)', convert: reshape },
  { op: 'Identity', opsets: [1, 18], attributes: [], becomes: 'nothing (an alias)', convert: identity },
  { op: 'Transpose', opsets: [1, 18], attributes: ['perm'], becomes: 'nothing (a constant input, transposed at import)', convert: transpose },
  { op: 'Constant', opsets: [1, 18], attributes: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'], becomes: 'a constant input of another node', convert: constant },
];

/**
 * The sub-graph st.onnx.save writes for StochasticPool2D (its inference form,
 * Σa₊² / Σa₊ per window): Relu, Mul (the square), two AveragePools with the same
 * attributes (their divisors cancel), Max with a positive constant of at most
 * 2^-126 (a guard against 0/0), Div. The loader finds it (patterns.ts) and imports it
 * as one StochasticPool2D, named after the Div node.
 */
export const STOCHASTIC_POOL: Operator = {
  op: 'StochasticPool', pattern: 'Relu, Mul, AveragePool ×2, Max, Div', opsets: [8, 18], attributes: [...POOL, 'count_include_pad'],
  becomes: 'StochasticPool2D (the inference form st.onnx.save writes for it)', convert: (c) => pool(c, 'stochastic'),
};

/**
 * The sub-graph st.onnx.save writes for an AdaptiveAvgPool2D whose windows differ in
 * size: MatMul(X [N, C, H, W], A_wᵀ [W, OW]), then MatMul(A_h [OH, H], that), with A the
 * averaging matrices of adaptiveAverageMatrix. patterns.ts checks both constants value
 * for value and passes their sizes on as input_size and output_size.
 */
export const ADAPTIVE_AVG_POOL: Operator = {
  op: 'AdaptiveAveragePool', pattern: 'MatMul ×2 by constant averaging matrices', opsets: [9, 18], attributes: ['input_size', 'output_size'],
  becomes: 'AdaptiveAvgPool2D (the form st.onnx.save writes for windows of unequal sizes)',
  convert(ctx) {
    const x = ctx.data(0);
    const [inputSize, outputSize] = [ctx.ints('input_size')!, ctx.ints('output_size')!];
    if (x.shape.length !== 3 || x.shape[1] !== inputSize[0] || x.shape[2] !== inputSize[1])
      throw ctx.unsupported(`averaging matrices for a ${inputSize.join('x')} plane applied to [N, ${x.shape.join(', ')}]`);
    return node(ctx.add(new AdaptiveAvgPool2D({ outputSize: [outputSize[0], outputSize[1]] }), x));
  },
};

/** The operators of sub-graphs the loader imports as one layer (patterns.ts finds them). */
export const PATTERNS: readonly Operator[] = [STOCHASTIC_POOL, ADAPTIVE_AVG_POOL];

const byOp = new Map(OPERATORS.map((o) => [o.op, o]));

/** The operator for an op_type at an opset, or undefined when striate does not import it. */
export function findOperator(op: string, opset: number): Operator | undefined {
  const o = byOp.get(op);
  return o && opset >= o.opsets[0] && opset <= o.opsets[1] ? o : undefined;
}

/** The README's table of imported operators, as Markdown, made from `OPERATORS` and `PATTERNS`. */
export function operatorTable(): string {
  const rows = [...OPERATORS, ...PATTERNS].map((o) => `| ${o.pattern ?? o.op} | ${o.opsets[0]}–${o.opsets[1]} | ${o.attributes.join(', ') || '—'} | ${o.becomes} |`);
  return ['| ONNX operator | opsets | attributes | striate layer |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
