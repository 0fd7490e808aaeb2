/**
 * LeNet-5 (LeCun et al. 1998) as most courses teach it today: ReLU instead of
 * scaled tanh, max pooling instead of trainable subsampling, a full C3.
 *
 *   [N, 1, 32, 32]  (MNIST's 28x28 padded by 2)
 *   C1  conv 5x5, 6 maps    -> [N, 6, 28, 28]   relu
 *   S2  max pool 2x2        -> [N, 6, 14, 14]
 *   C3  conv 5x5, 16 maps   -> [N, 16, 10, 10]  relu
 *   S4  max pool 2x2        -> [N, 16, 5, 5]
 *   F5  dense 120           -> [N, 120]         relu
 *   F6  dense 84            -> [N, 84]          relu
 *   out dense 10            -> [N, 10]          (logits)
 * 61,706 parameters. Weights start Glorot-uniform (LeCun's own scheme scaled by fan-in
 * and fan-out); with He-normal starts one epoch of Adam lands about 0.4 points lower.
 */
import { Sequential } from '../sequential.js';
import type { LayerConfig } from '../../nn/layer.js';
import { cannotBuild, resolveOptions, type ZooOptions } from './options.js';

/** `numClasses` (default 10), `inputShape` (default [1, 32, 32], at least 16x16), `seed` (default 0). */
export type LeNet5Options = ZooOptions;

/** Two 5x5 convs and two 2x2 pools leave 1x1 from 16x16. */
const SMALLEST = 16;

/**
 * @example
 * const model = st.zoo.lenet5();
 * console.log(model.summary());
 */
export function lenet5(options: LeNet5Options = {}): Sequential {
  const o = resolveOptions('lenet5', options, { numClasses: 10, inputShape: [1, 32, 32] }, []);
  const [c, h, w] = o.inputShape;
  if (h < SMALLEST || w < SMALLEST)
    throw new RangeError(`lenet5: inputShape [${c}, ${h}, ${w}] is too small; the smallest it takes is [${c}, ${SMALLEST}, ${SMALLEST}]`);
  const layers: LayerConfig[] = [
    { type: 'conv2d', filters: 6, kernelSize: 5, name: 'c1', kernelInitializer: 'glorotUniform' },
    { type: 'relu' },
    { type: 'maxPool2d', kernelSize: 2, name: 's2' },
    { type: 'conv2d', filters: 16, kernelSize: 5, name: 'c3', kernelInitializer: 'glorotUniform' },
    { type: 'relu' },
    { type: 'maxPool2d', kernelSize: 2, name: 's4' },
    { type: 'flatten' },
    { type: 'dense', units: 120, name: 'f5', kernelInitializer: 'glorotUniform' },
    { type: 'relu' },
    { type: 'dense', units: 84, name: 'f6', kernelInitializer: 'glorotUniform' },
    { type: 'relu' },
    { type: 'dense', units: o.numClasses, name: 'output', kernelInitializer: 'glorotUniform' },
  ];
  try {
    return Sequential.fromConfig(layers, { inputShape: o.inputShape, seed: o.seed });
  } catch (e) {
    // Options within their own bounds can still make a layer too large: 84 weights per class, a huge input.
    if (e instanceof RangeError) throw cannotBuild('lenet5', o, e);
    throw e;
  }
}
