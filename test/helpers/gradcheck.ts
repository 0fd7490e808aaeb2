/**
 * Gradient checks for the tests, over the public `st.gradcheck` (src/gradcheck.ts):
 * these throw on failure with the test's context, and check a seeded sample of at
 * most 80 entries per tensor to keep the suite quick.
 */
import { compareGradients, formatReport, type GradcheckOptions, type GradOutput } from '../../src/gradcheck.js';
import type { Tensor } from '../../src/index.js';
import type { Layer } from '../../src/nn/index.js';
import { randomTensor } from './random.js';

export interface GradTarget {
  name: string;
  /** The tensor to perturb (in place, restored after each step). */
  value: Tensor;
  /** The analytic gradient dL/dvalue. */
  grad: Tensor;
}

export interface CheckOptions extends Omit<GradcheckOptions, 'throwOnFailure'> {
  /** At most this many entries per tensor are checked (a seeded sample); default 80. */
  maxPerTarget?: number;
  /** The step (the public option's eps); default 1e-2. */
  h?: number;
}

function fail(context: string, report: ReturnType<typeof compareGradients>): void {
  if (!report.ok) throw new Error(`${context}: ${formatReport(report)}`);
}

function publicOptions(options: CheckOptions): GradcheckOptions {
  const { maxPerTarget, h, ...rest } = options;
  return { samples: maxPerTarget ?? 80, seed: 12345, eps: h, ...rest };
}

/** Checks every target's analytic gradient against central differences of Σ dy·forward(). */
export function gradcheck(context: string, forward: () => GradOutput, dy: Tensor, targets: GradTarget[], options: CheckOptions = {}): void {
  fail(context, compareGradients(forward, dy, targets.map((t) => ({ ...t, kind: 'input' as const })), publicOptions(options)));
}

export interface LayerCheckOptions extends CheckOptions {
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
  const { forward, dySeed, ...rest } = options;
  const training = options.training ?? false;
  const y = layer.forward(x, { training });
  const dy = randomTensor([...y.shape], dySeed ?? 99);
  layer.zeroGrad();
  const dx = layer.backward(dy);
  const targets = [
    { name: 'x', kind: 'input' as const, value: x, grad: dx.clone() },
    ...layer.params().map((p) => ({ name: p.name, kind: 'param' as const, value: p.value, grad: p.grad.clone() })),
  ];
  fail(context, compareGradients(forward ?? (() => layer.forward(x, { training })), dy, targets, publicOptions(rest)));
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
