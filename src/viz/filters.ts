/**
 * The kernels of a 2-D convolution as a grid, the picture the ConvNetJS demos show: a
 * first layer on 3-channel input as one colour tile per filter (R, G, B from its three
 * input channels), any other as one grey tile per (filter, input channel), a row per filter.
 * Each filter is scaled to its own min..max (black..white), so its pattern shows whatever
 * its magnitude.
 */
import { Conv2D } from '../nn/conv.js';
import { renderGrid, scaleFor, squareColumns, toBytes, type GridTile } from './grid.js';
import { writePng } from './render.js';

/**
 * Writes a PNG of `layer`'s kernels to `file` (atomically).
 * @example
 * const model = st.zoo.lenet5();
 * st.viz.filters(model.layers[0], 'conv1.png');
 */
export function filters(layer: unknown, file: string): void {
  if (!(layer instanceof Conv2D)) throw new TypeError(`viz.filters: layer must be a Conv2D, got ${describe(layer)}`);
  if (!layer.weight) throw new RangeError(`viz.filters: ${layer.name ?? 'the layer'} has no weights yet (build the model first)`);
  const [count, channels, kh, kw] = layer.weight.value.shape;
  const w = layer.weight.value.data;
  const area = kh * kw;
  const colour = channels === 3;
  const tiles: GridTile[] = [];
  for (let f = 0; f < count; f++) {
    const own = w.subarray(f * channels * area, (f + 1) * channels * area);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of own) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (colour) {
      const rgb = new Uint8Array(area * 3);
      for (let c = 0; c < 3; c++) toBytes(own.subarray(c * area, (c + 1) * area), lo, hi, rgb, 3, c);
      tiles.push({ width: kw, height: kh, rgb, label: String(f) });
    } else
      for (let c = 0; c < channels; c++) {
        const rgb = new Uint8Array(area * 3);
        for (let k = 0; k < 3; k++) toBytes(own.subarray(c * area, (c + 1) * area), lo, hi, rgb, 3, k);
        tiles.push({ width: kw, height: kh, rgb, label: channels === 1 ? String(f) : `${f}.${c}` });
      }
  }
  const columns = colour || channels === 1 ? squareColumns(count) : channels;
  const name = layer.name ?? 'conv2d';
  const title = `${name}: ${count} filters ${kh}x${kw}${colour ? ' (RGB)' : channels > 1 ? `, ${channels} input channels (filter.channel)` : ''}`;
  writePng('viz.filters', file, renderGrid(tiles, { title, columns, scale: scaleFor(Math.max(kh, kw), 28) }));
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
