/**
 * Finite-difference gradient checks: the analytic gradient a backward computes,
 * held against central differences of a scalar loss, element by element.
 *
 *   L(θ)        = Σ dy · f(θ)                 dy random and fixed (f may also return L itself)
 *   numeric_i   = (L(θ + h e_i) − L(θ − h e_i)) / (2h)
 *   passed_i    ⇔ |analytic_i − numeric_i| ≤ atol + rtol · |numeric_i|
 *
 * θ runs over every input and every parameter. The criterion is PyTorch's
 * `torch.autograd.gradcheck` (allclose of analytic and numeric); its defaults
 * (eps 1e-6, atol 1e-5, rtol 1e-3) are for float64 tensors. striate computes in
 * float32, where a step of 1e-6 is lost in rounding, so the defaults here are
 * eps = 1e-2 (the float32 rounding of f stays far below the difference, the O(h²)
 * truncation small), rtol = 2e-2 and atol = 1e-5, with L summed in float64. The
 * step actually taken is the float32-rounded one. Inputs should stay away from
 * kinks (ReLU at 0, max-pool ties), where differences and derivatives disagree.
 */
import { BaseLayer } from './nn/layer.js';
import { Graph } from './models/graph.js';
import { permutation } from './data/dataset.js';
import { Rng } from './random.js';
import { Tensor } from './tensor.js';

/**
 * A function with a hand-written gradient: `forward` maps the inputs to a tensor
 * (or a number, a scalar loss); `backward(dy, ...inputs)`, called right after
 * `forward`, returns the gradient of Σ dy·forward with respect to each input.
 */
export interface GradFunction {
  forward(...inputs: Tensor[]): Tensor | number;
  backward(dy: Tensor, ...inputs: Tensor[]): Tensor | readonly Tensor[];
}

/** What `gradcheck` checks: a layer, a model, or a function with its gradient. */
export type GradcheckSubject = BaseLayer | Graph | GradFunction;

export interface GradcheckOptions {
  /** The step h of the central difference; default 1e-2 (for float32 values). */
  eps?: number;
  /** Absolute tolerance; default 1e-5. */
  atol?: number;
  /** Tolerance relative to |numeric|; default 2e-2. */
  rtol?: number;
  /** Run layers and models in training mode (batch statistics, dropout); default false. */
  training?: boolean;
  /** Check the parameters of a layer or model too; default true. */
  params?: boolean;
  /** Check at most this many entries of each tensor, a seeded sample; default: every entry. */
  samples?: number;
  /** Seeds dy and the sample; default 0. */
  seed?: number;
  /** Throw a GradcheckError describing the worst failures instead of returning; default false. */
  throwOnFailure?: boolean;
}

/** The worst-checked entry of one tensor (an input or a parameter). */
export interface GradcheckEntry {
  /** `inputs[k]` or the parameter's name. */
  name: string;
  kind: 'input' | 'param';
  /** The flat index of the worst entry (largest error relative to its tolerance). */
  index: number;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| */
  absError: number;
  /** |analytic − numeric| / |numeric| (Infinity when numeric is 0 and they differ). */
  relError: number;
  /** Every checked entry of this tensor was within tolerance. */
  passed: boolean;
  /** Entries checked, and how many of them failed. */
  checked: number;
  failed: number;
}

export interface GradcheckReport {
  /** Every entry of every tensor passed. */
  ok: boolean;
  inputs: GradcheckEntry[];
  params: GradcheckEntry[];
  /** The tolerances and step used. */
  eps: number;
  atol: number;
  rtol: number;
}

/** Thrown by `gradcheck(..., { throwOnFailure: true })`; carries the report. */
export class GradcheckError extends Error {
  constructor(readonly report: GradcheckReport) {
    super(formatReport(report));
    this.name = 'GradcheckError';
  }
}

/** One tensor to perturb and the analytic gradient to hold against the differences. */
export interface GradTarget {
  name: string;
  kind: 'input' | 'param';
  /** Perturbed in place, restored after each step. */
  value: Tensor;
  grad: Tensor;
}

/** What a forward may return: float32 values, float64 values (a loss kept in float64), or a scalar. */
export type GradOutput = Tensor | Float64Array | number;

function positive(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new RangeError(`gradcheck: ${name} must be a finite number > 0, got ${String(value)}`);
  return v;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
    throw new RangeError(`gradcheck: ${name} must be a finite number >= 0, got ${String(value)}`);
  return v;
}

/** Σ dy·y in float64 (or the scalar itself). */
function lossOf(out: GradOutput, dy: Tensor): number {
  if (typeof out === 'number') return out * dy.data[0];
  const values = out instanceof Float64Array ? out : out.data;
  if (values.length !== dy.size) throw new RangeError(`gradcheck: forward returned ${values.length} values, expected ${dy.size}`);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += dy.data[i] * values[i];
  return sum;
}

/** The entries of a tensor to check: all of them, or a seeded sample without repeats. */
function chosen(size: number, samples: number | undefined, rng: Rng): ArrayLike<number> {
  if (samples === undefined || size <= samples) return Int32Array.from({ length: size }, (_, i) => i);
  return permutation(size, rng.nextUint32()).subarray(0, samples).sort();
}

/**
 * The core of `gradcheck`: checks each target's analytic gradient against central
 * differences of Σ dy·forward(). Exposed for checks that build their own targets
 * (a loss whose input is a tensor it does not own, a hand-written loop).
 * @example
 * const report = st.compareGradients(() => loss.forward(y, labels), st.tensor([1]),
 *   [{ name: 'y', kind: 'input', value: y, grad: dy }]);
 */
export function compareGradients(
  forward: () => GradOutput, dy: Tensor, targets: readonly GradTarget[], options: GradcheckOptions = {},
): GradcheckReport {
  const eps = positive('eps', options.eps, 1e-2);
  const atol = nonNegative('atol', options.atol, 1e-5);
  const rtol = nonNegative('rtol', options.rtol, 2e-2);
  const samples = options.samples === undefined ? undefined : Math.floor(positive('samples', options.samples, 1));
  const rng = new Rng(options.seed ?? 0);
  const report: GradcheckReport = { ok: true, inputs: [], params: [], eps, atol, rtol };
  for (const target of targets) {
    const data = target.value.data;
    if (target.grad.size !== data.length)
      throw new RangeError(`gradcheck: the gradient of ${target.name} has ${target.grad.size} values, ${target.name} has ${data.length}`);
    let worst: GradcheckEntry | undefined;
    let worstScore = -1;
    let checked = 0;
    let failed = 0;
    const indices = chosen(data.length, samples, rng);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const v = data[i];
      data[i] = v + eps;
      const up = data[i] - v;
      const lossUp = lossOf(forward(), dy);
      data[i] = v - eps;
      const down = v - data[i];
      const lossDown = lossOf(forward(), dy);
      data[i] = v;
      const numeric = (lossUp - lossDown) / (up + down);
      const analytic = target.grad.data[i];
      const absError = Math.abs(analytic - numeric);
      // NaN anywhere fails: the score is then Infinity.
      const score = absError / (atol + rtol * Math.abs(numeric));
      const safeScore = Number.isNaN(score) ? Infinity : score;
      checked++;
      if (!(safeScore <= 1)) failed++;
      if (safeScore > worstScore) {
        worstScore = safeScore;
        worst = {
          name: target.name, kind: target.kind, index: i, analytic, numeric, absError,
          relError: numeric !== 0 ? absError / Math.abs(numeric) : absError === 0 ? 0 : Infinity,
          passed: true, checked: 0, failed: 0,
        };
      }
    }
    if (!worst) continue; // an empty tensor has nothing to check
    worst.checked = checked;
    worst.failed = failed;
    worst.passed = failed === 0;
    if (!worst.passed) report.ok = false;
    (target.kind === 'input' ? report.inputs : report.params).push(worst);
  }
  if (!report.ok && options.throwOnFailure) throw new GradcheckError(report);
  return report;
}

/** A uniform [-1, 1) tensor shaped like `y`, or [1] of 1 for a scalar. */
function randomDy(y: Tensor | number, seed: number): Tensor {
  if (typeof y === 'number') return new Tensor(Float32Array.of(1), [1]);
  const rng = new Rng(seed);
  const data = new Float32Array(y.size);
  for (let i = 0; i < data.length; i++) data[i] = 2 * rng.uniform() - 1;
  return new Tensor(data, y.shape);
}

function asList(grads: Tensor | readonly Tensor[] | undefined, count: number, what: string): readonly Tensor[] {
  const list = grads instanceof Tensor ? [grads] : grads ?? [];
  if (list.length !== count || list.some((g) => !(g instanceof Tensor)))
    throw new TypeError(`gradcheck: ${what} must return ${count} gradient tensor${count > 1 ? 's' : ''}, one per input`);
  return list;
}

function isGradFunction(s: unknown): s is GradFunction {
  return typeof s === 'object' && s !== null && typeof (s as GradFunction).forward === 'function' && typeof (s as GradFunction).backward === 'function';
}

/**
 * Checks the gradients of a layer, a model or a function with a hand-written
 * backward by central differences, and reports the worst entry of each input and
 * each parameter. Inputs and parameters are perturbed in place and restored.
 * @example
 * const report = st.gradcheck(new st.nn.Conv2D({ filters: 2, kernelSize: 3 }), [st.randn([1, 2, 5, 5], { seed: 1 })]);
 * report.ok            // true
 * report.params[0]     // { name: 'weight', index, analytic, numeric, absError, relError, passed, ... }
 * // y = a·b, so dL/da = dy·bᵀ and dL/db = aᵀ·dy
 * st.gradcheck({
 *   forward: (a, b) => st.ops.matmul(a, b),
 *   backward: (dy, a, b) => [st.ops.matmul(dy, b, { transB: true }), st.ops.matmul(a, dy, { transA: true })],
 * }, [a, b], { throwOnFailure: true });
 */
export function gradcheck(subject: GradcheckSubject, inputs: Tensor | readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const xs = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(xs) || xs.length === 0 || xs.some((x) => !(x instanceof Tensor)))
    throw new TypeError('gradcheck: inputs must be a Tensor or a non-empty array of Tensors');
  const training = options.training ?? false;
  const seed = options.seed ?? 0;
  let forward: () => Tensor | number;
  let backward: (dy: Tensor) => readonly Tensor[];
  let params: () => readonly { name: string; value: Tensor; grad: Tensor }[] = () => [];
  if (subject instanceof Graph) {
    forward = () => subject.forward(xs.length === 1 ? xs[0] : xs, { training });
    backward = (dy) => {
      subject.zeroGrad();
      return asList(subject.backward(dy), xs.length, 'the model backward');
    };
    params = () => subject.params();
  } else if (subject instanceof BaseLayer) {
    forward = () => subject.forwardFrom(xs, { training });
    backward = (dy) => {
      subject.zeroGrad();
      return asList(subject.backwardTo(dy), xs.length, 'the layer backward');
    };
    params = () => subject.params(); // after the first forward: a layer builds its params then
  } else if (isGradFunction(subject)) {
    forward = () => subject.forward(...xs);
    backward = (dy) => asList(subject.backward(dy, ...xs), xs.length, 'backward');
  } else {
    throw new TypeError('gradcheck: subject must be a layer, a model, or { forward, backward }');
  }
  const y = forward();
  if (!(y instanceof Tensor) && typeof y !== 'number') throw new TypeError('gradcheck: forward must return a Tensor or a number');
  const dy = randomDy(y, seed + 1);
  const dxs = backward(dy);
  const targets: GradTarget[] = [
    ...xs.map((x, k) => ({ name: `inputs[${k}]`, kind: 'input' as const, value: x, grad: dxs[k].clone() })),
    ...(options.params ?? true ? params() : []).map((p) => ({ name: p.name, kind: 'param' as const, value: p.value, grad: p.grad.clone() })),
  ];
  return compareGradients(forward, dy, targets, options);
}

/** The report as text: one line per tensor, failures first. */
export function formatReport(report: GradcheckReport): string {
  const entries = [...report.inputs, ...report.params].sort((a, b) => Number(a.passed) - Number(b.passed));
  const head = report.ok
    ? 'gradcheck passed'
    : `gradcheck failed (|analytic - numeric| > ${report.atol} + ${report.rtol}·|numeric|, eps ${report.eps})`;
  return [
    head,
    ...entries.map((e) =>
      `  ${e.passed ? 'ok  ' : 'FAIL'} ${e.name}[${e.index}]: analytic ${e.analytic}, numeric ${e.numeric}, ` +
      `abs error ${e.absError.toExponential(2)}, rel error ${e.relError.toExponential(2)}` +
      (e.failed > 0 ? ` (${e.failed} of ${e.checked} entries failed)` : ` (${e.checked} checked)`),
    ),
  ].join('\n');
}
