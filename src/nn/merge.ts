/**
 * Merge layers: several inputs, one output.
 *   Add      y = Σ_i x_i (same shapes)                 dx_i = dy
 *   Concat   y = [x_1, x_2, ...] along `axis`          dx_i = the slice of dy that x_i filled
 * Add makes a residual connection (ResNet), Concat along channels a dense
 * connection (DenseNet). Add's gradients are dy itself, shared, not copied:
 * layers never write into the tensors they are given.
 */
import { describeType, formatShape, orDefault } from '../errors.js';
import * as ew from '../ops/elementwise.js';
import { Tensor, type Shape } from '../tensor.js';
import { KeptArray, outputFor } from './kept-array.js';
import {
  ANY_SAMPLE_RANK, MergeLayer, checkForwardOptions, checkSampleShape, checkGradShape, checkInput, checkOptions, missingForward, sameShape,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

const ANY_RANK = [1, 2, 3, 4, 5, 6];

function checkInputs(label: string, inputs: unknown): readonly Tensor[] {
  if (!Array.isArray(inputs)) throw new TypeError(`${label}: inputs must be an array of tensors`);
  if (inputs.length < 2) throw new RangeError(`${label}: needs at least 2 inputs, got ${inputs.length}`);
  inputs.forEach((x, i) => checkInput(label, `inputs[${i}]`, x, ANY_RANK, 'a tensor [N, ...]'));
  return inputs as Tensor[];
}

function checkShapes(label: string, shapes: readonly Shape[]): void {
  if (!Array.isArray(shapes)) throw new TypeError(`${label}: inputShapes must be an array of sample shapes, got ${describeType(shapes)}`);
  shapes.forEach((s) => checkSampleShape(label, s, ANY_SAMPLE_RANK, '[...] (up to 5 dimensions)'));
  if (shapes.length < 2) throw new RangeError(`${label}: needs at least 2 inputs, got ${shapes.length}`);
}

/** Throws unless every shape equals the first; returns it. */
function oneShape(label: string, shapes: readonly Shape[]): Shape {
  for (let i = 1; i < shapes.length; i++)
    if (!sameShape(shapes[i], shapes[0]))
      throw new RangeError(`${label}: inputs must have one shape; input 0 is ${formatShape(shapes[0])}, input ${i} is ${formatShape(shapes[i])}`);
  return shapes[0];
}

/**
 * Elementwise sum of its inputs (all of one shape).
 * @example
 * const y = g.add(new st.nn.Add(), branch, shortcut);
 */
export class Add extends MergeLayer {
  readonly type = 'add';
  private shape: Shape | undefined;
  private count = 0;
  private readonly yArray = new KeptArray(Float32Array);

  constructor(options: BaseLayerOptions = {}) {
    super(checkOptions('Add', options, false));
  }

  get config(): LayerConfig {
    return this.makeConfig();
  }

  outputShape(inputShapes: readonly Shape[]): Shape {
    checkShapes(this.label, inputShapes);
    return oneShape(this.label, inputShapes);
  }

  forward(inputs: readonly Tensor[], options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInputs(this.label, inputs);
    oneShape(this.label, inputs.map((x) => x.shape));
    // ((x0 + x1) + x2) + ..., in input order. The first sum may be written over x0 or x1
    // when nothing reads it afterwards (predictSync), the others only over that sum.
    const k = options.transient?.overwritable.slice(0, 2).indexOf(true) ?? -1;
    const y = k >= 0 ? inputs[k].data : outputFor(this.label, options, this.yArray, inputs[0].size);
    ew.add(inputs[0].data, inputs[1].data, y);
    for (let i = 2; i < inputs.length; i++) ew.add(y, inputs[i].data, y);
    this.shape = inputs[0].shape;
    this.count = inputs.length;
    return new Tensor(y, inputs[0].shape);
  }

  backward(dy: Tensor): Tensor[] {
    const shape = this.shape ?? missingForward(this.label);
    checkGradShape(this.label, dy, shape);
    return new Array<Tensor>(this.count).fill(dy);
  }
}

export interface ConcatOptions extends BaseLayerOptions {
  /** The axis of the full tensor (batch included); default 1, the channels of NCHW. */
  axis?: number;
}

/**
 * Joins its inputs along one axis (default: channels).
 * @example
 * const y = g.add(new st.nn.Concat(), x, newFeatures);  // [N, C1 + C2, H, W]
 */
export class Concat extends MergeLayer {
  readonly type = 'concat';
  readonly axis: number;
  private shapes: Shape[] | undefined;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArrays: KeptArray<Float32Array<ArrayBuffer>>[] = [];

  constructor(options: ConcatOptions = {}) {
    const o = checkOptions('Concat', options, false);
    super(o);
    const axis = orDefault(o.axis, 1);
    if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < 1)
      throw new RangeError(`${this.label}: axis must be an integer >= 1 (0 is the batch), got ${String(axis)}`);
    this.axis = axis;
  }

  get config(): LayerConfig {
    return this.makeConfig({ axis: this.axis });
  }

  outputShape(inputShapes: readonly Shape[]): Shape {
    checkShapes(this.label, inputShapes);
    const a = this.axis - 1;
    const first = inputShapes[0];
    if (a >= first.length)
      throw new RangeError(`${this.label}: axis ${this.axis} is out of range for inputs of sample shape ${formatShape(first)}`);
    let total = 0;
    inputShapes.forEach((s, i) => {
      if (s.length !== first.length || s.some((d, j) => j !== a && d !== first[j]))
        throw new RangeError(
          `${this.label}: inputs must agree except on axis ${this.axis}; input 0 is ${formatShape(first)}, input ${i} is ${formatShape(s)}`,
        );
      total += s[a];
    });
    const out = [...first];
    out[a] = total;
    return out;
  }

  forward(inputs: readonly Tensor[], options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInputs(this.label, inputs);
    if (inputs.some((x) => x.shape[0] !== inputs[0].shape[0]))
      throw new RangeError(`${this.label}: inputs must have one batch size, got ${inputs.map((x) => x.shape[0]).join(', ')}`);
    const sample = this.outputShape(inputs.map((x) => x.shape.slice(1)));
    const outShape = [inputs[0].shape[0], ...sample];
    const size = outShape.reduce((a, b) => a * b, 1);
    // A fresh array per call was half of DenseNet-121's concatenation time (zeroed, then copied over).
    const y = outputFor(this.label, options, this.yArray, size);
    const outer = outShape.slice(0, this.axis).reduce((a, b) => a * b, 1);
    const rowOut = y.length / Math.max(outer, 1);
    let offset = 0;
    for (const x of inputs) {
      const row = x.size / Math.max(outer, 1);
      for (let o = 0; o < outer; o++) y.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
      offset += row;
    }
    this.shapes = inputs.map((x) => x.shape);
    return new Tensor(y, outShape);
  }

  backward(dy: Tensor): Tensor[] {
    const shapes = this.shapes ?? missingForward(this.label);
    const outShape = [...shapes[0]];
    outShape[this.axis] = shapes.reduce((a, s) => a + s[this.axis], 0);
    checkGradShape(this.label, dy, outShape);
    const outer = outShape.slice(0, this.axis).reduce((a, b) => a * b, 1);
    const rowOut = dy.size / Math.max(outer, 1);
    let offset = 0;
    return shapes.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const row = size / Math.max(outer, 1);
      if (this.dxArrays.length <= i) this.dxArrays.push(new KeptArray(Float32Array));
      const dx = this.dxArrays[i].take(size);
      for (let o = 0; o < outer; o++) dx.set(dy.data.subarray(o * rowOut + offset, o * rowOut + offset + row), o * row);
      offset += row;
      return new Tensor(dx, shape);
    });
  }
}
