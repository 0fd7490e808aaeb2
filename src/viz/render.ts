/**
 * The one way pictures leave striate: an SVG document rendered to PNG by resvg, written
 * atomically (a temp file beside the target, then a rename, so a reader never sees half a file).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';

/** An RGBA raster, 4 bytes per pixel, row-major. */
export interface Raster {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** PNG bytes of a raster (pngjs). */
export function encodeRaster(raster: Raster): Buffer {
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(raster.rgba.buffer, raster.rgba.byteOffset, raster.rgba.byteLength);
  return PNG.sync.write(png);
}

/** Renders SVG text to PNG bytes at its own size. */
export function svgToPng(svg: string): Buffer {
  // System fonts are loaded for labels; DejaVu Sans is common on Linux, resvg falls back otherwise.
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}

/** Text safe inside SVG markup. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Writes `bytes` to `file` atomically. */
export function writeAtomic(file: string, bytes: Buffer): void {
  if (typeof file !== 'string' || file === '') throw new TypeError(`viz: file must be a non-empty path, got ${String(file)}`);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, file);
}
