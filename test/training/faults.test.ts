// Training faults: a NaN loss stops fit with the epoch and batch named and the
// weights from before that batch kept (or the batch is skipped); a worker that dies
// or throws rejects fit with the cause and leaves the model usable; an abort leaves
// the weights of the last finished epoch.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

function blobs(n: number, seed: number) {
  const rng = new st.Rng(seed);
  const images = new Float32Array(n * 4);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let k = 0; k < 4; k++) images[i * 4 + k] = rng.normal() * 0.3 + (labels[i] ? 1 : -1);
  }
  return { images: new st.Tensor(images, [n, 4]), labels };
}

const mlp = () => new st.Sequential([new st.nn.Dense({ units: 8 }), new st.nn.Tanh(), new st.nn.Dense({ units: 2 })], { inputShape: [4], seed: 2 });
const values = (m: st.Graph) => m.params().map((p) => Array.from(p.value.data));
const options: st.FitOptions = { batchSize: 8, shuffle: false, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 } };

describe('fit faults', () => {
  const data = blobs(64, 1);
  const poisoned = { images: data.images.clone(), labels: data.labels };
  poisoned.images.data[8 * 2 * 4 + 5] = NaN; // in example 17: batch 2 of each epoch

  it('a NaN loss stops fit, names epoch and batch, and keeps the weights from before that batch', async () => {
    const model = mlp();
    await expect(model.fit(poisoned, { ...options, epochs: 3 })).rejects.toThrow(
      /fit: the loss \(NaN\) is not finite at epoch 0, batch 2 \(0-based, of 8\); the model keeps the weights from before that batch/,
    );
    // The same as training on the two batches before it.
    const reference = mlp();
    await reference.fit({ images: new st.Tensor(data.images.data.slice(0, 64), [16, 4]), labels: data.labels.slice(0, 16) }, { ...options, epochs: 1 });
    expect(values(model)).toEqual(values(reference));
    expect(values(model).flat().every(Number.isFinite)).toBe(true);
  });

  it("nonFinite: 'skip' skips that batch and counts it", async () => {
    const model = mlp();
    const history = await model.fit(poisoned, { ...options, epochs: 3, nonFinite: 'skip' });
    expect(history.epochs.map((l) => l.skippedBatches)).toEqual([1, 1, 1]);
    expect(history.epochs.every((l) => Number.isFinite(l.loss))).toBe(true);
    expect(values(model).flat().every(Number.isFinite)).toBe(true);
    await expect(model.fit(data, { nonFinite: 'ignore' as 'skip' })).rejects.toThrow(/nonFinite must be 'stop' or 'skip'/);
    await expect(model.fit(data, { augment: { cropPadding: 2 } })).rejects.toThrow(/augment needs images \[N, C, H, W\], got \[64, 4\]/);
    await expect(model.fit(data, { checkpoint: 'x.ckpt' as never })).rejects.toThrow(/checkpoint must be \{ path, everyEpochs\? \}/);
  });

  it('a worker out of memory rejects with the cause; the model is untouched and trains again', async () => {
    const model = mlp();
    const before = values(model);
    const big = blobs(4096, 3);
    const run = model.fit(big, { epochs: 1, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } });
    const err = (await run.then(() => null, (e: Error) => e))!;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/the fit worker died: .*memory.*; the model keeps the weights of its last finished epoch/i);
    expect((err.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(values(model)).toEqual(before);
    const history = await model.fit(data, { ...options, epochs: 2 });
    expect(history.epochs).toHaveLength(2);
    expect(values(model)).not.toEqual(before);
  });

  it('an exception inside the worker, and one in a callback, reject with it; the model stays usable', async () => {
    const model = mlp();
    const bad = { images: data.images, labels: data.labels.map((l) => l * 5) }; // label 5 of 2 classes
    const err = (await model.fit(bad, options).then(() => null, (e: Error) => e))!;
    expect(err.name).toBe('RangeError'); // the worker's error, as thrown there
    expect(err.message).toBe('SoftmaxCrossEntropy: targets[1] must be a class index in [0, 2), got 5');
    const after = values(model);
    await expect(model.fit(data, { ...options, epochs: 3, callbacks: { onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('callback failed'); } } }))
      .rejects.toThrow('callback failed');
    expect(values(model)).not.toEqual(after); // epoch 0 and 1 arrived before the callback threw
    expect(model.forward(data.images).shape).toEqual([64, 2]);
  });

  it('an abort keeps the weights of the last finished epoch', async () => {
    const model = mlp();
    const controller = new AbortController();
    let atEpoch1: number[][] = [];
    const run = model.fit(data, {
      ...options, epochs: 50, signal: controller.signal,
      callbacks: {
        onEpochEnd: (l) => { if (l.epoch === 1) atEpoch1 = values(model); },
        onBatchEnd: (l) => { if (l.epoch === 2 && l.batch === 3) controller.abort(); },
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(atEpoch1.length).toBeGreaterThan(0);
    expect(values(model)).toEqual(atEpoch1);
  });
});
