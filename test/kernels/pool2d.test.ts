// 2-D pooling through the addon against float64 oracles (test/reference/pool2d.ts), on
// the ISA this project forces (STRIATE_ISA), at 1 and 2 threads, plus central-difference
// gradient checks of every backward.
//
// Max and stochastic-training outputs are copies of input elements chosen by the same
// comparisons as the oracle, so they must match exactly (argmax and index too). Average
// and stochastic-inference outputs sum at most 25 floats: |error| <= 1e-6 relative.
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import {
  avgPool, geometry, maxPool, numericGradient, stochasticInfer, stochasticTrain, type Geometry,
} from '../reference/pool2d.js';

const WIDTHS = [1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 34, 37, 67];
const CHANNELS = [1, 2, 3, 5, 13];

interface Case {
  shape: number[];
  opts: st.ops.PoolOptions;
  g: Geometry;
  name: string;
}

function randomCases(count: number, seed: number): Case[] {
  const rng = new st.Rng(seed);
  const cases: Case[] = [];
  while (cases.length < count) {
    const k: [number, number] = [1 + rng.int(5), 1 + rng.int(5)];
    const s: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
    const p: [number, number] = [rng.int(Math.floor(k[0] / 2) + 1), rng.int(Math.floor(k[1] / 2) + 1)];
    const shape = [rng.int(2) ? 7 : 1, CHANNELS[rng.int(CHANNELS.length)], 1 + rng.int(15), WIDTHS[rng.int(WIDTHS.length)]];
    const ceilMode = rng.int(2) === 1;
    if (k[0] > shape[2] + 2 * p[0] || k[1] > shape[3] + 2 * p[1]) continue;
    const name = `x=[${shape}] k=${k} s=${s} p=${p} ceil=${ceilMode}`;
    cases.push({ shape, opts: { kernelSize: k, stride: s, padding: p, ceilMode }, g: geometry(shape, k, s, p, ceilMode), name });
  }
  return cases;
}

/** Distinct values, shuffled, spaced 1/size apart: no ties, and ±1e-6 never reorders them. */
function distinctTensor(shape: number[], seed: number): st.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new st.Rng(seed);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (i + 1) / size - 0.5;
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [data[i], data[j]] = [data[j], data[i]];
  }
  return new st.Tensor(data, shape);
}

function expectEqual(got: ArrayLike<number>, want: ArrayLike<number>, context: string) {
  for (let i = 0; i < want.length; i++)
    if (got[i] !== want[i]) throw new Error(`${context}: index ${i}: got ${got[i]}, want ${want[i]}`);
  expect(got.length).toBe(want.length);
}

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe(`pool2d on ${st.backendInfo().isa}`, () => {
  it('runs the ISA this project forces', () => {
    expect(st.backendInfo().isa).toBe(process.env.STRIATE_ISA);
  });

  for (const threads of [1, 2]) {
    it(`threads=${threads}: max, average and stochastic forwards match the oracle on random geometries`, () => {
      st.setNumThreads(threads);
      let seed = 100 * threads;
      for (const { shape, opts, g, name } of randomCases(60, threads)) {
        const x = randomTensor(shape, seed++);
        const want = maxPool(x.data, g);
        const { y, argmax } = st.ops.maxPool2dWithArgmax(x, opts);
        expect(y.shape).toEqual([g.n, g.c, g.outH, g.outW]);
        expect(st.ops.pool2dOutputShape(shape, opts)).toEqual(y.shape);
        expectEqual(y.data, want.y, `maxPool2dWithArgmax ${name}`);
        expectEqual(argmax, want.argmax, `argmax ${name}`);
        expectEqual(st.ops.maxPool2d(x, opts).data, want.y, `maxPool2d ${name}`);
        for (const countIncludePad of [true, false])
          expectClose(st.ops.avgPool2d(x, { ...opts, countIncludePad }).data, avgPool(x.data, g, countIncludePad), 1e-6,
            `avgPool2d countIncludePad=${countIncludePad} ${name}`);
        expectClose(st.ops.stochasticPool2d(x, { ...opts, training: false }).y.data, stochasticInfer(x.data, g), 1e-6,
          `stochasticPool2d inference ${name}`);
        const sampler = new st.Rng(seed);
        const u = Float64Array.from({ length: g.n * g.c * g.outH * g.outW }, () => sampler.uniform());
        const train = stochasticTrain(x.data, g, u);
        const got = st.ops.stochasticPool2d(x, { ...opts, training: true, seed });
        expectEqual(got.y.data, train.y, `stochasticPool2d training ${name}`);
        expectEqual(got.index!, train.index, `stochasticPool2d index ${name}`);
      }
    });

    it(`threads=${threads}: x=[7,13,34,67] 2x2/2 and 3x3/2 p1, the vector paths with tails`, () => {
      st.setNumThreads(threads);
      const x = randomTensor([7, 13, 34, 67], 9);
      for (const [k, s, p] of [[2, 2, 0], [3, 2, 1], [3, 1, 1]]) {
        const g = geometry(x.shape, [k, k], [s, s], [p, p], false);
        const opts = { kernelSize: k, stride: s, padding: p };
        const want = maxPool(x.data, g);
        const got = st.ops.maxPool2dWithArgmax(x, opts);
        expectEqual(got.y.data, want.y, `max k=${k} s=${s} p=${p}`);
        expectEqual(got.argmax, want.argmax, `argmax k=${k} s=${s} p=${p}`);
        expectClose(st.ops.avgPool2d(x, opts).data, avgPool(x.data, g, true), 1e-6, `avg k=${k} s=${s} p=${p}`);
        const dy = randomTensor(got.y.shape as number[], 10);
        const dxWant = new Float64Array(x.size);
        for (let o = 0; o < dy.size; o++) {
          const plane = Math.floor(o / (g.outH * g.outW));
          dxWant[plane * g.h * g.w + want.argmax[o]] += dy.data[o];
        }
        expectClose(st.ops.maxPool2dGrad(dy, got.argmax, x.shape).data, dxWant, 1e-6, `maxPool2dGrad k=${k} s=${s} p=${p}`);
      }
    });
  }

  // Gradient checks: backward (float32, native) against central differences of the
  // float64 oracle, L = Σ dy · y. Max inputs are distinct, stochastic ones positive, so
  // no perturbation crosses a tie or a kink.
  const GRAD_CASES: Array<[number[], st.ops.PoolOptions]> = [
    [[2, 3, 7, 9], { kernelSize: 2 }],
    [[1, 2, 9, 11], { kernelSize: 3, stride: 2, padding: 1 }],
    [[2, 1, 8, 7], { kernelSize: [3, 2], stride: [1, 2], padding: [1, 0], ceilMode: true }],
    [[1, 3, 6, 19], { kernelSize: 2, stride: 1 }],
    [[7, 1, 5, 5], { kernelSize: 5, stride: 3, padding: 2, ceilMode: true }],
  ];
  const resolve = (shape: number[], o: st.ops.PoolOptions): Geometry => {
    const pair = (v: number | readonly [number, number] | undefined, d: [number, number]): [number, number] =>
      v === undefined ? d : typeof v === 'number' ? [v, v] : [v[0], v[1]];
    const k = pair(o.kernelSize, [1, 1]);
    return geometry(shape, k, pair(o.stride, k), pair(o.padding, [0, 0]), o.ceilMode ?? false);
  };

  for (const [shape, opts] of GRAD_CASES) {
    const label = `x=[${shape}] ${JSON.stringify(opts)}`;
    it(`gradients match central differences: ${label}`, () => {
      st.setNumThreads(2);
      const g = resolve(shape, opts);
      const outShape = [g.n, g.c, g.outH, g.outW];
      const dy = randomTensor(outShape, 3);

      const xd = distinctTensor(shape, 4);
      const { argmax } = st.ops.maxPool2dWithArgmax(xd, opts);
      expectClose(st.ops.maxPool2dGrad(dy, argmax, shape).data,
        numericGradient((x) => maxPool(x, g).y, xd.data, dy.data), 1e-5, `maxPool2dGrad ${label}`);

      const x = randomTensor(shape, 5);
      for (const countIncludePad of [true, false])
        expectClose(st.ops.avgPool2dGrad(dy, shape, { ...opts, countIncludePad }).data,
          numericGradient((v) => avgPool(v, g, countIncludePad), x.data, dy.data), 1e-5,
          `avgPool2dGrad countIncludePad=${countIncludePad} ${label}`);

      const xp = new st.Tensor(x.data.map((v) => 0.2 + Math.abs(v)), shape);
      expectClose(st.ops.stochasticPool2dInferenceGrad(dy, xp, opts).data,
        numericGradient((v) => stochasticInfer(v, g), xp.data, dy.data), 1e-4, `stochasticPool2dInferenceGrad ${label}`);

      const { index } = st.ops.stochasticPool2d(xp, { ...opts, training: true, seed: 6 });
      const sampler = new st.Rng(6);
      const u = Float64Array.from({ length: dy.size }, () => sampler.uniform());
      expectClose(st.ops.stochasticPool2dGrad(dy, index!, shape).data,
        numericGradient((v) => stochasticTrain(v, g, u).y, xp.data, dy.data, 1e-7), 1e-5, `stochasticPool2dGrad ${label}`);
    });
  }

  it('global average and max pooling and their gradients match the oracle: x=[3,5,7,9]', () => {
    const shape = [3, 5, 7, 9];
    const g = geometry(shape, [7, 9], [7, 9], [0, 0], false);
    const x = distinctTensor(shape, 8);
    const dy = randomTensor([3, 5, 1, 1], 9);
    expectClose(st.ops.globalAvgPool2d(x).data, avgPool(x.data, g, true), 1e-6, 'globalAvgPool2d');
    expectEqual(st.ops.globalMaxPool2d(x).data, maxPool(x.data, g).y, 'globalMaxPool2d');
    const { y, argmax } = st.ops.globalMaxPool2dWithArgmax(x);
    expect(y.shape).toEqual([3, 5, 1, 1]);
    expectEqual(argmax, maxPool(x.data, g).argmax, 'globalMaxPool2dWithArgmax');
    expectClose(st.ops.globalAvgPool2dGrad(dy, shape).data, numericGradient((v) => avgPool(v, g, true), x.data, dy.data),
      1e-5, 'globalAvgPool2dGrad');
    expectClose(st.ops.maxPool2dGrad(dy, argmax, shape).data, numericGradient((v) => maxPool(v, g).y, x.data, dy.data),
      1e-5, 'globalMaxPool2d gradient');
  });

  it('gives identical bytes for the same call twice, at each thread count', () => {
    const x = randomTensor([7, 13, 31, 37], 12);
    const opts = { kernelSize: 3, stride: 1, padding: 1 };
    const dy = randomTensor(st.ops.pool2dOutputShape(x.shape, opts), 13);
    for (const threads of [1, 2]) {
      st.setNumThreads(threads);
      const bytes = (t: st.Tensor) => Buffer.from(t.data.buffer);
      expect(bytes(st.ops.avgPool2dGrad(dy, x.shape, opts)).equals(bytes(st.ops.avgPool2dGrad(dy, x.shape, opts)))).toBe(true);
      const { argmax } = st.ops.maxPool2dWithArgmax(x, opts);
      expect(bytes(st.ops.maxPool2dGrad(dy, argmax, x.shape)).equals(bytes(st.ops.maxPool2dGrad(dy, argmax, x.shape)))).toBe(true);
    }
  });
});
