/**
 * Local response normalisation across channels (Krizhevsky et al. 2012), with
 * PyTorch's convention: the sum of squares is divided by `size`, over the window
 * of channels [c − ⌊size/2⌋, c + ⌊(size−1)/2⌋] clipped to the valid channels:
 *   forward   s_c = k + (alpha/size)·Σ_{j∈W(c)} x_j²,   y_c = x_c · s_c^(−beta)
 *   backward  dx_i = dy_i·s_i^(−beta) − (2·alpha·beta/size)·x_i·Σ_{c: i∈W(c)} dy_c·x_c·s_c^(−beta−1)
 * AlexNet's settings are { size: 5, alpha: 1e-4, beta: 0.75, k: 2 }; but note that
 * AlexNet's alpha is not divided by size, so the same net here uses alpha = 5e-4.
 */
import { KeptArray, keepsOutput } from './kept-array.js';
import { localResponseNorm, localResponseNormGrad } from '../ops/elementwise.js';
import { Tensor, type Shape } from '../tensor.js';
import {
  Layer, checkForwardOptions, checkGradShape, checkInput, checkOptions, checkSampleShape, intOption, missingForward, numberOption,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

export interface LocalResponseNormOptions extends BaseLayerOptions {
  /** Channels in the window; default 5. */
  size?: number;
  /** Default 1e-4. */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 1 (PyTorch's; AlexNet used 2). */
  k?: number;
}

/**
 * Normalises each value by the energy of its neighbouring channels.
 * @example new st.nn.LocalResponseNorm({ size: 5, alpha: 1e-4, beta: 0.75, k: 2 })
 */
export class LocalResponseNorm extends Layer {
  readonly type = 'localResponseNorm';
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  private saved: { x: Tensor; scale: Float32Array } | undefined;
  private readonly yArray = new KeptArray(Float32Array);
  private readonly scaleArray = new KeptArray(Float32Array);
  private readonly dxArray = new KeptArray(Float32Array);

  constructor(options: LocalResponseNormOptions = {}) {
    const o = checkOptions('LocalResponseNorm', options, false);
    super(o);
    this.size = intOption(this.label, 'size', o.size, 1, 5)!;
    this.alpha = numberOption(this.label, 'alpha', o.alpha, 1e-4, 0);
    this.beta = numberOption(this.label, 'beta', o.beta, 0.75, 0);
    this.k = numberOption(this.label, 'k', o.k, 1, Number.MIN_VALUE);
  }

  get config(): LayerConfig {
    return this.makeConfig({ size: this.size, alpha: this.alpha, beta: this.beta, k: this.k });
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, [2, 3], '[C, H, W] or [C, L]');
    return inputShape;
  }

  /** y and its scale, and in backward dx, go into kept arrays (see kept-array.ts). */
  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [3, 4], '[N, C, H, W] or [N, C, L]');
    const [outer, channels, inner] = [x.shape[0], x.shape[1], x.shape.slice(2).reduce((a, b) => a * b, 1)];
    const keep = keepsOutput(options);
    const y = new Tensor(keep ? this.yArray.take(x.size) : new Float32Array(x.size), x.shape);
    const scale = keep ? this.scaleArray.take(x.size) : new Float32Array(x.size);
    localResponseNorm(x.data, y.data, scale, outer, channels, inner, this.size, this.alpha, this.beta, this.k);
    this.saved = { x, scale };
    return y;
  }

  backward(dy: Tensor): Tensor {
    const { x, scale } = this.saved ?? missingForward(this.label);
    checkGradShape(this.label, dy, x.shape);
    const [outer, channels, inner] = [x.shape[0], x.shape[1], x.shape.slice(2).reduce((a, b) => a * b, 1)];
    const dx = new Tensor(this.dxArray.take(x.size), x.shape);
    localResponseNormGrad(x.data, scale, dy.data, dx.data, outer, channels, inner, this.size, this.alpha, this.beta);
    return dx;
  }
}
