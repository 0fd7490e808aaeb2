// clipGradNorm against a float64 norm computed here: the returned norm, the scaled
// gradients, the no-op below the threshold, non-finite norms, and bad input.
import { describe, expect, it } from 'vitest';
import { clipGradNorm } from '../../src/optim/index.js';
import type { Param } from '../../src/param.js';
import { Rng } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose } from '../helpers/compare.js';

function params(sizes: number[], seed: number, scale: number): Param[] {
  const rng = new Rng(seed);
  return sizes.map((n, i) => ({
    name: `p${i}`,
    value: new Tensor(new Float32Array(n), [n]),
    grad: new Tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), [n]),
  }));
}

function norm64(ps: Param[]): number {
  let sum = 0;
  for (const p of ps) for (const g of p.grad.data) sum += g * g;
  return Math.sqrt(sum);
}

describe('clipGradNorm', () => {
  it('sizes [1, 5, 31, 1000]: returns the float64 norm and scales to maxNorm', () => {
    const ps = params([1, 5, 31, 1000], 1, 3);
    const before = ps.map((p) => Float64Array.from(p.grad.data));
    const total = norm64(ps);
    const got = clipGradNorm(ps, 2);
    expect(got).toBe(total);
    const factor = 2 / (total + 1e-6);
    ps.forEach((p, i) => expectClose(p.grad.data, Array.from(before[i], (g) => g * factor), 1e-6, `grad ${i}`));
    expect(norm64(ps)).toBeCloseTo(2, 5);
  });

  it('leaves gradients below maxNorm as they are', () => {
    const ps = params([3, 4], 2, 0.01);
    const before = ps.map((p) => Array.from(p.grad.data));
    expect(clipGradNorm(ps, 10)).toBe(norm64(ps));
    ps.forEach((p, i) => expect(Array.from(p.grad.data)).toEqual(before[i]));
  });

  it('sums in float64: 1e6 equal gradients g give 1000 g to 1e-9', () => {
    // A float32 running sum of 1e6 squares would be off by about 1e-3 relative.
    const n = 1_000_000;
    const ps = [{ name: 'w', value: new Tensor(new Float32Array(n), [n]), grad: new Tensor(new Float32Array(n).fill(1e-3), [n]) }];
    expect(clipGradNorm(ps, 10)).toBeCloseTo(1000 * Math.fround(1e-3), 9);
  });

  it('returns a non-finite norm and leaves the gradients alone', () => {
    const ps = params([4], 3, 1);
    ps[0].grad.data[2] = NaN;
    const before = Array.from(ps[0].grad.data);
    expect(clipGradNorm(ps, 1)).toBeNaN();
    expect(Array.from(ps[0].grad.data)).toEqual(before);
  });

  it('rejects a negative maxNorm and a non-param', () => {
    expect(() => clipGradNorm(params([2], 4, 1), -1)).toThrow('clipGradNorm: maxNorm must be in [0, Infinity), got -1');
    expect(() => clipGradNorm([{ name: 'x' }] as never, 1)).toThrow(TypeError);
  });
});
