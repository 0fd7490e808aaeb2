import { readFileSync } from 'node:fs';
import path from 'node:path';
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

  it('refuses a file that is not a PNG, a truncated one and a damaged chunk', () => {
    const good = readFileSync(path.join(dir, 'rgb.png'));
    expect(() => decodePng(Buffer.from('GIF89a...'), 'x.gif')).toThrow(/x.gif: not a readable PNG file/);
    expect(() => decodePng(good.subarray(0, 60), 'cut.png')).toThrow(/cut.png: not a readable PNG file/);
    const damaged = Buffer.from(good);
    damaged[40] ^= 0xff;
    expect(() => decodePng(damaged, 'bad.png')).toThrow(/bad.png: not a readable PNG file \(/);
  });
});
