// The tutorial's examples, with the values scipy 1.10 prints for them
// (scipy.signal.convolve/correlate(..., method='direct'), convolve2d, correlate2d).
// Inputs are small integers, so every float64 sum is exact and the match is exact.
import { describe, expect, it } from 'vitest';
import { convolve, convolve2d, correlate, correlate2d, rot180 } from '../../src/signal/index.js';

const f = [0, 1, 2, -1, 3];
const g = [1, 1, 0];

const A = [
  [0, 0, 1, 2],
  [2, 2, 0, 0],
  [2, 1, 2, 2],
  [3, 0, 1, 1],
];
const B = [
  [0, 0, -1],
  [1, -1, 1],
  [-1, 1, 1],
];

describe('signal tutorial, 1-D: f=[0,1,2,-1,3] g=[1,1,0]', () => {
  it('convolve in the three modes', () => {
    expect(Array.from(convolve(f, g))).toEqual([0, 1, 3, 1, 2, 3, 0]);
    expect(Array.from(convolve(f, g, 'full'))).toEqual([0, 1, 3, 1, 2, 3, 0]);
    expect(Array.from(convolve(f, g, 'valid'))).toEqual([3, 1, 2]);
    expect(Array.from(convolve(f, g, 'same'))).toEqual([1, 3, 1, 2, 3]);
  });

  it('correlate in the three modes', () => {
    expect(Array.from(correlate(f, g))).toEqual([0, 0, 1, 3, 1, 2, 3]);
    expect(Array.from(correlate(f, g, 'full'))).toEqual([0, 0, 1, 3, 1, 2, 3]);
    expect(Array.from(correlate(f, g, 'valid'))).toEqual([1, 3, 1]);
    expect(Array.from(correlate(f, g, 'same'))).toEqual([0, 1, 3, 1, 2]);
  });

  it('output sizes are n+m-1, n-m+1 and n', () => {
    expect(convolve(f, g, 'full').length).toBe(5 + 3 - 1);
    expect(convolve(f, g, 'valid').length).toBe(5 - 3 + 1);
    expect(convolve(f, g, 'same').length).toBe(5);
  });
});

describe('signal tutorial, 2-D: A 4x4, B 3x3', () => {
  it('convolve2d in the three modes', () => {
    const full = [
      [0, 0, 0, 0, -1, -2],
      [0, 0, -1, -1, -1, 2],
      [2, 0, -3, 0, 1, 0],
      [0, -1, 4, 3, -1, 1],
      [1, -2, 5, 1, 4, 3],
      [-3, 3, 2, 0, 2, 1],
    ];
    expect(convolve2d(A, B)).toEqual(full);
    expect(convolve2d(A, B, 'full')).toEqual(full);
    expect(convolve2d(A, B, 'valid')).toEqual([
      [-3, 0],
      [4, 3],
    ]);
    expect(convolve2d(A, B, 'same')).toEqual([
      [0, -1, -1, -1],
      [0, -3, 0, 1],
      [-1, 4, 3, -1],
      [-2, 5, 1, 4],
    ]);
  });

  it('correlate2d in the three modes', () => {
    const full = [
      [0, 0, 1, 3, 1, -2],
      [2, 4, 1, -1, -1, 2],
      [4, 3, 0, 3, 0, -2],
      [3, 0, 1, 3, 0, 1],
      [1, -4, 2, -2, 0, 1],
      [-3, 0, -1, -1, 0, 0],
    ];
    expect(correlate2d(A, B)).toEqual(full);
    expect(correlate2d(A, B, 'full')).toEqual(full);
    expect(correlate2d(A, B, 'valid')).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(correlate2d(A, B, 'same')).toEqual([
      [4, 1, -1, -1],
      [3, 0, 3, 0],
      [0, 1, 3, 0],
      [-4, 2, -2, 0],
    ]);
  });

  it('correlate2d(A, B) == convolve2d(A, rot180(B)) in every mode (B is 3x3, odd)', () => {
    expect(rot180(B)).toEqual([
      [1, 1, -1],
      [1, -1, 1],
      [-1, 0, 0],
    ]);
    for (const mode of ['full', 'valid', 'same'] as const)
      expect(convolve2d(A, rot180(B), mode), mode).toEqual(correlate2d(A, B, mode));
  });
});
