/**
 * Data augmentation for a mini-batch `[N, C, H, W]`, the CIFAR recipe of He et al.
 * (2016) and torchvision's `RandomCrop(32, padding=4)` + `RandomHorizontalFlip()`:
 *
 *   pad each side by p with `fill`, then take a random H×W window:
 *     out[c, y, x] = src[c, y + dy − p, x + dx − p]   (fill outside),  dy, dx uniform in 0..2p
 *   with probability 1/2 mirror it:  out[c, y, x] ← out[c, y, W − 1 − x]
 *
 * Each image draws dy, dx and the flip from one `Rng` in order, so a batch's result
 * depends only on its seed: `fit` seeds each batch from (seed, epoch, batch), which
 * makes an epoch's augmentation the same whether or not the run was resumed.
 * Per-channel normalisation is done once on the whole dataset beforehand (see
 * `normalize`); `fill` is then the normalised value of black, per channel.
 */
import { checkInteger, checkTensorData, describeType, describeValue, formatShape, isPlainObject } from '../errors.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';

export interface AugmentSpec {
  /** Pixels of padding for the random crop, >= 0; 0 or absent: no crop. CIFAR: 4. */
  cropPadding?: number;
  /** Mirror left-right with probability 1/2; default false. */
  horizontalFlip?: boolean;
  /** The padding's value: one number or one per channel; default 0. */
  fill?: number | readonly number[];
}

/** Checks a spec (plain JSON, so it can travel to the training worker). */
export function checkAugment(op: string, spec: unknown): AugmentSpec {
  // Plain JSON only: the spec travels to the training worker.
  if (!isPlainObject(spec)) throw new TypeError(`${op}: augment must be { cropPadding?, horizontalFlip?, fill? }, got ${describeValue(spec)}`);
  const s = spec as AugmentSpec;
  for (const key of Object.keys(s))
    if (key !== 'cropPadding' && key !== 'horizontalFlip' && key !== 'fill')
      throw new RangeError(`${op}: augment has no option ${key} (cropPadding, horizontalFlip, fill)`);
  if (s.cropPadding !== undefined) checkInteger(op, 'augment.cropPadding', s.cropPadding, 0);
  if (s.horizontalFlip !== undefined && typeof s.horizontalFlip !== 'boolean')
    throw new TypeError(`${op}: augment.horizontalFlip must be a boolean, got ${describeValue(s.horizontalFlip)}`);
  const fills = s.fill === undefined ? [] : typeof s.fill === 'number' ? [s.fill] : s.fill;
  if (!Array.isArray(fills) || fills.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    throw new TypeError(`${op}: augment.fill must be a finite number or an array of them`);
  return s;
}

/**
 * A 32-bit seed mixed from several integers (a run's seed, the epoch, the batch),
 * so that neighbouring tuples give unrelated streams.
 */
export function streamSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h = Math.imul(h ^ Math.floor(p / 4294967296), 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/**
 * A randomly cropped and flipped copy of a batch of images.
 * @example
 * const x2 = st.data.augment(x, { cropPadding: 4, horizontalFlip: true, fill: [-1.99, -1.98, -1.71] }, 7);
 */
export function augment(images: Tensor, spec: AugmentSpec, seed: number): Tensor {
  if (!(images instanceof Tensor)) throw new TypeError(`augment: images must be a Tensor, got ${describeType(images)}`);
  checkTensorData('augment', 'images', images);
  if (images.rank !== 4) throw new RangeError(`augment: images must be [N, C, H, W], got ${formatShape(images.shape)}`);
  checkAugment('augment', spec);
  checkInteger('augment', 'seed', seed, 0);
  const [n, c, h, w] = images.shape;
  const pad = spec.cropPadding ?? 0;
  const flip = spec.horizontalFlip ?? false;
  const fills = spec.fill === undefined ? [0] : typeof spec.fill === 'number' ? [spec.fill] : spec.fill;
  if (fills.length !== 1 && fills.length !== c)
    throw new RangeError(`augment: fill must have one value or one per channel (${c}), got ${fills.length}`);
  const src = images.data;
  const out = new Float32Array(src.length);
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const dy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
    const dx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
    const mirror = flip && rng.uniform() < 0.5;
    for (let ch = 0; ch < c; ch++) {
      const plane = (i * c + ch) * h * w;
      const fill = fills.length === 1 ? fills[0] : fills[ch];
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        const row = plane + y * w;
        if (sy < 0 || sy >= h) {
          out.fill(fill, row, row + w);
          continue;
        }
        for (let x = 0; x < w; x++) {
          const sx = (mirror ? w - 1 - x : x) + dx;
          out[row + x] = sx < 0 || sx >= w ? fill : src[plane + sy * w + sx];
        }
      }
    }
  }
  return new Tensor(out, images.shape);
}
