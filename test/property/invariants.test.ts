/**
 * Property tests of invariants that must hold for every valid shape (fast-check,
 * seeded: PROPERTY_SEED; a failure shrinks to a minimal case and prints it):
 *   - max pooling returns the largest value of each window, average pooling a value
 *     between the smallest and the largest (0 counts when padding is averaged in);
 *   - softmax rows lie in [0, 1] and sum to 1, along any axis, for logits up to ±1e4;
 *   - save → load gives the same model bit for bit: config, parameters, batch-norm
 *     statistics, metadata and predictions, for random small Sequentials;
 *   - (AB)C and A(BC) both agree with a float64 oracle, and the transposed forms of
 *     matmul with explicit transposes;
 *   - Flatten's backward undoes its forward and reshape round trips, bit for bit.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import * as st from '../../src/index.js';
import { randomTensor } from '../helpers/random.js';

const seed = Number(process.env.PROPERTY_SEED ?? 20261207);
const settings = (numRuns: number) => ({ seed, numRuns });
const show = (v: unknown) => JSON.stringify(v);

interface PoolCase {
  shape: [number, number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
  seed: number;
}

const poolCases: fc.Arbitrary<PoolCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }),
    kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    padFraction: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    extra: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })),
    ceilMode: fc.boolean(), countIncludePad: fc.boolean(), seed: fc.integer({ min: 0, max: 1 << 30 }),
  })
  .map(({ n, c, kernel, stride, padFraction, extra, ceilMode, countIncludePad, seed }) => {
    // padding is at most half the kernel (the ops' rule); the input at least the kernel.
    const padding: [number, number] = [Math.floor((padFraction[0] * kernel[0]) / 2), Math.floor((padFraction[1] * kernel[1]) / 2)];
    const shape: [number, number, number, number] = [n, c, kernel[0] + extra[0], kernel[1] + extra[1]];
    return { shape, kernel, stride, padding, ceilMode, countIncludePad, seed };
  });

/** The input values of output (oh, ow)'s window on plane p, and whether the window reaches outside the input. */
function windowOf(x: st.Tensor, p: number, oh: number, ow: number, c: PoolCase): { values: number[]; outside: boolean } {
  const [, , h, w] = x.shape;
  const values: number[] = [];
  let outside = false;
  for (let i = oh * c.stride[0] - c.padding[0]; i < oh * c.stride[0] - c.padding[0] + c.kernel[0]; i++)
    for (let j = ow * c.stride[1] - c.padding[1]; j < ow * c.stride[1] - c.padding[1] + c.kernel[1]; j++) {
      if (i < 0 || i >= h || j < 0 || j >= w) outside = true;
      else values.push(x.data[(p * h + i) * w + j]);
    }
  return { values, outside };
}

/** Models for save → load: a random small CNN of the registry's layers. */
const modelCases = fc.record({
  channels: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 4, max: 8 }),
  filters: fc.integer({ min: 1, max: 4 }), kernel: fc.integer({ min: 1, max: 3 }), padding: fc.integer({ min: 0, max: 1 }),
  batchNorm: fc.boolean(), activation: fc.constantFrom('relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid'),
  pool: fc.constantFrom('none', 'maxPool2d', 'avgPool2d'), hidden: fc.integer({ min: 1, max: 6 }), dropout: fc.boolean(),
  batchNorm1d: fc.boolean(), classes: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 0, max: 1 << 30 }),
  note: fc.string({ maxLength: 12 }),
});

/** The bits of a float32 array, for comparisons where NaN payloads and -0 count. */
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = bits(a);
  const y = bits(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** C = A·B in float64, A [m, k], B [k, n] as row-major arrays. */
function product(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) c[i * n + j] += a[i * k + l] * b[l * n + j];
  return c;
}

const transpose = (t: st.Tensor) => {
  const [r, c] = t.shape;
  const out = new Float32Array(t.size);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return new st.Tensor(out, [c, r]);
};

const dir = mkdtempSync(path.join(tmpdir(), 'striate-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`invariants (PROPERTY_SEED=${seed})`, () => {
  it('max pooling gives each window\'s largest value; average pooling lies within the window\'s range', () => {
    fc.assert(
      fc.property(poolCases, (c) => {
        const x = randomTensor(c.shape, c.seed);
        const options = { kernelSize: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode };
        const max = st.ops.maxPool2d(x, options);
        const avg = st.ops.avgPool2d(x, { ...options, countIncludePad: c.countIncludePad });
        const [n, ch, outH, outW] = max.shape;
        for (let p = 0; p < n * ch; p++)
          for (let oh = 0; oh < outH; oh++)
            for (let ow = 0; ow < outW; ow++) {
              const { values, outside } = windowOf(x, p, oh, ow, c);
              const at = (p * outH + oh) * outW + ow;
              if (values.length === 0) throw new Error(`${show(c)}: output (${p}, ${oh}, ${ow}) has an empty window`);
              if (max.data[at] !== Math.max(...values))
                throw new Error(`${show(c)}: max pool (${p}, ${oh}, ${ow}) = ${max.data[at]}, window max ${Math.max(...values)}`);
              const range = c.countIncludePad && outside ? [...values, 0] : values;
              const [lo, hi] = [Math.min(...range), Math.max(...range)];
              if (!(avg.data[at] >= lo - 1e-6 && avg.data[at] <= hi + 1e-6))
                throw new Error(`${show(c)}: avg pool (${p}, ${oh}, ${ow}) = ${avg.data[at]}, outside [${lo}, ${hi}]`);
            }
      }),
      settings(100),
    );
  });

  it('softmax values lie in [0, 1] and sum to 1 along the axis, for logits up to ±1e4', () => {
    const cases = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
      axisPick: fc.nat(), scale: fc.constantFrom(1, 30, 1e4), seed: fc.integer({ min: 0, max: 1 << 30 }),
    });
    fc.assert(
      fc.property(cases, ({ shape, axisPick, scale, seed: s }) => {
        const axis = 1 + (axisPick % (shape.length - 1));
        const x = randomTensor(shape, s);
        for (let i = 0; i < x.size; i++) x.data[i] *= scale;
        const y = new st.nn.Softmax({ axis }).forward(x);
        const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const dim = shape[axis];
        const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        for (let o = 0; o < outer; o++)
          for (let i = 0; i < inner; i++) {
            let sum = 0;
            for (let d = 0; d < dim; d++) {
              const v = y.data[(o * dim + d) * inner + i];
              if (!(v >= 0 && v <= 1)) throw new Error(`${show({ shape, axis, scale, s })}: softmax value ${v} outside [0, 1]`);
              sum += v;
            }
            if (!(Math.abs(sum - 1) <= 1e-6 * dim)) throw new Error(`${show({ shape, axis, scale, s })}: softmax sums to ${sum}`);
          }
      }),
      settings(100),
    );
  });

  it('save then load gives the same model bit for bit (config, weights, statistics, metadata, predictions)', () => {
    fc.assert(
      fc.property(modelCases, (m) => {
        const layers: st.nn.Layer[] = [new st.nn.Conv2D({ filters: m.filters, kernelSize: m.kernel, padding: m.padding })];
        if (m.batchNorm) layers.push(new st.nn.BatchNorm2D());
        layers.push(st.nn.layerFromConfig({ type: m.activation }) as st.nn.Layer);
        const spatial = m.size - m.kernel + 1 + 2 * m.padding;
        if (m.pool !== 'none' && spatial >= 2) layers.push(st.nn.layerFromConfig({ type: m.pool, kernelSize: 2 }) as st.nn.Layer);
        layers.push(new st.nn.Flatten(), new st.nn.Dense({ units: m.hidden }));
        if (m.dropout) layers.push(new st.nn.Dropout({ rate: 0.25 }));
        if (m.batchNorm1d) layers.push(new st.nn.BatchNorm1D());
        layers.push(new st.nn.Dense({ units: m.classes }));
        const model = new st.Sequential(layers, { inputShape: [m.channels, m.size, m.size], seed: m.seed });
        // Statistics and weights away from their initial values, so a load that re-initialises shows.
        const rng = new st.Rng(m.seed);
        for (const t of [...model.params().map((p) => p.value), ...model.buffers().map((b) => b.value)])
          for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
        for (const b of model.buffers()) if (b.name.endsWith('runningVar')) b.value.data.forEach((v, i, a) => (a[i] = Math.abs(v) + 0.5));
        const file = path.join(dir, `m${m.seed}.striate`);
        const metadata = { note: m.note, classes: Array.from({ length: m.classes }, (_, i) => `c${i}`) };
        model.save(file, metadata);
        const { model: loaded, metadata: back } = st.loadWithMetadata(file);
        const context = show(m);
        if (show(loaded.config) !== show(model.config)) throw new Error(`${context}: config differs after load`);
        if (show(back) !== show(metadata)) throw new Error(`${context}: metadata ${show(back)} != ${show(metadata)}`);
        const tensors = (g: st.Graph) => [...g.params(), ...g.buffers()].map((p) => ({ name: p.name, value: p.value }));
        const [a, b] = [tensors(model), tensors(loaded)];
        if (a.length !== b.length) throw new Error(`${context}: ${a.length} tensors saved, ${b.length} loaded`);
        a.forEach((t, i) => {
          if (t.name !== b[i].name || !sameBits(t.value.data, b[i].value.data)) throw new Error(`${context}: ${t.name} differs after load`);
        });
        const x = randomTensor([3, m.channels, m.size, m.size], m.seed + 1);
        if (!sameBits(model.predictSync(x).data, loaded.predictSync(x).data)) throw new Error(`${context}: predictions differ after load`);
      }),
      settings(30),
    );
  });

  it('(AB)C and A(BC) agree with a float64 oracle; transA/transB equal explicit transposes', () => {
    const dims = fc.tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 1, max: 24 })), fc.integer({ min: 0, max: 1 << 30 }));
    fc.assert(
      fc.property(dims, ([m, k, n, p, s]) => {
        const a = randomTensor([m, k], s);
        const b = randomTensor([k, n], s + 1);
        const c = randomTensor([n, p], s + 2);
        const want = product(product(a.data, b.data, m, k, n), c.data, m, n, p);
        // Each entry sums k·n products of values in [-1, 1): the float32 error grows with that count.
        const tolerance = 1e-6 * k * n + 1e-6;
        for (const [label, got] of [
          ['(AB)C', st.ops.matmul(st.ops.matmul(a, b), c)],
          ['A(BC)', st.ops.matmul(a, st.ops.matmul(b, c))],
        ] as const)
          got.data.forEach((v, i) => {
            if (!(Math.abs(v - want[i]) <= tolerance)) throw new Error(`${show({ m, k, n, p, s })}: ${label}[${i}] = ${v}, float64 ${want[i]}`);
          });
        const plain = st.ops.matmul(a, b);
        const viaTrans = st.ops.matmul(transpose(a), transpose(b), { transA: true, transB: true });
        plain.data.forEach((v, i) => {
          if (!(Math.abs(v - viaTrans.data[i]) <= 1e-6 * k)) throw new Error(`${show({ m, k, n, s })}: AB[${i}] = ${v}, via transA/transB ${viaTrans.data[i]}`);
        });
      }),
      settings(60),
    );
  });

  it('Flatten backward undoes forward and reshape round trips, bit for bit', () => {
    const shapes = fc.tuple(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 0, max: 1 << 30 }));
    fc.assert(
      fc.property(shapes, ([shape, s]) => {
        const x = randomTensor(shape, s);
        const flatten = new st.nn.Flatten();
        const y = flatten.forward(x);
        if (y.shape.length !== 2 || y.shape[0] !== shape[0]) throw new Error(`${show(shape)}: Flatten gives ${show(y.shape)}`);
        const back = flatten.backward(y);
        if (show(back.shape) !== show(shape) || !sameBits(back.data, x.data)) throw new Error(`${show(shape)}: Flatten backward is not its inverse`);
        const round = x.reshape([-1]).reshape([shape[0], -1]).reshape(shape);
        if (show(round.shape) !== show(shape) || !sameBits(round.data, x.data)) throw new Error(`${show(shape)}: reshape round trip changed the tensor`);
      }),
      settings(60),
    );
  });
});
