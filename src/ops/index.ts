export { matmul, gemm, type TransposeOptions, type GemmOptions } from './gemm.js';
export {
  conv2d, conv2dFused, conv2dGradInput, conv2dGradWeight, conv2dOutputShape, conv1d, conv1dGradInput, conv1dGradWeight,
  type Conv2dOptions, type Conv1dOptions, type Conv2dPadding, type Conv1dPadding, type Conv2dEpilogue, type Conv2dInputNorm,
} from './conv.js';
export {
  maxPool2d, maxPool2dWithArgmax, maxPool2dGrad, avgPool2d, avgPool2dGrad, stochasticPool2d, stochasticPool2dGrad,
  stochasticPool2dInferenceGrad, globalAvgPool2d, globalAvgPool2dGrad, globalMaxPool2d, globalMaxPool2dWithArgmax,
  pool2dOutputShape, type MaxPoolOut, type PoolOptions, type AvgPoolOptions, type StochasticPoolOptions,
} from './pool.js';
export { adaptiveAvgPool2d, adaptiveAvgPool2dGrad, type AdaptiveOutputSize } from './adaptive-pool.js';
