/**
 * Dense (fully connected) layer, x [N, inFeatures] -> y [N, units]:
 *   forward   y  = x·Wᵀ + b           W [units, inFeatures] (PyTorch's layout)
 *   backward  dW += dyᵀ·x,  db += Σ_n dy,  dx = dy·W
 * All three products run on the native SGEMM.
 */
import { MAX_ELEMENTS } from '../errors.js';
import { gemm } from '../ops/gemm.js';
import { KeptArray, keepsOutput } from './kept-array.js';
import { addBias, biasGrad } from '../ops/elementwise.js';
import type { Param } from '../param.js';
import { Tensor, type Shape } from '../tensor.js';
import { checkInitializer, initialize, type InitializerName } from './init.js';
import {
  Layer, boolOption, buildSeed, checkForwardOptions, checkGradShape, checkInput, checkOptions, checkSampleShape, intOption, makeParam, missingForward,
  missingOption, type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

export interface DenseOptions extends BaseLayerOptions {
  /** Output features. */
  units: number;
  /** Input features; when given the weights are created now, otherwise at build. */
  inFeatures?: number;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Default `'heNormal'` (see init.ts). */
  kernelInitializer?: InitializerName;
  /** Seed of the weight initialiser (default: the model's, or 0 alone). */
  seed?: number;
}

/**
 * A fully connected layer.
 * @example
 * const fc = new st.nn.Dense({ units: 10, inFeatures: 84 });
 * const y = fc.forward(st.randn([32, 84]));   // [32, 10]
 */
export class Dense extends Layer {
  readonly type = 'dense';
  readonly units: number;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  /** The initialiser's seed; set at build when it was not given (then from the model), so configs reproduce the weights. */
  seed: number | undefined;
  inFeatures: number | undefined;
  weight: Param | undefined;
  bias: Param | undefined;
  private x: Tensor | undefined;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  constructor(options: DenseOptions) {
    const o = checkOptions('Dense', options, true);
    super(o);
    this.units = intOption(this.label, 'units', o.units, 1) ?? missingOption(this.label, 'units');
    if (this.units > MAX_ELEMENTS) throw new RangeError(`${this.label}: units must be at most ${MAX_ELEMENTS}, got ${this.units}`);
    this.useBias = boolOption(this.label, 'useBias', o.useBias, true);
    this.kernelInitializer = checkInitializer(this.label, o.kernelInitializer ?? 'heNormal');
    this.seed = intOption(this.label, 'seed', o.seed, 0);
    const inFeatures = intOption(this.label, 'inFeatures', o.inFeatures, 1);
    if (inFeatures !== undefined && inFeatures > MAX_ELEMENTS)
      throw new RangeError(`${this.label}: inFeatures must be at most ${MAX_ELEMENTS}, got ${inFeatures}`);
    if (inFeatures !== undefined) this.build([inFeatures]);
  }

  get config(): LayerConfig {
    return this.makeConfig({
      units: this.units, inFeatures: this.inFeatures, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, seed: this.seed,
    });
  }

  override build(inputShape: Shape, seed?: number): void {
    this.outputShape(inputShape);
    if (this.weight) return;
    const inFeatures = inputShape[0];
    if (this.units * inFeatures > MAX_ELEMENTS)
      throw new RangeError(
        `${this.label}: a weight of units ${this.units} × inFeatures ${inFeatures} is more than the ${MAX_ELEMENTS} values a Float32Array can hold`,
      );
    const fallback = buildSeed(this.label, seed);
    this.inFeatures = inFeatures;
    this.seed ??= fallback;
    const w = initialize(new Tensor(new Float32Array(this.units * inFeatures), [this.units, inFeatures]),
      this.kernelInitializer, this.seed);
    this.weight = makeParam('weight', w);
    if (this.useBias) this.bias = makeParam('bias', new Tensor(new Float32Array(this.units), [this.units]));
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, [1], '[inFeatures] (put a Flatten before a Dense on images)');
    if (this.inFeatures !== undefined && inputShape[0] !== this.inFeatures)
      throw new RangeError(`${this.label}: expects ${this.inFeatures} input features, got ${inputShape[0]} (inFeatures)`);
    return [this.units];
  }

  override params(): Param[] {
    if (!this.weight) return [];
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  /** y and, in backward, dx go into kept arrays (see kept-array.ts). */
  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [2], '[N, inFeatures] (put a Flatten before a Dense on images)');
    if (!this.weight) this.build([x.shape[1]]);
    this.outputShape([x.shape[1]]);
    const size = x.shape[0] * this.units;
    const y = new Tensor(keepsOutput(options) ? this.yArray.take(size) : new Float32Array(size), [x.shape[0], this.units]);
    gemm(x, this.weight!.value, y, { transB: true, beta: 0 });
    if (this.bias) addBias(y.data, this.bias.value.data, x.shape[0], this.units, 1);
    this.x = x;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const x = this.x ?? missingForward(this.label);
    checkGradShape(this.label, dy, [x.shape[0], this.units]);
    const w = this.weight!;
    gemm(dy, x, w.grad, { transA: true });
    if (this.bias) biasGrad(dy.data, this.bias.grad.data, x.shape[0], this.units, 1);
    const dx = new Tensor(this.dxArray.take(x.size), x.shape);
    gemm(dy, w.value, dx, { beta: 0 });
    return dx;
  }
}
