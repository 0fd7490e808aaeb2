/**
 * Activation layers, elementwise except Softmax; output shape = input shape.
 *   ReLU       y = max(x, 0)                      dx = dy·[x > 0]
 *   LeakyReLU  y = x or alpha·x                   dx = dy or alpha·dy
 *   ELU        y = x or alpha·(eˣ − 1)            dx = dy or dy·(y + alpha)
 *   Sigmoid    y = 1/(1 + e⁻ˣ)                    dx = dy·y·(1 − y)
 *   Tanh       y = tanh x                         dx = dy·(1 − y²)
 *   Softmax    y = eˣ / Σ eˣ along `axis`         dx = y·(dy − Σ dy·y)
 * For classification train with `SoftmaxCrossEntropy` on logits instead of
 * Softmax followed by a log loss: the fused form is stable and cheaper.
 */
import * as ew from '../ops/elementwise.js';
import { KeptArray, keepsOutput } from './kept-array.js';
import { Tensor, type Shape } from '../tensor.js';
import {
  ANY_SAMPLE_RANK, Layer, checkForwardOptions, checkSampleShape, checkGradShape, checkInput, checkOptions, missingForward, numberOption,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

const ANY_RANK = [1, 2, 3, 4, 5, 6];

/**
 * The shared plumbing of an activation: keep x and y, check dy, fill dx. y and dx go
 * into kept arrays (see kept-array.ts); inside `Graph.predictSync` a pointwise
 * activation writes y over its input instead when nothing reads that afterwards.
 */
abstract class Activation extends Layer {
  protected x: Tensor | undefined;
  protected y: Tensor | undefined;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);
  /** y[i] depends on x[i] alone, so y may be written over x (`transient.overwritable`). */
  protected readonly pointwise: boolean = true;

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, ANY_SAMPLE_RANK, '[...] (up to 5 dimensions)');
    return inputShape;
  }

  get config(): LayerConfig {
    return this.makeConfig();
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, ANY_RANK, 'a tensor [N, ...]');
    let data: Float32Array;
    if (this.pointwise && options.transient?.overwritable[0]) data = x.data;
    else data = keepsOutput(options) ? this.yArray.take(x.size) : new Float32Array(x.size);
    const y = new Tensor(data, x.shape);
    this.apply(x.data, y.data, x.shape);
    this.x = x;
    this.y = y;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const x = this.x ?? missingForward(this.label);
    checkGradShape(this.label, dy, x.shape);
    const dx = new Tensor(this.dxArray.take(x.size), x.shape);
    this.grad(x.data, this.y!.data, dy.data, dx.data, x.shape);
    return dx;
  }

  protected abstract apply(x: Float32Array, y: Float32Array, shape: Shape): void;
  protected abstract grad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, shape: Shape): void;
}

/**
 * Rectified linear unit.
 * @example const y = new st.nn.ReLU().forward(x);
 */
export class ReLU extends Activation {
  readonly type = 'relu';
  constructor(options: BaseLayerOptions = {}) {
    super(checkOptions('ReLU', options, false));
  }
  protected apply(x: Float32Array, y: Float32Array): void {
    ew.relu(x, y);
  }
  protected grad(x: Float32Array, _y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    ew.reluGrad(x, dy, dx);
  }
}

export interface LeakyReLUOptions extends BaseLayerOptions {
  /** The slope for x < 0; default 0.01 (PyTorch's; tfjs uses 0.3). */
  alpha?: number;
}

/**
 * ReLU with a small slope for negative inputs.
 * @example new st.nn.LeakyReLU({ alpha: 0.1 })
 */
export class LeakyReLU extends Activation {
  readonly type = 'leakyRelu';
  readonly alpha: number;
  constructor(options: LeakyReLUOptions = {}) {
    const o = checkOptions('LeakyReLU', options, false);
    super(o);
    this.alpha = numberOption(this.label, 'alpha', o.alpha, 0.01);
  }
  override get config(): LayerConfig {
    return this.makeConfig({ alpha: this.alpha });
  }
  protected apply(x: Float32Array, y: Float32Array): void {
    ew.leakyRelu(x, y, this.alpha);
  }
  protected grad(x: Float32Array, _y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    ew.leakyReluGrad(x, dy, dx, this.alpha);
  }
}

export interface ELUOptions extends BaseLayerOptions {
  /** The negative saturation value; default 1. */
  alpha?: number;
}

/**
 * Exponential linear unit (Clevert et al. 2015).
 * @example new st.nn.ELU({ alpha: 1 })
 */
export class ELU extends Activation {
  readonly type = 'elu';
  readonly alpha: number;
  constructor(options: ELUOptions = {}) {
    const o = checkOptions('ELU', options, false);
    super(o);
    this.alpha = numberOption(this.label, 'alpha', o.alpha, 1, 0);
  }
  override get config(): LayerConfig {
    return this.makeConfig({ alpha: this.alpha });
  }
  protected apply(x: Float32Array, y: Float32Array): void {
    ew.elu(x, y, this.alpha);
  }
  protected grad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    ew.eluGrad(x, y, dy, dx, this.alpha);
  }
}

/**
 * The logistic sigmoid.
 * @example new st.nn.Sigmoid()
 */
export class Sigmoid extends Activation {
  readonly type = 'sigmoid';
  constructor(options: BaseLayerOptions = {}) {
    super(checkOptions('Sigmoid', options, false));
  }
  protected apply(x: Float32Array, y: Float32Array): void {
    ew.sigmoid(x, y);
  }
  protected grad(_x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    ew.sigmoidGrad(y, dy, dx);
  }
}

/**
 * The hyperbolic tangent.
 * @example new st.nn.Tanh()
 */
export class Tanh extends Activation {
  readonly type = 'tanh';
  constructor(options: BaseLayerOptions = {}) {
    super(checkOptions('Tanh', options, false));
  }
  protected apply(x: Float32Array, y: Float32Array): void {
    ew.tanh(x, y);
  }
  protected grad(_x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    ew.tanhGrad(y, dy, dx);
  }
}

export interface SoftmaxOptions extends BaseLayerOptions {
  /** The axis of the full tensor (batch included) to normalise; default -1 (the last). */
  axis?: number;
}

/**
 * Softmax along one axis (default the last: class scores [N, K]; axis 1 for
 * per-pixel class maps [N, K, H, W]).
 * @example new st.nn.Softmax().forward(st.tensor([[1, 2, 3]]))
 */
export class Softmax extends Activation {
  readonly type = 'softmax';
  protected override readonly pointwise = false;
  readonly axis: number;
  constructor(options: SoftmaxOptions = {}) {
    const o = checkOptions('Softmax', options, false);
    super(o);
    if (o.axis !== undefined && (typeof o.axis !== 'number' || !Number.isInteger(o.axis)))
      throw new TypeError(`${this.label}: axis must be an integer, got ${String(o.axis)}`);
    if (o.axis === 0) throw new RangeError(`${this.label}: axis 0 is the batch axis; softmax needs a sample axis`);
    this.axis = o.axis ?? -1;
  }
  override get config(): LayerConfig {
    return this.makeConfig({ axis: this.axis });
  }
  override outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, ANY_SAMPLE_RANK, '[...] (up to 5 dimensions)');
    // A sample shape lacks the batch axis: tensor axis a is its axis a - 1.
    if (Math.abs(this.axis) > inputShape.length)
      throw new RangeError(`${this.label}: axis ${this.axis} is out of range for a sample shape of rank ${inputShape.length}`);
    return inputShape;
  }
  private split(shape: Shape): [number, number, number] {
    const axis = this.axis < 0 ? shape.length + this.axis : this.axis;
    if (axis < 1 || axis >= shape.length)
      throw new RangeError(`${this.label}: axis ${this.axis} must name a non-batch axis of x [${shape.join(', ')}]`);
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return [outer, shape[axis], inner];
  }
  protected apply(x: Float32Array, y: Float32Array, shape: Shape): void {
    const [outer, dim, inner] = this.split(shape);
    ew.softmax(x, y, outer, dim, inner);
  }
  protected grad(_x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, shape: Shape): void {
    const [outer, dim, inner] = this.split(shape);
    ew.softmaxGrad(y, dy, dx, outer, dim, inner);
  }
}
