/**
 * Adaptive average pooling as a layer: any [N, C, H, W] -> [N, C, outH, outW], with
 * PyTorch's windows (see ops/adaptive-pool.ts). VGG and AlexNet use it before their
 * classifiers (7x7 and 6x6), so the classifier's size does not depend on the input's.
 *   forward   y = adaptiveAvgPool2d(x, outputSize)
 *   backward  dx = adaptiveAvgPool2dGrad(dy, x.shape)
 */
import { adaptiveAvgPool2d, adaptiveAvgPool2dGrad, resolveOutputSize, type AdaptiveOutputSize } from '../ops/adaptive-pool.js';
import { formatShape, MAX_ELEMENTS } from '../errors.js';
import type { Shape, Tensor } from '../tensor.js';
import {
  Layer, checkForwardOptions, checkGradShape, checkInput, checkOptions, checkSampleShape, missingForward, missingOption,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

export interface AdaptiveAvgPool2DOptions extends BaseLayerOptions {
  /** The output's spatial size: a number (square) or [outH, outW]. */
  outputSize: AdaptiveOutputSize;
}

/**
 * Averages each channel down (or up) to a fixed spatial size.
 * @example
 * const pool = new st.nn.AdaptiveAvgPool2D({ outputSize: [7, 7] });
 * pool.forward(x);   // [N, 512, 14, 14] -> [N, 512, 7, 7]
 */
export class AdaptiveAvgPool2D extends Layer {
  readonly type = 'adaptiveAvgPool2d';
  /** The output size [outH, outW] (the `outputSize` option). */
  readonly targetSize: [number, number];
  private xShape: Shape | undefined;

  constructor(options: AdaptiveAvgPool2DOptions) {
    const o = checkOptions('AdaptiveAvgPool2D', options, true);
    super(o);
    if (o.outputSize === undefined) missingOption(this.label, 'outputSize');
    this.targetSize = resolveOutputSize(this.label, o.outputSize);
  }

  get config(): LayerConfig {
    return this.makeConfig({ outputSize: this.targetSize });
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, [3], '[C, H, W]');
    const out = [inputShape[0], ...this.targetSize];
    if (out[0] * out[1] * out[2] > MAX_ELEMENTS)
      throw new RangeError(
        `${this.label}: outputSize ${formatShape(this.targetSize)} makes samples of ${formatShape(out)}, more than the ${MAX_ELEMENTS} values a Float32Array can hold`,
      );
    return out;
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [4], '[N, C, H, W]');
    this.xShape = x.shape;
    return adaptiveAvgPool2d(x, this.targetSize);
  }

  backward(dy: Tensor): Tensor {
    const shape = this.xShape ?? missingForward(this.label);
    checkGradShape(this.label, dy, [shape[0], shape[1], ...this.targetSize]);
    return adaptiveAvgPool2dGrad(dy, shape);
  }
}
