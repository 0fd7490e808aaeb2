/**
 * Preprocessing on whole image tensors `[N, C, H, W]`. Each returns a new tensor
 * and leaves its input as it was.
 */
import { checkInteger, checkNumber, checkTensorData, describeType, formatShape, MAX_ELEMENTS } from '../errors.js';
import { Tensor } from '../tensor.js';

function checkImages(op: string, images: unknown): asserts images is Tensor {
  if (!(images instanceof Tensor)) throw new TypeError(`${op}: images must be a Tensor, got ${describeType(images)}`);
  checkTensorData(op, 'images', images);
}

function perChannel(op: string, name: string, value: number | readonly number[], channels: number): Float64Array {
  if (typeof value === 'number') return new Float64Array(channels).fill(checkNumber(op, name, value));
  if (!Array.isArray(value)) throw new TypeError(`${op}: ${name} must be a number or an array of ${channels} numbers`);
  if (value.length !== channels)
    throw new RangeError(`${op}: ${name} must have one value per channel (${channels}), got ${value.length}`);
  return Float64Array.from(value, (v, i) => checkNumber(op, `${name}[${i}]`, v));
}

export interface NormalizeOptions {
  /** Subtracted: one number, or one per channel (dimension 1). */
  mean: number | readonly number[];
  /** Divided by, after the mean: one positive number, or one per channel. */
  std: number | readonly number[];
}

/**
 * `(x - mean[c]) / std[c]` for each channel c of `[N, C, ...]` (or each element of
 * `[N]` with scalars).
 * @example
 * st.data.normalize(mnist.images, { mean: 0.1307, std: 0.3081 })
 * st.data.normalize(cifar.images, { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] })
 */
export function normalize(images: Tensor, options: NormalizeOptions): Tensor {
  checkImages('normalize', images);
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`normalize: options must be { mean, std }, got ${describeType(options)}`);
  const channels = images.rank >= 2 ? images.shape[1] : 1;
  const mean = perChannel('normalize', 'mean', options.mean, channels);
  const std = perChannel('normalize', 'std', options.std, channels);
  for (let c = 0; c < channels; c++)
    if (!(std[c] > 0)) throw new RangeError(`normalize: std must be > 0, got ${std[c]} for channel ${c}`);
  const plane = images.rank >= 2 ? images.shape.slice(2).reduce((a, b) => a * b, 1) : 1;
  const src = images.data;
  const out = new Float32Array(src.length);
  const planes = plane === 0 ? 0 : src.length / plane;
  for (let p = 0; p < planes; p++) {
    const m = mean[p % channels];
    const s = std[p % channels];
    for (let i = p * plane; i < (p + 1) * plane; i++) out[i] = (src[i] - m) / s;
  }
  return new Tensor(out, images.shape);
}

/**
 * Class indices as rows of a `[N, numClasses]` tensor with a 1 in each label's column.
 * @example st.data.oneHot(Int32Array.of(2, 0), 3).toArray()  // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Tensor {
  checkInteger('oneHot', 'numClasses', numClasses, 1);
  if (!Array.isArray(labels) && !(ArrayBuffer.isView(labels) && !(labels instanceof DataView)))
    throw new TypeError(`oneHot: labels must be an array or typed array of class indices, got ${describeType(labels)}`);
  if (labels.length * numClasses > MAX_ELEMENTS)
    throw new RangeError(
      `oneHot: ${labels.length} labels × numClasses ${numClasses} is more than the ${MAX_ELEMENTS} values a Float32Array can hold`,
    );
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses)
      throw new RangeError(`oneHot: labels[${i}] must be an integer in [0, ${numClasses}), got ${String(label)}`);
    out[i * numClasses + label] = 1;
  }
  return new Tensor(out, [labels.length, numClasses]);
}

/**
 * Pads the two spatial dimensions of `[N, C, H, W]` with `value` (default 0):
 * `pad` on every side, or `[padH, padW]`. LeNet-5 takes MNIST's 28x28 padded by 2.
 * @example st.data.padImages(mnist.images, 2).shape  // [60000, 1, 32, 32]
 */
export function padImages(images: Tensor, pad: number | readonly [number, number], value = 0): Tensor {
  checkImages('padImages', images);
  if (images.rank !== 4) throw new RangeError(`padImages: images must be [N, C, H, W], got ${formatShape(images.shape)}`);
  let padH: number;
  let padW: number;
  if (Array.isArray(pad) && pad.length === 2) {
    padH = checkInteger('padImages', 'pad[0]', pad[0], 0);
    padW = checkInteger('padImages', 'pad[1]', pad[1], 0);
  } else if (typeof pad === 'number') {
    padH = padW = checkInteger('padImages', 'pad', pad, 0);
  } else {
    throw new TypeError(`padImages: pad must be a non-negative integer or [padH, padW], got ${describeType(pad)}`);
  }
  checkNumber('padImages', 'value', value);
  const [n, c, inH, inW] = images.shape;
  const outH = inH + 2 * padH;
  const outW = inW + 2 * padW;
  if (n * c * outH * outW > MAX_ELEMENTS)
    throw new RangeError(
      `padImages: pad [${padH}, ${padW}] makes images of ${formatShape([n, c, outH, outW])}, more than the ${MAX_ELEMENTS} values a Float32Array can hold`,
    );
  const out = new Float32Array(n * c * outH * outW).fill(value);
  const src = images.data;
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < inH; y++) {
      const from = (p * inH + y) * inW;
      out.set(src.subarray(from, from + inW), (p * outH + y + padH) * outW + padW);
    }
  }
  return new Tensor(out, [n, c, outH, outW]);
}
