/**
 * Batch normalisation (Ioffe & Szegedy 2015), per channel over the batch and the
 * spatial positions. x is seen as [N, C, inner]: BatchNorm2D takes [N, C, H, W],
 * BatchNorm1D takes [N, C] or [N, C, L].
 *   training   μ, σ² = mean and biased variance of the batch, x̂ = (x − μ)/√(σ² + eps)
 *              running ← (1 − momentum)·running + momentum·batch  (variance unbiased)
 *   inference  μ, σ² = the running statistics
 *   forward    y = gamma·x̂ + beta
 *   backward   dgamma += Σ dy·x̂,  dbeta += Σ dy,
 *              dx = gamma/√(σ²+eps) · (dy − mean(dy) − x̂·mean(dy·x̂))  (training)
 *              dx = gamma/√(σ²+eps) · dy                               (inference)
 * `momentum` follows PyTorch (the weight of the new batch, default 0.1), not
 * Keras (the weight of the old value, 0.99).
 * `forwardRelu` runs the batch norm and a ReLU after it in one pass (a Graph does so when
 * the ReLU is the batch norm's only reader); its `backward` then takes the gradient of
 * the ReLU's output and applies the ReLU's backward in the same pass. The bits are those
 * of the two layers run one after the other.
 */
import { MAX_ELEMENTS } from '../errors.js';
import { KeptArray, outputFor } from './kept-array.js';
import * as ew from '../ops/elementwise.js';
import type { Param } from '../param.js';
import { Tensor, type Shape } from '../tensor.js';
import {
  Layer, checkForwardOptions, checkGradShape, checkInput, checkOptions, checkSampleShape, intOption, makeParam, missingForward, numberOption,
  type BaseLayerOptions, type Buffer, type ForwardOptions, type LayerConfig,
} from './layer.js';

export interface BatchNormOptions extends BaseLayerOptions {
  /** Channels (C); when given the parameters are created now, otherwise at build. */
  channels?: number;
  /** Added to the variance; default 1e-5. */
  eps?: number;
  /** Weight of the batch statistic in the running average; default 0.1. */
  momentum?: number;
}

interface Saved {
  x: Tensor;
  mean: Float64Array;
  invStd: Float64Array;
  batchStatistics: boolean;
  /** The output when a ReLU was fused in (its backward needs where the output is > 0). */
  reluY: Float32Array | null;
}

export abstract class BatchNorm extends Layer {
  readonly eps: number;
  readonly momentum: number;
  channels: number | undefined;
  gamma: Param | undefined;
  beta: Param | undefined;
  /** Running mean and (unbiased) variance, used at inference. */
  runningMean: Tensor | undefined;
  runningVar: Tensor | undefined;
  private saved: Saved | undefined;

  protected abstract readonly ranks: readonly number[];
  protected abstract readonly layout: string;

  constructor(options: BatchNormOptions, className: string) {
    const o = checkOptions(className, options, false);
    super(o);
    this.eps = numberOption(this.label, 'eps', o.eps, 1e-5, Number.MIN_VALUE);
    this.momentum = numberOption(this.label, 'momentum', o.momentum, 0.1, 0, 1);
    const channels = intOption(this.label, 'channels', o.channels, 1);
    if (channels !== undefined && channels > MAX_ELEMENTS)
      throw new RangeError(`${this.label}: channels must be at most ${MAX_ELEMENTS}, got ${channels}`);
    if (channels !== undefined) this.create(channels);
  }

  get config(): LayerConfig {
    return this.makeConfig({ channels: this.channels, eps: this.eps, momentum: this.momentum });
  }

  private create(channels: number): void {
    this.channels = channels;
    this.gamma = makeParam('gamma', new Tensor(new Float32Array(channels).fill(1), [channels]));
    this.beta = makeParam('beta', new Tensor(new Float32Array(channels), [channels]));
    this.runningMean = new Tensor(new Float32Array(channels), [channels]);
    this.runningVar = new Tensor(new Float32Array(channels).fill(1), [channels]);
  }

  override build(inputShape: Shape): void {
    this.outputShape(inputShape);
    if (this.channels === undefined) this.create(inputShape[0]);
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, this.ranks.map((r) => r - 1), this.layout.replaceAll('N, ', ''));
    if (this.channels !== undefined && inputShape[0] !== this.channels)
      throw new RangeError(`${this.label}: expects ${this.channels} channels, got ${inputShape[0]}`);
    return inputShape;
  }

  override params(): Param[] {
    return this.gamma ? [this.gamma, this.beta!] : [];
  }

  // y and, in backward, dx go into kept arrays (see kept-array.ts).
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  override buffers(): Buffer[] {
    return this.runningMean ? [{ name: 'runningMean', value: this.runningMean }, { name: 'runningVar', value: this.runningVar! }] : [];
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    return this.normalize(x, options, false);
  }

  /** max(0, forward(x)) in one pass; `backward` then takes dL/d(that output). */
  forwardRelu(x: Tensor, options: ForwardOptions = {}): Tensor {
    return this.normalize(x, options, true);
  }

  private normalize(x: Tensor, options: ForwardOptions, relu: boolean): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, this.ranks, this.layout);
    if (this.channels === undefined) this.build(x.shape.slice(1));
    this.outputShape(x.shape.slice(1));
    const [outer, channels, inner] = split(x.shape);
    const training = options.training === true;
    const gamma = this.gamma!.value.data;
    const beta = this.beta!.value.data;
    const y = new Tensor(outputFor(this.label, options, this.yArray, x.size), x.shape);
    let statistics: { mean: Float64Array; invStd: Float64Array };
    if (training) {
      const count = outer * inner;
      if (count < 2) throw new RangeError(`${this.label}: training needs more than 1 value per channel, got x ${`[${x.shape.join(', ')}]`}`);
      const mean = new Float64Array(channels), invStd = new Float64Array(channels), variance = new Float64Array(channels);
      ew.batchNormTraining(x.data, y.data, outer, channels, inner, this.eps, gamma, beta, mean, variance, relu);
      const rm = this.runningMean!.data;
      const rv = this.runningVar!.data;
      const m = this.momentum;
      for (let c = 0; c < channels; c++) {
        invStd[c] = 1 / Math.sqrt(variance[c] + this.eps);
        rm[c] = (1 - m) * rm[c] + m * mean[c];
        rv[c] = (1 - m) * rv[c] + (m * variance[c] * count) / (count - 1);
      }
      statistics = { mean, invStd };
    } else {
      statistics = this.inferenceStatistics();
      ew.batchNorm(x.data, y.data, outer, channels, inner, statistics.mean, statistics.invStd, gamma, beta, relu);
    }
    this.saved = { x, ...statistics, batchStatistics: training, reluY: relu ? y.data : null };
    return y;
  }

  /** The running statistics as inference applies them, in float64: the mean and 1/√(variance + eps). */
  inferenceStatistics(): { mean: Float64Array; invStd: Float64Array } {
    return {
      mean: Float64Array.from(this.runningMean!.data),
      invStd: Float64Array.from(this.runningVar!.data, (v) => 1 / Math.sqrt(v + this.eps)),
    };
  }

  backward(dy: Tensor): Tensor {
    const s = this.saved ?? missingForward(this.label);
    checkGradShape(this.label, dy, s.x.shape);
    const [outer, channels, inner] = split(s.x.shape);
    const dx = new Tensor(this.dxArray.take(dy.size), dy.shape);
    ew.batchNormGrad(s.x.data, dy.data, dx.data, outer, channels, inner, s.mean, s.invStd,
      this.gamma!.value.data, this.gamma!.grad.data, this.beta!.grad.data, s.batchStatistics, s.reluY);
    return dx;
  }
}

function split(shape: Shape): [number, number, number] {
  return [shape[0], shape[1], shape.slice(2).reduce((a, b) => a * b, 1)];
}

/**
 * Batch norm for images [N, C, H, W].
 * @example
 * const bn = new st.nn.BatchNorm2D({ channels: 16 });
 * bn.forward(x, { training: true });
 */
export class BatchNorm2D extends BatchNorm {
  readonly type = 'batchNorm2d';
  protected readonly ranks = [4];
  protected readonly layout = '[N, C, H, W]';
  constructor(options: BatchNormOptions = {}) {
    super(options, 'BatchNorm2D');
  }
}

/**
 * Batch norm for vectors [N, C] or sequences [N, C, L].
 * @example new st.nn.BatchNorm1D({ channels: 120 })
 */
export class BatchNorm1D extends BatchNorm {
  readonly type = 'batchNorm1d';
  protected readonly ranks = [2, 3];
  protected readonly layout = '[N, C] or [N, C, L]';
  constructor(options: BatchNormOptions = {}) {
    super(options, 'BatchNorm1D');
  }
}
