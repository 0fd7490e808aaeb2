/**
 * Mini-batches over a dataset, one epoch per call. Each batch is copied into fresh
 * arrays: a model may keep a batch (a layer caches its input for backward, a user
 * collects predictions) and a reused buffer would change under it. One batch of
 * MNIST at B = 64 is 200 KB, small beside the work done on it.
 */
import { checkInteger, describeType, orDefault } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkDataset, gatherRows, permutation, type Dataset } from './dataset.js';

export interface BatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Visit the examples in a seeded random order (default false: in order). */
  shuffle?: boolean;
  /** The shuffle's seed (default 0). Pass `seed + epoch` for a new order each epoch. */
  seed?: number;
  /** Skip a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

export interface Batch {
  /** `[B, ...]`: the examples' rows, copied. */
  x: Tensor;
  /** B labels. */
  y: Int32Array;
  /** Which examples of the dataset these are. */
  indices: Int32Array;
}

/**
 * Iterates one epoch of mini-batches. With `shuffle`, the order is a Fisher-Yates
 * permutation drawn from `Rng(seed)`: every example appears exactly once, and the
 * same seed gives the same order on every platform.
 * @example
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const { x, y } of st.data.batches(train, { batchSize: 64, shuffle: true, seed: epoch })) {
 *     // x: [64, 1, 28, 28], y: Int32Array(64)
 *   }
 * }
 */
export function batches(dataset: Dataset, options: BatchOptions): Generator<Batch, void, undefined> {
  const count = checkDataset('batches', dataset);
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`batches: options must be { batchSize, ... }, got ${describeType(options)}`);
  const batchSize = checkInteger('batches', 'batchSize', options.batchSize, 1);
  const seed = orDefault(options.seed, 0);
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new TypeError(`batches: seed must be an integer, got ${String(seed)}`);
  const shuffle = flag('batches', 'shuffle', options.shuffle);
  const dropLast = flag('batches', 'dropLast', options.dropLast);
  let order: Int32Array;
  if (shuffle) {
    order = permutation(count, seed);
  } else {
    order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
  }
  return generate(dataset, order, batchSize, dropLast);
}

/** An optional boolean option, false when undefined. */
function flag(op: string, name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${String(value)}`);
  return value === true;
}

function* generate(dataset: Dataset, order: Int32Array, batchSize: number, dropLast: boolean): Generator<Batch, void, undefined> {
  const { images, labels } = dataset;
  const count = order.length;
  const rowShape = images.shape.slice(1);
  const rowSize = count === 0 ? 0 : images.size / count;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    if (size < batchSize && dropLast) return;
    const indices = order.slice(start, start + size);
    const data = new Float32Array(size * rowSize);
    gatherRows(images, indices, data);
    const y = new Int32Array(size);
    for (let i = 0; i < size; i++) y[i] = labels[indices[i]];
    yield { x: new Tensor(data, [size, ...rowShape]), y, indices };
  }
}

/**
 * The number of batches `batches(dataset, options)` yields.
 * @example st.data.batchCount(60000, 64)  // 938
 */
export function batchCount(examples: number, batchSize: number, dropLast = false): number {
  checkInteger('batchCount', 'examples', examples, 0);
  checkInteger('batchCount', 'batchSize', batchSize, 1);
  if (typeof dropLast !== 'boolean') throw new TypeError(`batchCount: dropLast must be a boolean, got ${String(dropLast)}`);
  return dropLast ? Math.floor(examples / batchSize) : Math.ceil(examples / batchSize);
}
