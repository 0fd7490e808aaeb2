/**
 * Layers, losses and initialisers: the building blocks of `st.Sequential` and `st.Graph`.
 * @example
 * const fc = new st.nn.Dense({ units: 10, inFeatures: 84 });
 * const loss = new st.nn.SoftmaxCrossEntropy();
 */
export {
  BaseLayer, Layer, MergeLayer, type BackwardOptions, type ForwardOptions, type LayerConfig, type BaseLayerOptions, type Buffer,
} from './layer.js';
export { Conv2D, Conv1D, type Conv2DOptions, type Conv1DOptions } from './conv.js';
export {
  MaxPool2D, AvgPool2D, StochasticPool2D, GlobalAvgPool2D, type Pool2DOptions, type AvgPool2DOptions, type StochasticPool2DOptions,
} from './pooling.js';
export { AdaptiveAvgPool2D, type AdaptiveAvgPool2DOptions } from './adaptive-pool.js';
export { Dense, type DenseOptions } from './dense.js';
export {
  ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax, type LeakyReLUOptions, type ELUOptions, type SoftmaxOptions,
} from './activations.js';
export { Flatten } from './flatten.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { BatchNorm2D, BatchNorm1D, type BatchNormOptions } from './batch-norm.js';
export { LocalResponseNorm, type LocalResponseNormOptions } from './local-response-norm.js';
export { Add, Concat, type ConcatOptions } from './merge.js';
export {
  EuclideanLoss, SoftmaxCrossEntropy, BinaryCrossEntropy, type ClassTargets,
  type SoftmaxCrossEntropyOptions, type BinaryCrossEntropyOptions,
} from './losses.js';
export * as init from './init.js';
export { type InitializerName } from './init.js';
export { layerFromConfig, registerLayer, layerTypes, type LayerFactory } from './registry.js';
