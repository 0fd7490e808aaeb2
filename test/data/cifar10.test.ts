// CIFAR-10 binary loading on small batch files this test writes: record layout
// (label, then R, G, B planes of 32x32), concatenation of the five training
// batches, and the errors for a bad length, a bad label and a missing file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCifar10 } from '../../src/data/index.js';
import { Rng } from '../../src/random.js';

const RECORD = 3073;
const root = mkdtempSync(join(tmpdir(), 'striate-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function records(count: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(count * RECORD);
  for (let r = 0; r < count; r++) {
    out[r * RECORD] = rng.int(10);
    for (let i = 1; i < RECORD; i++) out[r * RECORD + i] = rng.int(256);
  }
  return out;
}

/** The pixel at (channel, y, x) of record r, read the way the format defines it. */
function pixel(bytes: Uint8Array, r: number, channel: number, y: number, x: number): number {
  return bytes[r * RECORD + 1 + channel * 1024 + y * 32 + x];
}

function makeDir(counts: number[], testCount: number, gzip = false): { dir: string; files: Uint8Array[]; test: Uint8Array } {
  const dir = mkdtempSync(join(root, 'batches-'));
  const files = counts.map((count, i) => records(count, 10 + i));
  files.forEach((bytes, i) => writeFileSync(join(dir, `data_batch_${i + 1}.bin`), gzip ? gzipSync(bytes) : bytes));
  const test = records(testCount, 99);
  writeFileSync(join(dir, 'test_batch.bin'), test);
  return { dir, files, test };
}

describe('loadCifar10', () => {
  it('reads the test batch: N=3, labels and R/G/B planes in NCHW', () => {
    const { dir, test } = makeDir([1, 1, 1, 1, 1], 3);
    const { images, labels } = loadCifar10({ dir, split: 'test', scale: false });
    expect(images.shape).toEqual([3, 3, 32, 32]);
    for (let r = 0; r < 3; r++) {
      expect(labels[r]).toBe(test[r * RECORD]);
      for (const [c, y, x] of [[0, 0, 0], [1, 5, 31], [2, 31, 7], [2, 31, 31]])
        expect(images.data[((r * 3 + c) * 32 + y) * 32 + x]).toBe(pixel(test, r, c, y, x));
    }
  });

  it('concatenates data_batch_1..5 in order, scaled to [0, 1], gzip accepted', () => {
    const counts = [2, 1, 3, 1, 2];
    const { dir, files } = makeDir(counts, 1, true);
    const { images, labels } = loadCifar10({ dir, split: 'train' });
    expect(images.shape).toEqual([9, 3, 32, 32]);
    let n = 0;
    files.forEach((bytes, f) => {
      for (let r = 0; r < counts[f]; r++, n++) {
        expect(labels[n]).toBe(bytes[r * RECORD]);
        for (let i = 0; i < 3072; i += 97)
          expect(images.data[n * 3072 + i]).toBeCloseTo(bytes[r * RECORD + 1 + i] / 255, 7);
      }
    });
  });

  it('rejects a length that is not whole records', () => {
    const { dir, test } = makeDir([1, 1, 1, 1, 1], 2);
    writeFileSync(join(dir, 'test_batch.bin'), test.subarray(0, RECORD + 100));
    expect(() => loadCifar10({ dir, split: 'test' })).toThrow(
      'test_batch.bin: length 3173 is not a whole number of 3073-byte records (1 records and 100 bytes over)',
    );
  });

  it('rejects a label above 9', () => {
    const { dir } = makeDir([1, 1, 1, 1, 1], 1);
    const bad = records(3, 5);
    bad[2 * RECORD] = 10;
    writeFileSync(join(dir, 'data_batch_4.bin'), bad);
    expect(() => loadCifar10({ dir, split: 'train' })).toThrow('data_batch_4.bin: record 2 has label 10, expected 0..9');
  });

  it('names a missing file, and rejects bad options', () => {
    const dir = mkdtempSync(join(root, 'empty-'));
    expect(() => loadCifar10({ dir, split: 'test' })).toThrow(/^test_batch\.bin: cannot read/);
    expect(() => loadCifar10({ dir, split: 'val' as 'test' })).toThrow(RangeError);
    expect(() => loadCifar10({ split: 'test' } as never)).toThrow(TypeError);
  });
});
