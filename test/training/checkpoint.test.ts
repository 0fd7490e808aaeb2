// Checkpoints: a run stopped after epoch k and resumed from its checkpoint reaches
// bit for bit the weights of a run that never stopped (shuffle, augmentation,
// dropout, batch-norm statistics, SGD momentum, Adam moments and the schedule all
// carried over). Also: the file is a model file, and mismatched options are refused.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'striate-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Images with a class told by which half is brighter, plus noise. */
function halves(n: number, seed: number) {
  const rng = new st.Rng(seed);
  const images = new Float32Array(n * 36);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 36; p++) images[i * 36 + p] = rng.normal() * 0.5 + ((p % 6 < 3) === (labels[i] === 0) ? 1 : 0);
  }
  return { images: new st.Tensor(images, [n, 1, 6, 6]), labels };
}

function net() {
  return new st.Sequential(
    [
      new st.nn.Conv2D({ filters: 3, kernelSize: 3 }),
      new st.nn.BatchNorm2D(),
      new st.nn.ReLU(),
      new st.nn.Flatten(),
      new st.nn.Dropout({ rate: 0.3 }),
      new st.nn.Dense({ units: 2 }),
    ],
    { inputShape: [1, 6, 6], seed: 11 },
  );
}

const values = (m: st.Graph) => [...m.params(), ...m.buffers()].map((p) => Array.from(p.value.data));
/** An epoch log without its timings, which no two runs share. */
const untimed = ({ seconds: _s, imagesPerSecond: _i, ...rest }: st.EpochLog) => rest;

describe('fit checkpoints', () => {
  const data = halves(96, 1);
  const recipes: [string, st.FitOptions][] = [
    ['SGD momentum + weight decay, cosine per batch, augmentation', {
      batchSize: 16, seed: 3, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
      schedule: { type: 'cosine', tMax: 4 * 6, every: 'batch' }, augment: { cropPadding: 1, horizontalFlip: true },
    }],
    ['Adam, step schedule per epoch', { batchSize: 32, seed: 8, optimizer: { type: 'adam', lr: 0.01 }, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } }],
  ];
  for (const [name, recipe] of recipes) {
    it(`resume from epoch 2 of 4 equals the straight run bit for bit: ${name}`, async () => {
      const straight = net();
      await straight.fit(data, { ...recipe, epochs: 4 });

      const file = path.join(dir, `${recipe.seed}.ckpt`);
      const atEpoch2 = path.join(dir, `${recipe.seed}-epoch2.ckpt`);
      const first = net();
      const logs: st.EpochLog[] = [];
      await first.fit(data, { ...recipe, epochs: 4, checkpoint: { path: file, everyEpochs: 2 }, callbacks: {
        onEpochEnd: (l) => {
          logs.push(l);
          // The next checkpoint comes two epochs later: keep this one as the "crashed" run's last.
          if (l.epoch === 1) copyFileSync(file, atEpoch2);
        },
      } });
      expect(logs.map((l) => l.checkpoint !== undefined)).toEqual([false, true, false, true]);
      expect(values(first)).toEqual(values(straight)); // checkpointing changes nothing
      expect(st.loadCheckpoint(file).epoch).toBe(4);

      const saved = st.loadCheckpoint(atEpoch2);
      expect(saved.epoch).toBe(2);
      expect(saved.resume.history.map((l) => l.epoch)).toEqual([0, 1]);
      expect(values(saved.model)).not.toEqual(values(straight));

      const resumed = net();
      const history = await resumed.fit(data, { ...recipe, epochs: 4, resume: atEpoch2, checkpoint: { path: file, everyEpochs: 2 } });
      expect(history.epochs.map((l) => l.epoch)).toEqual([2, 3]);
      expect(values(resumed)).toEqual(values(straight));
      // The logs a checkpoint keeps are those the run reported, its own epoch's checkpoint field
      // included, so the resumed run's whole history (what `train` writes to .log.jsonl) is the
      // uninterrupted run's.
      expect(saved.resume.history.map(untimed)).toEqual(logs.slice(0, 2).map(untimed));
      expect(st.loadCheckpoint(file).resume.history.map(untimed)).toEqual(logs.map(untimed));
      expect([...saved.resume.history, ...history.epochs].map(untimed)).toEqual(logs.map(untimed));
    });
  }

  it('the checkpoint is a model file; different options, a finished run or another network are refused', async () => {
    const own = mkdtempSync(path.join(dir, 'refuse-'));
    const file = path.join(own, 'refuse.ckpt');
    const model = net();
    const options: st.FitOptions = { epochs: 2, batchSize: 16, seed: 1, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 } };
    await model.fit(data, { ...options, checkpoint: { path: file, metadata: { note: 'hi' } } });
    expect(readdirSync(own)).toEqual(['refuse.ckpt']); // no temp file left
    const { model: loaded, metadata } = st.loadWithMetadata(file);
    expect(values(loaded)).toEqual(values(model));
    expect(metadata.note).toBe('hi');
    expect(st.loadCheckpoint(file).metadata).toEqual({ note: 'hi' });
    await expect(net().fit(data, { ...options, epochs: 3, seed: 2, resume: file })).rejects.toThrow(/different seed \(seed: 1 there, 2 here\)/);
    await expect(net().fit(data, { ...options, epochs: 2, resume: file })).rejects.toThrow(/already finished 2 epochs/);
    const other = new st.Sequential([new st.nn.Flatten(), new st.nn.Dense({ units: 2 })], { inputShape: [1, 6, 6] });
    await expect(other.fit(data, { ...options, epochs: 3, resume: file })).rejects.toThrow(/different network/);
    const plain = path.join(dir, 'plain.striate');
    model.save(plain);
    expect(() => st.loadCheckpoint(plain)).toThrow(/not a checkpoint/);
    expect(existsSync(file)).toBe(true);
  });
});
