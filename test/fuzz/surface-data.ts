/**
 * st.data under fuzzing: the IDX and CIFAR-10 parsers and loaders (reading files the
 * entries write), splitting and batching, and the transforms.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import * as st from '../../src/index.js';
import { badBool, badEnum, badInt, badNumber, badObject, badString, badTensor, detachedTensor, hugeSize, junk } from './bad-values.js';
import type { Entry } from './harness.js';
import { arg, dir, opt, options, t } from './slots.js';

const missing = fc.constantFrom(path.join(dir, 'missing.bin'), path.join(dir, 'no', 'such', 'dir'), path.join(dir, 'a-dir'));

/** A well-formed IDX file of `count` 2x2 images (magic 0x803) or labels (0x801). */
function idx(kind: 'images' | 'labels', count: number): Uint8Array {
  const header = kind === 'images' ? 16 : 8;
  const body = kind === 'images' ? count * 4 : count;
  const bytes = new Uint8Array(header + body);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, kind === 'images' ? 0x803 : 0x801, false);
  view.setUint32(4, count, false);
  if (kind === 'images') {
    view.setUint32(8, 2, false);
    view.setUint32(12, 2, false);
  }
  return bytes;
}
const corrupt = (bytes: Uint8Array, at: number, value: number) => {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, false);
  return copy;
};
const badIdx = (kind: 'images' | 'labels') =>
  fc.oneof(
    junk,
    fc.constantFrom<unknown>(new Uint8Array(0), new Uint8Array(3), idx(kind, 4).slice(0, -1), [1, 2, 3], new Float32Array(8)),
    fc.constantFrom(0, kind === 'images' ? 0x801 : 0x803, 0xffffffff).map((m) => corrupt(idx(kind, 4), 0, m)),
    fc.constantFrom(5, 2 ** 31, 0xffffffff).map((n) => corrupt(idx(kind, 4), 4, n)),
  );
const detached = () => detachedTensor([6, 1, 2, 2]);
const dataset = () => ({ images: t([6, 1, 2, 2]), labels: Int32Array.from([0, 1, 2, 0, 1, 2]) });
const badDataset = fc.oneof(
  junk,
  fc.constantFrom<unknown>({}, { images: 3, labels: new Int32Array(6) }, { images: st.zeros([6, 1, 2, 2]), labels: [0, 1] }),
  fc.constant(null).map(() => ({ images: st.zeros([6, 1, 2, 2]), labels: new Int32Array(5) })),
  fc.constant(null).map(() => ({ images: detached(), labels: new Int32Array(6) })),
);

/** st.data: loaders, parsers, splitting, batching and transforms. */
export const data: Record<string, Entry> = {
  parseIdxImages: {
    args: () => [idx('images', 4), 'x.idx', {}],
    call: (b, n, o) => st.data.parseIdxImages(b as Uint8Array, n as string, o as never),
    slots: [arg(0, ['x.idx', 'bytes', 'images'], badIdx('images')), options(2), opt(2, 'scale', badBool)],
    files: true,
  },
  parseIdxLabels: {
    args: () => [idx('labels', 4), 'y.idx', 10],
    call: (b, n, k) => st.data.parseIdxLabels(b as Uint8Array, n as string, k as number),
    slots: [
      arg(0, ['y.idx', 'bytes', 'labels'], fc.oneof(badIdx('labels'), fc.constant(null).map(() => { const b = idx('labels', 4); b[9] = 200; return b; }))),
      arg(2, ['numClasses'], badInt(1)),
    ],
    files: true,
  },
  readMaybeGzip: {
    args: () => [path.join(dir, 'valid.idx')],
    call: (p) => st.data.readMaybeGzip(p as string),
    slots: [arg(0, ['path', 'missing.bin', 'dir', 'a-dir'], fc.oneof(badString, missing))],
    files: true,
  },
  loadIdx: {
    args: () => [path.join(dir, 'valid.idx'), path.join(dir, 'valid-labels.idx'), {}],
    call: (a, b, o) => st.data.loadIdx(a as string, b as string, o as never),
    slots: [
      arg(0, ['imagesPath', 'path', 'missing.bin', 'dir', 'a-dir'], fc.oneof(badString, missing)),
      arg(1, ['labelsPath', 'path', 'missing.bin', 'dir', 'a-dir'], fc.oneof(badString, missing)),
      options(2), opt(2, 'numClasses', badInt(1)), opt(2, 'scale', badBool),
    ],
    files: true,
  },
  loadMnist: {
    args: () => [{ split: 'test', dir }],
    call: (o) => st.data.loadMnist(o as never),
    slots: [
      options(0), opt(0, 'split', fc.oneof(badEnum(['train', 'test']), fc.constant(undefined))),
      opt(0, 'dir', fc.oneof(badString, missing), ['dir', 'missing.bin', 'a-dir', 'no']),
    ],
    files: true,
  },
  loadCifar10: {
    args: () => [{ split: 'test', dir }],
    call: (o) => st.data.loadCifar10(o as never),
    slots: [
      options(0), opt(0, 'split', fc.oneof(badEnum(['train', 'test']), fc.constant(undefined))),
      opt(0, 'dir', fc.oneof(badString, missing, fc.constant(undefined)), ['dir', 'missing.bin', 'a-dir', 'no']),
    ],
    files: true,
  },
  subset: {
    args: () => [dataset(), [0, 2]],
    call: (d, i) => st.data.subset(d as never, i as never),
    slots: [
      arg(0, ['dataset', 'images', 'labels'], badDataset),
      arg(1, ['indices'], fc.oneof(junk, fc.constantFrom<unknown>([-1], [6], [1.5], [NaN], ['1'], [2 ** 40], { length: 2 ** 40 }))),
    ],
  },
  split: {
    args: () => [dataset(), 0.5, { seed: 1 }],
    call: (d, n, o) => st.data.split(d as never, n as number, o as never),
    slots: [
      arg(0, ['dataset', 'images', 'labels'], badDataset), arg(1, ['size'], fc.oneof(badNumber, fc.constantFrom(-1, 7, 1.5, -0.5, 2 ** 40))),
      options(2), opt(2, 'seed', fc.oneof(badNumber, fc.constant(0.5))),
    ],
  },
  permutation: {
    args: () => [5, 1],
    call: (n, seed) => st.data.permutation(n as number, seed as number),
    slots: [arg(0, ['n'], fc.oneof(badInt(0), hugeSize)), arg(1, ['seed'], fc.oneof(badNumber, fc.constant(0.5)))],
  },
  batches: {
    args: () => [dataset(), { batchSize: 4, shuffle: true, seed: 1 }],
    call: (d, o) => [...st.data.batches(d as never, o as never)],
    slots: [
      arg(0, ['dataset', 'images', 'labels'], badDataset), arg(1, ['options', 'batchSize'], badObject),
      opt(1, 'batchSize', fc.oneof(badInt(1), fc.constant(undefined))), opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))),
      opt(1, 'shuffle', badBool), opt(1, 'dropLast', badBool),
    ],
  },
  batchCount: {
    args: () => [10, 3, false],
    call: (n, b, d) => st.data.batchCount(n as number, b as number, d as boolean),
    slots: [arg(0, ['examples'], badInt(0)), arg(1, ['batchSize'], badInt(1)), arg(2, ['dropLast'], badBool)],
  },
  normalize: {
    args: () => [t([2, 3, 2, 2]), { mean: [0, 0.5, 1], std: 0.5 }],
    call: (x, o) => st.data.normalize(x as st.Tensor, o as never),
    slots: [
      arg(0, ['images', 'mean'], badTensor([2, 3, 2, 2], { match: [1], ranks: [1, 2, 3, 5] })), options(1),
      opt(1, 'mean', fc.oneof(badNumber.filter((v) => !Array.isArray(v) || v.length !== 3), fc.constantFrom<unknown>([0, 1], [0, NaN, 1], [0, '1', 1]))),
      opt(1, 'std', fc.oneof(badNumber, fc.constantFrom<unknown>(0, -1, [1, 1], [1, 0, 1], [1, -1, 1]))),
    ],
  },
  oneHot: {
    args: () => [[0, 2, 1], 3],
    call: (l, k) => st.data.oneHot(l as never, k as number),
    slots: [arg(0, ['labels'], fc.oneof(junk, fc.constantFrom<unknown>([3], [-1], [0.5], [NaN], ['1'], { length: 2 ** 40 }))), arg(1, ['numClasses'], fc.oneof(badInt(1), hugeSize))],
  },
  padImages: {
    args: () => [t([2, 1, 3, 3]), 1, 0],
    call: (x, p, v) => st.data.padImages(x as st.Tensor, p as never, v as number),
    slots: [
      arg(0, ['images'], badTensor([2, 1, 3, 3])), arg(1, ['pad'], fc.oneof(badInt(0), fc.constantFrom<unknown>([1], [1, -1], [1, 2, 3]), hugeSize)),
      arg(2, ['value'], badNumber),
    ],
  },
  imageFolder: {
    args: () => [imageDir, { size: 3, validationSplit: 0.5, subset: 'train', seed: 1 }],
    call: (d, o) => st.data.imageFolder(d as string, o as never),
    slots: [
      arg(0, ['dir', 'images', 'missing.bin', 'a-dir', path.join(dir, 'no')], fc.oneof(badString, missing, fc.constant(''))), options(1),
      opt(1, 'size', fc.oneof(badInt(1), hugeSize, fc.constantFrom<unknown>([3], [3, 0], [3, 3, 3]))), opt(1, 'grayscale', badBool),
      opt(1, 'validationSplit', fc.oneof(badNumber, fc.constantFrom(0, 1, -0.5, 1.5))), opt(1, 'subset', badEnum(['train', 'validation'])),
      opt(1, 'seed', fc.oneof(badNumber, fc.constant(0.5))), opt(1, 'limit', fc.oneof(badInt(1))), opt(1, 'strict', badBool),
    ],
    files: true,
    runs: 48,
  },
  augment: {
    args: () => [t([2, 3, 4, 4]), { cropPadding: 1, horizontalFlip: true }, 1],
    call: (x, s, seed) => st.data.augment(x as st.Tensor, s as never, seed as number),
    slots: [
      arg(0, ['images'], badTensor([2, 3, 4, 4])), arg(1, ['spec', 'augment'], badObject),
      opt(1, 'cropPadding', badInt(0)), opt(1, 'horizontalFlip', badBool),
      opt(1, 'fill', fc.oneof(badNumber.filter((v) => !Array.isArray(v)), fc.constantFrom<unknown>([1, 2], [NaN, 0, 0]))),
      arg(2, ['seed'], badInt(0)),
    ],
  },
};

// The files the valid calls read: IDX images and labels (also as the MNIST test split) and a CIFAR-10 test batch.
writeFileSync(path.join(dir, 'valid.idx'), idx('images', 4));
writeFileSync(path.join(dir, 'valid-labels.idx'), idx('labels', 4));
writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx('images', 4));
writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx('labels', 4));
writeFileSync(path.join(dir, 'test_batch.bin'), new Uint8Array(3073 * 2));

/** A tiny image folder (two classes, two 4x4 PNGs each) for imageFolder. */
const imageDir = path.join(dir, 'images');
for (const cls of ['a', 'b'])
  for (const k of [0, 1]) {
    mkdirSync(path.join(imageDir, cls), { recursive: true });
    const png = new PNG({ width: 4, height: 4 });
    png.data.fill(cls === 'a' ? 40 + k : 200 - k);
    writeFileSync(path.join(imageDir, cls, `${k}.png`), PNG.sync.write(png));
  }
