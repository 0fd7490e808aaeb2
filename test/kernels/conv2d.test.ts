// conv2d / conv1d forward and gradients through the addon against a float64 oracle,
// on the ISA this project forces (STRIATE_ISA), at 1 and 2 threads; and the oracle's
// analytic gradients against central differences of its own forward.
//
// Error bound: each output sums `terms` products of values in [-1, 1] (forward:
// Cin/groups·kH·kW, dx: Cout/groups·kH·kW, dw and db: N·outH·outW). As for sgemm we assert
//   |got - want| / (|want| + sqrt(terms) + 1) <= 4e-7 * (terms + 8).
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { resolveConv, type ConvGeometry } from '../../src/ops/conv-options.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { conv2dForwardReference, conv2dGradInputReference, conv2dGradWeightReference } from '../reference/conv2d.js';

type Options = st.ops.Conv2dOptions;
interface Case2d { x: number[]; w: number[]; opts: Options; bias?: boolean }

const tolerance = (terms: number) => 4e-7 * (terms + 8);
const scale = (terms: number) => Math.sqrt(terms) + 1;

function name(x: readonly number[], w: readonly number[], opts: object): string {
  return `x=[${x}] w=[${w}] ${JSON.stringify(opts)}`;
}

// Each path: 1x1 (GEMM without im2col), im2col + GEMM with image chunking, the direct
// loop for few input channels; with stride 1-4, dilation, groups, depthwise, asymmetric
// and 'same' padding, batch 1 and 7, odd and prime sizes.
const CASES_2D: Case2d[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], opts: {} },
  { x: [7, 13, 5, 7], w: [17, 13, 1, 1], opts: {} },
  { x: [2, 12, 9, 9], w: [6, 4, 1, 1], opts: { groups: 3 } },
  { x: [3, 1, 32, 32], w: [6, 1, 5, 5], opts: {} },
  { x: [7, 6, 14, 14], w: [16, 6, 5, 5], opts: {} },
  { x: [2, 3, 41, 43], w: [5, 3, 11, 11], opts: { stride: 4, padding: 2 } },
  { x: [1, 3, 23, 29], w: [7, 3, 7, 7], opts: { stride: 2, padding: 3 } },
  { x: [7, 3, 9, 10], w: [4, 3, 3, 3], opts: { padding: 'same' } },
  { x: [2, 5, 11, 13], w: [7, 5, 4, 2], opts: { stride: [3, 2], padding: 'same' } },
  { x: [1, 5, 17, 19], w: [11, 5, 3, 3], opts: { dilation: 2, padding: [1, 2, 0, 3] } },
  { x: [3, 8, 10, 9], w: [8, 1, 3, 3], opts: { groups: 8, padding: 1, stride: [1, 2] }, bias: false },
  { x: [2, 6, 12, 11], w: [9, 2, 3, 5], opts: { groups: 3, dilation: [2, 1], padding: [2, 1] } },
  { x: [1, 2, 7, 31], w: [3, 2, 1, 5], opts: { stride: [1, 3], padding: [0, 0, 2, 0] } },
  { x: [7, 1, 20, 20], w: [2, 1, 9, 9], opts: { stride: 3, padding: 'valid' } },
];

function checkConv2d(c: Case2d, threads: number, seed: number): void {
  st.setNumThreads(threads);
  const context = `${name(c.x, c.w, c.opts)} threads=${threads} seed=${seed}`;
  const x = randomTensor(c.x, seed);
  const w = randomTensor(c.w, seed + 1);
  const b = c.bias === false ? null : randomTensor([c.w[0]], seed + 2);
  const g = resolveConv('test', 2, c.x, c.w, c.opts);
  const y = st.ops.conv2d(x, w, b, c.opts);
  expect(y.shape).toEqual([g.batch, g.outChannels, g.outH, g.outW]);
  expect(st.ops.conv2dOutputShape(c.x, c.w, c.opts)).toEqual(y.shape);
  const fwdTerms = (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  expectClose(y.data, conv2dForwardReference(g, x.data, w.data, b?.data ?? null), tolerance(fwdTerms), `forward ${context}`, scale(fwdTerms));

  const dy = randomTensor([...y.shape], seed + 3);
  const dx = st.ops.conv2dGradInput(dy, w, c.x, c.opts);
  expect(dx.shape).toEqual(c.x);
  const dxTerms = (g.outChannels / g.groups) * g.kernelH * g.kernelW;
  expectClose(dx.data, conv2dGradInputReference(g, dy.data, w.data), tolerance(dxTerms), `dx ${context}`, scale(dxTerms));

  const { dw, db } = st.ops.conv2dGradWeight(x, dy, c.w, c.opts);
  const want = conv2dGradWeightReference(g, x.data, dy.data);
  const dwTerms = g.batch * g.outH * g.outW;
  expectClose(dw.data, want.dw, tolerance(dwTerms), `dw ${context}`, scale(dwTerms));
  expectClose(db.data, want.db, tolerance(dwTerms), `db ${context}`, scale(dwTerms));
}

interface Case1d { x: number[]; w: number[]; opts: st.ops.Conv1dOptions }
const CASES_1D: Case1d[] = [
  { x: [1, 1, 1], w: [1, 1, 1], opts: {} },
  { x: [7, 3, 50], w: [5, 3, 7], opts: { padding: 'same' } },
  { x: [2, 4, 33], w: [6, 2, 5], opts: { stride: 3, dilation: 2, groups: 2, padding: [4, 1] } },
  { x: [3, 6, 17], w: [6, 1, 3], opts: { groups: 6, padding: 1 } },
  { x: [2, 5, 29], w: [11, 5, 1], opts: { stride: 2 } },
];

function checkConv1d(c: Case1d, threads: number, seed: number): void {
  st.setNumThreads(threads);
  const context = `conv1d ${name(c.x, c.w, c.opts)} threads=${threads}`;
  const x = randomTensor(c.x, seed);
  const w = randomTensor(c.w, seed + 1);
  const b = randomTensor([c.w[0]], seed + 2);
  const g = resolveConv('test', 1, c.x, c.w, c.opts);
  const y = st.ops.conv1d(x, w, b, c.opts);
  expect(y.shape).toEqual([g.batch, g.outChannels, g.outW]);
  const terms = (g.inChannels / g.groups) * g.kernelW;
  expectClose(y.data, conv2dForwardReference(g, x.data, w.data, b.data), tolerance(terms), `forward ${context}`, scale(terms));
  const dy = randomTensor([...y.shape], seed + 3);
  const dx = st.ops.conv1dGradInput(dy, w, c.x, c.opts);
  expect(dx.shape).toEqual(c.x);
  expectClose(dx.data, conv2dGradInputReference(g, dy.data, w.data), tolerance(terms), `dx ${context}`, scale(terms));
  const { dw, db } = st.ops.conv1dGradWeight(x, dy, c.w, c.opts);
  const want = conv2dGradWeightReference(g, x.data, dy.data);
  const dwTerms = g.batch * g.outW;
  expectClose(dw.data, want.dw, tolerance(dwTerms), `dw ${context}`, scale(dwTerms));
  expectClose(db.data, want.db, tolerance(dwTerms), `db ${context}`, scale(dwTerms));
}

// L(x, w, b) = Σ y ⊙ r for a fixed random r, so dL/dy = r. Central differences of the
// float64 forward in every coordinate of x, w and b must match the oracle's gradients.
function gradcheck(dims: 1 | 2, xShape: number[], wShape: number[], opts: object, seed: number): ConvGeometry {
  const g = resolveConv('gradcheck', dims, xShape, wShape, opts);
  const x = Float64Array.from(randomTensor(xShape, seed).data);
  const w = Float64Array.from(randomTensor(wShape, seed + 1).data);
  const b = Float64Array.from(randomTensor([wShape[0]], seed + 2).data);
  const r = Float64Array.from(randomTensor([g.batch * g.outChannels * g.outH * g.outW], seed + 3).data);
  const loss = () => conv2dForwardReference(g, x, w, b).reduce((acc, v, i) => acc + v * r[i], 0);
  const dx = conv2dGradInputReference(g, r, w);
  const { dw, db } = conv2dGradWeightReference(g, x, r);
  const h = 1e-5;
  for (const [label, values, grad] of [['x', x, dx], ['w', w, dw], ['b', b, db]] as const) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      values[i] = v + h;
      const up = loss();
      values[i] = v - h;
      const down = loss();
      values[i] = v;
      const numeric = (up - down) / (2 * h);
      // The loss is linear in each coordinate: the difference quotient is exact up to rounding.
      expect(Math.abs(numeric - grad[i]), `d${label}[${i}] ${name(xShape, wShape, opts)}`).toBeLessThan(1e-6 * (1 + Math.abs(grad[i])));
    }
  }
  // And the native gradients of the same loss (r as dy) match the oracle's.
  const dyT = new st.Tensor(Float32Array.from(r), dims === 2 ? [g.batch, g.outChannels, g.outH, g.outW] : [g.batch, g.outChannels, g.outW]);
  const xT = new st.Tensor(Float32Array.from(x), xShape);
  const wT = new st.Tensor(Float32Array.from(w), wShape);
  const nativeDx = dims === 2 ? st.ops.conv2dGradInput(dyT, wT, xShape, opts) : st.ops.conv1dGradInput(dyT, wT, xShape, opts);
  const nativeDw = dims === 2 ? st.ops.conv2dGradWeight(xT, dyT, wShape, opts) : st.ops.conv1dGradWeight(xT, dyT, wShape, opts);
  expectClose(nativeDx.data, dx, 1e-5, `native dx ${name(xShape, wShape, opts)}`, 4);
  expectClose(nativeDw.dw.data, dw, 1e-5, `native dw ${name(xShape, wShape, opts)}`, 4);
  expectClose(nativeDw.db.data, db, 1e-5, `native db ${name(xShape, wShape, opts)}`, 4);
  return g;
}

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe(`conv on ${st.backendInfo().isa}`, () => {
  it('runs the ISA this project forces', () => {
    expect(st.backendInfo().isa).toBe(process.env.STRIATE_ISA);
  });

  for (const threads of [1, 2]) {
    CASES_2D.forEach((c, i) => {
      it(`conv2d ${name(c.x, c.w, c.opts)} threads=${threads}: forward, dx, dw, db match the float64 oracle`, () => {
        checkConv2d(c, threads, 100 * i + threads);
      });
    });
    CASES_1D.forEach((c, i) => {
      it(`conv1d ${name(c.x, c.w, c.opts)} threads=${threads}: forward, dx, dw, db match the float64 oracle`, () => {
        checkConv1d(c, threads, 1000 + 100 * i + threads);
      });
    });
  }

  it('random shapes: kernels 1-11, stride 1-4, dilation 1-2, groups, asymmetric padding', () => {
    const rng = new st.Rng(31);
    const pick = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
    for (let t = 0; t < 30; t++) {
      const groups = rng.int(3) === 0 ? pick(2, 3) : 1;
      const kernel = [pick(1, 11), pick(1, 11)];
      const dilation = [pick(1, 2), pick(1, 2)];
      const pad = [pick(0, 3), pick(0, 3), pick(0, 3), pick(0, 3)] as const;
      const size = kernel.map((k, i) => Math.max(1, dilation[i] * (k - 1) + 1 - pad[2 * i] - pad[2 * i + 1]) + pick(0, 12));
      const x = [rng.int(3) === 0 ? 7 : pick(1, 2), groups * pick(1, 5), size[0], size[1]];
      const w = [groups * pick(1, 5), x[1] / groups, kernel[0], kernel[1]];
      checkConv2d({ x, w, opts: { stride: [pick(1, 4), pick(1, 4)], dilation: [dilation[0], dilation[1]], padding: pad, groups } }, 1 + (t % 2), 5000 + t);
    }
  });

  it('gives identical bytes for the same call twice, at each thread count', () => {
    const x = randomTensor([7, 16, 15, 15], 3);
    const w = randomTensor([24, 16, 3, 3], 4);
    const opts = { padding: 1, stride: 2 };
    const dy = randomTensor(st.ops.conv2dOutputShape(x.shape, w.shape, opts), 5);
    const bytes = (t: st.Tensor) => Buffer.from(t.data.buffer);
    for (const threads of [1, 2]) {
      st.setNumThreads(threads);
      expect(bytes(st.ops.conv2d(x, w, null, opts)).equals(bytes(st.ops.conv2d(x, w, null, opts)))).toBe(true);
      expect(bytes(st.ops.conv2dGradInput(dy, w, x.shape, opts)).equals(bytes(st.ops.conv2dGradInput(dy, w, x.shape, opts)))).toBe(true);
      const a = st.ops.conv2dGradWeight(x, dy, w.shape, opts);
      const b = st.ops.conv2dGradWeight(x, dy, w.shape, opts);
      expect(bytes(a.dw).equals(bytes(b.dw)) && bytes(a.db).equals(bytes(b.db))).toBe(true);
    }
  });

  it('gradcheck conv2d: oracle gradients = central differences; native = oracle', () => {
    gradcheck(2, [2, 3, 6, 5], [4, 3, 3, 2], { stride: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2] }, 11);
    gradcheck(2, [1, 4, 5, 5], [6, 2, 3, 3], { groups: 2, padding: 'same' }, 12);
    gradcheck(2, [3, 2, 4, 4], [3, 2, 1, 1], {}, 13);
  });

  it('gradcheck conv1d: oracle gradients = central differences; native = oracle', () => {
    gradcheck(1, [2, 3, 11], [4, 3, 3], { stride: 2, padding: [2, 1] }, 21);
    gradcheck(1, [1, 4, 9], [4, 1, 5], { groups: 4, dilation: 2, padding: 'same' }, 22);
  });
});
