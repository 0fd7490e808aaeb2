/**
 * Property tests of the convolution (fast-check, seeded: PROPERTY_SEED; a failure
 * shrinks to a minimal case and prints it with the seed and path to replay it):
 *   - conv2d equals the signal module's correlate2d summed over each group's input
 *     channels, for every output channel: padding as correlate2d's modes ('valid',
 *     'full', 'same'), stride as every s-th sample, dilation as a kernel with zeros
 *     between its taps;
 *   - conv2dGradInput and conv2dGradWeight are the adjoints of conv2d:
 *     ⟨conv2d(x, w), dy⟩ = ⟨x, dx⟩ = ⟨w, dw⟩, and db = Σ dy (float64 sums);
 *   - both gradients equal central finite differences of Σ dy·conv2d(x, w, b).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import * as st from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randomTensor } from '../helpers/random.js';

const seed = Number(process.env.PROPERTY_SEED ?? 20261207);
const settings = (numRuns: number) => ({ seed, numRuns });

type Mode = 'valid' | 'full' | 'same';

interface Case {
  batch: number;
  groups: number;
  inPerGroup: number;
  outPerGroup: number;
  kH: number;
  kW: number;
  dilation: [number, number];
  stride: [number, number];
  mode: Mode;
  /** Extra rows and columns of input beyond the dilated kernel. */
  extra: [number, number];
  /** Pass 'same' as conv2d's own option (stride 1) rather than as explicit padding. */
  sameOption: boolean;
  seed: number;
}

/** A convolution geometry correlate2d can express; `maxIn` bounds the input channels (finite differences are costly). */
const cases = (maxIn = 3): fc.Arbitrary<Case> =>
  fc.record({
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 3 }),
    inPerGroup: fc.integer({ min: 1, max: maxIn }),
    outPerGroup: fc.integer({ min: 1, max: 3 }),
    kH: fc.integer({ min: 1, max: 4 }),
    kW: fc.integer({ min: 1, max: 4 }),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    mode: fc.constantFrom<Mode>('valid', 'full', 'same'),
    extra: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
    sameOption: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  });

/** correlate2d's padding of a mode for a kernel spanning m: [before, after] (scipy's correlate2d 'same' starts at ⌊m/2⌋). */
function pads(mode: Mode, m: number): [number, number] {
  if (mode === 'valid') return [0, 0];
  if (mode === 'full') return [m - 1, m - 1];
  return [(m - 1) >> 1, m >> 1];
}

function setup(c: Case) {
  const cin = c.groups * c.inPerGroup;
  const cout = c.groups * c.outPerGroup;
  const spanH = c.dilation[0] * (c.kH - 1) + 1;
  const spanW = c.dilation[1] * (c.kW - 1) + 1;
  const h = spanH + c.extra[0];
  const w = spanW + c.extra[1];
  const x = randomTensor([c.batch, cin, h, w], c.seed);
  const weight = randomTensor([cout, c.inPerGroup, c.kH, c.kW], c.seed + 1);
  const bias = randomTensor([cout], c.seed + 2);
  const [top, bottom] = pads(c.mode, spanH);
  const [left, right] = pads(c.mode, spanW);
  const useSame = c.mode === 'same' && c.sameOption && c.stride[0] === 1 && c.stride[1] === 1;
  const options: st.ops.Conv2dOptions = {
    stride: c.stride, dilation: c.dilation, groups: c.groups, padding: useSame ? 'same' : [top, bottom, left, right],
  };
  return { cin, cout, h, w, x, weight, bias, options };
}

/** Rows of `t` at [i, j] of a [A, B, H, W] tensor, as number[][]. */
function plane(t: st.Tensor, i: number, j: number): number[][] {
  const [, b, h, w] = t.shape;
  const base = (i * b + j) * h * w;
  return Array.from({ length: h }, (_, r) => Array.from(t.data.subarray(base + r * w, base + (r + 1) * w)));
}

/** A kernel with d − 1 zeros between its taps: correlating with it is a dilated correlation. */
function dilate(k: number[][], [dh, dw]: [number, number]): number[][] {
  const out = Array.from({ length: dh * (k.length - 1) + 1 }, () => new Array<number>(dw * (k[0].length - 1) + 1).fill(0));
  k.forEach((row, r) => row.forEach((v, c) => (out[r * dh][c * dw] = v)));
  return out;
}

/** Σ a·b in float64 and Σ |a·b|, the scale of its rounding error in float32. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): [number, number] {
  let sum = 0;
  let magnitude = 0;
  for (let i = 0; i < a.length; i++) {
    sum += a[i] * b[i];
    magnitude += Math.abs(a[i] * b[i]);
  }
  return [sum, magnitude];
}

const describeCase = (c: Case) => JSON.stringify(c);

describe(`conv2d properties (PROPERTY_SEED=${seed})`, () => {
  it('conv2d = Σ over the group\'s input channels of correlate2d (mode padding, strided, dilated kernel) + bias', () => {
    fc.assert(
      fc.property(cases(), (c) => {
        const { x, weight, bias, options, cout } = setup(c);
        const y = st.ops.conv2d(x, weight, bias, options);
        const [, , outH, outW] = y.shape;
        for (let n = 0; n < c.batch; n++)
          for (let co = 0; co < cout; co++) {
            const g = Math.floor(co / c.outPerGroup);
            let sum: number[][] | undefined;
            for (let k = 0; k < c.inPerGroup; k++) {
              const r = st.signal.correlate2d(plane(x, n, g * c.inPerGroup + k), dilate(plane(weight, co, k), c.dilation), c.mode);
              sum = sum ? sum.map((row, i) => row.map((v, j) => v + r[i][j])) : r;
            }
            const want = sum!.filter((_, i) => i % c.stride[0] === 0).map((row) => row.filter((_, j) => j % c.stride[1] === 0));
            if (want.length !== outH || want[0].length !== outW)
              throw new Error(`${describeCase(c)}: conv2d gives ${outH}x${outW}, correlate2d ${want.length}x${want[0].length}`);
            const got = plane(y, n, co);
            for (let i = 0; i < outH; i++)
              for (let j = 0; j < outW; j++) {
                const expected = want[i][j] + bias.data[co];
                // float32 sums of at most 3·4·4 products of values in [-1, 1)
                if (!(Math.abs(got[i][j] - expected) <= 1e-5 * (1 + Math.abs(expected))))
                  throw new Error(`${describeCase(c)}: y[${n}, ${co}, ${i}, ${j}] = ${got[i][j]}, correlate2d gives ${expected}`);
              }
          }
      }),
      settings(60),
    );
  });

  it('conv2dGradInput and conv2dGradWeight are the adjoints of conv2d; db = Σ dy', () => {
    fc.assert(
      fc.property(cases(), (c) => {
        const { x, weight, options, cout } = setup(c);
        const y = st.ops.conv2d(x, weight, null, options);
        const dy = randomTensor([...y.shape], c.seed + 3);
        const dx = st.ops.conv2dGradInput(dy, weight, x.shape, options);
        const { dw, db } = st.ops.conv2dGradWeight(x, dy, weight.shape, options);
        const [forward, scale] = dot(y.data, dy.data);
        const [viaX, scaleX] = dot(x.data, dx.data);
        const [viaW, scaleW] = dot(weight.data, dw.data);
        const tolerance = 1e-5 * (1 + scale + scaleX + scaleW);
        if (!(Math.abs(forward - viaX) <= tolerance)) throw new Error(`${describeCase(c)}: <conv2d(x, w), dy> = ${forward}, <x, dx> = ${viaX}`);
        if (!(Math.abs(forward - viaW) <= tolerance)) throw new Error(`${describeCase(c)}: <conv2d(x, w), dy> = ${forward}, <w, dw> = ${viaW}`);
        const plane = y.shape[2] * y.shape[3];
        for (let co = 0; co < cout; co++) {
          let sum = 0;
          for (let n = 0; n < c.batch; n++) for (let i = 0; i < plane; i++) sum += dy.data[(n * cout + co) * plane + i];
          if (!(Math.abs(db.data[co] - sum) <= 1e-5 * (1 + plane * c.batch)))
            throw new Error(`${describeCase(c)}: db[${co}] = ${db.data[co]}, Σ dy = ${sum}`);
        }
      }),
      settings(60),
    );
  });

  it('conv2d backward (dx, dw, db) equals central finite differences of Σ dy·conv2d', () => {
    fc.assert(
      fc.property(cases(2), (c) => {
        const { x, weight, bias, options } = setup(c);
        const forward = () => st.ops.conv2d(x, weight, bias, options);
        const dy = randomTensor([...forward().shape], c.seed + 3);
        const dx = st.ops.conv2dGradInput(dy, weight, x.shape, options);
        const { dw, db } = st.ops.conv2dGradWeight(x, dy, weight.shape, options);
        gradcheck(describeCase(c), forward, dy, [
          { name: 'x', value: x, grad: dx },
          { name: 'w', value: weight, grad: dw },
          { name: 'b', value: bias, grad: db },
        ], { maxPerTarget: 12 });
      }),
      settings(25),
    );
  });
});
