/**
 * Datasets and batching: MNIST / Fashion-MNIST (IDX) and CIFAR-10 (binary) loaders,
 * a seeded mini-batch iterator, and whole-tensor preprocessing.
 * @example
 * const train = st.data.loadMnist({ split: 'train' });
 * for (const { x, y } of st.data.batches(train, { batchSize: 64, shuffle: true, seed: 1 })) {
 *   // x: [64, 1, 28, 28], y: Int32Array(64)
 * }
 */
export { loadIdx, parseIdxImages, parseIdxLabels, readMaybeGzip, type ImageOptions } from './idx.js';
export { loadMnist, mnistDataDir, type MnistOptions, type Split } from './mnist.js';
export { loadCifar10, CIFAR10_CLASSES, type Cifar10Options } from './cifar10.js';
export { subset, split, permutation, type Dataset, type SplitOptions } from './dataset.js';
export { batches, batchCount, type Batch, type BatchOptions } from './batches.js';
export { normalize, oneHot, padImages, type NormalizeOptions } from './transforms.js';
export { augment, type AugmentSpec } from './augment.js';
export { imageFolder, IMAGE_EXTENSIONS, type ImageFolderOptions, type ImageFolderDataset } from './image-folder.js';
