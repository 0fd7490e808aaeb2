/**
 * The one way pictures leave striate: an SVG document (written by hand for grids, by vega
 * from a vega-lite spec for charts) rendered to PNG by resvg, and written atomically.
 *
 * Text is set in DejaVu Sans from the dejavu-fonts-ttf package, not in the system's fonts:
 * a server or container often has none (resvg then drops every label without a word), and
 * one font everywhere gives the same picture on every machine. (resvg's Node build reads
 * TrueType or OpenType files only, so the web-font packages, WOFF only, would not do.)
 */
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../io/model-file.js';

const require = createRequire(import.meta.url);

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

/** The family every label is set in, whatever family the SVG names. */
const FONT_FAMILY = 'DejaVu Sans';

type ResvgModule = typeof import('@resvg/resvg-js');
let renderer: { Resvg: ResvgModule['Resvg']; fontFiles: string[] } | undefined;

/** resvg and the font files, found on the first picture: `import 'striate'` does not load resvg. */
function loadRenderer(): NonNullable<typeof renderer> {
  renderer ??= {
    Resvg: (require('@resvg/resvg-js') as ResvgModule).Resvg,
    fontFiles: ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => require.resolve(`dejavu-fonts-ttf/ttf/${name}`)),
  };
  return renderer;
}

/** Renders SVG text to PNG bytes at its own size. */
export function svgToPng(svg: string): Buffer {
  const { Resvg, fontFiles } = loadRenderer();
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/**
 * Renders a vega-lite spec to PNG bytes: vega-lite compiles it to a vega spec, vega lays it
 * out as SVG (no canvas: the `none` renderer), resvg rasterises it. vega and vega-lite are
 * loaded on first use (vega-lite is an ES module with top-level await).
 */
export async function vegaLiteToPng(spec: object): Promise<Buffer> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return svgToPng(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Text safe inside SVG markup. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Writes a picture's PNG bytes to `file` atomically (no half-written file, no temp file left on failure). */
export function writePng(op: string, file: string, bytes: Buffer): void {
  writeFileAtomic(file, bytes, op);
}
