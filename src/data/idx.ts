/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header,
 * then unsigned bytes in row-major order.
 *
 *   images (idx3): magic 0x00000803, count N, rows, cols, then N*rows*cols pixels
 *   labels (idx1): magic 0x00000801, count N, then N label bytes
 *
 * Files may be gzip-compressed as distributed (`*.gz`); compression is detected by
 * its magic bytes 1f 8b, not by the name. Every check names the file, because a
 * half-downloaded file is the usual cause and the user needs to know which one.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkInteger, describeType } from '../errors.js';
import { Tensor } from '../tensor.js';

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER = 16;
const LABELS_HEADER = 8;

export interface ImageOptions {
  /** Scale pixels to [0, 1] (default) or keep them as 0..255. */
  scale?: boolean;
}

/**
 * Reads a file and inflates it when it starts with the gzip magic bytes.
 * @example const bytes = st.data.readMaybeGzip('data/train-labels-idx1-ubyte.gz');
 */
export function readMaybeGzip(path: string): Uint8Array {
  if (typeof path !== 'string' || path === '') throw new TypeError(`readMaybeGzip: path must be a file name, got ${describeType(path)}`);
  const name = basename(path);
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new Error(`${name}: cannot read ${path}: ${(err as Error).message}`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (err) {
      throw new Error(`${name}: corrupt gzip data: ${(err as Error).message}`);
    }
  }
  return raw;
}

// Byte to [0, 1] by table: a load instead of a division per pixel.
const UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Writes `bytes` as floats into `out` at `offset`, divided by 255 when `scale`. */
export function bytesToFloat(bytes: Uint8Array, out: Float32Array, offset: number, scale: boolean): void {
  if (!scale) {
    out.set(bytes, offset);
    return;
  }
  for (let i = 0; i < bytes.length; i++) out[offset + i] = UNIT[bytes[i]];
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function readHeader(op: string, bytes: unknown, name: unknown, magic: number, headerBytes: number, kind: string): DataView {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${op}: bytes must be a Uint8Array, got ${describeType(bytes)}`);
  if (typeof name !== 'string') throw new TypeError(`${op}: name must be a string (the file name, for errors), got ${describeType(name)}`);
  if (bytes.length < headerBytes)
    throw new Error(`${name}: expected a ${headerBytes}-byte IDX ${kind} header, got ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const found = view.getUint32(0, false);
  if (found !== magic)
    throw new Error(`${name}: bad magic number ${hex(found)}, expected ${hex(magic)} (IDX ${kind})`);
  return view;
}

/**
 * Decodes IDX image bytes into a `[N, 1, rows, cols]` float32 tensor.
 * `name` labels the errors (usually the file name).
 * @example
 * const images = st.data.parseIdxImages(bytes, 'train-images-idx3-ubyte');
 */
export function parseIdxImages(bytes: Uint8Array, name: string, options: ImageOptions = {}): Tensor {
  const scale = scaleOption('parseIdxImages', options);
  const view = readHeader('parseIdxImages', bytes, name, IMAGES_MAGIC, IMAGES_HEADER, 'images');
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (rows === 0 || cols === 0) throw new Error(`${name}: images of ${rows}x${cols} pixels are empty`);
  const expected = IMAGES_HEADER + count * rows * cols;
  if (bytes.length !== expected)
    throw new Error(`${name}: expected ${expected} bytes for ${count} images of ${rows}x${cols}, got ${bytes.length}`);
  const pixels = bytes.subarray(IMAGES_HEADER);
  const data = new Float32Array(pixels.length);
  bytesToFloat(pixels, data, 0, scale);
  return new Tensor(data, [count, 1, rows, cols]);
}

/** The `scale` option of an options object (default true); throws for anything else. */
export function scaleOption(op: string, options: unknown): boolean {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${op}: options must be an object like { scale: false }, got ${describeType(options)}`);
  const scale = (options as ImageOptions).scale;
  if (scale !== undefined && typeof scale !== 'boolean') throw new TypeError(`${op}: scale must be a boolean, got ${String(scale)}`);
  return scale ?? true;
}

/**
 * Decodes IDX label bytes; every label must be below `numClasses`.
 * @example
 * const labels = st.data.parseIdxLabels(bytes, 't10k-labels-idx1-ubyte');
 */
export function parseIdxLabels(bytes: Uint8Array, name: string, numClasses = 10): Int32Array {
  checkInteger('parseIdxLabels', 'numClasses', numClasses, 1);
  const view = readHeader('parseIdxLabels', bytes, name, LABELS_MAGIC, LABELS_HEADER, 'labels');
  const count = view.getUint32(4, false);
  const expected = LABELS_HEADER + count;
  if (bytes.length !== expected)
    throw new Error(`${name}: expected ${expected} bytes for ${count} labels, got ${bytes.length}`);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = bytes[LABELS_HEADER + i];
    if (label >= numClasses)
      throw new Error(`${name}: label ${i} is ${label}, expected a class below ${numClasses}`);
    labels[i] = label;
  }
  return labels;
}

/**
 * Loads an IDX image file and its label file (plain or gzip) and checks that they
 * hold the same number of examples.
 * @example
 * const { images, labels } = st.data.loadIdx('data/t10k-images-idx3-ubyte.gz', 'data/t10k-labels-idx1-ubyte.gz');
 * images.shape  // [10000, 1, 28, 28], values in [0, 1]
 */
export function loadIdx(
  imagesPath: string,
  labelsPath: string,
  options: ImageOptions & { numClasses?: number } = {},
): { images: Tensor; labels: Int32Array } {
  scaleOption('loadIdx', options);
  const numClasses = options.numClasses === undefined ? 10 : checkInteger('loadIdx', 'numClasses', options.numClasses, 1);
  for (const [label, file] of [['imagesPath', imagesPath], ['labelsPath', labelsPath]])
    if (typeof file !== 'string' || file === '') throw new TypeError(`loadIdx: ${label} must be a file name, got ${describeType(file)}`);
  const images = parseIdxImages(readMaybeGzip(imagesPath), basename(imagesPath), options);
  const labels = parseIdxLabels(readMaybeGzip(labelsPath), basename(labelsPath), numClasses);
  if (images.shape[0] !== labels.length)
    throw new Error(
      `${basename(imagesPath)} holds ${images.shape[0]} images but ${basename(labelsPath)} holds ${labels.length} labels`,
    );
  return { images, labels };
}
