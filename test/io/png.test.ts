import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, encodeGreyPng } from '../../src/io/png.js';

const dir = path.resolve(__dirname, '..', 'fixtures', 'png');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  { width: number; height: number; channels: number; data: number[] }
>;

describe('decodePng', () => {
  // Written by Pillow, decoded by pngjs (scripts/fixtures/make-png-fixtures.py); rows use every filter type.
  for (const name of Object.keys(expected)) {
    it(`decodes ${name}.png as Pillow wrote it`, () => {
      const image = decodePng(readFileSync(path.join(dir, `${name}.png`)), `${name}.png`);
      const want = expected[name];
      expect([image.width, image.height, image.channels]).toEqual([want.width, want.height, want.channels]);
      expect(Array.from(image.data)).toEqual(want.data);
    });
  }

  it('round-trips its own greyscale encoder', () => {
    const pixels = new Uint8Array(28 * 28).map((_, i) => (i * 37) % 256);
    const image = decodePng(encodeGreyPng(28, 28, pixels));
    expect(image.channels).toBe(1);
    expect(Array.from(image.data)).toEqual(Array.from(pixels));
  });

  it('keeps the transparency of a tRNS chunk as an alpha channel (palette, grey)', () => {
    /** A 2x1 8-bit PNG of colour type `colorType` with `chunks` before its one row `row`. */
    const png = (colorType: number, chunks: [string, number[]][], row: number[]) => {
      const chunk = (type: string, data: Buffer) => {
        const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
        const out = Buffer.alloc(12 + data.length);
        out.writeUInt32BE(data.length, 0);
        body.copy(out, 4);
        out.writeUInt32BE(crc32(body), 8 + data.length);
        return out;
      };
      return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', Buffer.from([0, 0, 0, 2, 0, 0, 0, 1, 8, colorType, 0, 0, 0])),
        ...chunks.map(([type, data]) => chunk(type, Buffer.from(data))),
        chunk('IDAT', deflateSync(Buffer.from([0, ...row]))),
        chunk('IEND', Buffer.alloc(0)),
      ]);
    };
    // Palette entry 1 is fully transparent.
    const palette = decodePng(png(3, [['PLTE', [255, 0, 0, 0, 0, 255]], ['tRNS', [255, 0]]], [0, 1]));
    expect(palette.channels).toBe(4);
    expect(Array.from(palette.data)).toEqual([255, 0, 0, 255, 0, 0, 255, 0]);
    // Grey value 7 is the transparent one (pngjs zeroes the sample of a transparent pixel).
    const grey = decodePng(png(0, [['tRNS', [0, 7]]], [7, 200]));
    expect(grey.channels).toBe(2);
    expect(Array.from(grey.data)).toEqual([0, 0, 200, 255]);
    expect(decodePng(png(0, [], [7, 200])).channels).toBe(1);
  });

  it('refuses a file that is not a PNG, a truncated one and a damaged chunk', () => {
    const good = readFileSync(path.join(dir, 'rgb.png'));
    expect(() => decodePng(Buffer.from('GIF89a...'), 'x.gif')).toThrow(/x.gif: not a readable PNG file/);
    expect(() => decodePng(good.subarray(0, 60), 'cut.png')).toThrow(/cut.png: not a readable PNG file/);
    const damaged = Buffer.from(good);
    damaged[40] ^= 0xff;
    expect(() => decodePng(damaged, 'bad.png')).toThrow(/bad.png: not a readable PNG file \(/);
  });
});
