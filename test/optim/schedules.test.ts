// Learning-rate schedules at chosen steps against their closed forms, applied to an
// optimizer step by step, composed with a warm-up, restored from a checkpoint.
import { describe, expect, it } from 'vitest';
import { CosineAnnealingLR, ExponentialLR, LinearWarmup, SGD, StepLR } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor.js';

function sgd(lr: number): SGD {
  return new SGD([{ name: 'w', value: new Tensor(new Float32Array(2), [2]), grad: new Tensor(new Float32Array(2), [2]) }], { lr });
}

describe('schedules at chosen steps', () => {
  it('StepLR: gamma^floor(t / stepSize)', () => {
    const s = new StepLR({ stepSize: 3, gamma: 0.5 });
    const got = [0, 1, 2, 3, 5, 6, 8, 9, 30].map((t) => s.lrAt(t, 0.8));
    expect(got).toEqual([0.8, 0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.8 / 1024]);
  });

  it('ExponentialLR: gamma^t', () => {
    const s = new ExponentialLR({ gamma: 0.9 });
    for (const t of [0, 1, 2, 10, 100]) expect(s.lrAt(t, 0.1)).toBeCloseTo(0.1 * 0.9 ** t, 15);
  });

  it('CosineAnnealingLR: half a cosine from base to etaMin, then etaMin', () => {
    const s = new CosineAnnealingLR({ tMax: 10, etaMin: 0.01 });
    expect(s.lrAt(0, 0.1)).toBeCloseTo(0.1, 15);
    expect(s.lrAt(5, 0.1)).toBeCloseTo(0.055, 15);
    expect(s.lrAt(10, 0.1)).toBeCloseTo(0.01, 15);
    expect(s.lrAt(25, 0.1)).toBeCloseTo(0.01, 15);
    expect(s.lrAt(3, 0.1)).toBeCloseTo(0.01 + 0.045 * (1 + Math.cos((3 * Math.PI) / 10)), 15);
    expect(new CosineAnnealingLR({ tMax: 4 }).lrAt(4, 1)).toBe(0);
  });

  it('LinearWarmup: from startFactor * base to base, then the inner schedule from its step 0', () => {
    const warm = new LinearWarmup({ warmupSteps: 4, startFactor: 0.2 });
    expect([0, 1, 2, 3, 4, 9].map((t) => warm.lrAt(t, 1))).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 1, 1]);
    const composed = new LinearWarmup({ warmupSteps: 4, startFactor: 0.2 }, new StepLR({ stepSize: 2, gamma: 0.1 }));
    expect(composed.lrAt(3, 1)).toBeCloseTo(0.8, 15);
    expect(composed.lrAt(4, 1)).toBe(1);
    expect(composed.lrAt(5, 1)).toBe(1);
    expect(composed.lrAt(6, 1)).toBeCloseTo(0.1, 15);
    expect(new LinearWarmup({ warmupSteps: 3 }).lrAt(0, 0.3)).toBeCloseTo(0.1, 15);
  });
});

describe('schedule.step(optimizer)', () => {
  it('sets lrAt(0), lrAt(1), ... from the optimizer base lr', () => {
    const opt = sgd(0.1);
    const schedule = new LinearWarmup({ warmupSteps: 2, startFactor: 0.5 }, new ExponentialLR({ gamma: 0.5 }));
    const seen: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      const lr = schedule.step(opt);
      expect(opt.lr).toBe(lr);
      seen.push(lr);
    }
    [0.05, 0.075, 0.1, 0.05, 0.025].forEach((want, i) => expect(seen[i]).toBeCloseTo(want, 15));
    expect(opt.baseLr).toBe(0.1);
    expect(schedule.stepCount).toBe(5);
  });

  it('resumes from state(), and cosine may set lr to 0', () => {
    const a = new CosineAnnealingLR({ tMax: 3 });
    const opt = sgd(1);
    a.step(opt);
    a.step(opt);
    const b = new CosineAnnealingLR({ tMax: 3 });
    b.loadState(JSON.parse(JSON.stringify(a.state())));
    expect(b.step(opt)).toBe(a.lrAt(2, 1));
    expect(b.step(opt)).toBe(0);
    expect(opt.lr).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => new StepLR({ stepSize: 0, gamma: 0.1 })).toThrow('StepLR: stepSize must be an integer >= 1, got 0');
    expect(() => new StepLR({ stepSize: 2, gamma: 0 })).toThrow('StepLR: gamma must be in (0, Infinity), got 0');
    expect(() => new ExponentialLR({ gamma: -1 })).toThrow(RangeError);
    expect(() => new CosineAnnealingLR({ tMax: 2.5 })).toThrow(RangeError);
    expect(() => new CosineAnnealingLR({ tMax: 5, etaMin: -0.1 })).toThrow(RangeError);
    expect(() => new LinearWarmup({ warmupSteps: 5, startFactor: 0 })).toThrow('LinearWarmup: startFactor must be in (0, 1], got 0');
    expect(() => new LinearWarmup({ warmupSteps: 5 }, {} as never)).toThrow(TypeError);
    expect(() => new StepLR({ stepSize: 2 }).lrAt(-1, 0.1)).toThrow(RangeError);
    expect(() => new StepLR({ stepSize: 2 }).loadState({ step: 1.5 })).toThrow(RangeError);
  });
});
