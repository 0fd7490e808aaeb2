/**
 * A dataset is a tensor of examples and a label per example; these helpers select
 * rows of both together, always into fresh arrays, so a selection never aliases the
 * original and stays valid whatever happens to it.
 */
import { checkInteger, checkTensorData, describeType, formatShape, MAX_ELEMENTS } from '../errors.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';

/** Examples and their class labels: `images[i]` is labelled `labels[i]`. */
export interface Dataset {
  /** `[N, C, H, W]` (or any `[N, ...]`), float32. */
  images: Tensor;
  /** N class indices. */
  labels: Int32Array | Uint8Array;
}

/** Checks the pairing of images and labels and returns the example count. */
export function checkDataset(op: string, dataset: unknown): number {
  if (typeof dataset !== 'object' || dataset === null)
    throw new TypeError(`${op}: dataset must be { images, labels }, got ${dataset === null ? 'null' : typeof dataset}`);
  const { images, labels } = dataset as Partial<Dataset>;
  if (!(images instanceof Tensor)) throw new TypeError(`${op}: dataset.images must be a Tensor, got ${describeType(images)}`);
  checkTensorData(op, 'dataset.images', images);
  if (!(labels instanceof Int32Array || labels instanceof Uint8Array))
    throw new TypeError(`${op}: dataset.labels must be an Int32Array or Uint8Array, got ${describeType(labels)}`);
  if (images.rank < 1) throw new RangeError(`${op}: dataset.images must be [N, ...], got a scalar`);
  if (images.shape[0] !== labels.length)
    throw new RangeError(
      `${op}: dataset.images ${formatShape(images.shape)} has ${images.shape[0]} examples but labels has ${labels.length}`,
    );
  return labels.length;
}

/** Copies the rows `indices` of a `[N, ...]` tensor into `out` (`[indices.length, ...]`). */
export function gatherRows(images: Tensor, indices: ArrayLike<number>, out: Float32Array): void {
  const rowSize = images.shape[0] === 0 ? 0 : images.size / images.shape[0];
  const src = images.data;
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * rowSize;
    out.set(src.subarray(start, start + rowSize), i * rowSize);
  }
}

/**
 * The examples at `indices`, in that order, copied.
 * @example
 * const firstTen = st.data.subset(mnist, Int32Array.from({ length: 10 }, (_, i) => i));
 */
export function subset(dataset: Dataset, indices: ArrayLike<number>): { images: Tensor; labels: Int32Array } {
  const count = checkDataset('subset', dataset);
  if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView)))
    throw new TypeError(`subset: indices must be an array or typed array of example indices, got ${describeType(indices)}`);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(`subset: indices[${i}] must be an integer in [0, ${count}), got ${String(index)}`);
  }
  const shape = [indices.length, ...dataset.images.shape.slice(1)];
  const rowSize = count === 0 ? 0 : dataset.images.size / count;
  const data = new Float32Array(indices.length * rowSize);
  gatherRows(dataset.images, indices, data);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = dataset.labels[indices[i]];
  return { images: new Tensor(data, shape), labels };
}

/**
 * `[0, 1, ..., n-1]` in a seeded Fisher-Yates order. `Rng` uses only exactly
 * specified integer and float arithmetic, so a seed gives the same order everywhere.
 * @example st.data.permutation(5, 42)  // a shuffle of 0..4, the same on every machine
 */
export function permutation(n: number, seed: number): Int32Array {
  checkInteger('permutation', 'n', n, 0);
  if (n > MAX_ELEMENTS) throw new RangeError(`permutation: n must be at most ${MAX_ELEMENTS}, got ${n}`);
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw new TypeError(`permutation: seed must be an integer, got ${String(seed)}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export interface SplitOptions {
  /** Shuffle with this seed before splitting; without it the last examples are held out (as Keras does). */
  seed?: number;
}

/**
 * Holds out a validation set: `size` is a fraction in (0, 1) of the examples or an
 * integer count. Both parts are copies.
 * @example
 * const { train, validation } = st.data.split(mnist, 0.1, { seed: 1 }); // 54000 + 6000
 */
export function split(
  dataset: Dataset,
  size: number,
  options: SplitOptions = {},
): { train: { images: Tensor; labels: Int32Array }; validation: { images: Tensor; labels: Int32Array } } {
  const count = checkDataset('split', dataset);
  let held: number;
  if (typeof size !== 'number' || !Number.isFinite(size))
    throw new TypeError(`split: size must be a finite number, got ${String(size)}`);
  if (Number.isInteger(size)) {
    if (size < 0 || size > count) throw new RangeError(`split: a count must be in [0, ${count}], got ${size} for size`);
    held = size;
  } else {
    if (size <= 0 || size >= 1) throw new RangeError(`split: a fraction must be in (0, 1), got ${size} for size`);
    held = Math.round(size * count);
  }
  if (options === null || typeof options !== 'object')
    throw new TypeError(`split: options must be an object like { seed: 1 }, got ${describeType(options)}`);
  let order: Int32Array;
  if (options.seed === undefined) {
    order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
  } else {
    if (!Number.isInteger(options.seed)) throw new TypeError(`split: seed must be an integer, got ${String(options.seed)}`);
    order = permutation(count, options.seed);
  }
  return {
    train: subset(dataset, order.subarray(0, count - held)),
    validation: subset(dataset, order.subarray(count - held)),
  };
}
