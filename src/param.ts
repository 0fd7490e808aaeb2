import type { Tensor } from './tensor.js';

/**
 * A trainable parameter: its value and the gradient that backward accumulates into.
 * Layers list theirs in `params()`; optimizers update `value` from `grad`.
 */
export interface Param {
  /** `weight`, `bias`, `gamma`, `beta`; a model prefixes the layer's name. */
  name: string;
  value: Tensor;
  grad: Tensor;
}
