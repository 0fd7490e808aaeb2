// trimDeadTaps: the kernel taps that read only padding, cut for the inference plan. The
// cut convolution must give the same output as the whole one on every geometry (random
// small maps with strides, dilations, uneven padding and groups), and cut exactly the
// taps no output reads inside the image.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { trimDeadTaps } from '../../src/models/plan/trim.js';
import type { Conv2dOptions } from '../../src/ops/conv.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

describe('trimDeadTaps', () => {
  it('cuts a 3x3 convolution on a 1x1 map to its centre tap', () => {
    const w = randomTensor([6, 5, 3, 3], 1);
    const { weight, options } = trimDeadTaps([5, 1, 1], w, { padding: 1 });
    expect(weight.shape).toEqual([6, 5, 1, 1]);
    expect(options.padding).toEqual([0, 0, 0, 0]);
    for (let f = 0; f < 30; f++) expect(weight.data[f]).toBe(w.data[f * 9 + 4]);
  });

  it('keeps the taps live for some outputs, cuts the rest, and shrinks the padding to match', () => {
    // 2x2 map, stride 2, padding 1: the one output reads rows -1, 0, 1; the first tap is dead.
    const strided = trimDeadTaps([3, 2, 2], randomTensor([4, 3, 3, 3], 2), { stride: 2, padding: 1 });
    expect(strided.weight.shape).toEqual([4, 3, 2, 2]);
    expect(strided.options.padding).toEqual([0, 0, 0, 0]);
    // Dilation 2 on a 1x1 map: the taps read -2, 0 and 2.
    const dilated = trimDeadTaps([3, 1, 1], randomTensor([4, 3, 3, 3], 3), { dilation: 2, padding: 2 });
    expect(dilated.weight.shape).toEqual([4, 3, 1, 1]);
    // One dimension only: a 1x7 map keeps its 7 columns of taps.
    const wide = trimDeadTaps([3, 1, 7], randomTensor([4, 3, 3, 3], 4), { padding: 1 });
    expect(wide.weight.shape).toEqual([4, 3, 1, 3]);
    expect(wide.options.padding).toEqual([0, 0, 1, 1]);
  });

  it('returns the same weight and options when every tap reads the image somewhere', () => {
    const w = randomTensor([4, 3, 3, 3], 5);
    const options: Conv2dOptions = { padding: 1 };
    const kept = trimDeadTaps([3, 2, 2], w, options);   // each tap reads the 2x2 map for some output
    expect(kept.weight).toBe(w);
    expect(kept.options).toBe(options);
  });

  it('gives the whole convolution\'s output on random small maps', () => {
    let seed = 11, cut = 0;
    const int = (lo: number, hi: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return lo + (seed % (hi - lo + 1));
    };
    for (let trial = 0; trial < 200; trial++) {
      const groups = int(1, 2), h = int(1, 4), w = int(1, 5), kh = int(1, 5), kw = int(1, 5);
      const stride: [number, number] = [int(1, 3), int(1, 3)], dilation: [number, number] = [int(1, 2), int(1, 2)];
      const padding = [int(0, 4), int(0, 4), int(0, 4), int(0, 4)] as const;
      // Only geometries whose dilated kernel fits the padded map.
      if (h + padding[0] + padding[1] < (kh - 1) * dilation[0] + 1 || w + padding[2] + padding[3] < (kw - 1) * dilation[1] + 1) continue;
      const cin = 2 * groups, cout = 3 * groups;
      const x = randomTensor([2, cin, h, w], 100 + trial), weight = randomTensor([cout, cin / groups, kh, kw], 200 + trial);
      const bias = randomTensor([cout], 300 + trial);
      const options: Conv2dOptions = { stride, dilation, padding, groups };
      const trimmed = trimDeadTaps([cin, h, w], weight, options);
      if (trimmed.weight !== weight) cut++;
      const context = `x [2,${cin},${h},${w}] k ${kh}x${kw} ${JSON.stringify(options)}`;
      const want = st.ops.conv2d(x, weight, bias, options), got = st.ops.conv2d(x, trimmed.weight, bias, trimmed.options);
      expect(got.shape, context).toEqual(want.shape);
      expectClose(got.data, want.data, 1e-6, context);
    }
    expect(cut).toBeGreaterThan(40);
  });
});
