/**
 * Turns a picture of a digit into the input LeNet-5 was trained on: greyscale in
 * [0, 1], white digit on black as in MNIST, 28x28, padded to 32x32, normalised
 * (or any other height x width the model was trained at).
 */
import type { DecodedImage } from '../io/png.js';
import { Tensor } from '../tensor.js';

export interface DigitPreprocessing {
  /** The side the digit is scaled to (28 for MNIST), or [height, width]. */
  size: number | readonly [number, number];
  /** Zero padding added on each side after scaling (2: 28 -> 32). */
  pad: number;
  mean: number;
  std: number;
}

/** Greyscale in [0, 1]; transparent pixels count as white paper. */
function toGrey(image: DecodedImage): Float32Array {
  const { width, height, channels, data } = image;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const px = data.subarray(i * channels, (i + 1) * channels);
    const luma = channels >= 3 ? 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2] : px[0];
    const alpha = channels === 2 || channels === 4 ? px[channels - 1] / 255 : 1;
    grey[i] = (alpha * luma + (1 - alpha) * 255) / 255;
  }
  return grey;
}

/** Box-filter resampling: each output pixel averages the input area it covers. */
function resize(src: Float32Array, width: number, height: number, outW: number, outH: number): Float32Array {
  if (width === outW && height === outH) return src;
  const out = new Float32Array(outW * outH);
  const sx = width / outW;
  const sy = height / outH;
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      let area = 0;
      for (let v = Math.floor(y * sy); v < Math.min(height, Math.ceil((y + 1) * sy)); v++) {
        const wy = Math.min(v + 1, (y + 1) * sy) - Math.max(v, y * sy);
        for (let u = Math.floor(x * sx); u < Math.min(width, Math.ceil((x + 1) * sx)); u++) {
          const w = wy * (Math.min(u + 1, (x + 1) * sx) - Math.max(u, x * sx));
          sum += w * src[v * width + u];
          area += w;
        }
      }
      out[y * outW + x] = sum / area;
    }
  return out;
}

/** `[1, 1, outH + 2 pad, outW + 2 pad]`, where [outH, outW] is `p.size`. */
export function digitTensor(image: DecodedImage, p: DigitPreprocessing): Tensor {
  let grey = toGrey(image);
  // MNIST digits are light on a dark background; a photo or drawing is usually the reverse.
  const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
  if (mean > 0.5) grey = grey.map((v) => 1 - v);
  const [outH, outW] = typeof p.size === 'number' ? [p.size, p.size] : p.size;
  const small = resize(grey, image.width, image.height, outW, outH);
  const sideH = outH + 2 * p.pad;
  const sideW = outW + 2 * p.pad;
  const out = new Float32Array(sideH * sideW).fill((0 - p.mean) / p.std);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++) out[(y + p.pad) * sideW + x + p.pad] = (small[y * outW + x] - p.mean) / p.std;
  return new Tensor(out, [1, 1, sideH, sideW]);
}
