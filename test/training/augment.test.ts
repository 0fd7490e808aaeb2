// st.data.augment: random crop with padding and horizontal flip, against a direct
// per-image reading of the definition; seeded; bad specs refused.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { streamSeed } from '../../src/data/augment.js';
import { randomTensor } from '../helpers/random.js';

describe('augment', () => {
  const x = randomTensor([5, 3, 6, 7], 1);
  const [n, c, h, w] = x.shape;
  const at = (t: st.Tensor, i: number, ch: number, y: number, xx: number) => t.data[((i * c + ch) * h + y) * w + xx];

  it('each image is a window of the padded image, mirrored or not; padding takes the fill per channel', () => {
    const fill = [-1, -2, -3];
    const y = st.data.augment(x, { cropPadding: 2, horizontalFlip: true, fill }, 9);
    expect(y.shape).toEqual(x.shape);
    let flipped = 0;
    let shifted = 0;
    for (let i = 0; i < n; i++) {
      // Find the (dy, dx, mirror) that explains image i; exactly one must.
      const fits: [number, number, boolean][] = [];
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++)
          for (const mirror of [false, true]) {
            let ok = true;
            for (let ch = 0; ch < c && ok; ch++)
              for (let yy = 0; yy < h && ok; yy++)
                for (let xx = 0; xx < w && ok; xx++) {
                  const sy = yy + dy;
                  const sx = (mirror ? w - 1 - xx : xx) + dx;
                  const want = sy < 0 || sy >= h || sx < 0 || sx >= w ? fill[ch] : at(x, i, ch, sy, sx);
                  ok = at(y, i, ch, yy, xx) === want;
                }
            if (ok) fits.push([dy, dx, mirror]);
          }
      expect(fits).toHaveLength(1);
      if (fits[0][2]) flipped++;
      if (fits[0][0] !== 0 || fits[0][1] !== 0) shifted++;
    }
    expect(shifted).toBeGreaterThan(0);
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(n);
  });

  it('is a function of its seed, leaves its input alone, and does nothing with an empty spec', () => {
    const before = Array.from(x.data);
    const a = st.data.augment(x, { cropPadding: 4, horizontalFlip: true }, 3);
    expect(Array.from(st.data.augment(x, { cropPadding: 4, horizontalFlip: true }, 3).data)).toEqual(Array.from(a.data));
    expect(Array.from(st.data.augment(x, { cropPadding: 4, horizontalFlip: true }, 4).data)).not.toEqual(Array.from(a.data));
    expect(Array.from(x.data)).toEqual(before);
    expect(Array.from(st.data.augment(x, {}, 1).data)).toEqual(before);
    expect(new Set([streamSeed(0, 0, 1), streamSeed(0, 1, 0), streamSeed(1, 0, 0), streamSeed(0, 0, 0)]).size).toBe(4);
  });

  it('refuses bad specs, naming the option', () => {
    expect(() => st.data.augment(st.zeros([2, 3]), {}, 0)).toThrow(/images must be \[N, C, H, W\]/);
    expect(() => st.data.augment(x, { cropPadding: -1 }, 0)).toThrow(/augment.cropPadding/);
    expect(() => st.data.augment(x, { flip: true } as never, 0)).toThrow(/augment has no option flip/);
    expect(() => st.data.augment(x, { fill: [1, 2] }, 0)).toThrow(/fill must have one value or one per channel \(3\), got 2/);
    expect(() => st.data.augment(x, { horizontalFlip: 1 as never }, 0)).toThrow(TypeError);
    expect(() => st.data.augment(x, new Date(0) as never, 0)).toThrow(/^augment: augment must be \{ cropPadding\?, horizontalFlip\?, fill\? \}, got Date/);
    const detached = x.clone();
    structuredClone(detached.data.buffer, { transfer: [detached.data.buffer as ArrayBuffer] });
    expect(() => st.data.augment(detached, {}, 0)).toThrow(/^augment: images has 0 values for shape/);
  });
});
