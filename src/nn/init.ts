/**
 * Weight initialisers. Each fills a weight tensor from a seeded `Rng`, scaled by
 * the fans of the layer (PyTorch's convention for a weight [out, in, ...k]:
 * fanIn = in · Πk, fanOut = out · Πk):
 *
 *   heNormal       N(0, 2/fanIn)                     He et al. 2015, for ReLU
 *   heUniform      U(±√(6/fanIn))
 *   glorotNormal   N(0, 2/(fanIn + fanOut))          Glorot & Bengio 2010, for tanh/sigmoid
 *   glorotUniform  U(±√(6/(fanIn + fanOut)))
 *   zeros
 *
 * Conv and dense layers default to `heNormal`: in a CNN they are nearly always
 * followed by a ReLU. Biases start at zero.
 */
import { checkShape, checkTensorData, describeType, formatShape } from '../errors.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';

export type InitializerName = 'heNormal' | 'heUniform' | 'glorotNormal' | 'glorotUniform' | 'zeros';

export const INITIALIZERS: readonly InitializerName[] = ['heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'zeros'];

export interface Fans {
  fanIn: number;
  fanOut: number;
}

/** The fans of a weight shaped [out, in, ...kernel] (dense: [out, in]). */
export function fansOf(shape: readonly number[]): Fans {
  checkShape('fansOf', 'shape', shape);
  if (shape.length === 0) throw new RangeError(`fansOf: shape must be [out, in, ...kernel] (at least [out]), got ${formatShape(shape)}`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * receptive, fanOut: shape[0] * receptive };
}

/** Throws unless `name` is a known initialiser; returns it. */
export function checkInitializer(label: string, name: unknown): InitializerName {
  if (typeof name !== 'string' || !INITIALIZERS.includes(name as InitializerName))
    throw new RangeError(`${label}: kernelInitializer must be one of ${INITIALIZERS.join(', ')}, got ${String(name)}`);
  return name as InitializerName;
}

/**
 * Fills `w` in place with the named initialiser, drawing from `seed`.
 * @example
 * const w = st.zeros([120, 400]);
 * st.nn.init.initialize(w, 'heNormal', 7);
 */
export function initialize(w: Tensor, name: InitializerName, seed: number): Tensor {
  if (!(w instanceof Tensor)) throw new TypeError(`initialize: w must be a Tensor, got ${describeType(w)}`);
  checkTensorData('initialize', 'w', w);
  if (w.rank === 0) throw new RangeError(`initialize: w must be a weight [out, in, ...kernel] (or a vector [out]), got a scalar`);
  if (typeof name !== 'string' || !INITIALIZERS.includes(name as InitializerName))
    throw new RangeError(`initialize: name must be one of ${INITIALIZERS.join(', ')}, got ${String(name)}`);
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new TypeError(`initialize: seed must be an integer, got ${String(seed)}`);
  const { fanIn, fanOut } = fansOf(w.shape);
  const rng = new Rng(seed);
  const data = w.data;
  switch (name) {
    case 'zeros':
      data.fill(0);
      break;
    case 'heNormal':
      fillNormal(data, Math.sqrt(2 / fanIn), rng);
      break;
    case 'glorotNormal':
      fillNormal(data, Math.sqrt(2 / (fanIn + fanOut)), rng);
      break;
    case 'heUniform':
      fillUniform(data, Math.sqrt(6 / fanIn), rng);
      break;
    case 'glorotUniform':
      fillUniform(data, Math.sqrt(6 / (fanIn + fanOut)), rng);
      break;
  }
  return w;
}

function fillNormal(data: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
}

function fillUniform(data: Float32Array, limit: number, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = limit * (2 * rng.uniform() - 1);
}
