import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { checkLayer } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/** Per-channel mean and biased variance of [N, C, inner] in float64. */
function moments(x: st.Tensor): { mean: number[]; variance: number[]; count: number } {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const mean = new Array<number>(c).fill(0);
  const variance = new Array<number>(c).fill(0);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < inner; i++) mean[ch] += x.data[(b * c + ch) * inner + i];
  for (let ch = 0; ch < c; ch++) mean[ch] /= n * inner;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < inner; i++) variance[ch] += (x.data[(b * c + ch) * inner + i] - mean[ch]) ** 2;
  for (let ch = 0; ch < c; ch++) variance[ch] /= n * inner;
  return { mean, variance, count: n * inner };
}

function shifted(shape: number[], seed: number): st.Tensor {
  const x = randomTensor(shape, seed);
  const c = shape[1];
  const inner = x.size / (shape[0] * c);
  for (let i = 0; i < x.size; i++) {
    const ch = Math.floor(i / inner) % c;
    x.data[i] = 2 * x.data[i] + ch - 1;
  }
  return x;
}

describe('BatchNorm2D', () => {
  it('x=[3,4,5,5] training: normalises with batch statistics and updates running stats (PyTorch convention)', () => {
    const x = shifted([3, 4, 5, 5], 1);
    const bn = new nn.BatchNorm2D({ channels: 4, momentum: 0.2, eps: 1e-5 });
    bn.gamma!.value.data.set([1, 2, 0.5, -1]);
    bn.beta!.value.data.set([0, 0.5, -0.5, 1]);
    const y = bn.forward(x, { training: true });
    const { mean, variance, count } = moments(x);
    const want = Array.from(x.data, (v, i) => {
      const c = Math.floor(i / 25) % 4;
      return bn.gamma!.value.data[c] * (v - mean[c]) / Math.sqrt(variance[c] + 1e-5) + bn.beta!.value.data[c];
    });
    expectClose(y.data, want, 1e-5, 'bn train');
    expectClose(bn.runningMean!.data, mean.map((m) => 0.2 * m), 1e-6, 'running mean');
    expectClose(bn.runningVar!.data, variance.map((v) => 0.8 + (0.2 * v * count) / (count - 1)), 1e-6, 'running var (unbiased)');
  });

  it('inference uses the running statistics', () => {
    const bn = new nn.BatchNorm2D({ channels: 2 });
    bn.runningMean!.data.set([1, -2]);
    bn.runningVar!.data.set([4, 0.25]);
    bn.gamma!.value.data.set([3, 1]);
    bn.beta!.value.data.set([0.5, 0]);
    const x = randomTensor([2, 2, 3, 3], 4);
    const y = bn.forward(x);
    const want = Array.from(x.data, (v, i) => {
      const c = Math.floor(i / 9) % 2;
      return c === 0 ? (3 * (v - 1)) / Math.sqrt(4 + 1e-5) + 0.5 : (v + 2) / Math.sqrt(0.25 + 1e-5);
    });
    expectClose(y.data, want, 1e-6, 'bn eval');
    expect(Array.from(bn.runningMean!.data)).toEqual([1, -2]);
  });

  it('running statistics converge to the data statistics after many steps', () => {
    const bn = new nn.BatchNorm2D({ channels: 3, momentum: 0.5 });
    const x = shifted([4, 3, 4, 4], 8);
    for (let i = 0; i < 60; i++) bn.forward(x, { training: true });
    const { mean, variance, count } = moments(x);
    expectClose(bn.runningMean!.data, mean, 1e-5, 'mean');
    expectClose(bn.runningVar!.data, variance.map((v) => (v * count) / (count - 1)), 1e-5, 'var');
  });

  for (const training of [true, false]) {
    it(`x=[2,3,3,5] gradients (${training ? 'training' : 'inference'})`, () => {
      const bn = new nn.BatchNorm2D({ channels: 3 });
      bn.gamma!.value.data.set([1.5, -0.5, 0.8]);
      bn.beta!.value.data.set([0.1, 0.2, 0.3]);
      bn.runningMean!.data.set([0.2, -0.1, 0.3]);
      bn.runningVar!.data.set([0.5, 1.5, 2]);
      checkLayer(`bn2d ${training}`, bn, shifted([2, 3, 3, 5], 3), { training, h: 1e-2 });
    });
  }

  it('is built from the input shape in a model and counts 2·C parameters', () => {
    const bn = new nn.BatchNorm2D();
    expect(bn.params()).toEqual([]);
    bn.build([6, 8, 8]);
    expect(bn.countParams()).toBe(12);
    expect(bn.buffers().map((b) => b.name)).toEqual(['runningMean', 'runningVar']);
    expect(() => bn.build([5, 8, 8])).toThrow(/expects 6 channels, got 5/);
  });

  it('rejects wrong ranks and bad options', () => {
    expect(() => new nn.BatchNorm2D({ channels: 2 }).forward(st.zeros([2, 2]))).toThrow(/\[N, C, H, W\]/);
    expect(() => new nn.BatchNorm2D({ channels: 2.5 })).toThrow(RangeError);
    expect(() => new nn.BatchNorm2D({ momentum: 2 })).toThrow(/momentum/);
    expect(() => new nn.BatchNorm2D({ channels: 1 }).forward(st.zeros([1, 1, 1, 1]), { training: true })).toThrow(/more than 1 value/);
  });
});

describe('BatchNorm1D', () => {
  for (const shape of [[5, 4], [3, 2, 7]])
    for (const training of [true, false])
      it(`x=[${shape}] gradients (${training ? 'training' : 'inference'})`, () => {
        const bn = new nn.BatchNorm1D({ channels: shape[1] });
        bn.gamma!.value.data.fill(1.3);
        checkLayer(`bn1d ${shape} ${training}`, bn, shifted(shape, 5), { training });
      });
});

describe('LocalResponseNorm', () => {
  const x = st.tensor([[[[0.5, -1.0], [2.0, 0.3]], [[1.5, 0.2], [-0.7, 1.1]], [[-2.0, 0.9], [0.4, -0.3]], [[0.8, 1.7], [-1.2, 0.6]]]]);

  // Values from torch.nn.functional.local_response_norm (float64) on x above.
  it('matches PyTorch (size 3, odd window)', () => {
    const y = new nn.LocalResponseNorm({ size: 3, alpha: 0.5, beta: 0.75, k: 1 }).forward(x);
    const torch = [0.385051879717, -0.887021085098, 1.315412054104, 0.258965879972, 0.865012109089, 0.163489998894, -0.455196875079,
      0.940855209968, -1.127077410327, 0.625801687015, 0.319677476221, -0.249783136839, 0.52059165698, 1.185723858148, -1.005042644798,
      0.568322568055];
    expectClose(y.data, torch, 1e-6, 'lrn size 3');
  });

  it('matches PyTorch (size 4, even window)', () => {
    const y = new nn.LocalResponseNorm({ size: 4, alpha: 2, beta: 0.6, k: 2 }).forward(x);
    const torch = [0.246513091256, -0.574327584405, 0.840046601004, 0.167175923263, 0.554620192215, 0.105039942033, -0.290741062312,
      0.606816559006, -0.713701942124, 0.371495576837, 0.151475811907, -0.159198343803, 0.28939515538, 0.754783403885, -0.615217765318,
      0.321424804976];
    expectClose(y.data, torch, 1e-6, 'lrn size 4');
  });

  for (const [size, shape] of [[5, [2, 7, 3, 3]], [2, [1, 4, 2, 5]], [3, [2, 5, 6]]] as [number, number[]][])
    it(`x=[${shape}] size=${size} gradients`, () => {
      const layer = new nn.LocalResponseNorm({ size, alpha: 0.8, beta: 0.75, k: 1.5 });
      checkLayer(`lrn ${shape}`, layer, randomTensor(shape, size));
    });

  it('rejects bad options', () => {
    expect(() => new nn.LocalResponseNorm({ size: 0 })).toThrow(/size/);
    expect(() => new nn.LocalResponseNorm({ k: 0 })).toThrow(/k/);
    expect(() => new nn.LocalResponseNorm().forward(st.zeros([2, 3]))).toThrow(/\[N, C, H, W\]/);
  });
});
