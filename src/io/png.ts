/**
 * A small PNG decoder (ISO/IEC 15948): greyscale and palette images of 1, 2, 4 or 8
 * bits, 8-bit greyscale+alpha, RGB and RGBA, not interlaced — what `striate predict` needs to read a digit.
 * Chunks are CRC-checked; anything else is refused with an error that says why.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export interface DecodedImage {
  width: number;
  height: number;
  /** Samples per pixel in `data`: 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA). */
  channels: number;
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePng(file: Buffer, name = 'PNG'): DecodedImage {
  const fail = (why: string): never => {
    throw new Error(`${name}: ${why}`);
  };
  if (file.length < 8 || !file.subarray(0, 8).equals(SIGNATURE)) fail('not a PNG file (bad signature)');
  let offset = 8;
  let header: { width: number; height: number; depth: number; colorType: number; interlace: number } | null = null;
  let palette: Buffer | null = null;
  const idat: Buffer[] = [];
  for (;;) {
    if (offset + 12 > file.length) fail('truncated: no IEND chunk');
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    if (offset + 12 + length > file.length) fail(`truncated in the ${type} chunk`);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (crc32(file.subarray(offset + 4, offset + 8 + length)) !== file.readUInt32BE(offset + 8 + length))
      fail(`CRC mismatch in the ${type} chunk`);
    offset += 12 + length;
    if (type === 'IHDR') {
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        depth: body[8],
        colorType: body[9],
        interlace: body[12],
      };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
  }
  if (!header) fail('no IHDR chunk');
  const { width, height, depth, colorType, interlace } = header!;
  if (!(colorType in CHANNELS)) fail(`unknown colour type ${colorType}`);
  const packed = colorType === 0 || colorType === 3;
  if (!(depth === 8 || (packed && (depth === 1 || depth === 2 || depth === 4))))
    fail(`bit depth ${depth} is not supported for colour type ${colorType}`);
  if (interlace !== 0) fail('interlaced PNGs are not supported');
  if (colorType === 3 && !palette) fail('palette image without a PLTE chunk');
  const stored = CHANNELS[colorType];
  // Filters work on bytes: `stored` bytes per pixel, or 1 when pixels are packed in bits.
  const stride = Math.ceil((width * stored * depth) / 8);
  const bytesPerPixel = Math.max(1, (stored * depth) / 8);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (err) {
    return fail(`corrupt image data (${(err as Error).message})`);
  }
  if (raw.length < height * (stride + 1)) fail(`image data holds ${raw.length} bytes, needs ${height * (stride + 1)}`);

  // Undo the per-row filters (None, Sub, Up, Average, Paeth).
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      const left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
      const up = prev ? prev[i] : 0;
      const upLeft = prev && i >= bytesPerPixel ? prev[i - bytesPerPixel] : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) >> 1; break;
        case 4: predictor = paeth(left, up, upLeft); break;
        default: return fail(`unknown row filter ${filter} in row ${y}`);
      }
      row[i] = (src[i] + predictor) & 0xff;
    }
  }
  const samples = depth === 8 ? pixels : unpackBits(pixels, width, height, stride, depth, colorType === 0);
  if (colorType !== 3) return { width, height, channels: stored, data: samples };
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const entry = samples[i];
    if (entry * 3 + 2 >= palette!.length) fail(`palette index ${entry} out of range`);
    rgb.set(palette!.subarray(entry * 3, entry * 3 + 3), i * 3);
  }
  return { width, height, channels: 3, data: rgb };
}

/** One byte per pixel from rows of 1-, 2- or 4-bit samples; greyscale is scaled to 0..255. */
function unpackBits(rows: Uint8Array, width: number, height: number, stride: number, depth: number, grey: boolean): Uint8Array {
  const out = new Uint8Array(width * height);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const value = (rows[y * stride + (bit >> 3)] >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = grey ? Math.round((value * 255) / max) : value;
    }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes 8-bit greyscale pixels as a PNG (used by tests and the demo to write digits). */
export function encodeGreyPng(width: number, height: number, pixels: Uint8Array): Buffer {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const chunk = (type: string, body: Buffer) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, 'latin1');
    body.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
