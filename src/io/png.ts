/**
 * PNG files for `striate predict` and its tests, through pngjs: decoding keeps the file's
 * own samples per pixel (grey 1, grey+alpha 2, RGB 3, RGBA 4; a palette image becomes RGB),
 * so a digit stays one grey channel; transparency given by a tRNS chunk (a palette's alpha,
 * or one grey or RGB value marked transparent) adds the alpha channel. Any error names the file.
 */
import { PNG } from 'pngjs';

export interface DecodedImage {
  width: number;
  height: number;
  /** Samples per pixel in `data`: 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA). */
  channels: number;
  data: Uint8Array;
}

/** Samples per pixel kept for each PNG colour type (IHDR byte 9): 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
/** Which of pngjs's RGBA samples each kept channel is. */
const PICK: Record<number, number[]> = { 1: [0], 2: [0, 3], 3: [0, 1, 2], 4: [0, 1, 2, 3] };

export function decodePng(file: Buffer, name = 'PNG'): DecodedImage {
  let png: PNG;
  try {
    png = PNG.sync.read(file);
  } catch (err) {
    throw new Error(`${name}: not a readable PNG file (${(err as Error).message})`);
  }
  // pngjs always gives 8-bit RGBA; the colour type, in the IHDR that pngjs just checked, says what the file held.
  const colorType = file[25];
  const opaque = CHANNELS[colorType];
  if (opaque === undefined) throw new Error(`${name}: unknown colour type ${colorType}`);
  const channels = opaque % 2 === 1 && hasTransparencyChunk(file) ? opaque + 1 : opaque;
  const pick = PICK[channels];
  const count = png.width * png.height;
  const data = new Uint8Array(count * channels);
  for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = png.data[i * 4 + pick[c]];
  return { width: png.width, height: png.height, channels, data };
}

/** Whether a PNG (already checked by pngjs) has a tRNS chunk; it comes before the image data if at all. */
function hasTransparencyChunk(file: Buffer): boolean {
  for (let at = 8; at + 8 <= file.length; at += 12 + file.readUInt32BE(at)) {
    const type = file.toString('latin1', at + 4, at + 8);
    if (type === 'tRNS') return true;
    if (type === 'IDAT') return false;
  }
  return false;
}

/** An 8-bit greyscale PNG of `pixels` (row-major, one byte per pixel). */
export function encodeGreyPng(width: number, height: number, pixels: Uint8Array): Buffer {
  if (pixels.length !== width * height) throw new RangeError(`encodeGreyPng: ${width}x${height} needs ${width * height} pixels, got ${pixels.length}`);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(pixels);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
