/**
 * Central-difference gradient checks in float64. Layers compute in float32, so the
 * loss L = Σ dy·y (dy random, fixed) is summed in float64 and each input value is
 * moved by ±h with h around 1e-2: large enough that float32 rounding of y stays
 * well below the difference, small enough for the O(h²) truncation error. The
 * actual steps are the float32-rounded ones. A failure names the tensor, the
 * index and both values.
 */
import { Rng, type Tensor } from '../../src/index.js';
import type { Layer } from '../../src/nn/index.js';
import { randomTensor } from './random.js';

export interface GradTarget {
  name: string;
  /** The tensor to perturb (in place, restored after each step). */
  value: Tensor;
  /** The analytic gradient dL/dvalue. */
  grad: Tensor;
}

export interface GradcheckOptions {
  /** Step; default 1e-2. */
  h?: number;
  /** Allowed |num − ana| / (|num| + |ana| + atol); default 1e-2. */
  tolerance?: number;
  /** Absolute floor in the error's denominator; default 1e-3. */
  atol?: number;
  /** At most this many entries per tensor are checked (a seeded sample); default 80. */
  maxPerTarget?: number;
  seed?: number;
}

/** What forward may return: a layer's float32 output, or float64 values (a loss). */
type Output = Tensor | Float64Array;

function dot(dy: Tensor, y: Output): number {
  const values = y instanceof Float64Array ? y : y.data;
  if (dy.size !== values.length) throw new Error(`gradcheck: forward returned ${values.length} values, dy has ${dy.size}`);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += dy.data[i] * values[i];
  return sum;
}

/** Checks every target's analytic gradient against central differences of Σ dy·forward(). */
export function gradcheck(context: string, forward: () => Output, dy: Tensor, targets: GradTarget[], options: GradcheckOptions = {}): void {
  const h = options.h ?? 1e-2;
  const tolerance = options.tolerance ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const maxPer = options.maxPerTarget ?? 80;
  const rng = new Rng(options.seed ?? 12345);
  for (const target of targets) {
    const data = target.value.data;
    const indices = data.length <= maxPer ? [...data.keys()] : Array.from({ length: maxPer }, () => rng.int(data.length));
    for (const i of indices) {
      const v = data[i];
      data[i] = v + h;
      const up = data[i] - v;
      const lossUp = dot(dy, forward());
      data[i] = v - h;
      const down = v - data[i];
      const lossDown = dot(dy, forward());
      data[i] = v;
      const numeric = (lossUp - lossDown) / (up + down);
      const analytic = target.grad.data[i];
      const error = Math.abs(numeric - analytic) / (Math.abs(numeric) + Math.abs(analytic) + atol);
      if (!(error <= tolerance))
        throw new Error(
          `${context}: d/d${target.name}[${i}]: analytic ${analytic}, numeric ${numeric} (error ${error.toExponential(2)} > ${tolerance})`,
        );
    }
  }
}

export interface LayerCheckOptions extends GradcheckOptions {
  training?: boolean;
  /** Recomputes y from the current x and params; default layer.forward(x, { training }). */
  forward?: () => Tensor;
  /** Seed of the random dy. */
  dySeed?: number;
}

/**
 * Runs forward and backward once, then checks dx and every parameter gradient.
 * Returns the analytic dx.
 */
export function checkLayer(context: string, layer: Layer, x: Tensor, options: LayerCheckOptions = {}): Tensor {
  const training = options.training ?? false;
  const y = layer.forward(x, { training });
  const dy = randomTensor([...y.shape], options.dySeed ?? 99);
  layer.zeroGrad();
  const dx = layer.backward(dy);
  const targets: GradTarget[] = [
    { name: 'x', value: x, grad: dx.clone() },
    ...layer.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad.clone() })),
  ];
  gradcheck(context, options.forward ?? (() => layer.forward(x, { training })), dy, targets, options);
  return dx;
}

/** A random tensor in ±[margin, 1): no value near the kink at 0. */
export function awayFromZero(shape: number[], seed: number, margin = 0.1): Tensor {
  const t = randomTensor(shape, seed);
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i];
    t.data[i] = Math.sign(v || 1) * (margin + (1 - margin) * Math.abs(v));
  }
  return t;
}
