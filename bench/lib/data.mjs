// Input data shared by every library: generated once from fixed seeds here, handed to
// in-process peers as the same Float32Arrays and to PyTorch as raw little-endian
// float32 files, so all of them compute on bit-identical inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** mulberry32: a tiny seeded generator; quality is ample for benchmark inputs. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples scaled by `std` (Box–Muller). */
export function normal(count, seed, std = 1) {
  const next = generator(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const theta = 2 * Math.PI * next();
    out[i] = r * Math.cos(theta) * std;
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta) * std;
  }
  return out;
}

/** He-normal weights for a layer with `fanIn` inputs, so deep nets keep unit-scale activations. */
export function heNormal(count, fanIn, seed) {
  return normal(count, seed, Math.sqrt(2 / fanIn));
}

export const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** A temp folder of raw float32 files, removed at exit. */
export class DataDir {
  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'striate-bench-'));
    this.count = 0;
    process.on('exit', () => rmSync(this.dir, { recursive: true, force: true }));
  }

  /** Writes `array` (a Float32Array or Int32Array) and returns its path. */
  write(name, array) {
    const file = path.join(this.dir, `${this.count++}-${name}.bin`);
    writeFileSync(file, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return file;
  }
}

/** NCHW [N, C, H, W] -> NHWC, for the libraries whose kernels want channels last. */
export function toNhwc(data, [n, c, h, w]) {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  return out;
}

/** NHWC [N, H, W, C] data back to NCHW, given the NCHW shape. */
export function fromNhwc(data, [n, c, h, w]) {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * c + ch) * h + y) * w + x] = data[((b * h + y) * w + x) * c + ch];
  return out;
}

/** Conv weights [Cout, Cin, kH, kW] -> [kH, kW, Cin, Cout] (TensorFlow's filter layout). */
export function toHwio(data, [cout, cin, kh, kw]) {
  const out = new Float32Array(data.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * cin + i) * cout + o] = data[((o * cin + i) * kh + y) * kw + x];
  return out;
}

/** [kH, kW, Cin, Cout] filter data back to [Cout, Cin, kH, kW]. */
export function fromHwio(data, [cout, cin, kh, kw]) {
  const out = new Float32Array(data.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((o * cin + i) * kh + y) * kw + x] = data[((y * kw + x) * cin + i) * cout + o];
  return out;
}
