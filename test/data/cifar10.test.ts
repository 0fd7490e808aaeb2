// CIFAR-10 binary loading on small batch files this test writes: record layout
// (label, then R, G, B planes of 32x32), concatenation of the five training
// batches, and the errors for a bad length, a bad label and a missing file; then
// `striate train resnet20 --dataset cifar10` end to end on such files (from dist/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, loadCifar10 } from '../../src/data/index.js';
import { loadWithMetadata } from '../../src/io/model-load.js';
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

describe('striate train --dataset cifar10', () => {
  const cli = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
  const train = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8', cwd, env: { ...process.env, STRIATE_DATA: '' } });

  it('trains a narrow resnet20 for an epoch on 300 images with augmentation, and saves it with its preprocessing', () => {
    const { dir } = makeDir([60, 60, 60, 60, 60], 60);
    const out = join(dir, 'r20.striate');
    const r = train(dir, 'resnet20', '--dataset', 'cifar10', '--data-dir', dir, '--epochs', '1', '--batch-size', '50',
      '--model-options', '{"width":0.25}', '--out', out);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('striate:'))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^resnet20 on cifar10: 300 training images, 60 test images; .*sgd lr 0\.1, weight decay 0\.0005, batch 50, cosine schedule, augmented\n/);
    expect(r.stdout).toMatch(/epoch 1\/1: .*test accuracy \d+\.\d\d%/);
    const { model, metadata } = loadWithMetadata(out);
    expect(model.inputShapes[0]).toEqual([3, 32, 32]);
    expect(model.outputShape).toEqual([10]);
    expect(metadata).toMatchObject({ model: 'resnet20', dataset: 'cifar10', classes: [...CIFAR10_CLASSES] });
    expect(metadata.preprocessing).toEqual({ size: 32, pad: 0, channels: 3, mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] });
    const log = readFileSync(join(dir, 'r20.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0].valAccuracy).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('--limit trains on the first N and tests on the first N/6; missing files say where to get them', () => {
    const { dir } = makeDir([60, 60, 60, 60, 60], 60);
    const r = train(dir, 'resnet20', '--dataset', 'cifar10', '--data-dir', dir, '--limit', '90', '--model-options', '{"width":0.25}', '--out', join(dir, 'l.striate'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^resnet20 on cifar10: 90 training images, 15 test images;/);

    const empty = mkdtempSync(join(root, 'none-'));
    const missing = train(empty, 'resnet20', '--dataset', 'cifar10', '--data-dir', empty);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`--data-dir ${empty} lacks data_batch_1.bin`);
    expect(missing.stderr).toContain('(nor has it a cifar-10-batches-bin folder)');
    expect(missing.stderr).toContain('binary version');
    expect(missing.stderr).toContain('https://www.cs.toronto.edu/~kriz/cifar.html');
    expect(missing.stderr).toContain('$STRIATE_DATA/cifar10/ or in a folder passed as --data-dir');
    const none = train(empty, 'resnet20', '--dataset', 'cifar10');
    expect(none.stderr).toMatch(/no --data-dir was given and \$STRIATE_DATA is not set/);
  }, 60_000);
});
