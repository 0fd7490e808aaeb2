// The elementwise kernels (ReLU, leaky ReLU, bias and its gradient, softmax
// cross-entropy, SGD and Adam updates) through the addon against float64 oracles written
// here, on the ISA this project forces (STRIATE_ISA), at 1 and 2 threads, on lengths
// around the 8- and 16-float registers and past the threading grain (1000003); each
// backward against central differences in float64.
//
// ReLU, leaky ReLU and the bias add are one float operation per element: exact. Bias
// sums of M values in [-1, 1]: |error| / (|want| + sqrt(M)) <= 1e-6. Optimizer steps do
// a handful of float32 operations per element: 1e-6 relative.
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
    it(`threads=${threads}: SGD (plain, momentum, nesterov, weight decay) and Adam/AdamW steps against float64`, () => {
      st.setNumThreads(threads);
      for (const n of LENGTHS) {
        const value0 = randomTensor([n], n + 7).data;
        const grad = randomTensor([n], n + 8).data;
        const buf0 = randomTensor([n], n + 9).data;
        for (const [momentum, nesterov, keep, share, wd] of [[0, false, 0, 1, 0.01], [0.9, false, 0.9, 0.8, 0], [0.9, true, 0, 1, 1e-3]] as const) {
          const value = value0.slice();
          const buf = buf0.slice();
          const wantB = Float64Array.from(buf0, (b, i) => keep * b + share * (grad[i] + wd * value0[i]));
          const wantP = Float64Array.from(value0, (p, i) => {
            const g = grad[i] + wd * p;
            return p - 0.05 * (momentum === 0 ? g : nesterov ? g + momentum * wantB[i] : wantB[i]);
          });
          ew.sgdUpdate(value, grad, momentum === 0 ? null : buf, { lr: 0.05, weightDecay: wd, momentum, keep, share, nesterov });
          const name = `sgd momentum=${momentum} nesterov=${nesterov} n=${n}`;
          expectClose(value, wantP, 1e-6, name);
          if (momentum !== 0) expectClose(buf, wantB, 1e-6, `${name} buffer`);
        }
        for (const [l2, decay] of [[0.01, 1], [0, 0.999]]) {
          const [beta1, beta2, eps, t] = [0.9, 0.999, 1e-8, 3];
          const stepSize = 0.01 / (1 - beta1 ** t);
          const root2 = Math.sqrt(1 - beta2 ** t);
          const value = value0.slice();
          const m = grad.slice();
          const v = Float32Array.from(buf0, (b) => Math.abs(b) * 1e-2);
          const want = Float64Array.from(value0, (p0, i) => {
            const p = p0 * decay;
            const g = grad[i] + l2 * p;
            const mi = beta1 * grad[i] + (1 - beta1) * g;
            const vi = beta2 * v[i] + (1 - beta2) * g * g;
            return p - (stepSize * mi) / (Math.sqrt(vi) / root2 + eps);
          });
          ew.adamUpdate(value, grad, m, v, { stepSize, beta1, beta2, root2, eps, l2, decay });
          expectClose(value, want, 1e-6, `adam l2=${l2} decay=${decay} n=${n}`);
        }
      }
    });
  }

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
    expect(() => native.sgdUpdate(x, x, null, 0.1, 0, 0.9, 0.9, 1, false)).toThrow(/momentumBuffer is required/);
    expect(() => native.adamUpdate(x, x, x, new Float32Array(9), 1, 0.9, 0.999, 1, 1e-8, 0, 1)).toThrow(/adamUpdate: v has 9 elements/);
  });
});
