// Winograd F(2x2, 3x3) and F(4x4, 3x3), the inference plan's algorithm for 3x3 stride-1
// convolutions: against the plain conv2dFused and the float64 oracle on awkward shapes
// (1 channel, odd channel counts, maps smaller than a tile, rows that do not fill a tile,
// padding 0 to 2, batch 1 and 3) within the bound native/tests/winograd_test.cc documents;
// bitwise deterministic; a compiled zoo model on Winograd against forward; the plan's
// choice of algorithm per step.
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { conv2dWinograd, convAlgorithm, winogradWeights, type WinogradTile } from '../../src/models/plan/winograd.js';
import { native } from '../../src/native.js';
import { nativeShape, resolveConv } from '../../src/ops/conv-options.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { conv2dForwardReference } from '../reference/conv2d.js';

/**
 * The documented bound (native/tests/winograd_test.cc): the error of the worst output,
 * |got - want| / (|want| + sqrt(terms) + 1) with terms = 9 Cin, within
 * amplification * 2^-24 * (sqrt(terms) + 8); amplification 4 for F(2,3), 32 for F(4,3),
 * whose transforms' constants scale the rounding up.
 */
function tolerance(tile: WinogradTile, terms: number): number {
  return (tile === 4 ? 32 : 4) * 2 ** -24 * (Math.sqrt(terms) + 8);
}

function bits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const cases: { x: number[]; cout: number; padding: number }[] = [
  { x: [1, 1, 1, 1], cout: 1, padding: 1 },    // a 1x1 map, one channel: one tile, mostly padding
  { x: [3, 1, 5, 5], cout: 2, padding: 0 },    // a 3x3 output, smaller than an F(4,3) tile
  { x: [1, 7, 13, 11], cout: 9, padding: 1 },  // prime sizes: partial tiles on both axes
  { x: [3, 5, 6, 23], cout: 11, padding: 2 },  // padding 2
  { x: [2, 17, 9, 9], cout: 3, padding: 0 },   // a 7x7 output
  { x: [1, 33, 19, 38], cout: 21, padding: 1 },  // odd channels across GEMM blocks
  { x: [3, 24, 5, 70], cout: 8, padding: 1 },  // long rows, 3 images: tile rows of several images in one lane group
];

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe('conv2dWinograd', () => {
  for (const tile of [2, 4] as const)
    for (const { x: xs, cout, padding } of cases)
      it(`F(${tile},3) x=[${xs}] w=[${cout},${xs[1]},3,3] p=${padding}: within the bound of the plain conv and float64`, () => {
        const x = randomTensor(xs, 1), w = randomTensor([cout, xs[1], 3, 3], 2), b = randomTensor([cout], 3);
        const options = { padding };
        const plain = st.ops.conv2d(x, w, b, options);
        const residual = randomTensor([...plain.shape], 4);
        const u = winogradWeights(w, tile);
        const fused = conv2dWinograd(x, u, b, options, { residual, activation: 'relu' });
        expect(fused.shape).toEqual(plain.shape);
        // The epilogue gives the bits of the unfused Winograd convolution, add, then ReLU.
        const alone = conv2dWinograd(x, u, b, options, {});
        expect(bits(fused.data, alone.data.map((v, i) => Math.max(0, v + residual.data[i])))).toBe(true);
        const terms = 9 * xs[1], scale = Math.sqrt(terms) + 1;
        const want = st.ops.conv2dFused(x, w, b, options, { residual, activation: 'relu' });
        expectClose(fused.data, want.data, tolerance(tile, terms), 'against conv2dFused', scale);
        const g = resolveConv('test', 2, xs, w.shape, options);
        const oracle = conv2dForwardReference(g, x.data, w.data, b.data).map((v, i) => Math.max(0, v + residual.data[i]));
        expectClose(fused.data, oracle, tolerance(tile, terms), 'against float64', scale);
      });

  it('gives the same bits at 1, 2 and 3 threads and from run to run', () => {
    const x = randomTensor([3, 20, 17, 30], 5), w = randomTensor([19, 20, 3, 3], 6), b = randomTensor([19], 7);
    for (const tile of [2, 4] as const) {
      const u = winogradWeights(w, tile);
      st.setNumThreads(1);
      const first = conv2dWinograd(x, u, b, { padding: 1 }, {}).data;
      for (const threads of [1, 2, 3]) {
        st.setNumThreads(threads);
        expect(bits(conv2dWinograd(x, u, b, { padding: 1 }, {}).data, first)).toBe(true);
      }
    }
  });

  it('rejects shapes Winograd does not run and malformed weights, by name', () => {
    const x = randomTensor([1, 3, 8, 8], 1), w = randomTensor([4, 3, 3, 3], 2);
    const u = winogradWeights(w, 4);
    expect(() => conv2dWinograd(x, u, null, { stride: 2 }, {})).toThrow(/3×3 kernels at stride 1/);
    expect(() => conv2dWinograd(x, { ...u, data: u.data.subarray(1) }, null, {}, {})).toThrow(/weights.data has 431 elements, expected 432/);
    expect(() => conv2dWinograd(x, u, null, {}, { residual: randomTensor([1, 4, 8, 8], 3) })).toThrow(/residual must be the output shape \[1, 4, 6, 6\]/);
    expect(() => winogradWeights(randomTensor([4, 3, 5, 5], 1), 4)).toThrow(/weight must be \[Cout, Cin, 3, 3\]/);
    expect(() => winogradWeights(w, 3 as WinogradTile)).toThrow(/tile must be 2 or 4/);
    // The binding checks again what would make the kernel read or write out of bounds.
    const shape = nativeShape(resolveConv('test', 2, x.shape, w.shape, {}));
    const y = new Float32Array(4 * 36);
    expect(() => native.conv2dWinograd(3, x.data, u.data, null, y, ...shape, null, 0)).toThrow(/tile must be 2 or 4/);
    expect(() => native.conv2dWinograd(2, x.data, u.data, null, y, ...shape, null, 0)).toThrow(/u has 432 elements, expected 192/);
    expect(() => native.conv2dWinograd(4, x.data, u.data, null, y.subarray(1), ...shape, null, 0)).toThrow(/y has 143 elements, needs 144/);
    expect(() => native.conv2dWinogradWeights(w.data, u.data.subarray(1), 4, 3, 4)).toThrow(/u has 431 elements, expected 432/);
  });
});

describe('graph.compile with Winograd', () => {
  // ResNet-18 at half width (32 to 256 channels), with the forward pass both tests compare to.
  const model = st.zoo.resnet18({ numClasses: 10, inputShape: [3, 32, 32], width: 0.5, seed: 3 });
  const x = randomTensor([2, 3, 32, 32], 8);
  const want = model.forward(x);

  for (const convAlgorithm of ['winograd-f2', 'winograd-f4'] as const)
    it(`resnet18 at 3x32x32 on ${convAlgorithm}: every 3x3 stride-1 step runs it, and the plan equals forward`, () => {
      const plan = model.compile({ batchSize: 2, convAlgorithm });
      for (const step of plan.steps)
        if (step.kind === 'conv') {
          const [kh, kw] = step.weight.shape.slice(2);
          const stride = step.options.stride ?? 1;
          const applies = kh === 3 && kw === 3 && (typeof stride === 'number' ? stride === 1 : stride.every((s) => s === 1));
          expect(step.algorithm.startsWith('winograd') ? step.algorithm : null).toBe(applies ? convAlgorithm : null);
          expect(step.winograd?.tile ?? null).toBe(applies ? Number(convAlgorithm.slice(-1)) : null);
        }
      const got = model.predictSync(x);
      expectClose(got.data, want.data, 5e-5, `plan on ${convAlgorithm} vs forward`, 1);
      expect(bits(model.predictSync(x).data, got.data)).toBe(true);
      model.compile({ batchSize: 2, convAlgorithm: 'plain' });
      expect(bits(model.predictSync(x).data, got.data)).toBe(false); // Winograd did run
    });

  it('picks each step\'s algorithm by a deterministic rule, and never Winograd where it does not apply', () => {
    const model = st.zoo.resnet18({ width: 0.5 });
    const picks = (options: st.CompileOptions) => model.compile(options).steps.flatMap((s) => (s.kind === 'conv' ? [s.algorithm] : []));
    const auto = picks({ batchSize: 1, threads: 1 });
    expect(picks({ batchSize: 1, threads: 1 })).toEqual(auto);
    const plain = picks({ batchSize: 1, threads: 1, convAlgorithm: 'plain' });
    expect(plain.some((a) => a.startsWith('winograd'))).toBe(false);
    // The stem (7x7 stride 2) and the 1x1 / strided shortcuts keep the plain path.
    auto.forEach((a, i) => expect(a.startsWith('winograd') ? plain[i] : a).toBe(plain[i]));
    // The same rule asked directly, for the first two convolutions (the stem, then a 3x3 on 56x56).
    st.setNumThreads(1);
    const conv = (xShape: number[], w: number[], options: st.ops.Conv2dOptions) => convAlgorithm(xShape, w, options, true);
    expect(conv([1, 3, 224, 224], [32, 3, 7, 7], { stride: 2, padding: 3 })).toBe(plain[0]);
    expect(conv([1, 32, 56, 56], [32, 32, 3, 3], { padding: 1 })).toBe(auto[1]);
  });

  it('rejects an unknown convAlgorithm by name', () => {
    const g = new st.Graph({ seed: 1 });
    g.output(g.add(new st.nn.Conv2D({ filters: 4, kernelSize: 3 }), g.input([3, 8, 8])));
    expect(() => g.compile({ convAlgorithm: 'fft' as 'auto' })).toThrow(/convAlgorithm must be one of 'auto', 'plain', 'winograd-f2', 'winograd-f4', got fft/);
  });
});
