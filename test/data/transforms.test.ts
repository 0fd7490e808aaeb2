// normalize, oneHot, padImages and split, each against values computed here
// element by element, plus their bad-input errors.
import { describe, expect, it } from 'vitest';
import { normalize, oneHot, padImages, split } from '../../src/data/index.js';
import { Rng } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose } from '../helpers/compare.js';

// Data code is pure TypeScript: these tests import neither the addon nor helpers that load it.
function randomTensor(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = 2 * rng.uniform() - 1;
  return new Tensor(data, shape);
}

describe('normalize', () => {
  it('x=[2,3,4,5] per channel, in float64 terms', () => {
    const x = randomTensor([2, 3, 4, 5], 1);
    const mean = [0.1, -0.2, 0.3];
    const std = [0.5, 2, 0.25];
    const y = normalize(x, { mean, std });
    expect(y.shape).toEqual([2, 3, 4, 5]);
    const want = Array.from(x.data, (v, i) => {
      const c = Math.floor(i / 20) % 3;
      return (v - mean[c]) / std[c];
    });
    expectClose(y.data, want, 1e-6, 'normalize per channel');
    expect(y.data).not.toBe(x.data);
  });

  it('x=[7] and x=[3,1,2,2] with scalars', () => {
    for (const shape of [[7], [3, 1, 2, 2]]) {
      const x = randomTensor(shape, 2);
      const y = normalize(x, { mean: 0.1307, std: 0.3081 });
      expectClose(y.data, Array.from(x.data, (v) => (v - 0.1307) / 0.3081), 1e-6, `normalize ${shape}`);
    }
  });

  it('rejects a wrong channel count and a std <= 0', () => {
    const x = randomTensor([1, 3, 2, 2], 3);
    expect(() => normalize(x, { mean: [0, 0], std: 1 })).toThrow('normalize: mean must have one value per channel (3), got 2');
    expect(() => normalize(x, { mean: 0, std: [1, 0, 1] })).toThrow('normalize: std must be > 0, got 0 for channel 1');
    expect(() => normalize(x, { mean: NaN, std: 1 })).toThrow(TypeError);
  });
});

describe('oneHot', () => {
  it('labels [2, 0, 4, 4] over 5 classes', () => {
    const y = oneHot(Int32Array.of(2, 0, 4, 4), 5);
    expect(y.shape).toEqual([4, 5]);
    expect(y.toArray()).toEqual([
      [0, 0, 1, 0, 0],
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 1],
    ]);
  });

  it('rejects out-of-range labels and class counts', () => {
    expect(() => oneHot(Int32Array.of(1, 5), 5)).toThrow('oneHot: labels[1] must be an integer in [0, 5), got 5');
    expect(() => oneHot(Int32Array.of(-1), 5)).toThrow(RangeError);
    expect(() => oneHot(Int32Array.of(0), 0)).toThrow(RangeError);
  });
});

describe('padImages', () => {
  for (const [shape, pad] of [
    [[2, 1, 28, 28], 2],
    [[1, 3, 5, 7], [1, 3]],
    [[3, 2, 1, 1], 0],
  ] as [number[], number | [number, number]][]) {
    it(`x=[${shape}] pad=${pad}`, () => {
      const x = randomTensor(shape, 4);
      const [padH, padW] = typeof pad === 'number' ? [pad, pad] : pad;
      const [n, c, h, w] = shape;
      const y = padImages(x, pad, -0.5);
      const outH = h + 2 * padH;
      const outW = w + 2 * padW;
      expect(y.shape).toEqual([n, c, outH, outW]);
      for (let p = 0; p < n * c; p++)
        for (let oy = 0; oy < outH; oy++)
          for (let ox = 0; ox < outW; ox++) {
            const iy = oy - padH;
            const ix = ox - padW;
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            const want = inside ? x.data[(p * h + iy) * w + ix] : -0.5;
            expect(y.data[(p * outH + oy) * outW + ox]).toBe(want);
          }
    });
  }

  it('rejects a non-4D tensor and a negative pad', () => {
    expect(() => padImages(randomTensor([4, 4], 5), 1)).toThrow('padImages: images must be [N, C, H, W], got [4, 4]');
    expect(() => padImages(randomTensor([1, 1, 4, 4], 5), -1)).toThrow(RangeError);
  });
});

describe('split', () => {
  const n = 20;
  const data = new Float32Array(n * 2).map((_, i) => Math.floor(i / 2));
  const dataset = { images: new Tensor(data, [n, 2]), labels: Int32Array.from({ length: n }, (_, i) => i % 10) };

  it('a fraction holds out the last examples; a count likewise', () => {
    const { train, validation } = split(dataset, 0.25);
    expect(train.images.shape).toEqual([15, 2]);
    expect(validation.images.shape).toEqual([5, 2]);
    expect(Array.from(validation.images.data)).toEqual([15, 15, 16, 16, 17, 17, 18, 18, 19, 19]);
    expect(Array.from(validation.labels)).toEqual([5, 6, 7, 8, 9]);
    expect(split(dataset, 3).validation.labels.length).toBe(3);
    expect(split(dataset, 0).validation.images.shape).toEqual([0, 2]);
  });

  it('with a seed, a shuffled partition: disjoint and complete, the same for the same seed', () => {
    const { train, validation } = split(dataset, 0.3, { seed: 7 });
    const ids = [...Array.from(train.images.data), ...Array.from(validation.images.data)].filter((_, i) => i % 2 === 0);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(validation.labels.length).toBe(6);
    expect(Array.from(split(dataset, 0.3, { seed: 7 }).validation.labels)).toEqual(Array.from(validation.labels));
    for (let i = 0; i < 6; i++) expect(validation.labels[i]).toBe(validation.images.data[2 * i] % 10);
  });

  it('rejects fractions outside (0, 1) and counts above N', () => {
    expect(() => split(dataset, 1.5)).toThrow('split: a fraction must be in (0, 1), got 1.5');
    expect(() => split(dataset, 21)).toThrow('split: a count must be in [0, 20], got 21');
    expect(() => split(dataset, -0.5)).toThrow(RangeError);
  });
});
