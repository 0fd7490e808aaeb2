/**
 * Flatten: x [N, d1, d2, ...] -> y [N, d1·d2·...], a view of the same data (no copy).
 * Backward reshapes dy back to x's shape.
 */
import type { Shape, Tensor } from '../tensor.js';
import {
  ANY_SAMPLE_RANK, Layer, checkForwardOptions, checkSampleShape, checkGradShape, checkInput, checkOptions, missingForward,
  type BaseLayerOptions, type ForwardOptions, type LayerConfig,
} from './layer.js';

/**
 * Flattens every sample to a vector, e.g. between convolutions and a Dense layer.
 * @example new st.nn.Flatten().forward(st.zeros([8, 16, 5, 5])).shape  // [8, 400]
 */
export class Flatten extends Layer {
  readonly type = 'flatten';
  private inputShape: Shape | undefined;

  constructor(options: BaseLayerOptions = {}) {
    super(checkOptions('Flatten', options, false));
  }

  get config(): LayerConfig {
    return this.makeConfig();
  }

  outputShape(inputShape: Shape): Shape {
    checkSampleShape(this.label, inputShape, ANY_SAMPLE_RANK, '[...] (up to 5 dimensions)');
    return [inputShape.reduce((a, b) => a * b, 1)];
  }

  forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    checkForwardOptions(this.label, options);
    checkInput(this.label, 'x', x, [1, 2, 3, 4, 5, 6], 'a tensor [N, ...]');
    this.inputShape = x.shape;
    return x.reshape([x.shape[0], this.outputShape(x.shape.slice(1))[0]]);
  }

  backward(dy: Tensor): Tensor {
    const shape = this.inputShape ?? missingForward(this.label);
    checkGradShape(this.label, dy, [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)]);
    return dy.reshape(shape);
  }
}
