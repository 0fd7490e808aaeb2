/**
 * `striate train MODEL`: trains any zoo network on a dataset of src/cli/datasets.ts,
 * prints test accuracy and time per epoch, and saves the model with the
 * preprocessing `striate predict` must apply. Beside the model it writes
 * `<out without .striate>.log.jsonl`, one JSON line per epoch (the EpochLog: epoch,
 * loss, accuracy, valLoss, valAccuracy, seconds, imagesPerSecond, lr), and
 * `<out without .striate>-curves.png`, the loss and accuracy curves (src/viz/curves.ts).
 *
 * Recipes. LeNet-5 (the default for lenet5; one epoch reaches 98.5%+ on MNIST's test
 * set: 98.78-98.83% over the seeds tried): inputs padded 28 -> 32 and normalised,
 * batch 64, Adam with lr 4e-3 decayed to 0 along a cosine over every batch of the
 * run, shuffled with a seed. Every other network, the CIFAR recipe (He et al. 2016,
 * with the cosine that has since become usual): batch 128, SGD with momentum 0.9,
 * lr 0.1, weight decay 5e-4, cosine over every batch, and the dataset's augmentation
 * (CIFAR-10: random crop with 4-pixel padding and horizontal flip).
 *
 * Checkpoints: `--checkpoint FILE` writes one every `--checkpoint-every` epochs;
 * `--resume FILE` goes on from one with the options it was started with and ends with
 * the same weights as a run that never stopped. Resuming continues that run, so only the
 * options that do not change the numbers (RUN_OPTIONS: where files are, threads) may be
 * given different values; a different recipe is refused, naming the file and the options,
 * before any file is touched. `--epochs` may change only under `--schedule none`, where
 * no lr depends on the run's length: the result is then that of a run started with the
 * new --epochs (tested).
 *
 * Files: the model and the curves are written once training ends; the log is rewritten
 * (a resumed run's from its checkpoint's history) when the first epoch ends, then appended
 * to, so a refused or failed start leaves every file as it was. Curves that cannot be
 * drawn are a warning: the model and the log are kept.
 */
import { appendFileSync } from 'node:fs';
import { setNumThreads, backendInfo } from '../backend.js';
import { writeFileAtomic } from '../io/model-file.js';
import { models } from '../models/zoo/index.js';
import { curves } from '../viz/curves.js';
import type { Graph } from '../models/graph.js';
import { loadCheckpoint, type Checkpoint } from '../training/checkpoint.js';
import type { History } from '../training/run-job.js';
import type { OptimizerSpec, ScheduleSpec } from '../training/specs.js';
import { defineCommand, formatHelp, parseCommand, unknown } from './args.js';
import { DATA_FOLDERS, datasets } from './datasets.js';
import { ProgressBar, formatSeconds } from './progress.js';

function trainSpec(models: readonly string[]) {
  return defineCommand({
    usage: 'striate train MODEL [options]',
    summary:
      `Trains a zoo network and saves it with its preprocessing and a JSONL log of every epoch.\n` +
      `MODEL: ${models.join(', ')}`,
    options: {
      dataset: { type: 'string', default: 'mnist', choices: Object.keys(datasets), help: 'the training data' },
      'data-dir': { type: 'string', placeholder: 'DIR', defaultText: '$STRIATE_DATA/<dataset>, see data folders below', help: "the dataset's files" },
      'image-size': { type: 'integer', default: 32, min: 1, help: 'folder: the side images are resized to' },
      grayscale: { type: 'boolean', help: 'folder: read images as one grey channel instead of RGB' },
      epochs: { type: 'integer', default: 1, min: 1, help: 'passes over the training set' },
      'batch-size': { type: 'integer', min: 1, defaultText: '64 for lenet5, 128 otherwise', help: 'examples per update' },
      optimizer: { type: 'string', choices: ['sgd', 'adam', 'adamw'], defaultText: 'adam for lenet5, sgd otherwise', help: 'the update rule' },
      lr: { type: 'number', min: 0, defaultText: '0.004 for lenet5; else 0.1 with sgd, 0.001 with adam or adamw', help: 'peak learning rate' },
      momentum: { type: 'number', default: 0.9, min: 0, help: 'SGD momentum' },
      'weight-decay': { type: 'number', min: 0, defaultText: '0 for lenet5, 5e-4 otherwise', help: 'L2 penalty, decoupled for adamw' },
      schedule: { type: 'string', default: 'cosine', choices: ['cosine', 'step', 'none'], help: 'lr schedule: cosine to 0 over every batch, or x0.1 every third of the epochs' },
      'no-augment': { type: 'boolean', help: "train without the dataset's augmentation (cifar10: crop and flip)" },
      'non-finite': { type: 'string', default: 'stop', choices: ['stop', 'skip'], help: 'a NaN/infinite loss stops training, or skips its batch' },
      limit: { type: 'integer', min: 1, placeholder: 'N', defaultText: 'all', help: 'train on the first N training images, test on the first N/6' },
      'model-options': { type: 'string', placeholder: 'JSON', defaultText: '{}', help: 'extra options for the builder, e.g. \'{"width":8}\'' },
      threads: { type: 'integer', min: 1, defaultText: 'every core', help: 'kernel threads' },
      seed: { type: 'integer', default: 0, min: 0, help: 'seeds weights, shuffling, augmentation and dropout' },
      out: { type: 'string', placeholder: 'FILE', defaultText: '<model>-<dataset>.striate', help: 'where the trained model goes' },
      checkpoint: { type: 'string', placeholder: 'FILE', defaultText: 'none; the --resume file when resuming', help: 'write a checkpoint here' },
      'checkpoint-every': { type: 'integer', default: 1, min: 1, help: 'epochs between checkpoints' },
      resume: { type: 'string', placeholder: 'FILE', defaultText: 'none', help: 'go on from a checkpoint written by --checkpoint, with the options of its run (only --data-dir, --threads, --out, --checkpoint, --checkpoint-every may differ; --epochs too under --schedule none)' },
    },
    epilog:
      `datasets:\n${Object.values(datasets).map((d) => `  ${d.help}`).join('\n')}\n\n${DATA_FOLDERS}\n\n` +
      'examples:\n' +
      '  npx striate train lenet5 --epochs 1\n' +
      '  npx striate train resnet20 --dataset cifar10 --data-dir data/cifar-10-batches-bin --epochs 30 --checkpoint run.ckpt\n' +
      '  npx striate train lenet5 --dataset folder --data-dir photos --image-size 64 --grayscale\n' +
      '  npx striate train resnet20 --resume run.ckpt',
  });
}

export function trainHelp(): string {
  return formatHelp(trainSpec(Object.keys(models)));
}

type TrainValues = ReturnType<typeof parseCommand<ReturnType<typeof trainSpec>['options']>>['values'];

/** What a checkpoint records of the command that wrote it. */
interface StoredCommand {
  model: string;
  options: Record<string, unknown>;
}

/** The options a resumed run may give different values: where files are, and threads (results are bitwise equal per thread count). */
const RUN_OPTIONS = ['data-dir', 'threads', 'out', 'checkpoint', 'checkpoint-every', 'resume'];

/** The recipe of a run, each option as it takes effect (defaults by model filled in): equal recipes, equal numbers. */
function recipe(name: string, values: TrainValues): Record<string, unknown> {
  const isLenet = name === 'lenet5';
  const optimizer = values.optimizer ?? (isLenet ? 'adam' : 'sgd');
  const resolved: Record<string, unknown> = {
    ...values,
    'batch-size': values['batch-size'] ?? (isLenet ? 64 : 128),
    optimizer,
    lr: values.lr ?? (isLenet ? 0.004 : optimizer === 'sgd' ? 0.1 : 0.001),
    'weight-decay': values['weight-decay'] ?? (isLenet ? 0 : 5e-4),
    'model-options': modelOptions(values['model-options']),
  };
  for (const k of RUN_OPTIONS) delete resolved[k];
  return resolved;
}

/**
 * The options to resume with: those the run was started with, then any given again, which
 * must not change its recipe (--epochs may, under --schedule none). Throws before anything
 * is written, naming the file and each option that differs.
 */
function resumeOptions(file: string, checkpoint: Checkpoint, defaults: TrainValues, parsed: { values: TrainValues; given: string[]; positional?: string }) {
  const { values, given, positional } = parsed;
  const stored = checkpoint.metadata.train as StoredCommand | undefined;
  if (!stored || typeof stored.model !== 'string')
    throw new Error(`${file}: this checkpoint was not written by \`striate train\`; resume it with fit({ resume }) instead`);
  if (positional !== undefined && positional !== stored.model)
    throw new RangeError(`--resume ${file}: it is a checkpoint of ${stored.model}, not ${positional}`);
  // Options the run did not store (absent then, or added since) take today's defaults.
  const started = { ...defaults, ...stored.options } as TrainValues;
  const merged: Record<string, unknown> = { ...started };
  for (const k of given) merged[k] = (values as Record<string, unknown>)[k];
  const resumed = merged as TrainValues;
  const [was, now] = [recipe(stored.model, started), recipe(stored.model, resumed)];
  const extendable = was.schedule === 'none' && now.schedule === 'none';
  const differ = Object.keys(now).filter((k) => JSON.stringify(was[k]) !== JSON.stringify(now[k]) && !(k === 'epochs' && extendable));
  if (differ.length > 0) {
    const show = (r: Record<string, unknown>) => differ.map((k) => `--${k} ${typeof r[k] === 'string' ? r[k] : JSON.stringify(r[k])}`).join(' ');
    throw new RangeError(
      `--resume ${file}: resuming continues the run that wrote it, and ${file} was started with ${show(was)}, not ${show(now)}` +
        `${differ.includes('epochs') ? ` (--epochs sets the length of its ${was.schedule} schedule; only a run with --schedule none can be lengthened)` : ''}; ` +
        'start a new run to train with other options',
    );
  }
  if (checkpoint.epoch >= resumed.epochs)
    throw new RangeError(
      `--resume ${file}: the run has finished ${checkpoint.epoch} of ${resumed.epochs} epochs; nothing is left to train` +
        `${extendable ? ' (give a larger --epochs to go on)' : ''}`,
    );
  return { model: stored.model, values: resumed };
}

function modelOptions(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RangeError(`--model-options must be a JSON object, got ${text}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RangeError(`--model-options must be a JSON object, got ${text}`);
  return parsed as Record<string, unknown>;
}

export async function train(argv: string[]): Promise<void> {
  const spec = trainSpec(Object.keys(models));
  const parsed = parseCommand(argv, spec);
  if (parsed.help) {
    console.log(formatHelp(spec));
    return;
  }
  if (parsed.positionals.length > 1) throw new RangeError(`train: one MODEL, got ${parsed.positionals.join(' ')}\n\n${formatHelp(spec)}`);
  let values = parsed.values;
  let name = parsed.positionals[0];
  let checkpoint: Checkpoint | undefined;
  if (values.resume !== undefined) {
    checkpoint = loadCheckpoint(values.resume);
    const defaults = parseCommand([], spec).values;
    ({ model: name, values } = resumeOptions(values.resume, checkpoint, defaults, { values, given: parsed.given, positional: name }));
  }
  if (name === undefined) throw new RangeError(`train: which MODEL? one of ${Object.keys(models).join(', ')}\n\n${formatHelp(spec)}`);
  const builder = Object.hasOwn(models, name) ? models[name] : undefined;
  if (!builder) throw unknown('model', name, Object.keys(models));
  const dataset = values.dataset;
  const entry = datasets[dataset];
  for (const k of ['image-size', 'grayscale'] as const)
    if (dataset !== 'folder' && parsed.given.includes(k))
      throw new RangeError(`--${k} applies to --dataset folder only, not ${dataset}`);
  if (values.threads !== undefined) setNumThreads(values.threads);
  const seed = values.seed;
  const extra = modelOptions(values['model-options']);
  const request = {
    dataDir: values['data-dir'], dataRoot: process.env.STRIATE_DATA || undefined, limit: values.limit, seed,
    imageSize: values['image-size'], grayscale: values.grayscale,
  };

  // The network fixes the data's shape (synthetic), or the data fixes the network's.
  let model: Graph;
  let data;
  if (entry.fitsModel) {
    model = builder({ seed, ...extra });
    data = await entry.load({ ...request, inputShape: model.inputShapes[0], numClasses: model.outputShape[0] });
  } else {
    data = await entry.load({ ...request, inputShape: [], numClasses: 0 });
    model = builder({ seed, numClasses: data.classes.length, inputShape: data.inputShape, ...extra });
  }
  // --model-options may set numClasses or inputShape; the dataset must still fit the network.
  const built = `${name}${values['model-options'] !== undefined ? ` with --model-options ${values['model-options']}` : ''}`;
  const want = model.inputShapes[0];
  if (want.length !== data.inputShape.length || want.some((d, i) => d !== data.inputShape[i]))
    throw new RangeError(`train: ${built} takes [${want.join(', ')}] inputs, but --dataset ${dataset} gives [${data.inputShape.join(', ')}]`);
  const outputs = model.outputShape;
  if (outputs.length !== 1 || outputs[0] !== data.classes.length)
    throw new RangeError(`train: ${built} gives [${outputs.join(', ')}] outputs, but --dataset ${dataset} has ${data.classes.length} classes`);

  const resolved = recipe(name, values);
  const epochs = values.epochs;
  const batchSize = resolved['batch-size'] as number;
  const optimizerName = resolved.optimizer as string;
  const lr = resolved.lr as number;
  const weightDecay = resolved['weight-decay'] as number;
  const optimizer: OptimizerSpec = optimizerName === 'sgd'
    ? { type: 'sgd', lr, momentum: values.momentum, weightDecay }
    : { type: optimizerName as 'adam' | 'adamw', lr, weightDecay };
  const n = data.train.labels.length;
  const batches = Math.ceil(n / batchSize);
  const schedule: ScheduleSpec | undefined = values.schedule === 'cosine' ? { type: 'cosine', tMax: epochs * batches, every: 'batch' }
    : values.schedule === 'step' ? { type: 'step', stepSize: Math.max(1, Math.ceil(epochs / 3)), gamma: 0.1 }
    : undefined;
  const augment = values['no-augment'] ? undefined : data.augment;
  const out = values.out ?? `${name}-${dataset}.striate`;
  const logFile = `${out.replace(/\.striate$/, '')}.log.jsonl`;
  const checkpointFile = values.checkpoint ?? values.resume;
  const stored: StoredCommand = {
    model: name,
    options: Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== 'resume' && v !== undefined)),
  };

  const info = backendInfo();
  console.log(
    `${name} on ${dataset}: ${n} training images, ${data.test.labels.length} test images; ` +
      `${info.isa}, ${info.threads} thread${info.threads > 1 ? 's' : ''}; ${optimizerName} lr ${lr}` +
      `${weightDecay ? `, weight decay ${weightDecay}` : ''}, batch ${batchSize}, ${values.schedule} schedule` +
      `${augment ? ', augmented' : ''}${checkpoint ? `; resuming after epoch ${checkpoint.epoch}` : ''}`,
  );

  // The log keeps every epoch: a resumed run's starts from its checkpoint's history. It is
  // rewritten only once this run has an epoch to add, so a refused start changes nothing.
  const logged = checkpoint?.resume.history ?? [];
  let logStarted = false;

  let bar: ProgressBar | undefined;
  const history = await model.fit(data.train, {
    epochs,
    batchSize,
    seed,
    optimizer,
    schedule,
    augment,
    nonFinite: values['non-finite'] as 'stop' | 'skip',
    validationData: data.test,
    checkpoint: checkpointFile ? { path: checkpointFile, everyEpochs: values['checkpoint-every'], metadata: { train: stored } } : undefined,
    resume: checkpoint,
    callbacks: {
      onBatchEnd: (log) => {
        if (log.batch === 0) {
          bar = new ProgressBar(`epoch ${log.epoch + 1}/${epochs}`, n);
        }
        const done = Math.min(n, (log.batch + 1) * batchSize);
        const eta = (n - done) / log.imagesPerSecond;
        bar!.update(done, { 'img/s': log.imagesPerSecond.toFixed(0), loss: log.loss.toFixed(4) }, eta);
      },
      onEpochEnd: (log) => {
        bar?.finish();
        if (logStarted) appendFileSync(logFile, `${JSON.stringify(log)}\n`);
        else writeFileAtomic(logFile, Buffer.from([...logged, log].map((l) => `${JSON.stringify(l)}\n`).join('')));
        logStarted = true;
        console.log(
          `epoch ${log.epoch + 1}/${epochs}: ${formatSeconds(log.seconds)}, ` +
            `${log.imagesPerSecond.toFixed(0)} images/s, train loss ${log.loss.toFixed(4)}, ` +
            `train accuracy ${(100 * log.accuracy!).toFixed(2)}%, test accuracy ${(100 * log.valAccuracy!).toFixed(2)}%` +
            `${log.skippedBatches ? `, ${log.skippedBatches} batches skipped (not finite)` : ''}` +
            `${log.checkpoint ? `; checkpoint ${log.checkpoint}` : ''}`,
        );
      },
    },
  });
  // Every epoch of the run, a resumed one's included: what a loss/accuracy curve plots.
  const fullHistory: History = { epochs: [...logged, ...history.epochs] };
  const last = fullHistory.epochs[fullHistory.epochs.length - 1];
  model.save(out, { model: name, dataset, preprocessing: data.preprocessing, classes: data.classes });
  const curveFile = `${out.replace(/\.striate$/, '')}-curves.png`;
  let drawn = true;
  try {
    await curves(fullHistory, curveFile);
  } catch (err) {
    drawn = false;
    console.warn(`warning: could not draw the curves ${curveFile}: ${(err as Error).message}; the model and the log are saved`);
  }
  console.log(
    `test accuracy ${(100 * last.valAccuracy!).toFixed(2)}% (${data.test.labels.length} images); ` +
      `model saved to ${out}, log ${logFile}${drawn ? `, curves ${curveFile}` : ''}`,
  );
}
