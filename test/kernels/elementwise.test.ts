// The elementwise kernels (ReLU, leaky ReLU, bias and its gradient, softmax
// cross-entropy, SGD and Adam updates, dropout's multiply, sigmoid, tanh, ELU, softmax,
// batch norm, local response norm) through the addon against float64 oracles written
// here, on the ISA this project forces (STRIATE_ISA), at 1 and 2 threads, on lengths
// around the 8- and 16-float registers and past the threading grain (1000003); each
// backward against central differences in float64.
//
// ReLU, leaky ReLU, the bias add and multiply are one float operation per element:
// exact. Bias sums of M values in [-1, 1]: |error| / (|want| + sqrt(M)) <= 1e-6.
// Optimizer steps do a handful of float32 operations per element: 1e-6 relative.
// Sigmoid, tanh, ELU: 4e-7 relative (a vector exp/tanh in float32). Softmax: 1e-5
// relative (a float sum over the axis). Batch norm: statistics 1e-6 relative, outputs
// 2e-6 against |want| + 1. Local response norm: 1e-6 (forward), 2e-6 (backward).
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import * as ew from '../../src/ops/elementwise.js';
import { native } from '../../src/native.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

const LENGTHS = [1, 7, 15, 16, 17, 31, 33, 1009, 1000003];

/** Uniform [-1, 1) with exact zeros every 11th element: relu's x > 0 test sees both sides and the tie. */
function activations(n: number, seed: number): Float32Array {
  const x = randomTensor([n], seed).data;
  for (let i = 0; i < n; i += 11) x[i] = 0;
  return x;
}

/** Values at least 0.05 from 0, so a ±1e-3 step never crosses relu's kink. */
function awayFromZero(n: number, seed: number): Float32Array {
  const x = randomTensor([n], seed).data;
  for (let i = 0; i < n; i++) x[i] = x[i] >= 0 ? 0.05 + x[i] : x[i] - 0.05;
  return x;
}

// The kernels take alpha as a float32; a product of two float32s is exact in float64,
// so rounding it once gives the float32 product.
const reluOracle = (x: Float32Array, alpha: number) => Float64Array.from(x, (v) => (v > 0 ? v : Math.fround(alpha) * v));
const reluGradOracle = (x: Float32Array, dy: Float32Array, alpha: number) =>
  Float64Array.from(x, (v, i) => (v > 0 ? dy[i] : Math.fround(alpha) * dy[i]));

function biasAddOracle(y: Float32Array, b: Float32Array, outer: number, channels: number, inner: number): Float64Array {
  const out = Float64Array.from(y);
  for (let o = 0; o < outer; o++) for (let c = 0; c < channels; c++) for (let i = 0; i < inner; i++) out[(o * channels + c) * inner + i] += b[c];
  return out;
}

function biasGradOracle(dy: Float32Array, db: Float32Array, outer: number, channels: number, inner: number): Float64Array {
  const out = Float64Array.from(db);
  for (let o = 0; o < outer; o++) for (let c = 0; c < channels; c++) for (let i = 0; i < inner; i++) out[c] += dy[(o * channels + c) * inner + i];
  return out;
}

/** Mean softmax cross-entropy and its gradient in float64; targets: labels or rows. */
function xentOracle(z: ArrayLike<number>, n: number, k: number, target: (r: number, j: number) => number, eps: number) {
  const grad = new Float64Array(n * k);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, z[r * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[r * k + j] - max);
    const logSum = max + Math.log(sum);
    for (let j = 0; j < k; j++) {
      const q = (1 - eps) * target(r, j) + eps / k;
      const logP = z[r * k + j] - logSum;
      loss -= q * logP;
      grad[r * k + j] = (Math.exp(logP) - q) / n;
    }
  }
  return { loss: loss / n, grad };
}

/** Mostly [-10, 10], every 13th value from a ladder out to ±120 (exp's clamps, tanh's branches, subnormal sigmoids). */
function wide(n: number, seed: number): Float32Array {
  const x = randomTensor([n], seed).data.map((v) => 10 * v);
  const ladder = [-120, -103, -100, -88, -87.2, -20, -0.624, -1e-4, 0, 3e-5, 0.626, 9.5, 45, 88, 120];
  for (let i = 3, k = 0; i < n; i += 13, k++) x[i] = ladder[k % ladder.length];
  return x;
}

// float64 oracles of the transcendental activations and their derivatives in terms of y.
const transcendental = {
  sigmoid: {
    f: (v: number) => 1 / (1 + Math.exp(-v)),
    forward: (x: Float32Array, y: Float32Array) => ew.sigmoid(x, y),
    backward: (_x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array) => ew.sigmoidGrad(y, dy, dx),
    grad: (_v: number, y: number, g: number) => g * y * (1 - y),
  },
  tanh: {
    f: Math.tanh,
    forward: (x: Float32Array, y: Float32Array) => ew.tanh(x, y),
    backward: (_x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array) => ew.tanhGrad(y, dy, dx),
    grad: (_v: number, y: number, g: number) => g * (1 - y * y),
  },
  elu: {
    f: (v: number) => (v > 0 ? v : 0.7 * Math.expm1(v)),
    forward: (x: Float32Array, y: Float32Array) => ew.elu(x, y, 0.7),
    backward: (x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array) => ew.eluGrad(x, y, dy, dx, 0.7),
    grad: (v: number, y: number, g: number) => (v > 0 ? g : g * (y + Math.fround(0.7))),
  },
};

/** float64 softmax along the middle axis of [outer, dim, inner]. */
function softmaxOracle(x: ArrayLike<number>, outer: number, dim: number, inner: number): Float64Array {
  const y = new Float64Array(outer * dim * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (d: number) => (o * dim + d) * inner + i;
      let max = -Infinity;
      for (let d = 0; d < dim; d++) max = Math.max(max, x[at(d)]);
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += Math.exp(x[at(d)] - max);
      for (let d = 0; d < dim; d++) y[at(d)] = Math.exp(x[at(d)] - max) / sum;
    }
  return y;
}

/** float64 batch norm on the batch's statistics (or on given ones): y and the per-channel mean and biased variance. */
function batchNormOracle(
  x: ArrayLike<number>, outer: number, channels: number, inner: number, gamma: ArrayLike<number>, beta: ArrayLike<number>,
  eps: number, fixed?: { mean: ArrayLike<number>; invStd: ArrayLike<number> },
) {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const y = new Float64Array(outer * channels * inner);
  const count = outer * inner;
  for (let c = 0; c < channels; c++) {
    const at = (o: number, i: number) => (o * channels + c) * inner + i;
    let sum = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) sum += x[at(o, i)];
    mean[c] = sum / count;
    let sq = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) sq += (x[at(o, i)] - mean[c]) ** 2;
    variance[c] = sq / count;
    const m = fixed ? fixed.mean[c] : mean[c];
    const s = fixed ? fixed.invStd[c] : 1 / Math.sqrt(variance[c] + eps);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) y[at(o, i)] = gamma[c] * (x[at(o, i)] - m) * s + beta[c];
  }
  return { y, mean, variance };
}

/** x for batch norm: channel c centred near 3c with spread 2, so a channel's mean is large against its spread. */
function channelData(outer: number, channels: number, inner: number, seed: number): Float32Array {
  const x = randomTensor([outer * channels * inner], seed).data;
  for (let p = 0; p < x.length; p++) x[p] = 2 * x[p] + 3 * (Math.floor(p / inner) % channels);
  return x;
}

/** Central differences of a float64 function of v at every index in `at`. */
function centralDifferences(v: Float64Array, loss: (v: Float64Array) => number, at: number[], h: number): number[] {
  return at.map((i) => {
    const keep = v[i];
    v[i] = keep + h;
    const up = loss(v);
    v[i] = keep - h;
    const down = loss(v);
    v[i] = keep;
    return (up - down) / (2 * h);
  });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** float64 local response norm (PyTorch's window), y only. */
function lrnOracle(x: ArrayLike<number>, outer: number, channels: number, inner: number, size: number, alpha: number, beta: number, k: number) {
  const y = new Float64Array(outer * channels * inner);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < inner; i++) {
        let sum = 0;
        for (let j = Math.max(0, c - before); j <= Math.min(channels - 1, c + after); j++) sum += x[(o * channels + j) * inner + i] ** 2;
        const p = (o * channels + c) * inner + i;
        y[p] = x[p] * (k + (alpha / size) * sum) ** -beta;
      }
  return y;
}

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe(`elementwise kernels on ${st.backendInfo().isa}`, () => {
  it('runs the ISA this project forces', () => {
    expect(st.backendInfo().isa).toBe(process.env.STRIATE_ISA);
  });

  for (const threads of [1, 2]) {
    it(`threads=${threads}: relu and leaky relu, forward and backward, exact on n=${LENGTHS}`, () => {
      st.setNumThreads(threads);
      for (const n of LENGTHS) {
        const x = activations(n, n);
        const dy = randomTensor([n], n + 1).data;
        for (const alpha of [0, 0.1]) {
          const y = new Float32Array(n);
          const dx = new Float32Array(n);
          if (alpha === 0) {
            ew.relu(x, y);
            ew.reluGrad(x, dy, dx);
          } else {
            ew.leakyRelu(x, y, alpha);
            ew.leakyReluGrad(x, dy, dx, alpha);
          }
          expectClose(y, Float32Array.from(reluOracle(x, alpha)), 0, `relu alpha=${alpha} n=${n}`);
          expectClose(dx, Float32Array.from(reluGradOracle(x, dy, alpha)), 0, `relu grad alpha=${alpha} n=${n}`);
        }
        // In place, dx = dy, as a layer may run it on a gradient it owns.
        const inPlace = dy.slice();
        ew.reluGrad(x, inPlace, inPlace);
        expectClose(inPlace, Float32Array.from(reluGradOracle(x, dy, 0)), 0, `relu grad in place n=${n}`);
      }
    });

    it(`threads=${threads}: bias add and bias gradient over [outer, channels, inner]`, () => {
      st.setNumThreads(threads);
      const shapes = [[1, 1, 1], [7, 13, 1], [64, 120, 1], [3, 17, 1], [1, 5, 7], [64, 6, 784], [2, 3, 15], [5, 16, 17], [4, 4, 65537], [1000003, 1, 1]];
      let seed = 100;
      for (const [outer, channels, inner] of shapes) {
        const name = `[${outer}, ${channels}, ${inner}]`;
        const y = randomTensor([outer * channels * inner], seed++).data;
        const b = randomTensor([channels], seed++).data;
        const want = biasAddOracle(y, b, outer, channels, inner);
        ew.addBias(y, b, outer, channels, inner);
        expectClose(y, Float32Array.from(want), 0, `bias add ${name}`);
        const db = randomTensor([channels], seed++).data;
        const wantDb = biasGradOracle(y, db, outer, channels, inner);
        const again = db.slice();
        ew.biasGrad(y, db, outer, channels, inner);
        expectClose(db, wantDb, 1e-6, `bias grad ${name}`, Math.sqrt(outer * inner));
        ew.biasGrad(y, again, outer, channels, inner);
        expect(Array.from(again), `bias grad ${name} repeats bit for bit`).toEqual(Array.from(db));
      }
    });
  }

  it('relu and leaky relu backward match central differences of their forward', () => {
    for (const alpha of [0, 0.2]) {
      const x = awayFromZero(37, 5);
      const dy = randomTensor([37], 6).data;
      const dx = new Float32Array(37);
      if (alpha === 0) ew.reluGrad(x, dy, dx);
      else ew.leakyReluGrad(x, dy, dx, alpha);
      const h = 1e-3;
      const loss = (v: Float32Array) => {
        const y = new Float32Array(v.length);
        if (alpha === 0) ew.relu(v, y);
        else ew.leakyRelu(v, y, alpha);
        return y.reduce((s, yi, i) => s + yi * dy[i], 0);
      };
      const numeric = Float64Array.from(x, (v, i) => {
        const up = x.slice();
        const down = x.slice();
        up[i] = v + h;
        down[i] = v - h;
        return (loss(up) - loss(down)) / (up[i] - down[i]);
      });
      expectClose(dx, numeric, 1e-4, `relu alpha=${alpha} finite differences`);
    }
  });

  it('bias gradient matches central differences of Σ dy·(y + b)', () => {
    const [outer, channels, inner] = [3, 5, 7];
    const dy = randomTensor([outer * channels * inner], 8).data;
    const db = new Float32Array(channels);
    ew.biasGrad(dy, db, outer, channels, inner);
    const b = Float64Array.from(randomTensor([channels], 9).data);
    const loss = (bias: Float64Array) => {
      let s = 0;
      for (let o = 0; o < outer; o++) for (let c = 0; c < channels; c++) for (let i = 0; i < inner; i++) s += dy[(o * channels + c) * inner + i] * bias[c];
      return s;
    };
    const numeric = Float64Array.from(b, (v, c) => {
      const up = b.slice();
      const down = b.slice();
      up[c] = v + 1e-3;
      down[c] = v - 1e-3;
      return (loss(up) - loss(down)) / 2e-3;
    });
    expectClose(db, numeric, 1e-6, 'bias grad finite differences');
  });

  for (const [n, k] of [[1, 1], [1, 10], [7, 17], [64, 10], [3, 1000]]) {
    for (const eps of [0, 0.1]) {
      it(`softmax cross-entropy n=${n} k=${k} eps=${eps}: loss, gradient and central differences, labels and soft targets`, () => {
        const logits = randomTensor([n * k], n * 31 + k).data.map((v) => 8 * v);
        const rng = new st.Rng(n + k);
        const labels = Int32Array.from({ length: n }, () => rng.int(k));
        const rows = new Float32Array(n * k).map(() => rng.uniform());
        for (let r = 0; r < n; r++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += rows[r * k + j];
          for (let j = 0; j < k; j++) rows[r * k + j] /= s;
        }
        for (const soft of [false, true]) {
          const target = soft ? (r: number, j: number) => rows[r * k + j] : (r: number, j: number) => (labels[r] === j ? 1 : 0);
          const want = xentOracle(logits, n, k, target, eps);
          const d = new Float32Array(n * k);
          const loss = ew.softmaxCrossEntropy(logits, n, k, soft ? null : labels, soft ? rows : null, eps, d);
          const name = `n=${n} k=${k} eps=${eps} ${soft ? 'soft' : 'labels'}`;
          expect(Math.abs(loss - want.loss), `${name} loss ${loss} vs ${want.loss}`).toBeLessThanOrEqual(1e-5 * (Math.abs(want.loss) + 1));
          expectClose(d, want.grad, 1e-5, `${name} dlogits`, 1 / n);
          // The float64 oracle's loss, differenced: checks the gradient formula itself.
          const z = Float64Array.from(logits);
          for (let i = 0; i < Math.min(z.length, 40); i++) {
            const v = z[i];
            z[i] = v + 1e-4;
            const up = xentOracle(z, n, k, target, eps).loss;
            z[i] = v - 1e-4;
            const down = xentOracle(z, n, k, target, eps).loss;
            z[i] = v;
            const numeric = (up - down) / 2e-4;
            expect(Math.abs(d[i] - numeric), `${name} d/dz[${i}]`).toBeLessThanOrEqual(1e-5 * (Math.abs(numeric) + 1 / n));
          }
        }
      });
    }
  }

  for (const threads of [1, 2]) {
    // One call steps every parameter of the list (lengths LENGTHS, one array each), as the
    // optimizers call it with a whole model.
    it(`threads=${threads}: SGD (plain, momentum, nesterov, weight decay) and Adam/AdamW steps over n=${LENGTHS} in one call, against float64`, () => {
      st.setNumThreads(threads);
      const value0 = LENGTHS.map((n) => randomTensor([n], n + 7).data);
      const grad = LENGTHS.map((n) => randomTensor([n], n + 8).data);
      const buf0 = LENGTHS.map((n) => randomTensor([n], n + 9).data);
      const copy = (list: Float32Array[]) => list.map((a) => a.slice());
      for (const [momentum, nesterov, keep, share, wd] of [[0, false, 0, 1, 0.01], [0.9, false, 0.9, 0.8, 0], [0.9, true, 0, 1, 1e-3]] as const) {
        const value = copy(value0);
        const buf = copy(buf0);
        ew.sgdUpdate(value, grad, momentum === 0 ? null : buf, { lr: 0.05, weightDecay: wd, momentum, keep, share, nesterov });
        LENGTHS.forEach((n, k) => {
          const wantB = Float64Array.from(buf0[k], (b, i) => keep * b + share * (grad[k][i] + wd * value0[k][i]));
          const wantP = Float64Array.from(value0[k], (p, i) => {
            const g = grad[k][i] + wd * p;
            return p - 0.05 * (momentum === 0 ? g : nesterov ? g + momentum * wantB[i] : wantB[i]);
          });
          const name = `sgd momentum=${momentum} nesterov=${nesterov} n=${n}`;
          expectClose(value[k], wantP, 1e-6, name);
          if (momentum !== 0) expectClose(buf[k], wantB, 1e-6, `${name} buffer`);
          else expect(buf[k]).toEqual(buf0[k]);
        });
      }
      for (const [l2, decay] of [[0.01, 1], [0, 0.999]]) {
        const [beta1, beta2, eps, t] = [0.9, 0.999, 1e-8, 3];
        const stepSize = 0.01 / (1 - beta1 ** t);
        const root2 = Math.sqrt(1 - beta2 ** t);
        const value = copy(value0);
        const m = copy(grad);
        const v0 = buf0.map((b) => Float32Array.from(b, (x) => Math.abs(x) * 1e-2));
        const v = copy(v0);
        ew.adamUpdate(value, grad, m, v, { stepSize, beta1, beta2, root2, eps, l2, decay });
        LENGTHS.forEach((n, k) => {
          const want = Float64Array.from(value0[k], (p0, i) => {
            const p = p0 * decay;
            const g = grad[k][i] + l2 * p;
            const mi = beta1 * grad[k][i] + (1 - beta1) * g;
            const vi = beta2 * v0[k][i] + (1 - beta2) * g * g;
            return p - (stepSize * mi) / (Math.sqrt(vi) / root2 + eps);
          });
          expectClose(value[k], want, 1e-6, `adam l2=${l2} decay=${decay} n=${n}`);
        });
      }
    });
  }

  // Sigmoid, tanh and ELU run a float32 vector exp/tanh (native/kernels/elementwise/vector_math.h):
  // within 4e-7 relative of float64 (about 3 float ulps), subnormal results within 1e-30.
  for (const threads of [1, 2]) {
    it(`threads=${threads}: sigmoid, tanh and ELU forward and backward against float64 on n=${LENGTHS}`, () => {
      st.setNumThreads(threads);
      for (const n of LENGTHS) {
        const x = wide(n, n + 2);
        const dy = randomTensor([n], n + 3).data;
        for (const [name, op] of Object.entries(transcendental)) {
          const y = new Float32Array(n);
          const dx = new Float32Array(n);
          op.forward(x, y);
          op.backward(x, y, dy, dx);
          expectClose(y, Float64Array.from(x, op.f), 4e-7, `${name} n=${n}`, 1e-30);
          expectClose(dx, Float64Array.from(x, (v, i) => op.grad(v, y[i], dy[i])), 4e-7, `${name} grad n=${n}`, 1e-30);
        }
        const b = randomTensor([n], n + 4).data;
        const out = new Float32Array(n);
        ew.multiply(x, b, out);
        expectClose(out, Float32Array.from(x, (v, i) => v * b[i]), 0, `multiply n=${n}`);
        ew.add(x, b, out);
        expectClose(out, Float32Array.from(x, (v, i) => v + b[i]), 0, `add n=${n}`);
        const inPlace = Float32Array.from(b);
        ew.add(x, inPlace, inPlace);
        expectClose(inPlace, out, 0, `add into b n=${n}`);
      }
    });
  }

  it('sigmoid, tanh and ELU backward match central differences of their float64 forward', () => {
    const x = wide(61, 12).map((v) => v / 3);
    const dy = randomTensor([61], 13).data;
    for (const [name, op] of Object.entries(transcendental)) {
      const y = new Float32Array(61);
      const dx = new Float32Array(61);
      op.forward(x, y);
      op.backward(x, y, dy, dx);
      const at = Array.from({ length: 61 }, (_, i) => i).filter((i) => Math.abs(x[i]) > 1e-3);
      const numeric = centralDifferences(Float64Array.from(x), (v) => dot(Float64Array.from(v, op.f), dy), at, 1e-6);
      expectClose(at.map((i) => dx[i]), numeric, 1e-5, `${name} finite differences`);
    }
  });

  const softmaxShapes = [[1, 1, 1], [3, 10, 1], [7, 17, 1], [64, 1000, 1], [1, 100003, 1], [2, 3, 16], [2, 5, 17], [2, 21, 33], [4, 2, 131101]];
  for (const threads of [1, 2]) {
    it(`threads=${threads}: softmax forward and backward along the last and inner axes against float64`, () => {
      st.setNumThreads(threads);
      let seed = 300;
      for (const [outer, dim, inner] of softmaxShapes) {
        const name = `softmax [${outer}, ${dim}, ${inner}]`;
        const size = outer * dim * inner;
        const x = randomTensor([size], seed++).data.map((v) => 20 * v);
        const dy = randomTensor([size], seed++).data;
        const y = new Float32Array(size);
        ew.softmax(x, y, outer, dim, inner);
        const want = softmaxOracle(x, outer, dim, inner);
        // A float sum of dim positive terms divides every output: 1e-5 relative.
        expectClose(y, want, 1e-5, name, 1e-30);
        const dx = new Float32Array(size);
        ew.softmaxGrad(y, dy, dx, outer, dim, inner);
        const wantDx = new Float64Array(size);
        for (let o = 0; o < outer; o++)
          for (let i = 0; i < inner; i++) {
            let s = 0;
            for (let d = 0; d < dim; d++) s += dy[(o * dim + d) * inner + i] * y[(o * dim + d) * inner + i];
            for (let d = 0; d < dim; d++) {
              const p = (o * dim + d) * inner + i;
              wantDx[p] = y[p] * (dy[p] - s);
            }
          }
        // dy − Σ dy·y may cancel; the float dot (|dot| <= 1) is good to about 2e-6 absolute.
        expectClose(dx, wantDx, 2e-5, `${name} grad`, 0.1);
      }
    });
  }

  it('softmax backward matches central differences of the float64 softmax', () => {
    for (const [outer, dim, inner] of [[2, 7, 1], [1, 5, 3]]) {
      const size = outer * dim * inner;
      const x = randomTensor([size], dim).data.map((v) => 3 * v);
      const dy = randomTensor([size], dim + 1).data;
      const y = new Float32Array(size);
      const dx = new Float32Array(size);
      ew.softmax(x, y, outer, dim, inner);
      ew.softmaxGrad(y, dy, dx, outer, dim, inner);
      const at = Array.from({ length: size }, (_, i) => i);
      const numeric = centralDifferences(Float64Array.from(x), (v) => dot(softmaxOracle(v, outer, dim, inner), dy), at, 1e-6);
      expectClose(dx, numeric, 1e-5, `softmax [${outer}, ${dim}, ${inner}] finite differences`, 0.1);
    }
  });

  // [N, F] (inner 1), one channel, odd and prime planes, 17 channels, one 1000003-float channel.
  const bnShapes = [[2, 1, 1], [7, 3, 1], [64, 120, 1], [1, 1, 7], [3, 7, 16], [2, 16, 17], [4, 17, 15], [9, 37, 5], [1, 1, 1000003], [8, 3, 65537]];
  for (const threads of [1, 2]) {
    it(`threads=${threads}: batch norm training and inference, forward and backward, against float64`, () => {
      st.setNumThreads(threads);
      let seed = 500;
      for (const [outer, channels, inner] of bnShapes) {
        const name = `batch norm [${outer}, ${channels}, ${inner}]`;
        const size = outer * channels * inner;
        const count = outer * inner;
        const x = channelData(outer, channels, inner, seed++);
        const dy = randomTensor([size], seed++).data;
        const gamma = randomTensor([channels], seed++).data;
        const beta = randomTensor([channels], seed++).data;
        const want = batchNormOracle(x, outer, channels, inner, gamma, beta, 1e-5);
        const y = new Float32Array(size);
        const mean = new Float64Array(channels);
        const variance = new Float64Array(channels);
        ew.batchNormTraining(x, y, outer, channels, inner, 1e-5, gamma, beta, mean, variance);
        expectClose(mean, want.mean, 1e-6, `${name} mean`);
        expectClose(variance, want.variance, 1e-6, `${name} variance`);
        expectClose(y, want.y, 2e-6, `${name} training y`);
        // One thread per channel and fixed-order sums: the same bits on every run and thread count.
        const again = new Float32Array(size);
        const mean2 = new Float64Array(channels);
        st.setNumThreads(3 - threads);
        ew.batchNormTraining(x, again, outer, channels, inner, 1e-5, gamma, beta, mean2, new Float64Array(channels));
        st.setNumThreads(threads);
        expect(Buffer.from(again.buffer).equals(Buffer.from(y.buffer)), `${name} same bits on ${3 - threads} threads`).toBe(true);
        expect(Array.from(mean2)).toEqual(Array.from(mean));
        // With the ReLU after it fused in: the bits of the two kernels one after the other.
        const fused = new Float32Array(size);
        ew.batchNormTraining(x, fused, outer, channels, inner, 1e-5, gamma, beta, mean2, new Float64Array(channels), true);
        const split = new Float32Array(size);
        ew.relu(y, split);
        expect(Buffer.from(fused.buffer).equals(Buffer.from(split.buffer)), `${name} training y + relu = relu(training y)`).toBe(true);

        const invStd = want.variance.map((v) => 1 / Math.sqrt(v + 1e-5));
        ew.batchNorm(x, y, outer, channels, inner, want.mean, invStd, gamma, beta);
        const inference = batchNormOracle(x, outer, channels, inner, gamma, beta, 0, { mean: want.mean, invStd }).y;
        expectClose(y, inference, 2e-6, `${name} inference y`);
        ew.batchNorm(x, y, outer, channels, inner, want.mean, invStd, gamma, beta, true);
        expectClose(y, inference.map((v) => Math.max(0, v)), 2e-6, `${name} inference y + relu`);

        for (const batchStatistics of [true, false]) {
          const dgamma = randomTensor([channels], seed++).data;
          const dbeta = randomTensor([channels], seed++).data;
          const wantDgamma = Float64Array.from(dgamma);
          const wantDbeta = Float64Array.from(dbeta);
          const sumDy = new Float64Array(channels);
          const sumDyXhat = new Float64Array(channels);
          for (let p = 0; p < size; p++) {
            const c = Math.floor(p / inner) % channels;
            sumDy[c] += dy[p];
            sumDyXhat[c] += dy[p] * (x[p] - want.mean[c]) * invStd[c];
          }
          const wantDx = Float64Array.from(x, (v, p) => {
            const c = Math.floor(p / inner) % channels;
            const xhat = (v - want.mean[c]) * invStd[c];
            const centred = batchStatistics ? dy[p] - sumDy[c] / count - (xhat * sumDyXhat[c]) / count : dy[p];
            return gamma[c] * invStd[c] * centred;
          });
          for (let c = 0; c < channels; c++) {
            wantDgamma[c] += sumDyXhat[c];
            wantDbeta[c] += sumDy[c];
          }
          const dx = new Float32Array(size);
          ew.batchNormGrad(x, dy, dx, outer, channels, inner, want.mean, invStd, gamma, dgamma, dbeta, batchStatistics);
          const mode = batchStatistics ? 'batch statistics' : 'running statistics';
          // Sums of M terms of size ~1: the error grows with sqrt(M).
          expectClose(dgamma, wantDgamma, 1e-6, `${name} ${mode} dgamma`, Math.sqrt(count));
          expectClose(dbeta, wantDbeta, 1e-6, `${name} ${mode} dbeta`, Math.sqrt(count));
          expectClose(dx, wantDx, 2e-6, `${name} ${mode} dx`);

          // The ReLU's backward fused in (reluY = the fused forward's output): the bits of
          // reluGrad, then batchNormGrad on its result, and a masked dy in the float64 formula.
          const reluY = Float32Array.from(dy, (_, p) => (p % 3 === 0 ? 0 : Math.abs(x[p])));
          const masked = new Float32Array(size);
          ew.reluGrad(reluY, dy, masked);
          const fusedDx = new Float32Array(size), splitDx = new Float32Array(size);
          const [fusedDg, splitDg, fusedDb, splitDb] = [dgamma, dgamma, dbeta, dbeta].map((a) => Float32Array.from(a));
          ew.batchNormGrad(x, dy, fusedDx, outer, channels, inner, want.mean, invStd, gamma, fusedDg, fusedDb, batchStatistics, reluY);
          ew.batchNormGrad(x, masked, splitDx, outer, channels, inner, want.mean, invStd, gamma, splitDg, splitDb, batchStatistics);
          for (const [a, b, what] of [[fusedDx, splitDx, 'dx'], [fusedDg, splitDg, 'dgamma'], [fusedDb, splitDb, 'dbeta']] as const)
            expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), `${name} ${mode} + relu ${what} = reluGrad, batchNormGrad`).toBe(true);
          expect(masked.some((v, p) => v !== dy[p]) && masked.some((v) => v !== 0), `${name}: the mask keeps some dy and drops some`).toBe(true);
        }
      }
    });
  }

  it('batch norm backward matches central differences of the float64 batch norm, training and inference', () => {
    const [outer, channels, inner] = [2, 3, 5];
    const size = outer * channels * inner;
    const x = channelData(outer, channels, inner, 41);
    const dy = randomTensor([size], 42).data;
    const gamma = Float32Array.of(1.5, -0.5, 0.8);
    const beta = Float32Array.of(0.1, 0.2, 0.3);
    const mean = new Float64Array(channels);
    const variance = new Float64Array(channels);
    ew.batchNormTraining(x, new Float32Array(size), outer, channels, inner, 1e-5, gamma, beta, mean, variance);
    for (const batchStatistics of [true, false]) {
      // Inference uses fixed statistics (here those of this batch, held constant).
      const fixedMean = Float64Array.from(mean);
      const invStd = variance.map((v) => 1 / Math.sqrt(v + 1e-5));
      const fixed = batchStatistics ? undefined : { mean: fixedMean, invStd };
      const dx = new Float32Array(size);
      const dgamma = new Float32Array(channels);
      const dbeta = new Float32Array(channels);
      ew.batchNormGrad(x, dy, dx, outer, channels, inner, mean, invStd, gamma, dgamma, dbeta, batchStatistics);
      const lossOf = (xs: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>) =>
        dot(batchNormOracle(xs, outer, channels, inner, g, b, 1e-5, fixed).y, dy);
      const mode = batchStatistics ? 'training' : 'inference';
      const all = (n: number) => Array.from({ length: n }, (_, i) => i);
      const x64 = Float64Array.from(x);
      expectClose(dx, centralDifferences(x64, (v) => lossOf(v, gamma, beta), all(size), 1e-5), 1e-5, `${mode} dx`);
      const g64 = Float64Array.from(gamma);
      expectClose(dgamma, centralDifferences(g64, (g) => lossOf(x, g, beta), all(channels), 1e-5), 1e-5, `${mode} dgamma`);
      const b64 = Float64Array.from(beta);
      expectClose(dbeta, centralDifferences(b64, (b) => lossOf(x, gamma, b), all(channels), 1e-5), 1e-5, `${mode} dbeta`);
    }
  });

  // Local response norm: s^(−beta) as e^(−beta·log s) in float32: 1e-6 relative.
  for (const threads of [1, 2]) {
    it(`threads=${threads}: local response norm forward and backward against float64`, () => {
      st.setNumThreads(threads);
      let seed = 700;
      for (const [outer, channels, inner, size] of [[1, 1, 1, 1], [2, 7, 3, 5], [1, 4, 2, 2], [3, 16, 17, 5], [1, 3, 15, 9], [1, 96, 3025, 5], [1, 3, 65537, 4]]) {
        const name = `lrn [${outer}, ${channels}, ${inner}] size=${size}`;
        const n = outer * channels * inner;
        const x = randomTensor([n], seed++).data.map((v) => 2 * v);
        const dy = randomTensor([n], seed++).data;
        const [alpha, beta, k] = [0.8, 0.75, 1.5];
        const y = new Float32Array(n);
        const scale = new Float32Array(n);
        ew.localResponseNorm(x, y, scale, outer, channels, inner, size, alpha, beta, k);
        expectClose(y, lrnOracle(x, outer, channels, inner, size, alpha, beta, k), 1e-6, name);
        const dx = new Float32Array(n);
        ew.localResponseNormGrad(x, scale, dy, dx, outer, channels, inner, size, alpha, beta);
        const before = Math.floor(size / 2);
        const after = Math.floor((size - 1) / 2);
        const want = Float64Array.from(x, (v, p) => {
          const o = Math.floor(p / (channels * inner));
          const ch = Math.floor(p / inner) % channels;
          const i = p % inner;
          let sum = 0;
          for (let c = Math.max(0, ch - after); c <= Math.min(channels - 1, ch + before); c++) {
            const q = (o * channels + c) * inner + i;
            sum += dy[q] * x[q] * scale[q] ** (-beta - 1);
          }
          return dy[p] * scale[p] ** -beta - ((2 * alpha * beta) / size) * v * sum;
        });
        expectClose(dx, want, 2e-6, `${name} grad`);
      }
    });
  }

  it('local response norm backward matches central differences of the float64 forward', () => {
    for (const [outer, channels, inner, size] of [[2, 5, 3, 3], [1, 4, 2, 4]]) {
      const n = outer * channels * inner;
      const x = randomTensor([n], size).data.map((v) => 2 * v);
      const dy = randomTensor([n], size + 1).data;
      const scale = new Float32Array(n);
      const dx = new Float32Array(n);
      ew.localResponseNorm(x, new Float32Array(n), scale, outer, channels, inner, size, 0.8, 0.75, 1.5);
      ew.localResponseNormGrad(x, scale, dy, dx, outer, channels, inner, size, 0.8, 0.75);
      const at = Array.from({ length: n }, (_, i) => i);
      const numeric = centralDifferences(Float64Array.from(x), (v) => dot(lrnOracle(v, outer, channels, inner, size, 0.8, 0.75, 1.5), dy), at, 1e-6);
      expectClose(dx, numeric, 1e-5, `lrn [${outer}, ${channels}, ${inner}] size=${size} finite differences`);
    }
  });

  it('the binding rejects wrong lengths, types and labels with a RangeError or TypeError', () => {
    const x = new Float32Array(8);
    expect(() => native.reluForward(x, new Float32Array(7))).toThrow(RangeError);
    expect(() => native.reluForward(x, new Float32Array(7))).toThrow(/reluForward: y has 7 elements, expected 8/);
    expect(() => native.reluGrad(x, new Float64Array(8) as unknown as Float32Array, x)).toThrow(/reluGrad: dy must be a Float32Array/);
    expect(() => native.biasAdd(x, new Float32Array(3), 2, 2, 2)).toThrow(/biasAdd: b has 3 elements, expected 2/);
    expect(() => native.biasGrad(x, new Float32Array(2), 2, 2, 3)).toThrow(/biasGrad: dy has 8 elements, expected 12/);
    expect(() => native.biasGrad(x, new Float32Array(2), -1, 2, 3)).toThrow(RangeError);
    expect(() => native.softmaxCrossEntropy(x, 2, 4, Int32Array.of(0, 4), null, 0, new Float32Array(8))).toThrow(
      /labels\[1\] must be a class index in \[0, 4\), got 4/,
    );
    expect(() => native.softmaxCrossEntropy(x, 2, 4, null, null, 0, new Float32Array(8))).toThrow(/exactly one of labels and targets/);
    expect(() => native.sgdUpdate([x], [x], null, 0.1, 0, 0.9, 0.9, 1, false)).toThrow(/momenta are required/);
    expect(() => native.sgdUpdate(x as unknown as Float32Array[], [x], null, 0.1, 0, 0, 0, 1, false)).toThrow(
      /sgdUpdate: values must be an array of Float32Arrays/,
    );
    expect(() => native.sgdUpdate([x, x], [x], null, 0.1, 0, 0, 0, 1, false)).toThrow(/sgdUpdate: grads has 1 arrays, values has 2/);
    expect(() => native.sgdUpdate([x], [x], [new Float64Array(8) as unknown as Float32Array], 0.1, 0, 0.9, 0, 1, false)).toThrow(
      /sgdUpdate: momenta\[0\] must be a Float32Array/,
    );
    const w = new Float32Array(8).fill(1);
    expect(() => native.adamUpdate([w, w], [w, w], [x, x], [x, new Float32Array(9)], 1, 0.9, 0.999, 1, 1e-8, 0, 1)).toThrow(
      /adamUpdate: vs\[1\] has 9 elements, expected 8/,
    );
    expect(w).toEqual(new Float32Array(8).fill(1)); // every list is checked before a parameter is written
    expect(() => native.multiply(x, x, new Float32Array(9))).toThrow(/multiply: out has 9 elements, expected 8/);
    expect(() => native.add(x, new Float32Array(7), x)).toThrow(/add: b has 7 elements, expected 8/);
    expect(() => native.sigmoid(x, new Float32Array(7))).toThrow(/sigmoid: y has 7 elements, expected 8/);
    expect(() => native.tanhGrad(x, [1, 2] as unknown as Float32Array, x)).toThrow(/tanhGrad: dy must be a Float32Array/);
    expect(() => native.eluGrad(x, x, x, x, 'a' as unknown as number)).toThrow(/eluGrad: alpha must be a number/);
    expect(() => native.softmax(x, x, 2, 3, 2)).toThrow(/softmax: x has 8 elements, expected 12/);
    expect(() => native.softmaxGrad(x, x, x, 2, 2, 2.5)).toThrow(/softmaxGrad: inner must be an integer/);
    const stats = new Float64Array(2);
    expect(() => native.batchNorm(x, x, 2, 2, 2, stats, new Float32Array(2) as unknown as Float64Array, x.subarray(0, 2), x.subarray(0, 2), false)).toThrow(
      /batchNorm: invStd must be a Float64Array/,
    );
    expect(() => native.batchNorm(x, x, 2, 2, 2, stats, stats, x.subarray(0, 2), x.subarray(0, 2), 1 as unknown as boolean)).toThrow(
      /batchNorm: relu must be a boolean/,
    );
    expect(() => native.batchNormTrain(x, x, 2, 2, 2, 0, x.subarray(0, 2), x.subarray(0, 2), stats, stats, false)).toThrow(/eps must be a finite number > 0/);
    expect(() => native.batchNormTrain(x, x, 2, 2, 2, 1e-5, x.subarray(0, 2), x.subarray(0, 2), stats, stats, 'yes' as unknown as boolean)).toThrow(
      /batchNormTrain: relu must be a boolean/,
    );
    expect(() => native.batchNormGrad(x, x, x, 2, 2, 2, stats, stats, x.subarray(0, 2), x.subarray(0, 2), x.subarray(0, 2), true, x.subarray(0, 7))).toThrow(
      /batchNormGrad: reluY has 7 elements, expected 8/,
    );
    expect(() => native.batchNormGrad(x, x, x, 2, 2, 2, stats, stats, x.subarray(0, 2), x.subarray(0, 2), x.subarray(0, 2), true, undefined as unknown as null)).toThrow(
      /batchNormGrad: reluY must be a Float32Array/,
    );
    expect(() => native.batchNormTrain(x, x, 2, 2, 2, 1e-5, x.subarray(0, 2), x.subarray(0, 2), stats, new Float64Array(3), false)).toThrow(
      /batchNormTrain: variance has 3 elements, expected 2/,
    );
    expect(() => native.batchNormGrad(x, x, x, 2, 2, 2, stats, stats, x.subarray(0, 2), x.subarray(0, 2), x.subarray(0, 2), 1 as unknown as boolean, null)).toThrow(
      /batchNormGrad: batchStatistics must be a boolean/,
    );
    expect(() => native.localResponseNorm(x, x, x, 2, 2, 2, 0, 1, 0.75, 1)).toThrow(/localResponseNorm: size must be an integer >= 1/);
    expect(() => native.localResponseNorm(x, x, x, 2, 2, 2, 3, 1, 0.75, 0)).toThrow(/k finite and > 0/);
    expect(() => native.localResponseNormGrad(x, x, x, new Float32Array(4), x, 2, 2, 2, 3, 1, 0.75)).toThrow(/work has 4 elements/);
  });
});
