/**
 * One image file as the input a saved model was trained on, following the preprocessing
 * `striate train` stored with it: a one-channel model reads a digit (src/cli/digit.ts:
 * inverted to light-on-dark when needed, MNIST-style padding); a colour model reads any
 * PNG, JPEG or WebP through sharp, stretched to size x size and normalised per channel.
 */
import { readFileSync } from 'node:fs';
import { loadSharp } from '../data/image-folder.js';
import { decodePng } from '../io/png.js';
import { Tensor } from '../tensor.js';
import { digitTensor, type DigitPreprocessing } from './digit.js';

/** What `striate train` saves as `preprocessing` (src/cli/datasets.ts). */
export interface StoredPreprocessing {
  size: number;
  pad: number;
  channels?: number;
  mean: number | number[];
  std: number | number[];
}

/** The `[1, C, H, W]` input for `file`. */
export async function imageInput(file: string, p: StoredPreprocessing): Promise<Tensor> {
  const channels = p.channels ?? 1;
  if (channels === 1 && /\.png$/i.test(file)) return digitTensor(decodePng(readFileSync(file), file), p as DigitPreprocessing);
  const sharp = await loadSharp('striate');
  let image = sharp(file).resize(p.size, p.size, { fit: 'fill' }).removeAlpha();
  image = channels === 1 ? image.greyscale() : image.toColourspace('srgb');
  const pixels = await image.raw().toBuffer();
  if (channels === 1) return digitTensor({ width: p.size, height: p.size, channels: 1, data: pixels }, p as DigitPreprocessing);
  const side = p.size + 2 * p.pad;
  const out = new Float32Array(channels * side * side);
  for (let c = 0; c < channels; c++) {
    const mean = Array.isArray(p.mean) ? p.mean[c] : p.mean;
    const std = Array.isArray(p.std) ? p.std[c] : p.std;
    out.fill(-mean / std, c * side * side, (c + 1) * side * side);
    for (let y = 0; y < p.size; y++)
      for (let x = 0; x < p.size; x++)
        out[c * side * side + (y + p.pad) * side + x + p.pad] = (pixels[(y * p.size + x) * channels + c] / 255 - mean) / std;
  }
  return new Tensor(out, [1, channels, side, side]);
}
