/**
 * Pooling layers on the native pooling ops, per channel on x [N, C, H, W]:
 *   MaxPool2D         y = max over the window          dx: dy scattered to the argmax
 *   AvgPool2D         y = mean over the window         dx: dy spread evenly over the window
 *   StochasticPool2D  training: one activation drawn per window with p ∝ value
 *                     (Zeiler & Fergus 2013), dx scattered to it; inference: Σ p·a
 *   GlobalAvgPool2D   y [N, C] = mean over H×W         dx = dy / (H·W) everywhere
 * `stride` defaults to `kernelSize`; a smaller stride gives overlapping pooling.
 */
import { orDefault } from '../errors.js';
import {
  avgPool2d, avgPool2dGrad, globalAvgPool2d, globalAvgPool2dGrad, maxPool2d, maxPool2dGrad, maxPool2dWithArgmax, pool2dOutputShape,
  stochasticPool2d, stochasticPool2dGrad, stochasticPool2dInferenceGrad, type AvgPoolOptions, type MaxPoolOut, type PoolOptions,
} from '../ops/pool.js';
import { KeptArray, keepsOutput, outputFor } from './kept-array.js';
import { Rng } from '../random.js';
import type { Shape, Tensor } from '../tensor.js';
import {
  Layer, boolOption, checkForwardOptions, checkGradShape, checkInput, checkOptions, checkSampleShape, intOption, missingForward, missingOption,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

export interface Pool2DOptions extends BaseLayerOptions {
  kernelSize: number | readonly [number, number];
  /** Default: kernelSize. */
  stride?: number | readonly [number, number];
  /** Default 0. */
  padding?: number | readonly [number, number];
  /** Round the output size up (default false). */
  ceilMode?: boolean;
}

export interface AvgPool2DOptions extends Pool2DOptions {
  /** Divide by the full window, padding included (default true, as PyTorch). */
  countIncludePad?: boolean;
}

export interface StochasticPool2DOptions extends Pool2DOptions {
  /** Seed of the sampling stream (default: the model's, or 0 alone); it advances every training step. */
  seed?: number;
}

const LAYOUT = '[N, C, H, W]';

abstract class Pool2D extends Layer {
  readonly kernelSize: number | readonly [number, number];
  readonly stride: number | readonly [number, number] | undefined;
  readonly padding: number | readonly [number, number];
  readonly ceilMode: boolean;
  protected x: Tensor | undefined;
  protected yShape: Shape | undefined;

  constructor(o: Pool2DOptions) {
    super(o);
    if (o.kernelSize === undefined) missingOption(this.label, 'kernelSize');
    this.kernelSize = o.kernelSize;
    this.stride = o.stride;
    this.padding = orDefault(o.padding, 0);
    this.ceilMode = boolOption(this.label, 'ceilMode', o.ceilMode, false);
  }

  protected poolOptions(): PoolOptions {
    const o: PoolOptions = { kernelSize: this.kernelSize, padding: this.padding, ceilMode: this.ceilMode };
    if (this.stride !== undefined) o.stride = this.stride;
    return o;
  }

  protected poolConfig(extra: Record<string, unknown> = {}): LayerConfig {
    return this.makeConfig({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, ...extra });
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, [3], '[C, H, W]');
    return pool2dOutputShape([1, ...inputShape], this.poolOptions()).slice(1);
  }

  protected begin(x: Tensor): void {
    checkInput(this.label, 'x', x, [4], LAYOUT);
    this.x = x;
  }


  protected end(y: Tensor): Tensor {
    this.yShape = y.shape;
    return y;
  }

  protected saved(dy: Tensor): Tensor {
    const x = this.x ?? missingForward(this.label);
    checkGradShape(this.label, dy, this.yShape!);
    return x;
  }
}

/**
 * Max pooling.
 * @example new st.nn.MaxPool2D({ kernelSize: 2 })            // halves H and W
 * @example new st.nn.MaxPool2D({ kernelSize: 3, stride: 2 })  // AlexNet's overlapping pooling
 */
export class MaxPool2D extends Pool2D {
  readonly type = 'maxPool2d';
  private argmax: Int32Array | undefined;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly argmaxArray = new KeptArray(Int32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  constructor(options: Pool2DOptions) {
    super(checkOptions('MaxPool2D', options, true));
  }

  get config(): LayerConfig {
    return this.poolConfig();
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    this.begin(x);
    if (options.transient !== undefined && options.training !== true) {
      // Inside predictSync, whose graph refuses a backward afterwards: no argmax to keep
      // (writing it took half the time of GoogLeNet's 3x3 stride-1 pools).
      this.argmax = undefined;
      return this.end(maxPool2d(x, this.poolOptions(), outputFor(this.label, options, this.yArray, this.outputSize(x))));
    }
    let out: MaxPoolOut | undefined;
    if (keepsOutput(options)) {
      const size = this.outputSize(x);
      out = { y: this.yArray.take(size), argmax: this.argmaxArray.take(size) };
    }
    const { y, argmax } = maxPool2dWithArgmax(x, this.poolOptions(), out);
    this.argmax = argmax;
    return this.end(y);
  }

  backward(dy: Tensor): Tensor {
    const x = this.saved(dy);
    if (!this.argmax) throw new Error(`${this.label}: backward after a forward inside predictSync, which keeps no argmax; run forward first`);
    return maxPool2dGrad(dy, this.argmax, x.shape, this.dxArray.take(x.size));
  }
}

/**
 * Average pooling.
 * @example new st.nn.AvgPool2D({ kernelSize: 2 })
 */
export class AvgPool2D extends Pool2D {
  readonly type = 'avgPool2d';
  readonly countIncludePad: boolean;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  constructor(options: AvgPool2DOptions) {
    const o = checkOptions('AvgPool2D', options, true);
    super(o);
    this.countIncludePad = boolOption(this.label, 'countIncludePad', o.countIncludePad, true);
  }

  get config(): LayerConfig {
    return this.poolConfig({ countIncludePad: this.countIncludePad });
  }

  private avgOptions(): AvgPoolOptions {
    return { ...this.poolOptions(), countIncludePad: this.countIncludePad };
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    this.begin(x);
    return this.end(avgPool2d(x, this.avgOptions(), outputFor(this.label, options, this.yArray, this.outputSize(x))));
  }

  backward(dy: Tensor): Tensor {
    const x = this.saved(dy);
    return avgPool2dGrad(dy, x.shape, this.avgOptions(), this.dxArray.take(x.size));
  }
}

/**
 * Stochastic pooling: a regulariser in training, a weighted average at inference.
 * Expects non-negative inputs (put it after a ReLU).
 * @example new st.nn.StochasticPool2D({ kernelSize: 3, stride: 2, seed: 1 })
 */
export class StochasticPool2D extends Pool2D {
  readonly type = 'stochasticPool2d';
  /** The stream's seed; set at build when it was not given (then from the model). */
  seed: number | undefined;
  private rng: Rng;
  /** The chosen elements of the last training forward; undefined after an inference forward. */
  private index: Int32Array | undefined;

  constructor(options: StochasticPool2DOptions) {
    const o = checkOptions('StochasticPool2D', options, true);
    super(o);
    this.seed = intOption(this.label, 'seed', o.seed, 0);
    this.rng = new Rng(this.seed ?? 0);
  }

  get config(): LayerConfig {
    return this.poolConfig({ seed: this.seed });
  }

  override build(inputShape: Shape, seed?: number): void {
    if (this.seed === undefined && seed !== undefined) {
      this.seed = seed;
      this.rng = new Rng(seed);
    }
    this.outputShape(inputShape);
  }

  /**
   * Restarts the random stream from `seed`. `fit` calls it before every epoch with a
   * seed made from the layer's own, the run's seed and the epoch, so each epoch's
   * masks are the same whether the run went straight through or was resumed.
   */
  reseed(seed: number): void {
    this.rng = new Rng(seed);
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    this.begin(x);
    const training = options.training === true;
    const { y, index } = stochasticPool2d(x, training ? { ...this.poolOptions(), training, rng: this.rng } : { ...this.poolOptions(), training });
    this.index = index ?? undefined;
    return this.end(y);
  }

  backward(dy: Tensor): Tensor {
    const x = this.saved(dy);
    return this.index ? stochasticPool2dGrad(dy, this.index, x.shape) : stochasticPool2dInferenceGrad(dy, x, this.poolOptions());
  }
}

/**
 * Global average pooling, [N, C, H, W] -> [N, C] (ready for a Dense layer; the op
 * itself returns [N, C, 1, 1]).
 * @example new st.nn.GlobalAvgPool2D()
 */
export class GlobalAvgPool2D extends Layer {
  readonly type = 'globalAvgPool2d';
  private xShape: Shape | undefined;

  constructor(options: BaseLayerOptions = {}) {
    super(checkOptions('GlobalAvgPool2D', options, false));
  }

  get config(): LayerConfig {
    return this.makeConfig();
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, [3], '[C, H, W]');
    return [inputShape[0]];
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [4], LAYOUT);
    this.xShape = x.shape;
    return globalAvgPool2d(x).reshape([x.shape[0], x.shape[1]]);
  }

  backward(dy: Tensor): Tensor {
    const shape = this.xShape ?? missingForward(this.label);
    checkGradShape(this.label, dy, [shape[0], shape[1]]);
    return globalAvgPool2dGrad(dy.reshape([shape[0], shape[1], 1, 1]), shape);
  }
}
