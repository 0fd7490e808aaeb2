/**
 * A dataset from a folder of class subfolders of images, as torchvision's ImageFolder and
 * Keras's image_dataset_from_directory read one:
 *
 *   dir/cat/001.jpg, dir/cat/002.png, dir/dog/001.jpg ...  ->  classes ['cat', 'dog']
 *
 * Classes are the subfolder names in sorted order (label k is classes[k]); files are read in
 * sorted order, decoded and resized to `size` (stretched, as both peers do by default) by
 * sharp, an optional dependency, and stored as float32 [N, C, H, W] in [0, 1]. A file that
 * cannot be decoded, and an entry of `dir` that cannot be looked at (a broken symbolic link),
 * is skipped and listed by name in `skipped` (or, with `strict`, rejected).
 * A seeded validation split picks the same held-out files for the same seed, so calling
 * twice, once per `subset`, gives two disjoint parts (the Keras convention); `limit` then
 * reads only a seeded sample of the part, so a quick run on a large folder decodes no more.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { checkBoolean, checkObject, describeValue, formatShape, orDefault } from '../errors.js';
import { Tensor } from '../tensor.js';
import { permutation } from './dataset.js';

/** The file types read (by extension, case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp'];

export interface ImageFolderOptions {
  /** `[height, width]` (or one number for a square) every image is resized to. Default [32, 32]. */
  size?: number | readonly [number, number];
  /** One grey channel instead of RGB. Default false. */
  grayscale?: boolean;
  /** Fraction in (0, 1) of the files held out for validation; needs `subset`. */
  validationSplit?: number;
  /** Which part to return when `validationSplit` is given. */
  subset?: 'train' | 'validation';
  /** Seed of the split's shuffle. Default 0. */
  seed?: number;
  /**
   * Read at most this many files (integer >= 1): a seeded random sample of the part asked
   * for, so every class keeps its share; the other files are never decoded. An unreadable
   * file among them is skipped, not replaced. Default: every file.
   */
  limit?: number;
  /** Reject the whole folder on the first unreadable file instead of skipping it. Default false. */
  strict?: boolean;
}

export interface ImageFolderDataset {
  /** `[N, C, H, W]` float32 in [0, 1], C = 1 (grayscale) or 3. */
  images: Tensor;
  labels: Int32Array;
  /** Class names: label k is `classes[k]`. */
  classes: string[];
  /** Paths of the files skipped because they could not be decoded, and of entries of `dir` that could not be looked at. */
  skipped: string[];
}

type Sharp = (typeof import('sharp'))['default'];

/** sharp, or an error saying how to get it. */
export async function loadSharp(op: string): Promise<Sharp> {
  try {
    return (await import('sharp')).default;
  } catch (cause) {
    throw new Error(`${op}: decoding and resizing images needs the optional dependency 'sharp', which is not installed (npm install sharp)`, { cause });
  }
}

/**
 * Reads `dir` as a labelled image dataset.
 * @example
 * const train = await st.data.imageFolder('photos', { size: 64, validationSplit: 0.2, subset: 'train', seed: 1 });
 * const val = await st.data.imageFolder('photos', { size: 64, validationSplit: 0.2, subset: 'validation', seed: 1 });
 * train.classes; // ['cat', 'dog']
 */
export async function imageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const op = 'imageFolder';
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`${op}: dir must be a non-empty path, got ${describeValue(dir)}`);
  checkObject(op, 'options', options, 'an object like { size, validationSplit, subset }');
  const [height, width] = checkSize(op, orDefault(options.size, 32));
  const grayscale = checkBoolean(op, 'grayscale', options.grayscale, false);
  const strict = checkBoolean(op, 'strict', options.strict, false);
  const channels = grayscale ? 1 : 3;
  const seed = orDefault(options.seed, 0);
  if (!Number.isInteger(seed)) throw new TypeError(`${op}: seed must be an integer, got ${describeValue(seed)}`);
  const { validationSplit, subset } = options;
  if (validationSplit !== undefined) {
    if (typeof validationSplit !== 'number' || !(validationSplit > 0 && validationSplit < 1))
      throw new RangeError(`${op}: validationSplit must be a fraction in (0, 1), got ${describeValue(validationSplit)}`);
    if (subset !== 'train' && subset !== 'validation')
      throw new TypeError(`${op}: with validationSplit, subset must be 'train' or 'validation', got ${describeValue(subset)}`);
  } else if (subset !== undefined) throw new TypeError(`${op}: subset needs validationSplit`);
  const { limit } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new RangeError(`${op}: limit must be an integer >= 1, got ${describeValue(limit)}`);

  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (cause) {
    throw new Error(`${op}: cannot read the folder ${dir}`, { cause });
  }
  const skipped: string[] = [];
  const classes = entries.filter((name) => {
    try {
      return statSync(join(dir, name)).isDirectory();
    } catch (cause) {
      // A class folder that cannot be looked at would shift every later label: never silent.
      if (strict) throw new Error(`${op}: cannot look at ${join(dir, name)}: ${(cause as Error).message}`, { cause });
      skipped.push(join(dir, name));
      return false;
    }
  });
  if (classes.length === 0) throw new RangeError(`${op}: ${dir} has no class subfolders`);
  let files: { path: string; label: number }[] = [];
  classes.forEach((name, label) => {
    let names: string[];
    try {
      names = readdirSync(join(dir, name)).sort();
    } catch (cause) {
      throw new Error(`${op}: cannot read the class folder ${join(dir, name)}`, { cause });
    }
    for (const file of names)
      if (IMAGE_EXTENSIONS.includes(extname(file).toLowerCase())) files.push({ path: join(dir, name, file), label });
  });
  if (files.length === 0) throw new RangeError(`${op}: no ${IMAGE_EXTENSIONS.join('/')} files under ${dir}`);

  // The split is over files (before decoding), so it does not depend on which ones fail.
  if (validationSplit !== undefined) {
    const order = permutation(files.length, seed);
    const held = Math.round(validationSplit * files.length);
    const part = subset === 'validation' ? order.subarray(files.length - held) : order.subarray(0, files.length - held);
    const all = files;
    files = Array.from(part, (i) => all[i]);
  }
  // A part of a split is already in a seeded random order; the whole folder is in class order, so it is sampled.
  if (limit !== undefined && limit < files.length) {
    const all = files;
    files = validationSplit !== undefined ? all.slice(0, limit) : Array.from(permutation(all.length, seed).subarray(0, limit).sort(), (i) => all[i]);
  }

  const sharp = await loadSharp(op);
  const area = height * width;
  const data = new Float32Array(files.length * channels * area);
  const labels: number[] = [];
  for (const { path, label } of files) {
    let pixels: Buffer;
    try {
      let image = sharp(path).resize(width, height, { fit: 'fill' }).removeAlpha();
      image = grayscale ? image.greyscale() : image.toColourspace('srgb');
      pixels = await image.raw().toBuffer();
    } catch (cause) {
      if (strict) throw new Error(`${op}: cannot decode ${path}`, { cause });
      skipped.push(path);
      continue;
    }
    // sharp gives interleaved HWC bytes; the network wants planar CHW floats.
    const base = labels.length * channels * area;
    for (let p = 0; p < area; p++) for (let c = 0; c < channels; c++) data[base + c * area + p] = pixels[p * channels + c] / 255;
    labels.push(label);
  }
  const n = labels.length;
  return {
    images: new Tensor(data.slice(0, n * channels * area), [n, channels, height, width]),
    labels: Int32Array.from(labels),
    classes,
    skipped,
  };
}

function checkSize(op: string, size: unknown): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 2 ? size : null;
  if (!pair || !pair.every((d) => Number.isInteger(d) && d >= 1 && d <= 4096))
    throw new RangeError(`${op}: size must be an integer in [1, 4096] or [height, width] of them, got ${Array.isArray(size) ? formatShape(size) : describeValue(size)}`);
  return pair as [number, number];
}
