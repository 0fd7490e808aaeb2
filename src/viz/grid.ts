/**
 * A labelled grid of small images, the picture shared by filters and feature maps: each
 * tile is enlarged by an integer factor (nearest neighbour, so every weight or activation
 * stays a crisp square), tiles are laid out in rows on a grey background, and the whole is
 * embedded in an SVG with a title and a number under each tile, rendered by resvg.
 */
import { encodeRaster, escapeXml, svgToPng, type Raster } from './render.js';

export interface GridTile {
  /** Tile size in source pixels. */
  width: number;
  height: number;
  /** RGB, 3 bytes per source pixel, row-major. */
  rgb: Uint8Array;
  label: string;
}

export interface GridLayout {
  title: string;
  /** Tiles per row. */
  columns: number;
  /** Screen pixels per source pixel. */
  scale: number;
}

const GAP = 4;
const LABEL = 14;
const TITLE = 24;
const BACKGROUND = 0x80;
/** The narrowest picture, so that a title fits above a small grid. */
const MIN_WIDTH = 480;

/** The PNG bytes of the grid; tiles must share one size. */
export function renderGrid(tiles: readonly GridTile[], layout: GridLayout): Buffer {
  const { columns, scale } = layout;
  const rows = Math.ceil(tiles.length / columns);
  const cellW = tiles[0].width * scale;
  const cellH = tiles[0].height * scale;
  const pitchX = cellW + GAP;
  const pitchY = cellH + GAP + LABEL;
  const raster: Raster = { width: columns * pitchX + GAP, height: rows * pitchY + GAP, rgba: new Uint8Array(0) };
  raster.rgba = new Uint8Array(raster.width * raster.height * 4).fill(BACKGROUND);
  for (let i = 3; i < raster.rgba.length; i += 4) raster.rgba[i] = 255;
  tiles.forEach((tile, k) => {
    const x0 = GAP + (k % columns) * pitchX;
    const y0 = GAP + Math.floor(k / columns) * pitchY;
    for (let y = 0; y < cellH; y++)
      for (let x = 0; x < cellW; x++) {
        const src = (Math.floor(y / scale) * tile.width + Math.floor(x / scale)) * 3;
        const dst = ((y0 + y) * raster.width + x0 + x) * 4;
        raster.rgba[dst] = tile.rgb[src];
        raster.rgba[dst + 1] = tile.rgb[src + 1];
        raster.rgba[dst + 2] = tile.rgb[src + 2];
      }
  });
  const labels = tiles
    .map((tile, k) => {
      const x = GAP + (k % columns) * pitchX + cellW / 2;
      const y = TITLE + GAP + Math.floor(k / columns) * pitchY + cellH + LABEL - 3;
      return `<text x="${x}" y="${y}" font-size="11" text-anchor="middle" fill="#fff">${escapeXml(tile.label)}</text>`;
    })
    .join('');
  const width = Math.max(raster.width, MIN_WIDTH);
  const height = raster.height + TITLE;
  const image = encodeRaster(raster).toString('base64');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#808080"/>` +
    `<text x="${GAP}" y="17" font-size="14" font-weight="bold" fill="#fff">${escapeXml(layout.title)}</text>` +
    `<image x="0" y="${TITLE}" width="${raster.width}" height="${raster.height}" href="data:image/png;base64,${image}"/>` +
    labels +
    `</svg>`;
  return svgToPng(svg);
}

/** Maps values to 0..255 so that `lo` is black and `hi` white (a flat tile is mid grey). */
export function toBytes(values: ArrayLike<number>, lo: number, hi: number, out: Uint8Array, stride: number, offset: number): void {
  const range = hi - lo;
  for (let i = 0; i < values.length; i++) {
    const v = range > 0 ? (values[i] - lo) / range : 0.5;
    out[i * stride + offset] = Math.round(255 * Math.min(1, Math.max(0, v)));
  }
}

/** Columns for `count` tiles: close to a square grid. */
export function squareColumns(count: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(count)));
}

/** The smallest integer scale that makes a tile at least `target` pixels wide (at least 1). */
export function scaleFor(size: number, target: number): number {
  return Math.max(1, Math.ceil(target / size));
}
