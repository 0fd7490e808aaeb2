/**
 * One image file as the input a saved model was trained on, following the preprocessing
 * `striate train` stored with it: a digit model (no `channels` recorded: MNIST, Fashion-MNIST)
 * reads a digit (src/cli/digit.ts: inverted to light-on-dark when needed, MNIST-style padding);
 * any other model reads a PNG, JPEG or WebP through sharp, stretched to its height x width
 * (grey or colour) and normalised per channel.
 */
import { readFileSync } from 'node:fs';
import { loadSharp } from '../data/image-folder.js';
import type { Metadata } from '../io/model-file.js';
import { decodePng } from '../io/png.js';
import { Tensor } from '../tensor.js';
import { digitTensor } from './digit.js';

/** What `striate train` saves as `preprocessing` (src/cli/datasets.ts). */
export interface StoredPreprocessing {
  /** The side images are scaled to before padding, or [height, width]. */
  size: number | [number, number];
  pad: number;
  /** 1 or 3 for an image model; absent for a digit model (one channel, MNIST-style). */
  channels?: number;
  mean: number | number[];
  std: number | number[];
}

const isCount = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;

/**
 * The preprocessing saved in `modelFile`, checked against the model's input shape `[C, H, W]`:
 * it must make inputs of exactly that shape.
 */
export function storedPreprocessing(modelFile: string, metadata: Metadata, inputShape: readonly number[]): StoredPreprocessing {
  const p = metadata.preprocessing as StoredPreprocessing | undefined;
  if (typeof p !== 'object' || p === null)
    throw new Error(`${modelFile}: no preprocessing recorded; was it saved by \`striate train\`?`);
  const size = typeof p.size === 'number' ? [p.size, p.size] : p.size;
  // A digit model's mean and std are numbers; an image model's, a number or one per channel.
  const stat = (v: unknown) => (typeof v === 'number' && Number.isFinite(v)) ||
    (p.channels !== undefined && Array.isArray(v) && v.length === p.channels && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => isCount(d, 1)) || !isCount(p.pad, 0) ||
    (p.channels !== undefined && p.channels !== 1 && p.channels !== 3) || !stat(p.mean) || !stat(p.std))
    throw new Error(`${modelFile}: the recorded preprocessing must be { size: N or [H, W], pad, channels?: 1 or 3, mean, std }, got ${JSON.stringify(p)}`);
  const makes = [p.channels ?? 1, size[0] + 2 * p.pad, size[1] + 2 * p.pad];
  if (makes.length !== inputShape.length || makes.some((d, i) => d !== inputShape[i]))
    throw new RangeError(`${modelFile}: its recorded preprocessing makes [${makes.join(', ')}] inputs, but the model takes [${inputShape.join(', ')}]`);
  return p;
}

/** The `[1, C, H, W]` input for `file` (`p` as checked by `storedPreprocessing`). */
export async function imageInput(file: string, p: StoredPreprocessing): Promise<Tensor> {
  const [height, width] = typeof p.size === 'number' ? [p.size, p.size] : p.size;
  if (p.channels === undefined) {
    const pre = { size: p.size, pad: p.pad, mean: p.mean as number, std: p.std as number };
    if (/\.png$/i.test(file)) return digitTensor(decodePng(readFileSync(file), file), pre);
    const sharp = await loadSharp('striate');
    const pixels = await sharp(file).resize(width, height, { fit: 'fill' }).removeAlpha().greyscale().raw().toBuffer();
    return digitTensor({ width, height, channels: 1, data: pixels }, pre);
  }
  const channels = p.channels;
  const sharp = await loadSharp('striate');
  let image = sharp(file).resize(width, height, { fit: 'fill' }).removeAlpha();
  image = channels === 1 ? image.greyscale() : image.toColourspace('srgb');
  const pixels = await image.raw().toBuffer();
  const sideH = height + 2 * p.pad;
  const sideW = width + 2 * p.pad;
  const plane = sideH * sideW;
  const out = new Float32Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    const mean = Array.isArray(p.mean) ? p.mean[c] : p.mean;
    const std = Array.isArray(p.std) ? p.std[c] : p.std;
    out.fill(-mean / std, c * plane, (c + 1) * plane);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        out[c * plane + (y + p.pad) * sideW + x + p.pad] = (pixels[(y * width + x) * channels + c] / 255 - mean) / std;
  }
  return new Tensor(out, [1, channels, sideH, sideW]);
}
