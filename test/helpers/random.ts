import { Rng, Tensor } from '../../src/index.js';

/** A tensor of uniform values in [-1, 1) from a seeded generator. */
export function randomTensor(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = 2 * rng.uniform() - 1;
  return new Tensor(data, shape);
}
