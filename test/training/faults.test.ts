// Training faults: a NaN loss stops fit with the epoch and batch named and the
// weights from before that batch kept (or the batch is skipped); a worker that dies
// or throws rejects fit with the cause and leaves the model usable; an abort leaves
// the weights of the last finished epoch, and terminating a worker in the middle of a
// native call (what an abort does) never takes the calling process down.
import { Worker } from 'node:worker_threads';
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
    // Only the worker sees the outputs: these logits are no probabilities.
    const probabilities = { type: 'binaryCrossEntropy', fromLogits: false } as const;
    const err = (await model.fit({ images: data.images, targets: st.zeros([64, 2]) }, { ...options, loss: probabilities }).then(() => null, (e: Error) => e))!;
    expect(err).toBeInstanceOf(RangeError); // the worker's error, of the class thrown there
    expect(err.message).toMatch(/^BinaryCrossEntropy: y must hold probabilities in \[0, 1\] \(fromLogits: false\), got /);
    const after = values(model);
    await expect(model.fit(data, { ...options, epochs: 3, callbacks: { onEpochEnd: (l) => { if (l.epoch === 1) throw new Error('callback failed'); } } }))
      .rejects.toThrow('callback failed');
    expect(values(model)).not.toEqual(after); // epoch 0 and 1 arrived before the callback threw
    expect(model.forward(data.images).shape).toEqual([64, 2]);
  });

  it('bad data and options are refused on the calling thread, naming them, and leave the model as it was', async () => {
    const model = mlp();
    const before = values(model);
    const refused = async (d: unknown, o: unknown, type: typeof TypeError, message: RegExp) => {
      const err = (await model.fit(d as never, o as never).then(() => null, (e: Error) => e))!;
      expect(err).toBeInstanceOf(type);
      expect(err.message).toMatch(message);
    };
    // The worker's loss would say 'SoftmaxCrossEntropy: targets[1]'; this is fit's own check.
    await refused({ images: data.images, labels: data.labels.map((l) => l * 5) }, options, RangeError,
      /^fit: data\.labels\[1\] must be a class index in \[0, 2\) for this model's 2 outputs, got 5$/);
    await refused({ images: st.zeros([0, 4]), labels: new Int32Array(0) }, options, RangeError, /^fit: data has no examples/);
    await refused({ images: data.images, targets: st.zeros([64, 3]) }, { ...options, loss: 'euclidean' }, RangeError,
      /^fit: data\.targets must be \[64, 2\]/);
    await refused(data, { ...options, loss: 'euclidean' }, TypeError, /^fit: data has class labels, but the euclidean loss needs targets/);
    await refused(data, { ...options, validationData: { images: data.images, labels: new Int32Array(63) } }, RangeError, /validationData/);
    await refused(data, true, TypeError, /^fit: options must be an object/);
    await refused(data, { ...options, callbacks: { onEpochEnded: () => {} } }, TypeError, /^fit: callbacks must be an object with onBatchEnd and\/or onEpochEnd/);
    await refused(data, { ...options, clipNorm: -1 }, RangeError, /^fit: clipNorm must be in \[0, Infinity\), got -1/);
    await refused(data, { ...options, optimizer: null }, TypeError, /^fit: optimizer must be/);
    await refused(data, { ...options, shuffle: 'no' }, TypeError, /^fit: shuffle must be a boolean/);
    await refused(data, { ...options, resourceLimits: { maxOldGenerationSizeMb: -1 } }, RangeError,
      /^fit: resourceLimits\.maxOldGenerationSizeMb must be a number of megabytes > 0, got -1/);
    await refused(data, { ...options, resume: { epoch: 1 } }, TypeError, /^fit: resume must be a checkpoint file or what loadCheckpoint returned/);
    await refused(data, { ...options, checkpoint: { path: 'c.ckpt', metadata: { when: new Date(0) } } }, TypeError,
      /^fit: checkpoint\.metadata\.when must be plain JSON/);
    expect(values(model)).toEqual(before);
    await expect(model.evaluate(data, null as never)).rejects.toThrow(/^evaluate: options must be an object/);
    await expect(model.evaluate({ images: data.images, labels: data.labels.map(() => -1) })).rejects.toThrow(RangeError);
    await expect(model.predict(st.zeros([2, 5]))).rejects.toThrow(/^predict: x must be \[N, 4\] for this model, got \[2, 5\]/);
    await expect(model.predict(data.images, { batchSize: 2 ** 31 })).rejects.toThrow(/^predict: batchSize must be at most/);
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

  it('terminating a worker while it is inside native calls leaves this process running', async () => {
    // The optimizer step reads its arrays of parameters with N-API property reads, which
    // fail once termination has begun; that failure used to escape the binding and abort
    // the whole process. Twelve terminations at 0-4 ms after the loop starts hit a call in
    // flight every time on this machine.
    const index = new URL('../../dist/index.js', import.meta.url).href;
    const code = `
      import * as st from ${JSON.stringify(index)};
      import { parentPort } from 'node:worker_threads';
      const model = new st.Sequential([new st.nn.Dense({ units: 8 }), new st.nn.Dense({ units: 2 })], { inputShape: [2], seed: 3 });
      const optimizer = new st.optim.SGD(model.params(), { lr: 0.1, momentum: 0.9 });
      parentPort.postMessage('running');
      for (;;) optimizer.step();`;
    const url = new URL(`data:text/javascript,${encodeURIComponent(code)}`);
    for (let i = 0; i < 12; i++) {
      const worker = new Worker(url);
      await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
      await new Promise((resolve) => setTimeout(resolve, i % 5));
      expect(await worker.terminate()).toBe(1);
    }
    const history = await mlp().fit(blobs(32, 1), { epochs: 1 });
    expect(Number.isFinite(history.epochs[0].loss)).toBe(true);
  });
});
