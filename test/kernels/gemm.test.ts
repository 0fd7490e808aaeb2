// SGEMM through the addon against a float64 oracle, on the ISA this project forces
// (STRIATE_ISA), at 1 and 2 threads.
//
// Error bound: each output sums K products of values in [-1, 1]. With float32
// accumulation the rounding error grows at most like K * 2^-24 times the sum of
// |products| (about sqrt(K) for random signs, K at worst); we assert
//   |got - want| / (|want| + sqrt(K) + 1) <= 4e-7 * (K + 8).
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { gemmReference } from '../reference/gemm.js';

const SIZES = [1, 2, 3, 7, 17, 31, 64, 65, 127, 257];
const tolerance = (k: number) => 4e-7 * (k + 8);

function check(m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number, seed: number) {
  const a = randomTensor(transA ? [k, m] : [m, k], seed);
  const b = randomTensor(transB ? [n, k] : [k, n], seed + 1);
  const c = randomTensor([m, n], seed + 2);
  const want = gemmReference(transA, transB, m, n, k, alpha, a.data, b.data, beta, c.data);
  st.ops.gemm(a, b, c, { transA, transB, alpha, beta });
  expectClose(c.data, want, tolerance(k), `M=${m} N=${n} K=${k} transA=${transA} transB=${transB} seed=${seed}`, Math.sqrt(k) + 1);
}

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe(`sgemm on ${st.backendInfo().isa}`, () => {
  it('runs the ISA this project forces', () => {
    expect(st.backendInfo().isa).toBe(process.env.STRIATE_ISA);
  });

  for (const threads of [1, 2]) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`threads=${threads} transA=${transA} transB=${transB}: M and K over awkward sizes`, () => {
        st.setNumThreads(threads);
        let seed = 1;
        for (const m of SIZES) for (const k of SIZES) check(m, 33, k, transA, transB, 1, 0, seed++);
      });
      it(`threads=${threads} transA=${transA} transB=${transB}: N over awkward sizes, alpha and beta`, () => {
        st.setNumThreads(threads);
        let seed = 1000;
        for (const n of SIZES) check(19, n, 65, transA, transB, -0.75, 1.5, seed++);
        check(129, 130, 300, transA, transB, 2, -1, seed++);
      });
    }
  }

  it('matmul of non-square mixes equals gemm with beta = 0', () => {
    for (const [m, n, k] of [[1, 257, 3], [257, 1, 64], [65, 7, 127], [3, 300, 1]]) {
      const a = randomTensor([m, k], m);
      const b = randomTensor([k, n], n);
      const want = gemmReference(false, false, m, n, k, 1, a.data, b.data, 0, new Float64Array(m * n));
      const y = st.ops.matmul(a, b);
      expect(y.shape).toEqual([m, n]);
      expectClose(y.data, want, tolerance(k), `matmul M=${m} N=${n} K=${k}`, Math.sqrt(k) + 1);
    }
  });

  it('gives identical bytes for the same call twice, at each thread count', () => {
    const a = randomTensor([301, 517], 5);
    const b = randomTensor([517, 263], 6);
    for (const threads of [1, 2]) {
      st.setNumThreads(threads);
      const y1 = st.ops.matmul(a, b);
      const y2 = st.ops.matmul(a, b);
      expect(Buffer.from(y1.data.buffer).equals(Buffer.from(y2.data.buffer))).toBe(true);
    }
  });
});
