// convAsDense: a convolution whose every window covers its whole map, run by the plan as
// a dense layer (a 1x1 convolution on x viewed [N, C*H*W, 1, 1]). Its dense weights must
// hold exactly the taps that join each output to each input pixel, give the
// convolution's output on every geometry where it applies, and be refused where a window
// misses a pixel; the plan must run such layers with their bias, residual and ReLU.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { convAsDense } from '../../src/models/plan/small-map.js';
import type { Conv2dOptions } from '../../src/ops/conv.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/** conv2dFused on the dense form, shaped back to the convolution's output. */
function runDense(x: st.Tensor, dense: { weight: st.Tensor; bias: st.Tensor | null }, outShape: number[], residual: st.Tensor | null = null) {
  const n = x.shape[0], flat = (t: st.Tensor, c: number) => new st.Tensor(t.data, [n, c, 1, 1]);
  const y = st.ops.conv2dFused(flat(x, dense.weight.shape[1]), dense.weight, dense.bias, {},
    { residual: residual && flat(residual, dense.weight.shape[0]), activation: residual ? 'relu' : 'none' });
  return new st.Tensor(y.data, outShape);
}

describe('convAsDense', () => {
  it('joins each output pixel to each input pixel through its one tap (3x3, padding 1, on a 2x2 map)', () => {
    const w = randomTensor([3, 2, 3, 3], 1), b = randomTensor([3], 2);
    const dense = convAsDense([2, 2, 2], w, b, { padding: 1 })!;
    expect(dense.weight.shape).toEqual([12, 8, 1, 1]);
    for (let co = 0; co < 3; co++)
      for (let o = 0; o < 4; o++)
        for (let ci = 0; ci < 2; ci++)
          for (let p = 0; p < 4; p++) {
            const kh = (p >> 1) - (o >> 1) + 1, kw = (p & 1) - (o & 1) + 1;
            expect(dense.weight.data[(co * 4 + o) * 8 + ci * 4 + p]).toBe(w.data[((co * 2 + ci) * 3 + kh) * 3 + kw]);
          }
    expect([...dense.bias!.data]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2].map((co) => b.data[co]));
  });

  it('refuses where a window misses a pixel, grouped layers, 1x1 maps and weights that would more than double', () => {
    expect(convAsDense([2, 3, 3], randomTensor([3, 2, 3, 3], 3), null, { padding: 1 })).toBeUndefined();   // a corner sees 2x2 of 3x3
    expect(convAsDense([4, 2, 2], randomTensor([4, 2, 3, 3], 4), null, { padding: 1, groups: 2 })).toBeUndefined();
    expect(convAsDense([2, 1, 1], randomTensor([3, 2, 1, 1], 5), null, {})).toBeUndefined();
    expect(convAsDense([2, 3, 3], randomTensor([3, 2, 5, 5], 6), null, { padding: 2 })).toBeUndefined();  // 81 pairs against 25 taps
    expect(convAsDense([2, 3, 2], randomTensor([3, 2, 5, 3], 8), null, { padding: [2, 2, 1, 1] })).toBeUndefined();  // 36 against 15
    expect(convAsDense([2, 2, 2], randomTensor([3, 2, 5, 5], 7), null, { padding: 2 })?.weight.shape).toEqual([12, 8, 1, 1]);
  });

  it('gives the convolution\'s output wherever it applies, on random small maps', () => {
    // Per dimension, every geometry up to a 3-pixel map whose windows each cover the map.
    type Dim = { size: number; kernel: number; stride: number; dilation: number; before: number; after: number; out: number };
    const dims: Dim[] = [];
    for (let size = 1; size <= 3; size++)
      for (let kernel = 1; kernel <= 5; kernel++)
        for (let stride = 1; stride <= 2; stride++)
          for (let dilation = 1; dilation <= 2; dilation++)
            for (let before = 0; before <= 4; before++)
              for (let after = 0; after <= 4; after++) {
                const span = size + before + after - (kernel - 1) * dilation;
                if (span < 1) continue;
                const out = Math.floor((span - 1) / stride) + 1;
                const covers = Array.from({ length: out }, (_, o) => Array.from({ length: kernel }, (_, k) => o * stride + k * dilation - before))
                  .every((reads) => Array.from({ length: size }, (_, i) => i).every((i) => reads.includes(i)));
                if (covers) dims.push({ size, kernel, stride, dilation, before, after, out });
              }
    let seed = 17, applied = 0, wide = 0;
    const int = (lo: number, hi: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return lo + (seed % (hi - lo + 1));
    };
    for (let trial = 0; trial < 200; trial++) {
      const r = dims[int(0, dims.length - 1)], c = dims[int(0, dims.length - 1)], cin = int(1, 5), cout = int(1, 6);
      const options: Conv2dOptions = {
        stride: [r.stride, c.stride], dilation: [r.dilation, c.dilation], padding: [r.before, r.after, c.before, c.after],
      };
      const x = randomTensor([3, cin, r.size, c.size], 100 + trial), weight = randomTensor([cout, cin, r.kernel, c.kernel], 200 + trial);
      const bias = trial % 2 ? randomTensor([cout], 300 + trial) : null;
      const dense = convAsDense([cin, r.size, c.size], weight, bias, options);
      const growth = (r.size * r.out * c.size * c.out) / (r.kernel * c.kernel);
      const trivial = r.size * c.size === 1 && r.out * c.out === 1;
      expect(dense === undefined, `growth ${growth}`).toBe(trivial || growth > 2);
      if (!dense) continue;
      applied++;
      if (r.out * c.out > 1 && r.size * c.size > 1) wide++;
      const context = `x [3,${cin},${r.size},${c.size}] k ${r.kernel}x${c.kernel} ${JSON.stringify(options)}`;
      const want = st.ops.conv2d(x, weight, bias, options);
      const residual = randomTensor(want.shape, 400 + trial);
      expectClose(runDense(x, dense, want.shape).data, want.data, 1e-5, context);
      const fused = st.ops.conv2dFused(x, weight, bias, options, { residual, activation: 'relu' });
      expectClose(runDense(x, dense, want.shape, residual).data, fused.data, 1e-5, `${context} + residual, ReLU`);
    }
    expect(applied).toBeGreaterThan(100);
    expect(wide).toBeGreaterThan(20);
  });
});

describe('the plan on small maps', () => {
  it('runs a 3x3 convolution on a 2x2 map as a dense layer, with its batch norm, residual and ReLU, after a BN + ReLU', () => {
    const g = new st.Graph({ seed: 21 });
    const x = g.input([5, 2, 2]);
    const pre = g.add(new nn.ReLU(), g.add(new nn.BatchNorm2D(), x));
    const conv = g.add(new nn.BatchNorm2D(), g.add(new nn.Conv2D({ filters: 5, kernelSize: 3, padding: 1 }), pre));
    const out = g.add(new nn.ReLU(), g.add(new nn.Add(), conv, x));
    const model = g.output(g.add(new nn.Dense({ units: 3 }), g.add(new nn.Flatten(), out)));
    for (const layer of model.layers)
      if (layer instanceof nn.BatchNorm2D) {
        layer.gamma!.value.data.set(randomTensor([5], 22).data.map((v) => 1 + 0.5 * v));
        layer.runningVar!.data.set(randomTensor([5], 23).data.map((v) => 0.5 + 0.4 * Math.abs(v)));
      }
    const plan = model.compile({ batchSize: 4 });
    const convs = plan.steps.filter((s) => s.kind === 'conv');
    expect(convs.map((s) => s.kind === 'conv' && s.asDense)).toEqual([true]);
    expect(plan.steps.map((s) => s.kind)).toEqual(['affine', 'conv', 'layer', 'layer']);
    for (const n of [1, 4, 6]) {
      const input = randomTensor([n, 5, 2, 2], 30 + n);
      expectClose(model.predictSync(input).data, model.forward(input).data, 1e-5, `batch ${n}`);
    }
  });
});
