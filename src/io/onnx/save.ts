/**
 * Writing ONNX: every layer of a Graph or Sequential becomes standard operators
 * (default opset 17), weights as float32 initializers in raw_data (little-endian), the
 * batch dimension symbolic ('N') unless `dynamicBatch: false` fixes it at 1. The
 * graph is what `predictSync` computes, the inference form: Dropout exports as Dropout
 * (identity at inference), batch norm with its running statistics, StochasticPool2D
 * as its expectation Σa₊²/Σa₊ per window (six operators the loader reads back as one
 * StochasticPool2D). Its training-time sampling has no ONNX form and is not written.
 * AdaptiveAvgPool2D is GlobalAveragePool or AveragePool where its windows are equal and
 * apart, else two MatMuls by constant averaging matrices (read back as one layer too).
 * A layer type not listed here (one added with registerLayer) is an error naming the
 * layer.
 */
import { describeType } from '../../errors.js';
import { Graph } from '../../models/graph.js';
import type { BaseLayer } from '../../nn/layer.js';
import type { Shape } from '../../tensor.js';
import { writeFileAtomic } from '../model-file.js';
import { encodeModelProto, floatTensor, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './proto.js';
import { adaptiveAverageMatrix } from '../../ops/adaptive-pool.js';
import { AttributeType } from './schema.js';

export interface OnnxSaveOptions {
  /** The opset written: 13 to 18; default 17. */
  opset?: number;
  /** A symbolic batch dimension (default true); false writes batch 1. */
  dynamicBatch?: boolean;
}

type AttrValue = number | number[] | { float: number };

function attributes(attrs: Record<string, AttrValue>): OnnxAttribute[] {
  return Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v) ? { name, type: AttributeType.INTS, ints: v }
      : typeof v === 'number' ? { name, type: AttributeType.INT, i: v }
      : { name, type: AttributeType.FLOAT, f: v.float });
}

const pair = (v: number | readonly number[]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** The IR version of the ONNX release that introduced each opset (onnx's VERSION_TABLE): 1.8 (IR 7) opset 13, ... 1.13 (IR 8) opset 18. */
const IR_VERSION: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8 };

/**
 * The model's ONNX bytes (what `save` writes).
 * @example const bytes = st.onnx.encodeOnnx(model, { opset: 13 });
 */
export function encodeOnnx(model: Graph, options: OnnxSaveOptions = {}): Uint8Array {
  if (!(model instanceof Graph))
    throw new TypeError(`onnx.save: model must be a Graph or Sequential, got ${describeType(model)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`onnx.save: options must be an object, got ${describeType(options)}`);
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || IR_VERSION[opset] === undefined) throw new RangeError(`onnx.save: opset must be an integer in 13..18, got ${String(opset)}`);
  if (options.dynamicBatch !== undefined && typeof options.dynamicBatch !== 'boolean')
    throw new TypeError(`onnx.save: dynamicBatch must be a boolean, got ${describeType(options.dynamicBatch)}`);
  const batch = options.dynamicBatch === false ? { dimValue: 1 } : { dimParam: 'N' };
  const config = model.config;
  if (config.type === 'sequential' && config.inputShape === undefined)
    throw new RangeError(
      'onnx.save: the Sequential has no input shape yet, so its layers have no sizes to write; ' +
        'give inputShape when creating it (new st.Sequential(layers, { inputShape: [1, 28, 28] })), call model.build(shape), or run it once',
    );
  const layers = model.layers as BaseLayer[];
  const inputs = config.type === 'graph' ? config.inputs : [{ name: 'input_1', shape: config.inputShape! }];
  const wiring = config.type === 'graph'
    ? config.nodes.map((n) => n.inputs)
    : layers.map((_, i) => [i === 0 ? 'input_1' : layers[i - 1].name!]);
  const output = config.type === 'graph' ? config.output : layers[layers.length - 1].name!;
  // Only what the output depends on: a training-only branch (an auxiliary classifier)
  // has no place in the inference graph ONNX describes.
  const needed = new Set([output]);
  for (let k = layers.length - 1; k >= 0; k--) if (needed.has(layers[k].name!)) wiring[k].forEach((i) => needed.add(i));
  const shapes = new Map<string, Shape>(inputs.map((i) => [i.name, i.shape]));
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  layers.forEach((layer, k) => {
    const name = layer.name!;
    if (!needed.has(name)) return;
    const ins = wiring[k];
    const inShapes = ins.map((i) => shapes.get(i)!);
    shapes.set(name, layer.outputShapeFrom(inShapes));
    const emit = (op: string, attrs: Record<string, AttrValue> = {}, extra: string[] = [], out = name, from = ins) =>
      nodes.push({ name: out, opType: op, input: [...from, ...extra], output: [out], attribute: attributes(attrs) });
    const weight = (suffix: string, dims: readonly number[], data: Float32Array) => {
      initializers.push(floatTensor(`${name}.${suffix}`, dims, data));
      return `${name}.${suffix}`;
    };
    const c = layer.config as Record<string, unknown>;
    const l = layer as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    switch (layer.type) {
      case 'conv2d':
      case 'conv1d': {
        const w = l.weight.value;
        const spatial = layer.type === 'conv2d' ? 2 : 1;
        const x = [1, ...inShapes[0]];
        // The op's own resolver gives the explicit pads of 'same', [h, w] and the rest.
        const kernel = w.shape.slice(2);
        const stride = spatial === 2 ? pair(c.stride as number) : [c.stride as number];
        const dilation = spatial === 2 ? pair(c.dilation as number) : [c.dilation as number];
        const pads = explicitPads(c.padding, x.slice(2), kernel, stride, dilation);
        const extra = [weight('weight', w.shape, w.data)];
        if (l.bias) extra.push(weight('bias', l.bias.value.shape, l.bias.value.data));
        emit('Conv', { kernel_shape: kernel, strides: stride, dilations: dilation, pads, group: c.groups as number }, extra);
        break;
      }
      case 'dense': {
        const extra = [weight('weight', l.weight.value.shape, l.weight.value.data)];
        if (l.bias) extra.push(weight('bias', l.bias.value.shape, l.bias.value.data));
        emit('Gemm', { transB: 1 }, extra);
        break;
      }
      case 'maxPool2d':
        emit('MaxPool', poolAttributes(c));
        break;
      case 'avgPool2d':
        emit('AveragePool', { ...poolAttributes(c), count_include_pad: c.countIncludePad ? 1 : 0 });
        break;
      case 'stochasticPool2d': {
        // Σa₊² / Σa₊ per window as the ratio of two average pools (the divisors cancel);
        // the guard turns an all-zero window's 0/0 into 0, as striate's kernel does.
        const attrs = { ...poolAttributes(c), count_include_pad: 0 };
        emit('Relu', {}, [], `${name}.relu`);
        emit('Mul', {}, [], `${name}.square`, [`${name}.relu`, `${name}.relu`]);
        emit('AveragePool', attrs, [], `${name}.sum2`, [`${name}.square`]);
        emit('AveragePool', attrs, [], `${name}.sum`, [`${name}.relu`]);
        initializers.push(floatTensor(`${name}.guard`, [], Float32Array.of(2 ** -126)));
        emit('Max', {}, [`${name}.guard`], `${name}.safe`, [`${name}.sum`]);
        emit('Div', {}, [], name, [`${name}.sum2`, `${name}.safe`]);
        break;
      }
      case 'globalAvgPool2d':
        emit('GlobalAveragePool', {}, [], `${name}.pooled`);
        emit('Flatten', { axis: 1 }, [], name, [`${name}.pooled`]);
        break;
      case 'adaptiveAvgPool2d': {
        const [h, w] = [inShapes[0][1], inShapes[0][2]];
        const [oh, ow] = c.outputSize as [number, number];
        if (oh === 1 && ow === 1) emit('GlobalAveragePool');
        else if (h % oh === 0 && w % ow === 0) emit('AveragePool', { kernel_shape: [h / oh, w / ow], strides: [h / oh, w / ow] });
        else {
          // Windows of unequal sizes (ONNX pooling has one per axis): the separable form
          // A_h · X · A_wᵀ, two MatMuls by constant averaging matrices, which load finds again.
          const aw = adaptiveAverageMatrix(w, ow);
          const awT = Float32Array.from({ length: w * ow }, (_, k) => aw[(k % ow) * w + Math.floor(k / ow)]);
          emit('MatMul', {}, [weight('columns', [w, ow], awT)], `${name}.across`);
          emit('MatMul', {}, [], name, [weight('rows', [oh, h], adaptiveAverageMatrix(h, oh)), `${name}.across`]);
        }
        break;
      }
      case 'flatten': emit('Flatten', { axis: 1 }); break;
      case 'relu': emit('Relu'); break;
      case 'sigmoid': emit('Sigmoid'); break;
      case 'tanh': emit('Tanh'); break;
      case 'leakyRelu': emit('LeakyRelu', { alpha: { float: c.alpha as number } }); break;
      case 'elu': emit('Elu', { alpha: { float: c.alpha as number } }); break;
      case 'softmax': emit('Softmax', { axis: c.axis as number }); break;
      case 'dropout':
        initializers.push(floatTensor(`${name}.ratio`, [], Float32Array.of(c.rate as number)));
        emit('Dropout', {}, [`${name}.ratio`]);
        break;
      case 'batchNorm2d':
      case 'batchNorm1d': {
        const ch = [l.channels as number];
        const extra = [weight('gamma', ch, l.gamma.value.data), weight('beta', ch, l.beta.value.data),
          weight('runningMean', ch, l.runningMean.data), weight('runningVar', ch, l.runningVar.data)];
        emit('BatchNormalization', { epsilon: { float: c.eps as number }, momentum: { float: 1 - (c.momentum as number) } }, extra);
        break;
      }
      case 'localResponseNorm':
        if ((c.size as number) % 2 === 0) throw new RangeError(`onnx.save: LocalResponseNorm '${name}' has even size ${c.size}; ONNX's LRN window differs from striate's for even sizes`);
        emit('LRN', { size: c.size as number, alpha: { float: c.alpha as number }, beta: { float: c.beta as number }, bias: { float: c.k as number } });
        break;
      case 'add': emit('Add'); break;
      case 'concat': emit('Concat', { axis: c.axis as number }); break;
      default:
        throw new RangeError(`onnx.save: layer '${name}' (${layer.constructor.name}, type '${layer.type}') has no ONNX form`);
    }
  });
  const valueInfo = (name: string, shape: Shape) => ({
    name, type: { tensorType: { elemType: 1, shape: { dim: [batch, ...shape.map((d) => ({ dimValue: d }))] } } },
  });
  return encodeModelProto({
    irVersion: IR_VERSION[opset],
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'striate',
    graph: {
      name: 'striate',
      node: nodes,
      initializer: initializers,
      input: inputs.map((i) => valueInfo(i.name, i.shape)),
      output: [valueInfo(output, shapes.get(output)!)],
    },
  });
}

/** The attributes of MaxPool and AveragePool for a pooling layer's config. */
function poolAttributes(c: Record<string, unknown>): Record<string, AttrValue> {
  const kernel = pair(c.kernelSize as number);
  const [ph, pw] = pair(c.padding as number);
  return { kernel_shape: kernel, strides: c.stride === undefined ? kernel : pair(c.stride as number), pads: [ph, pw, ph, pw], ceil_mode: c.ceilMode ? 1 : 0 };
}

/** ONNX pads [begin..., end...] for a conv's padding option. */
function explicitPads(padding: unknown, input: number[], kernel: number[], stride: number[], dilation: number[]): number[] {
  const n = input.length;
  let per: [number, number][];
  if (padding === undefined || padding === 'valid') per = input.map(() => [0, 0]);
  else if (padding === 'same')
    per = input.map((size, i) => {
      const total = Math.max(0, (Math.ceil(size / stride[i]) - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - size);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  else if (typeof padding === 'number') per = input.map(() => [padding, padding]);
  else {
    const p = padding as number[];
    per = n === 1 ? [[p[0], p[1]]] : p.length === 2 ? [[p[0], p[0]], [p[1], p[1]]] : [[p[0], p[1]], [p[2], p[3]]];
  }
  return [...per.map((p) => p[0]), ...per.map((p) => p[1])];
}

/**
 * Saves a model as ONNX, atomically, for ONNX Runtime, Triton or a phone.
 * @example st.onnx.save(model, 'lenet5.onnx');              // batch symbolic, opset 17
 * @example st.onnx.save(model, 'lenet5.onnx', { opset: 13, dynamicBatch: false });
 */
export function save(model: Graph, file: string, options: OnnxSaveOptions = {}): void {
  writeFileAtomic(file, encodeOnnx(model, options), 'onnx.save');
}
