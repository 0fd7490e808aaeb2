// The pictures: each PNG decodes, has the size its layout implies, and its pixels show the
// data — a filter set to a known pattern appears in its tile, a feature map of a known
// input is bright where the layer responds, and the curves draw a validation line only
// when the history has validation metrics, with their slopes the right way up. Every picture
// carries its text (set in the bundled DejaVu Sans, so it shows on a machine with no fonts),
// and a write that fails leaves no temp file behind.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2D } from '../../src/nn/conv.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { curvePoints, curves, featureMaps, filters } from '../../src/viz/index.js';

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
/** Pixels in the box [x0, x1) x [y0, y1) whose every channel passes `test`: text where nothing else has that colour. */
function countWhere(png: PNG, [x0, y0, x1, y1]: number[], test: (v: number) => boolean): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) if (pixel(png, x, y).every(test)) n++;
  return n;
}

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
    // White text on the grey background: the title above the grid, a number under each tile.
    expect(countWhere(png, [0, 0, png.width, 24], (v) => v > 200)).toBeGreaterThan(100);
    expect(countWhere(png, [x0, y0 + 30, x0 + 30, y0 + 48], (v) => v > 200)).toBeGreaterThan(5);
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

  it('leaves no temp file when the write fails', () => {
    const parent = join(dir, 'failed-write');
    mkdirSync(join(parent, 'taken.png'), { recursive: true }); // a folder where the file should go
    expect(() => filters(new Conv2D({ filters: 1, kernelSize: 3, inChannels: 1 }), join(parent, 'taken.png'))).toThrow();
    expect(readdirSync(parent)).toEqual(['taken.png']);
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

  it('refuses an image that is detached or not shaped for the model, naming it', () => {
    const model = new Sequential([new Conv2D({ filters: 1, kernelSize: 1, name: 'only' })], { inputShape: [1, 4, 4] });
    const detached = new Tensor(new Float32Array(16), [1, 4, 4]);
    structuredClone(detached.data.buffer, { transfer: [detached.data.buffer as ArrayBuffer] });
    expect(() => featureMaps(model, detached, { layer: 'only' }, join(dir, 'x.png'))).toThrow(/^viz\.featureMaps: image has 0 values for shape \[1, 4, 4\]/);
    const wide = new Tensor(new Float32Array(20), [1, 4, 5]);
    expect(() => featureMaps(model, wide, { layer: 'only' }, join(dir, 'x.png'))).toThrow(/^viz\.featureMaps: image must be \[1, 4, 4\] \(or \[1, 1, 4, 4\]\) for this model, got \[1, 4, 5\]/);
  });
});

describe('viz.curves', () => {
  const epoch = (i: number, val: boolean) => ({
    epoch: i, loss: 2 / i, accuracy: 0.5 + 0.1 * i, seconds: 1, imagesPerSecond: 1, lr: 0.1,
    ...(val ? { valLoss: 2.2 / i, valAccuracy: 0.45 + 0.1 * i } : {}),
  });
  // vega's default category colours: train is the first (#4c78a8), validation the second (#f58518).
  const near = (p: number[], rgb: number[]) => Math.abs(p[0] - rgb[0]) + Math.abs(p[1] - rgb[1]) + Math.abs(p[2] - rgb[2]) < 30;
  const count = (png: PNG, rgb: number[]) => {
    let n = 0;
    for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) if (near(pixel(png, x, y), rgb)) n++;
    return n;
  };

  const TRAIN = [0x4c, 0x78, 0xa8];
  const VALIDATION = [0xf5, 0x85, 0x18];
  /** Mean y of the pixels of colour rgb in columns [x0, x1), in the first and the last quarter of their x span. */
  const ends = (png: PNG, rgb: number[], x0: number, x1: number) => {
    const hits: [number, number][] = [];
    for (let y = 0; y < png.height; y++)
      for (let x = x0; x < x1; x++) if (near(pixel(png, x, y), rgb)) hits.push([x, y]);
    const lo = Math.min(...hits.map(([x]) => x));
    const span = Math.max(...hits.map(([x]) => x)) - lo;
    const meanY = (keep: (x: number) => boolean) => {
      const ys = hits.filter(([x]) => keep(x)).map(([, y]) => y);
      return ys.reduce((a, b) => a + b, 0) / ys.length;
    };
    return { first: meanY((x) => x < lo + span / 4), last: meanY((x) => x > lo + (3 * span) / 4) };
  };

  it('draws train and validation lines for loss and accuracy, the right way up', async () => {
    const file = join(dir, 'curves.png');
    await curves({ epochs: [1, 2, 3, 4].map((i) => epoch(i, true)) }, file);
    const png = read(file);
    expect(png.width).toBeGreaterThan(2 * 360);
    expect(png.height).toBeGreaterThan(240);
    expect(count(png, TRAIN)).toBeGreaterThan(200);
    expect(count(png, VALIDATION)).toBeGreaterThan(200);
    // The loss chart is the left half: a falling loss is a line that goes down the picture
    // (pixel y grows) from left to right, and validation loss (above train's) lies higher.
    const half = Math.floor(png.width / 2);
    const loss = ends(png, TRAIN, 0, half);
    expect(loss.last - loss.first).toBeGreaterThan(100);
    expect(ends(png, VALIDATION, 0, half).first).toBeLessThan(loss.first);
    // The accuracy chart: a rising line (pixel y shrinks); the legend, right of it, is left out.
    const accuracy = ends(png, TRAIN, half, png.width - 100);
    expect(accuracy.first - accuracy.last).toBeGreaterThan(100);
  });

  it('writes its titles and axis labels', async () => {
    const file = join(dir, 'labelled.png');
    await curves([1, 2].map((i) => epoch(i, true)), file);
    const png = read(file);
    // Text is the only near-black ink vega draws (lines are coloured, axes and grid grey):
    // the chart titles along the top, the 'epoch' axis titles along the bottom.
    const dark = (v: number) => v < 80;
    expect(countWhere(png, [0, 0, png.width, 22], dark)).toBeGreaterThan(150);
    expect(countWhere(png, [0, png.height - 16, png.width, png.height], dark)).toBeGreaterThan(40);
  });

  it('draws no validation line without validation metrics', async () => {
    const file = join(dir, 'train-only.png');
    await curves([1, 2, 3].map((i) => epoch(i, false)), file);
    const png = read(file);
    expect(count(png, TRAIN)).toBeGreaterThan(200);
    // Only the legend's swatch may carry the validation colour.
    expect(count(png, VALIDATION)).toBeLessThan(100);
  });

  it('refuses an empty history', async () => {
    await expect(curves([], join(dir, 'x.png'))).rejects.toThrow(/non-empty array of epoch logs/);
    await expect(curves([{ epoch: 'x', loss: 1 }] as never, join(dir, 'x.png'))).rejects.toThrow(/^viz\.curves: history epochs\[0\] must be an epoch log/);
  });

  it('curvePoints takes only arrays of epoch logs', () => {
    expect(curvePoints([epoch(1, true)]).map((p) => `${p.metric} ${p.split}`)).toEqual(['loss train', 'loss validation', 'accuracy train', 'accuracy validation']);
    expect(() => curvePoints('' as never)).toThrow(/^viz\.curvePoints: epochs must be an array of epoch logs/);
    expect(() => curvePoints([null] as never)).toThrow(/^viz\.curvePoints: epochs\[0\] must be an epoch log/);
    expect(() => curvePoints([{ epoch: 'x', loss: 1 }] as never)).toThrow(TypeError);
  });
});
