/**
 * Convolution layers on the native conv ops (im2col/implicit GEMM, SIMD, threaded).
 *   Conv2D  x [N, Cin, H, W] -> y [N, filters, outH, outW],  W [filters, Cin/groups, kH, kW]
 *   Conv1D  x [N, Cin, L]    -> y [N, filters, outL],        W [filters, Cin/groups, k]
 *   forward   y = W ⋆ x + b  (cross-correlation, as every framework)
 *   backward  dx = conv·GradInput(dy, W),  dW += conv·GradWeight(x, dy).dw,  db += Σ_{n,spatial} dy
 */
import { formatShape, MAX_ELEMENTS, orDefault } from '../errors.js';
import { KeptArray, keepsOutput } from './kept-array.js';
import {
  conv1d, conv1dGradInput, conv1dGradWeight, conv2d, conv2dGradInput, conv2dGradWeight, conv2dOutputShape,
  type Conv1dOptions, type Conv1dPadding, type Conv2dOptions, type Conv2dPadding,
} from '../ops/conv.js';
import type { Param } from '../param.js';
import { Tensor, type Shape } from '../tensor.js';
import { checkInitializer, initialize, type InitializerName } from './init.js';
import {
  Layer, boolOption, buildSeed, checkForwardOptions, checkGradShape, checkInput, checkOptions, checkSampleShape, intOption, makeParam,
  missingForward, missingOption, type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

interface ConvCommonOptions extends BaseLayerOptions {
  /** Output channels. */
  filters: number;
  /** Channel groups (groups = inChannels = filters: depthwise); default 1. */
  groups?: number;
  /** Add a bias per filter (default true). */
  useBias?: boolean;
  /** Input channels; when given the weights are created now, otherwise at build. */
  inChannels?: number;
  /** Default `'heNormal'` (see init.ts). */
  kernelInitializer?: InitializerName;
  /** Seed of the weight initialiser (default: the model's, or 0 alone). */
  seed?: number;
}

export interface Conv2DOptions extends ConvCommonOptions {
  kernelSize: number | readonly [number, number];
  /** Default 1. */
  stride?: number | readonly [number, number];
  /** A number, [h, w], [top, bottom, left, right], 'valid' (default, = 0) or 'same'. */
  padding?: Conv2dPadding;
  /** Default 1. */
  dilation?: number | readonly [number, number];
}

export interface Conv1DOptions extends ConvCommonOptions {
  kernelSize: number;
  /** Default 1. */
  stride?: number;
  /** A number, [left, right], 'valid' (default, = 0) or 'same'. */
  padding?: Conv1dPadding;
  /** Default 1. */
  dilation?: number;
}

function checkPair(label: string, name: string, v: unknown): void {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw new RangeError(`${label}: ${name} must be a number or [h, w], got [${v.join(', ')}]`);
    v.forEach((d, i) => intOption(label, `${name}[${i}]`, d, 1));
  } else intOption(label, name, v, 1);
}

/** The plumbing shared by Conv2D and Conv1D; `dims` picks the op family. */
abstract class Conv extends Layer {
  readonly filters: number;
  readonly groups: number;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  /** The initialiser's seed; set at build when it was not given (then from the model), so configs reproduce the weights. */
  seed: number | undefined;
  inChannels: number | undefined;
  weight: Param | undefined;
  bias: Param | undefined;
  private x: Tensor | undefined;
  private yShape: Shape | undefined;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  constructor(o: ConvCommonOptions & { kernelSize: unknown }) {
    super(o);
    this.filters = intOption(this.label, 'filters', o.filters, 1) ?? missingOption(this.label, 'filters');
    if (o.kernelSize === undefined) missingOption(this.label, 'kernelSize');
    this.groups = intOption(this.label, 'groups', o.groups, 1, 1)!;
    if (this.filters % this.groups !== 0)
      throw new RangeError(`${this.label}: filters (${this.filters}) must be divisible by groups (${this.groups})`);
    this.useBias = boolOption(this.label, 'useBias', o.useBias, true);
    this.kernelInitializer = checkInitializer(this.label, o.kernelInitializer ?? 'heNormal');
    this.seed = intOption(this.label, 'seed', o.seed, 0);
  }

  protected abstract readonly rank: number;
  protected abstract readonly layout: string;
  protected abstract kernelShape(): number[];
  protected abstract opOptions(): Conv2dOptions | Conv1dOptions;
  protected abstract sampleOutputShape(inputShape: Shape): Shape;
  protected abstract run(x: Tensor, w: Tensor, b: Tensor | null, out?: Float32Array): Tensor;
  protected abstract gradInput(dy: Tensor, w: Tensor, xShape: Shape, out?: Float32Array): Tensor;
  protected abstract gradWeight(x: Tensor, dy: Tensor, wShape: Shape): { dw: Tensor; db: Tensor };

  protected convConfig(extra: Record<string, unknown>): LayerConfig {
    return this.makeConfig({
      filters: this.filters, ...extra, groups: this.groups, useBias: this.useBias,
      inChannels: this.inChannels, kernelInitializer: this.kernelInitializer, seed: this.seed,
    });
  }

  /** Creates the weights for `inChannels`; called by the subclass constructor or build. */
  protected create(inChannels: number, seed?: number): void {
    if (inChannels % this.groups !== 0)
      throw new RangeError(`${this.label}: input channels (${inChannels}) must be divisible by groups (${this.groups})`);
    const shape = this.weightShape(inChannels);
    const fallback = buildSeed(this.label, seed);
    this.inChannels = inChannels;
    this.seed ??= fallback;
    const w = initialize(new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape), this.kernelInitializer,
      this.seed);
    this.weight = makeParam('weight', w);
    if (this.useBias) this.bias = makeParam('bias', new Tensor(new Float32Array(this.filters), [this.filters]));
  }

  /** The weight's shape for `inChannels`, refused when a Float32Array cannot hold it. */
  private weightShape(inChannels: number): number[] {
    const shape = [this.filters, inChannels / this.groups, ...this.kernelShape()];
    const size = shape.reduce((a, b) => a * b, 1);
    if (size > MAX_ELEMENTS)
      throw new RangeError(
        `${this.label}: a weight of ${formatShape(shape)} (filters, input channels / groups, kernelSize) has ${size} values, ` +
          `more than the ${MAX_ELEMENTS} a Float32Array can hold`,
      );
    return shape;
  }

  override build(inputShape: Shape, seed?: number): void {
    this.outputShape(inputShape);
    if (!this.weight) this.create(inputShape[0], seed);
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, [this.rank - 1], this.layout.replace('N, ', ''));
    if (this.inChannels !== undefined && inputShape[0] !== this.inChannels)
      throw new RangeError(`${this.label}: expects ${this.inChannels} input channels, got ${inputShape[0]} (inChannels)`);
    if (inputShape[0] % this.groups !== 0)
      throw new RangeError(`${this.label}: input channels (${inputShape[0]}) must be divisible by groups (${this.groups})`);
    this.weightShape(inputShape[0]);
    return this.sampleOutputShape(inputShape);
  }

  override params(): Param[] {
    if (!this.weight) return [];
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  /** y and, in backward, dx go into kept arrays (see kept-array.ts). */
  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [this.rank], this.layout);
    if (!this.weight) this.build(x.shape.slice(1));
    const size = this.outputSize(x); // checks x's channels against the layer's, even at inference
    const out = keepsOutput(options) ? this.yArray.take(size) : undefined;
    const y = this.run(x, this.weight!.value, this.bias ? this.bias.value : null, out);
    this.x = x;
    this.yShape = y.shape;
    return y;
  }

  backward(dy: Tensor): Tensor {
    this.accumulateParamGrads(dy);
    const x = this.x!;
    return this.gradInput(dy, this.weight!.value, x.shape, this.dxArray.take(x.size));
  }

  /** dW and db only: for the first layer of a network, whose dx nobody reads. */
  override accumulateParamGrads(dy: Tensor): void {
    const x = this.x ?? missingForward(this.label);
    checkGradShape(this.label, dy, this.yShape!);
    const w = this.weight!;
    const { dw, db } = this.gradWeight(x, dy, w.value.shape);
    accumulate(w.grad.data, dw.data);
    if (this.bias) accumulate(this.bias.grad.data, db.data);
  }
}

function accumulate(into: Float32Array, from: Float32Array): void {
  for (let i = 0; i < into.length; i++) into[i] += from[i];
}

/**
 * 2-D convolution.
 * @example
 * const conv = new st.nn.Conv2D({ filters: 6, kernelSize: 5, inChannels: 1 });
 * conv.forward(st.randn([8, 1, 32, 32])).shape   // [8, 6, 28, 28]
 */
export class Conv2D extends Conv {
  readonly type = 'conv2d';
  readonly kernelSize: number | readonly [number, number];
  readonly stride: number | readonly [number, number];
  readonly padding: Conv2dPadding;
  readonly dilation: number | readonly [number, number];
  protected readonly rank = 4;
  protected readonly layout = '[N, C, H, W]';

  constructor(options: Conv2DOptions) {
    const o = checkOptions('Conv2D', options, true);
    super(o);
    checkPair(this.label, 'kernelSize', o.kernelSize);
    checkPair(this.label, 'stride', orDefault(o.stride, 1));
    checkPair(this.label, 'dilation', orDefault(o.dilation, 1));
    this.kernelSize = o.kernelSize;
    this.stride = orDefault(o.stride, 1);
    this.padding = orDefault(o.padding, 'valid');
    this.dilation = orDefault(o.dilation, 1);
    const inChannels = intOption(this.label, 'inChannels', o.inChannels, 1);
    if (inChannels !== undefined) this.create(inChannels);
  }

  get config(): LayerConfig {
    return this.convConfig({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  protected kernelShape(): number[] {
    return typeof this.kernelSize === 'number' ? [this.kernelSize, this.kernelSize] : [...this.kernelSize];
  }

  protected opOptions(): Conv2dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  protected sampleOutputShape(inputShape: Shape): Shape {
    const w = [this.filters, inputShape[0] / this.groups, ...this.kernelShape()];
    return conv2dOutputShape([1, ...inputShape], w, this.opOptions()).slice(1);
  }

  protected run(x: Tensor, w: Tensor, b: Tensor | null, out?: Float32Array): Tensor {
    return conv2d(x, w, b, this.opOptions(), out);
  }

  protected gradInput(dy: Tensor, w: Tensor, xShape: Shape, out?: Float32Array): Tensor {
    return conv2dGradInput(dy, w, xShape, this.opOptions(), out);
  }

  protected gradWeight(x: Tensor, dy: Tensor, wShape: Shape): { dw: Tensor; db: Tensor } {
    return conv2dGradWeight(x, dy, wShape, this.opOptions());
  }
}

/**
 * 1-D convolution over sequences [N, C, L].
 * @example
 * const conv = new st.nn.Conv1D({ filters: 8, kernelSize: 7, padding: 'same', inChannels: 2 });
 * conv.forward(st.randn([4, 2, 100])).shape   // [4, 8, 100]
 */
export class Conv1D extends Conv {
  readonly type = 'conv1d';
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: Conv1dPadding;
  readonly dilation: number;
  protected readonly rank = 3;
  protected readonly layout = '[N, C, L]';

  constructor(options: Conv1DOptions) {
    const o = checkOptions('Conv1D', options, true);
    super(o);
    this.kernelSize = intOption(this.label, 'kernelSize', o.kernelSize, 1)!;
    this.stride = intOption(this.label, 'stride', o.stride, 1, 1)!;
    this.dilation = intOption(this.label, 'dilation', o.dilation, 1, 1)!;
    this.padding = orDefault(o.padding, 'valid');
    const inChannels = intOption(this.label, 'inChannels', o.inChannels, 1);
    if (inChannels !== undefined) this.create(inChannels);
  }

  get config(): LayerConfig {
    return this.convConfig({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  protected kernelShape(): number[] {
    return [this.kernelSize];
  }

  protected opOptions(): Conv1dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  /** Through conv2d's shape rule with H = 1 (conv1d runs on the 2-D path the same way). */
  protected sampleOutputShape(inputShape: Shape): Shape {
    const p = this.padding;
    const padding: Conv2dPadding = typeof p === 'string' ? p : typeof p === 'number' ? [0, p] : [0, 0, p[0], p[1]];
    const [, c, , l] = conv2dOutputShape([1, inputShape[0], 1, inputShape[1]], [this.filters, inputShape[0] / this.groups, 1, this.kernelSize], {
      stride: [1, this.stride], dilation: [1, this.dilation], padding, groups: this.groups,
    });
    return [c, l];
  }

  protected run(x: Tensor, w: Tensor, b: Tensor | null, out?: Float32Array): Tensor {
    return conv1d(x, w, b, this.opOptions(), out);
  }

  protected gradInput(dy: Tensor, w: Tensor, xShape: Shape, out?: Float32Array): Tensor {
    return conv1dGradInput(dy, w, xShape, this.opOptions(), out);
  }

  protected gradWeight(x: Tensor, dy: Tensor, wShape: Shape): { dw: Tensor; db: Tensor } {
    return conv1dGradWeight(x, dy, wShape, this.opOptions());
  }
}
