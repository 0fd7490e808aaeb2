/**
 * CIFAR-10, binary version (Krizhevsky, 2009): `data_batch_1.bin` .. `data_batch_5.bin`
 * (10,000 examples each) and `test_batch.bin`. Each record is 3073 bytes:
 *
 *   label (0..9) | 1024 red | 1024 green | 1024 blue     (each plane 32x32, row-major)
 *
 * which is already NCHW, so a record's pixels copy straight into `[3, 32, 32]`.
 */
import { basename, join } from 'node:path';
import { Tensor } from '../tensor.js';
import { bytesToFloat, readMaybeGzip, scaleOption, type ImageOptions } from './idx.js';
import type { Split } from './mnist.js';

const PIXELS = 3 * 32 * 32;
const RECORD = 1 + PIXELS;

/** CIFAR-10's class names, by label. */
export const CIFAR10_CLASSES = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);

export interface Cifar10Options extends ImageOptions {
  /** `'train'` (the five data batches, 50,000 examples) or `'test'` (10,000). */
  split: Split;
  /** The directory holding the `.bin` files (`cifar-10-batches-bin`). */
  dir: string;
}

function checkRecords(bytes: Uint8Array, name: string): number {
  if (bytes.length % RECORD !== 0)
    throw new Error(
      `${name}: length ${bytes.length} is not a whole number of ${RECORD}-byte records ` +
        `(${Math.floor(bytes.length / RECORD)} records and ${bytes.length % RECORD} bytes over)`,
    );
  const count = bytes.length / RECORD;
  for (let r = 0; r < count; r++) {
    const label = bytes[r * RECORD];
    if (label > 9) throw new Error(`${name}: record ${r} has label ${label}, expected 0..9`);
  }
  return count;
}

/**
 * Loads a split of CIFAR-10 from its binary files (plain or gzip): images
 * `[N, 3, 32, 32]` in [0, 1] (or 0..255 with `scale: false`) and labels 0..9.
 * @example
 * const train = st.data.loadCifar10({ dir: 'data/cifar-10-batches-bin', split: 'train' });
 * train.images.shape  // [50000, 3, 32, 32]
 */
export function loadCifar10(options: Cifar10Options): { images: Tensor; labels: Int32Array } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`loadCifar10: options must be { dir, split }`);
  const { split, dir } = options;
  if (split !== 'train' && split !== 'test')
    throw new RangeError(`loadCifar10: split must be 'train' or 'test', got ${String(split)}`);
  if (typeof dir !== 'string') throw new TypeError(`loadCifar10: dir must be a string, got ${typeof dir}`);
  const scale = scaleOption('loadCifar10', options);
  const names = split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const files = names.map((name) => {
    const bytes = readMaybeGzip(join(dir, name));
    return { bytes, count: checkRecords(bytes, basename(name)) };
  });
  const total = files.reduce((sum, f) => sum + f.count, 0);
  const data = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let n = 0;
  for (const { bytes, count } of files) {
    for (let r = 0; r < count; r++, n++) {
      labels[n] = bytes[r * RECORD];
      bytesToFloat(bytes.subarray(r * RECORD + 1, (r + 1) * RECORD), data, n * PIXELS, scale);
    }
  }
  return { images: new Tensor(data, [total, 3, 32, 32]), labels };
}
