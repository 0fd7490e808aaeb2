// imageFolder on a folder this test writes with sharp: three classes of PNG, JPEG and WebP
// files of different sizes, one file that is not an image at all. Checks classes and labels
// in sorted order, resizing to [C, H, W] with colours kept, grayscale, the skipped file named,
// `strict` rejecting it by name, the seeded split giving disjoint, repeatable parts, `limit`
// reading a seeded sample only, and a broken link beside the class folders named and skipped.
// Then `striate train lenet5 --dataset folder` on it end to end (from dist/: run
// `npx tsc -p .` first): the model, its log and curve PNG, and predict naming a class.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFolder } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'striate-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLOURS = { blue: [0, 0, 255], green: [0, 255, 0], red: [255, 0, 0] } as const;

beforeAll(async () => {
  for (const [name, [r, g, b]] of Object.entries(COLOURS)) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < 4; i++) {
      const image = sharp({ create: { width: 20 + 5 * i, height: 12 + i, channels: 3, background: { r, g, b } } });
      const type = (['png', 'jpg', 'webp', 'jpg'] as const)[i];
      const file = join(dir, name, `${i}.${type}`);
      await (type === 'png' ? image.png() : type === 'jpg' ? image.jpeg({ quality: 95 }) : image.webp({ quality: 95 })).toFile(file);
    }
  }
  writeFileSync(join(dir, 'red', 'broken.png'), 'not an image');
  writeFileSync(join(dir, 'red', 'notes.txt'), 'ignored: not an image extension');
});

describe('imageFolder', () => {
  it('reads classes in sorted order, resized to [N, 3, H, W], and names the unreadable file', async () => {
    const set = await imageFolder(dir, { size: [8, 10] });
    expect(set.classes).toEqual(['blue', 'green', 'red']);
    expect(set.images.shape).toEqual([12, 3, 8, 10]);
    expect(Array.from(set.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(set.skipped).toEqual([join(dir, 'red', 'broken.png')]);
    // Every image is one flat colour: its class's channel is ~1, the others ~0 (JPEG is lossy).
    const area = 80;
    for (let n = 0; n < 12; n++)
      for (let c = 0; c < 3; c++) {
        const expected = Object.values(COLOURS)[set.labels[n]][c] / 255;
        const v = set.images.data[(n * 3 + c) * area + 37];
        expect(Math.abs(v - expected)).toBeLessThan(0.05);
      }
  });

  it('reads one grey channel with grayscale', async () => {
    const set = await imageFolder(dir, { size: 6, grayscale: true });
    expect(set.images.shape).toEqual([12, 1, 6, 6]);
    // Luma of pure green is brighter than of pure blue.
    expect(set.images.data[4 * 36]).toBeGreaterThan(set.images.data[0] + 0.3);
  });

  it('rejects the unreadable file by name when strict', async () => {
    await expect(imageFolder(dir, { size: 4, strict: true })).rejects.toThrow(`imageFolder: cannot decode ${join(dir, 'red', 'broken.png')}`);
  });

  it('splits by seed into disjoint parts that together hold every file', async () => {
    const options = { size: 4, validationSplit: 0.25, seed: 3 } as const;
    const train = await imageFolder(dir, { ...options, subset: 'train' });
    const validation = await imageFolder(dir, { ...options, subset: 'validation' });
    // 13 files: round(0.25 * 13) = 3 held out; the broken one is skipped in whichever part it falls.
    expect(train.labels.length + train.skipped.length).toBe(10);
    expect(validation.labels.length + validation.skipped.length).toBe(3);
    expect(train.skipped.length + validation.skipped.length).toBe(1);
    const again = await imageFolder(dir, { ...options, subset: 'validation' });
    expect(Array.from(again.labels)).toEqual(Array.from(validation.labels));
    const counts = [0, 0, 0];
    for (const l of [...train.labels, ...validation.labels]) counts[l]++;
    expect(counts).toEqual([4, 4, 4]);
  });

  it('reads only a seeded sample of `limit` files, from every class', async () => {
    const sample = await imageFolder(dir, { size: 4, limit: 6, seed: 5 });
    expect(sample.labels.length + sample.skipped.length).toBe(6);
    expect(new Set(sample.labels).size).toBeGreaterThan(1);
    expect([...sample.labels]).toEqual([...sample.labels].sort()); // still in folder order
    expect(Array.from((await imageFolder(dir, { size: 4, limit: 6, seed: 5 })).labels)).toEqual(Array.from(sample.labels));
    // From a split part, the first `limit` of its seeded order: what the whole part starts with.
    const options = { size: 4, validationSplit: 0.25, subset: 'train', seed: 3 } as const;
    const part = await imageFolder(dir, options);
    const first = await imageFolder(dir, { ...options, limit: 4 });
    expect(first.labels.length + first.skipped.length).toBe(4);
    expect(Array.from(first.images.data)).toEqual(Array.from(part.images.data.subarray(0, first.images.data.length)));
  });

  it('skips a broken link beside the class folders, naming it, and rejects it when strict', async () => {
    const linked = join(dir, '..', `${dir.split('/').pop()}-linked`);
    mkdirSync(join(linked, 'only'), { recursive: true });
    await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(join(linked, 'only', 'a.png'));
    symlinkSync(join(linked, 'gone'), join(linked, 'dangling'));
    try {
      const set = await imageFolder(linked, { size: 4 });
      expect(set.classes).toEqual(['only']);
      expect(set.labels.length).toBe(1);
      expect(set.skipped).toEqual([join(linked, 'dangling')]);
      await expect(imageFolder(linked, { size: 4, strict: true })).rejects.toThrow(`imageFolder: cannot look at ${join(linked, 'dangling')}: ENOENT`);
    } finally {
      rmSync(linked, { recursive: true, force: true });
    }
  });

  it('refuses bad options naming them', async () => {
    await expect(imageFolder(dir, { size: 0 })).rejects.toThrow(/size must be an integer/);
    await expect(imageFolder(dir, { limit: 0 })).rejects.toThrow(/limit must be an integer >= 1, got 0/);
    await expect(imageFolder(dir, { validationSplit: 0.2 })).rejects.toThrow(/subset must be 'train' or 'validation'/);
    await expect(imageFolder(join(dir, 'missing'))).rejects.toThrow(/cannot read the folder/);
    await expect(imageFolder(dir, null as never)).rejects.toThrow(/^imageFolder: options must be an object/);
    await expect(imageFolder(dir, { size: 4, grayscale: 'yes' as never })).rejects.toThrow(/^imageFolder: grayscale must be a boolean, got yes/);
    await expect(imageFolder(dir, { size: 4, strict: 0 as never })).rejects.toThrow(/^imageFolder: strict must be a boolean, got 0/);
    await expect(imageFolder(dir, { size: 4, seed: null as never })).rejects.toThrow(/^imageFolder: seed must be an integer, got null/);
    await expect(imageFolder(dir, { size: 3n as never })).rejects.toThrow(/^imageFolder: size must be an integer in \[1, 4096\] or \[height, width\] of them, got 3/);
  });

  it('trains lenet5 with --dataset folder, and predict names the class of a JPEG', () => {
    const cli = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    const out = join(dir, 'colours.striate');
    const log = execFileSync(process.execPath, [cli, 'train', 'lenet5', '--dataset', 'folder', '--data-dir', dir, '--epochs', '2', '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(log).toMatch(/model saved to .*colours\.striate/);
    expect(readFileSync(join(dir, 'colours.log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(PNG.sync.read(readFileSync(join(dir, 'colours-curves.png'))).width).toBeGreaterThan(720);
    const printed = execFileSync(process.execPath, [cli, 'predict', out, join(dir, 'green', '1.jpg')], { encoding: 'utf8' });
    // The file, then every class (top 5 at most) with its probability, most likely first.
    expect(printed).toMatch(/1\.jpg\n( +(blue|green|red) +\d\.\d{3}\n){3}$/);
  });
});
