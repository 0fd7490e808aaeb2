// The conv forward's epilogue (residual add, ReLU; an inference plan's fused step) on the
// ISA this project forces (STRIATE_ISA), at 1 and 2 threads: against the float64 oracle
// followed by the add and the ReLU, within the forward's bound (see conv2d.test.ts), and
// bit for bit against the same ISA's plain forward followed by the add and the ReLU.
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { resolveConv } from '../../src/ops/conv-options.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { conv2dForwardReference } from '../reference/conv2d.js';

const cases: { x: number[]; w: number[]; opts: st.ops.Conv2dOptions }[] = [
  { x: [1, 13, 9, 9], w: [17, 13, 1, 1], opts: {} },
  { x: [7, 19, 1, 1], w: [23, 19, 1, 1], opts: {} }, // pointwise on 1x1 maps: the images chunked into one GEMM
  { x: [5, 8, 2, 3], w: [12, 4, 1, 1], opts: { groups: 2 } },
  { x: [3, 5, 11, 7], w: [7, 5, 3, 3], opts: { padding: 1 } },
  { x: [2, 3, 17, 19], w: [9, 3, 7, 7], opts: { stride: 2, padding: 3 } },
  { x: [1, 8, 23, 21], w: [21, 8, 3, 3], opts: { padding: 1 } },
  { x: [4, 6, 16, 16], w: [37, 6, 3, 3], opts: { padding: 1 } },
  { x: [2, 12, 10, 10], w: [12, 4, 3, 3], opts: { padding: 1, groups: 3 } },
  { x: [2, 16, 15, 15], w: [33, 16, 3, 3], opts: { stride: 2, padding: 1 } },
];

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe(`conv2d epilogue on ${st.backendInfo().isa}`, () => {
  for (const { x: xs, w: ws, opts } of cases)
    for (const threads of [1, 2])
      it(`x=[${xs}] w=[${ws}] ${JSON.stringify(opts)} threads=${threads}`, () => {
        st.setNumThreads(threads);
        const x = randomTensor(xs, 11), w = randomTensor(ws, 12), b = randomTensor([ws[0]], 13);
        const plain = st.ops.conv2d(x, w, b, opts);
        const r = randomTensor([...plain.shape], 14);
        const fused = st.ops.conv2dFused(x, w, b, opts, { residual: r, activation: 'relu' });
        const composed = plain.data.map((v, i) => Math.max(0, v + r.data[i]) || 0);
        expect(Buffer.from(fused.data.buffer).equals(Buffer.from(composed.buffer))).toBe(true);
        const g = resolveConv('test', 2, xs, ws, opts);
        const oracle = conv2dForwardReference(g, x.data, w.data, b.data).map((v, i) => Math.max(0, v + r.data[i]));
        const terms = (ws[1] * ws[2] * ws[3]);
        expectClose(fused.data, oracle, 4e-7 * (terms + 8), 'fused vs oracle', Math.sqrt(terms) + 1);
      });
});
