// The command line: digit preprocessing, the option parser, `striate predict`, `info` and
// `train` on MNIST end to end (from dist/, which `npm test` builds first). Datasets read
// from files, resume refusals and the curves warning: test/cli/train-data.test.ts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { digitTensor } from '../../src/cli/digit.js';
import { defineCommand, editDistance, formatHelp, nearest, parseCommand } from '../../src/cli/args.js';
import { encodeGreyPng } from '../../src/io/png.js';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'striate-cli-'));
const pre = { size: 28, pad: 2, mean: 0.1307, std: 0.3081 };

/** A 28x28 "digit": a bright bar on black, as in MNIST. */
function bar(): Uint8Array {
  const px = new Uint8Array(28 * 28);
  for (let y = 4; y < 24; y++) for (let x = 12; x < 16; x++) px[y * 28 + x] = 255;
  return px;
}

describe('digit preprocessing', () => {
  it('pads to 32x32 and normalises like the training data', () => {
    const x = digitTensor({ width: 28, height: 28, channels: 1, data: bar() }, pre);
    expect(x.shape).toEqual([1, 1, 32, 32]);
    expect(x.data[0]).toBeCloseTo(-0.1307 / 0.3081, 5); // padding is normalised background
    expect(x.data[(4 + 2) * 32 + 12 + 2]).toBeCloseTo((1 - 0.1307) / 0.3081, 5);
  });

  it('inverts a dark digit on light paper and scales a larger image down by area', () => {
    const light = bar().map((v) => 255 - v);
    const big = new Uint8Array(56 * 56);
    for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) big[y * 56 + x] = light[(y >> 1) * 28 + (x >> 1)];
    const a = digitTensor({ width: 28, height: 28, channels: 1, data: bar() }, pre);
    const b = digitTensor({ width: 56, height: 56, channels: 1, data: big }, pre);
    for (let i = 0; i < a.size; i++) expect(b.data[i]).toBeCloseTo(a.data[i], 5);
  });

  it('scales to a [height, width] that is not square', () => {
    // A 56x28 (wide) bar image halved to [14, 28]: each output pixel averages a 2x1 area.
    const wide = new Uint8Array(28 * 56);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 56; x++) wide[y * 56 + x] = x < 28 ? 255 : 0;
    const x = digitTensor({ width: 56, height: 28, channels: 1, data: wide }, { ...pre, size: [14, 28], pad: 1 });
    expect(x.shape).toEqual([1, 1, 16, 30]);
    expect(x.data[1 * 30 + 1]).toBeCloseTo((1 - 0.1307) / 0.3081, 5); // left half bright
    expect(x.data[1 * 30 + 28]).toBeCloseTo(-0.1307 / 0.3081, 5); // right half dark
  });
});

/** Softmax in float64, as a user would check a printed probability. */
function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

describe('striate predict', () => {
  const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const png = path.join(dir, 'bar.png');
  writeFileSync(png, encodeGreyPng(28, 28, bar()));
  const input = () => digitTensor({ width: 28, height: 28, channels: 1, data: bar() }, pre);

  it('prints the top 5 classes by name with their probabilities, as model.forward ranks them', () => {
    const model = st.zoo.lenet5({ seed: 4 });
    const file = path.join(dir, 'lenet5.striate');
    model.save(file, { preprocessing: pre, classes: names });
    const out = execFileSync(process.execPath, [cli, 'predict', file, png], { encoding: 'utf8' });
    const p = softmax(model.forward(input()).data);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(png);
    expect(lines).toHaveLength(6);
    const printed = lines.slice(1).map((l) => l.trim().split(/ +/));
    const expected = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, 5);
    expect(printed.map(([name]) => name)).toEqual(expected.map((k) => names[k]));
    expect(printed.map(([, prob]) => prob)).toEqual(expected.map((k) => p[k].toFixed(3)));
    // --top K after the images; a model with fewer classes prints them all.
    const top2 = execFileSync(process.execPath, [cli, 'predict', file, png, '--top', '2'], { encoding: 'utf8' }).trimEnd().split('\n');
    expect(top2.map((l) => l.trim().split(/ +/))).toEqual([[png], ...printed.slice(0, 2)]);
    const three = st.zoo.lenet5({ seed: 1, numClasses: 3 });
    const small = path.join(dir, 'three.striate');
    three.save(small, { preprocessing: pre, classes: ['cat', 'dog', 'T-shirt/top'] });
    const rows = execFileSync(process.execPath, [cli, 'predict', small, png], { encoding: 'utf8' }).trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    const q = softmax(three.forward(input()).data);
    expect(rows.map((r) => r.slice(2, 13).trim()).sort()).toEqual(['T-shirt/top', 'cat', 'dog']);
    expect(rows.map((r) => Number(r.slice(13)))).toEqual([...q].sort((a, b) => b - a).map((v) => Number(v.toFixed(3))));
  });

  it('--help lists --top with its default; unknown options and bad usage exit 1 with a message', () => {
    const help = spawnSync(process.execPath, [cli, 'predict', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: striate predict MODEL-FILE IMAGE/);
    expect(help.stdout).toMatch(/^  --top K +.*\(default: 5\)$/m);
    const typo = spawnSync(process.execPath, [cli, 'predict', 'm.striate', 'x.png', '--tpo', '3'], { encoding: 'utf8' });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toBe('striate: unknown option --tpo; did you mean --top?\n');
    const r = spawnSync(process.execPath, [cli, 'train', 'lenet'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/striate: unknown model lenet; did you mean lenet5\?/);
    const p = spawnSync(process.execPath, [cli, 'predict', path.join(dir, 'missing.striate'), 'x.png'], { encoding: 'utf8' });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/missing.striate/);
    const none = spawnSync(process.execPath, [cli, 'predict', 'm.striate'], { encoding: 'utf8' });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^striate: predict needs a MODEL-FILE and at least one IMAGE, got m\.striate/);
  });
});

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });

describe('args: parseCommand', () => {
  const spec = defineCommand({
    usage: 'striate x [options]',
    summary: 'A test command.',
    options: {
      epochs: { type: 'integer', default: 1, min: 1, help: 'passes' },
      lr: { type: 'number', help: 'rate', defaultText: 'by model' },
      mode: { type: 'string', default: 'fast', choices: ['fast', 'slow'], help: 'how' },
      verbose: { type: 'boolean', help: 'talk' },
    },
  });

  it('parses --name value, --name=value, flags and positionals, with defaults and what was given', () => {
    const p = parseCommand(['resnet20', '--epochs', '3', '--lr=0.5', '--verbose', '--', '--not-an-option'], spec);
    expect(p.values).toEqual({ epochs: 3, lr: 0.5, mode: 'fast', verbose: true });
    expect(p.positionals).toEqual(['resnet20', '--not-an-option']);
    expect(p.given.sort()).toEqual(['epochs', 'lr', 'verbose']);
    expect(p.help).toBe(false);
    expect(parseCommand(['-h'], spec).help).toBe(true);
    expect(parseCommand([], spec).values).toEqual({ epochs: 1, lr: undefined, mode: 'fast', verbose: false });
  });

  it('names the nearest option, and the option with a bad value', () => {
    expect(() => parseCommand(['--epoch', '2'], spec)).toThrow('unknown option --epoch; did you mean --epochs?');
    expect(() => parseCommand(['--verbsoe'], spec)).toThrow('unknown option --verbsoe; did you mean --verbose?');
    expect(() => parseCommand(['--zzzzzzzz'], spec)).toThrow(/^unknown option --zzzzzzzz$/);
    // A valid name run on, a single dash, a swap of two letters; nothing for a stray letter.
    expect(() => parseCommand(['--lr-rate', '2'], spec)).toThrow('unknown option --lr-rate; did you mean --lr?');
    expect(() => parseCommand(['-e', '2'], spec)).toThrow('unknown option -e; did you mean --epochs?');
    expect(() => parseCommand(['-verbose'], spec)).toThrow('unknown option -verbose; did you mean --verbose?');
    expect(() => parseCommand(['-q'], spec)).toThrow(/^unknown option -q$/);
    expect(() => parseCommand(['--epohcs=2'], spec)).toThrow('unknown option --epohcs; did you mean --epochs?');
    expect(() => parseCommand(['--constructor'], spec)).toThrow(/unknown option --constructor/);
    expect(() => parseCommand(['--epochs', '0'], spec)).toThrow('--epochs must be >= 1, got 0');
    expect(() => parseCommand(['--epochs', '1.5'], spec)).toThrow('--epochs must be an integer, got 1.5');
    expect(() => parseCommand(['--lr', 'abc'], spec)).toThrow('--lr must be a number, got abc');
    expect(() => parseCommand(['--mode', 'slwo'], spec)).toThrow('--mode must be fast, slow, got slwo (did you mean slow?)');
    expect(() => parseCommand(['--epochs'], spec)).toThrow('--epochs needs a value (N)');
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('slwo', 'slow')).toBe(1);
    expect(nearest('q', ['lr', 'mode'])).toBeUndefined();
    expect(nearest('fashion', ['mnist', 'fashion-mnist'])).toBe('fashion-mnist');
  });

  it('help lists every option with its default', () => {
    const help = formatHelp(spec);
    expect(help).toMatch(/^usage: striate x \[options\]\n\nA test command\./);
    expect(help).toMatch(/--epochs N +passes \(default: 1\)/);
    expect(help).toMatch(/--lr X +rate \(default: by model\)/);
    expect(help).toMatch(/--mode fast\|slow +how \(default: fast\)/);
    expect(help).toMatch(/--verbose +talk \(default: off\)/);
  });
});

describe('striate --help, info and train', () => {
  it('--help lists every command and every option of train with its default', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const command of ['train', 'predict', 'info', 'show']) expect(r.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    const train = run('train', '--help').stdout;
    for (const option of ['dataset', 'data-dir', 'epochs', 'batch-size', 'optimizer', 'lr', 'momentum', 'weight-decay', 'schedule',
      'no-augment', 'non-finite', 'limit', 'model-options', 'threads', 'seed', 'out', 'checkpoint', 'checkpoint-every', 'resume',
      'image-size', 'grayscale'])
      expect(train).toMatch(new RegExp(`^  --${option}\\b.*\\(default: [^)]+\\)$`, 'm'));
    expect(train).toMatch(/MODEL: .*lenet5/);
    expect(train).toMatch(/^data folders: --data-dir DIR, else \$STRIATE_DATA\/<dataset>/m);
    expect(r.stdout).toContain(train.trim());
    expect(r.stdout).toContain(run('predict', '--help').stdout.trim());
    expect(run('info', '--help').stdout).toMatch(/--json +.*\(default: off\)/);
  });

  it('unknown options and commands name the nearest valid one', () => {
    const r = run('train', 'lenet5', '--epoch', '2');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('striate: unknown option --epoch; did you mean --epochs?\n');
    expect(run('trian').stderr).toBe('striate: unknown command trian; did you mean train?\n');
    expect(run('train', 'lenet5', '--dataset', 'cifar').stderr).toMatch(/--dataset must be .*cifar10.*got cifar \(did you mean cifar10\?\)/);
  });

  it('info prints the backend this process loads', () => {
    const b = st.backendInfo();
    const out = run('info').stdout;
    expect(out).toContain(`ISA:      ${b.isa} (available: ${b.isasAvailable.join(', ')})`);
    expect(out).toContain(`threads:  ${b.threads} of ${b.hardwareThreads} hardware threads`);
    expect(out).toContain(`OpenMP:   ${b.openmp ? 'yes' : 'no'}`);
    expect(out).toMatch(/^striate \S+ \(node v\d+/);
    expect(out).toMatch(/^addon: +(prebuild|source build)/m);
    const json = JSON.parse(run('info', '--json').stdout);
    expect(json).toMatchObject({ isa: b.isa, threads: b.threads, openmp: b.openmp, version: b.version });
  });

  it('train lenet5 --limit: trains on a subset, saves the model and a JSONL log of every epoch', () => {
    const out = path.join(dir, 'small.striate');
    const r = run('train', 'lenet5', '--limit', '600', '--epochs', '2', '--out', out);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('striate:'))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lenet5 on mnist: 600 training images, 100 test images; .*adam lr 0\.004, batch 64, cosine schedule\n/);
    expect(r.stdout).toMatch(/epoch 2\/2: .*test accuracy \d+\.\d\d%/);
    const { model, metadata } = st.loadWithMetadata(out);
    expect(metadata).toMatchObject({ model: 'lenet5', dataset: 'mnist', preprocessing: pre, classes: [...Array(10).keys()].map(String) });
    expect(model.inputShapes[0]).toEqual([1, 32, 32]);
    const log = readFileSync(path.join(dir, 'small.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.epoch)).toEqual([0, 1]);
    for (const l of log) for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'seconds', 'imagesPerSecond', 'lr']) expect(typeof l[key]).toBe('number');
  });

  it('train --resume after a SIGKILL ends with the same weights as a run that never stopped', async () => {
    // Synthetic data: no dataset to load, so the three runs spend their time training.
    const args = ['train', 'lenet5', '--dataset', 'synthetic', '--limit', '600', '--epochs', '3', '--seed', '3'];
    const straight = path.join(dir, 'straight.striate');
    expect(run(...args, '--out', straight).status).toBe(0);

    const ckpt = path.join(dir, 'run.ckpt');
    const resumed = path.join(dir, 'resumed.striate');
    const child = spawn(process.execPath, [cli, ...args, '--out', resumed, '--checkpoint', ckpt], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(ckpt)) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 2);
    });
    await exited;
    const epoch = st.loadCheckpoint(ckpt).epoch;
    expect(epoch).toBeGreaterThanOrEqual(1);
    expect(epoch).toBeLessThan(3); // killed mid-run
    expect(existsSync(resumed)).toBe(false);

    const r = run('train', '--resume', ckpt);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('striate:'))).toEqual([]);
    expect(r.stdout).toMatch(new RegExp(`resuming after epoch ${epoch}`));
    const a = st.load(straight);
    const b = st.load(resumed);
    expect(b.params().map((p) => Array.from(p.value.data))).toEqual(a.params().map((p) => Array.from(p.value.data)));
    const log = readFileSync(path.join(dir, 'resumed.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
    expect(log).toEqual([0, 1, 2]);
  }, 60_000);
});
