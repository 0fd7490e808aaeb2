// fit / evaluate / predict in a worker thread. They load dist/training/worker.js,
// which `npm test` builds first (pretest).
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

/** Two interleaved spirals' worth of a toy problem: points inside / outside a ring. */
function ring(n: number, seed: number) {
  const rng = new st.Rng(seed);
  const images = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i % 2 === 0 ? 0.2 + 0.5 * rng.uniform() : 1.1 + 0.5 * rng.uniform();
    const a = 2 * Math.PI * rng.uniform();
    images[2 * i] = r * Math.cos(a);
    images[2 * i + 1] = r * Math.sin(a);
    labels[i] = i % 2;
  }
  return { images: new st.Tensor(images, [n, 2]), labels };
}

function mlp() {
  return new st.Sequential(
    [new st.nn.Dense({ units: 16 }), new st.nn.Tanh(), new st.nn.Dense({ units: 2 })],
    { inputShape: [2], seed: 3 },
  );
}

describe('fit', () => {
  it('learns a small problem in a worker while the event loop keeps running', async () => {
    const train = ring(512, 1);
    const model = mlp();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const batchLogs: st.BatchLog[] = [];
    const epochLogs: st.EpochLog[] = [];
    const started = performance.now();
    const history = await model.fit(train, {
      epochs: 40,
      batchSize: 32,
      optimizer: { type: 'adam', lr: 0.02 },
      seed: 5,
      callbacks: { onBatchEnd: (l) => batchLogs.push(l), onEpochEnd: (l) => epochLogs.push(l) },
    });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(history.epochs).toHaveLength(40);
    expect(epochLogs.map((l) => l.epoch)).toEqual([...Array(40).keys()]);
    expect(batchLogs).toHaveLength(40 * 16);
    expect(history.epochs[0].loss).toBeGreaterThan(history.epochs[39].loss);
    expect(history.epochs[39].loss).toBeLessThan(0.05);
    expect(history.epochs[39].accuracy).toBe(1);
    // The weights came back: the model on this thread classifies the ring too.
    const y = model.forward(train.images);
    let correct = 0;
    for (let i = 0; i < 512; i++) correct += Number((y.data[2 * i + 1] > y.data[2 * i] ? 1 : 0) === train.labels[i]);
    expect(correct).toBe(512);
    // A 1 ms interval kept firing while training ran: at least one tick per 10 ms.
    expect(ticks).toBeGreaterThan(elapsed / 10);
  });

  it('evaluate and predict in a worker agree with the synchronous forward', async () => {
    const data = ring(100, 2);
    const model = mlp();
    const sync = model.predictSync(data.images, { batchSize: 7 });
    const async = await model.predict(data.images, { batchSize: 7 });
    expect(async.shape).toEqual([100, 2]);
    expect(Array.from(async.data)).toEqual(Array.from(sync.data));
    const loss = new st.nn.SoftmaxCrossEntropy();
    const want = loss.forward(sync, data.labels);
    const { loss: got, accuracy } = await model.evaluate(data, { batchSize: 100 });
    expect(got).toBeCloseTo(want, 5);
    expect(accuracy).toBeGreaterThanOrEqual(0);
  });

  it('the same seed trains to the same weights', async () => {
    const train = ring(128, 4);
    const a = mlp();
    const b = mlp();
    await a.fit(train, { epochs: 2, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, seed: 9 });
    await b.fit(train, { epochs: 2, batchSize: 16, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, seed: 9 });
    expect(a.params().map((p) => Array.from(p.value.data))).toEqual(b.params().map((p) => Array.from(p.value.data)));
  });

  it('an abort signal stops training and rejects', async () => {
    const controller = new AbortController();
    const model = mlp();
    const run = model.fit(ring(512, 1), {
      epochs: 1000,
      callbacks: { onBatchEnd: (l) => l.batch === 3 && controller.abort() },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('bad options and data are refused before training starts', async () => {
    const model = mlp();
    const data = ring(10, 1);
    await expect(model.fit(data, { epochs: 0 })).rejects.toThrow(/epochs must be an integer >= 1/);
    await expect(model.fit({ images: st.zeros([10, 3]), labels: data.labels })).rejects.toThrow(/images must be \[N, 2\]/);
    await expect(model.fit(data, { optimizer: { type: 'lbfgs' } as unknown as st.OptimizerSpec })).rejects.toThrow(/optimizer.type must be/);
    const sgd = new st.optim.SGD(model.params(), { lr: 0.1 });
    await expect(model.fit(data, { optimizer: sgd as unknown as st.OptimizerSpec })).rejects.toThrow(/plain description/);
  });

  it('errors in a callback stop training and surface', async () => {
    const model = mlp();
    const run = model.fit(ring(64, 1), {
      epochs: 5,
      callbacks: {
        onEpochEnd: () => {
          throw new Error('callback failed');
        },
      },
    });
    await expect(run).rejects.toThrow('callback failed');
  });
});
