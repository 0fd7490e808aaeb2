/**
 * Inverted dropout (Srivastava et al. 2014). In training each value is kept with
 * probability 1 − rate and scaled by 1/(1 − rate), so the expected output equals
 * the input and inference needs no rescaling:
 *   forward   y = x · m,  m_i ∈ {0, 1/(1 − rate)}
 *   backward  dx = dy · m
 * At inference y = x and dx = dy. The mask comes from a seeded `Rng` that advances
 * with every training forward: the same seed gives the same sequence of masks.
 */
import { dropoutMask, multiply } from '../ops/elementwise.js';
import { Rng } from '../random.js';
import { KeptArray } from './kept-array.js';
import { Tensor, type Shape } from '../tensor.js';
import {
  ANY_SAMPLE_RANK, Layer, checkForwardOptions, checkSampleShape, checkGradShape, checkInput, checkOptions, intOption, missingForward, numberOption,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

export interface DropoutOptions extends BaseLayerOptions {
  /** The probability of dropping a value, in [0, 1). */
  rate: number;
  /** Seed of the mask stream (default: the model's, or 0 alone). */
  seed?: number;
}

/**
 * Randomly zeroes values in training.
 * @example
 * const drop = new st.nn.Dropout({ rate: 0.5, seed: 1 });
 * drop.forward(x, { training: true });   // about half zero, the rest doubled
 */
export class Dropout extends Layer {
  readonly type = 'dropout';
  readonly rate: number;
  /** The stream's seed; set at build when it was not given (then from the model). */
  seed: number | undefined;
  private rng: Rng;
  /** The last training mask, or undefined when the last forward was at inference. */
  private mask: Float32Array | undefined;
  private shape: Shape | undefined;
  // The mask, y and dx go into kept arrays (see kept-array.ts); only training writes any.
  private readonly maskArray = new KeptArray(Float32Array);
  private readonly yArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  constructor(options: DropoutOptions) {
    const o = checkOptions('Dropout', options, true);
    super(o);
    if (o.rate === undefined) throw new TypeError(`${this.label}: the option rate is required`);
    this.rate = numberOption(this.label, 'rate', o.rate, 0, 0, 1);
    if (this.rate >= 1) throw new RangeError(`${this.label}: rate must be < 1 (1 would drop everything), got ${this.rate}`);
    this.seed = intOption(this.label, 'seed', o.seed, 0);
    this.rng = new Rng(this.seed ?? 0);
  }

  get config(): LayerConfig {
    return this.makeConfig({ rate: this.rate, seed: this.seed });
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

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, ANY_SAMPLE_RANK, '[...] (up to 5 dimensions)');
    return inputShape;
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [1, 2, 3, 4, 5, 6], 'a tensor [N, ...]');
    this.shape = x.shape;
    if (!options.training || this.rate === 0) {
      this.mask = undefined;
      return x;
    }
    const mask = this.maskArray.take(x.size);
    dropoutMask(mask, this.rate, this.rng);
    const y = new Tensor(this.yArray.take(x.size), x.shape);
    multiply(x.data, mask, y.data);
    this.mask = mask;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const shape = this.shape ?? missingForward(this.label);
    checkGradShape(this.label, dy, shape);
    if (!this.mask) return dy;
    const dx = new Tensor(this.dxArray.take(dy.size), shape);
    multiply(dy.data, this.mask, dx.data);
    return dx;
  }
}
