// The pictures: each PNG decodes, has the size its layout implies, and its pixels show the
// data — a filter set to a known pattern appears in its tile, a feature map of a known
// input is bright where the layer responds, and the curves draw a validation line only
// when the history has validation metrics.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2D } from '../../src/nn/conv.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { curves, featureMaps, filters } from '../../src/viz/index.js';

const dir = mkdtempSync(join(tmpdir(), 'striate-viz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(file: string): PNG {
  return PNG.sync.read(readFileSync(file));
}
function pixel(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}
// Layout constants of src/viz/grid.ts: 4 px gaps, a 14 px label strip under each tile, a 24 px title.
const tileOrigin = (k: number, columns: number, cell: number) => [4 + (k % columns) * (cell + 4), 24 + 4 + Math.floor(k / columns) * (cell + 18)];

describe('viz.filters', () => {
  it('draws a centre-bright filter and its negative where they belong', () => {
    const conv = new Conv2D({ filters: 4, kernelSize: 3, inChannels: 1 });
    const w = conv.weight!.value.data;
    w.fill(0.1);
    for (let k = 0; k < 9; k++) w[k] = k === 4 ? 1 : -1; // filter 0: a bright centre
    for (let k = 0; k < 9; k++) w[9 + k] = k === 4 ? -1 : 1; // filter 1: a dark centre
    const file = join(dir, 'filters.png');
    filters(conv, file);
    const png = read(file);
    // 3x3 kernels at scale 10 -> 30 px cells, 2 columns x 2 rows.
    expect([png.width, png.height]).toEqual([480, 24 + 2 * 48 + 4]);
    const [x0, y0] = tileOrigin(0, 2, 30);
    expect(pixel(png, x0 + 15, y0 + 15)).toEqual([255, 255, 255]);
    expect(pixel(png, x0 + 2, y0 + 2)).toEqual([0, 0, 0]);
    const [x1, y1] = tileOrigin(1, 2, 30);
    expect(pixel(png, x1 + 15, y1 + 15)).toEqual([0, 0, 0]);
    expect(pixel(png, x1 + 28, y1 + 28)).toEqual([255, 255, 255]);
  });

  it('draws a 3-channel first layer in colour', () => {
    const conv = new Conv2D({ filters: 1, kernelSize: 2, inChannels: 3 });
    const w = conv.weight!.value.data;
    w.fill(0);
    w[0] = 1; // red plane, top-left
    w[4 + 3] = 1; // green plane, bottom-right
    const file = join(dir, 'rgb.png');
    filters(conv, file);
    const png = read(file);
    const [x0, y0] = tileOrigin(0, 1, 28);
    expect(pixel(png, x0 + 3, y0 + 3)).toEqual([255, 0, 0]);
    expect(pixel(png, x0 + 24, y0 + 24)).toEqual([0, 255, 0]);
    expect(pixel(png, x0 + 24, y0 + 3)).toEqual([0, 0, 0]);
  });

  it('refuses what is not a Conv2D', () => {
    expect(() => filters({}, join(dir, 'x.png'))).toThrow(/layer must be a Conv2D, got Object/);
  });
});

describe('viz.featureMaps', () => {
  it('is bright where each map responds to a half-bright input', () => {
    const conv = new Conv2D({ filters: 2, kernelSize: 1, inChannels: 1, name: 'probe' });
    conv.weight!.value.data.set([1, -1]);
    const model = new Sequential([conv], { inputShape: [1, 8, 8] });
    const image = new Tensor(new Float32Array(64), [1, 8, 8]);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 4; x++) image.data[y * 8 + x] = 1; // left half lit
    const file = join(dir, 'maps.png');
    featureMaps(model, image, { layer: 'probe' }, file);
    const png = read(file);
    // 8x8 maps at scale 6 -> 48 px cells, 2 columns x 1 row.
    expect([png.width, png.height]).toEqual([480, 24 + 66 + 4]);
    const [x0, y0] = tileOrigin(0, 2, 48);
    expect(pixel(png, x0 + 5, y0 + 20)).toEqual([255, 255, 255]);
    expect(pixel(png, x0 + 40, y0 + 20)).toEqual([0, 0, 0]);
    const [x1, y1] = tileOrigin(1, 2, 48);
    expect(pixel(png, x1 + 5, y1 + 20)).toEqual([0, 0, 0]);
    expect(pixel(png, x1 + 40, y1 + 20)).toEqual([255, 255, 255]);
  });

  it('names the layers when the one asked for is missing', () => {
    const model = new Sequential([new Conv2D({ filters: 1, kernelSize: 1, name: 'only' })], { inputShape: [1, 4, 4] });
    const image = new Tensor(new Float32Array(16), [1, 4, 4]);
    expect(() => featureMaps(model, image, { layer: 'nope' }, join(dir, 'x.png'))).toThrow(/no layer named 'nope'; the layers are only/);
  });
});

describe('viz.curves', () => {
  const epoch = (i: number, val: boolean) => ({
    epoch: i, loss: 2 / i, accuracy: 0.5 + 0.1 * i, seconds: 1, imagesPerSecond: 1, lr: 0.1,
    ...(val ? { valLoss: 2.2 / i, valAccuracy: 0.45 + 0.1 * i } : {}),
  });
  // vega's default category colours: train is the first (#4c78a8), validation the second (#f58518).
  const count = (png: PNG, rgb: number[]) => {
    let n = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if (Math.abs(png.data[i] - rgb[0]) + Math.abs(png.data[i + 1] - rgb[1]) + Math.abs(png.data[i + 2] - rgb[2]) < 30) n++;
    return n;
  };

  it('draws train and validation lines for loss and accuracy', async () => {
    const file = join(dir, 'curves.png');
    await curves({ epochs: [1, 2, 3, 4].map((i) => epoch(i, true)) }, file);
    const png = read(file);
    expect(png.width).toBeGreaterThan(2 * 360);
    expect(png.height).toBeGreaterThan(240);
    expect(count(png, [0x4c, 0x78, 0xa8])).toBeGreaterThan(200);
    expect(count(png, [0xf5, 0x85, 0x18])).toBeGreaterThan(200);
  });

  it('draws no validation line without validation metrics', async () => {
    const file = join(dir, 'train-only.png');
    await curves([1, 2, 3].map((i) => epoch(i, false)), file);
    const png = read(file);
    expect(count(png, [0x4c, 0x78, 0xa8])).toBeGreaterThan(200);
    // Only the legend's swatch may carry the validation colour.
    expect(count(png, [0xf5, 0x85, 0x18])).toBeLessThan(100);
  });

  it('refuses an empty history', async () => {
    await expect(curves([], join(dir, 'x.png'))).rejects.toThrow(/non-empty array of epoch logs/);
  });
});
