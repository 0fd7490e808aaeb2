/**
 * Finite-difference gradient checks: the analytic gradient a backward computes,
 * held against central differences of a scalar loss, element by element.
 *
 *   L(θ)        = Σ dy · f(θ)                 dy random and fixed (f may also return L itself)
 *   D(h)        = (L(θ + h e_i) − L(θ − h e_i)) / (2h)
 *   numeric_i   = (4·D(h/2) − D(h)) / 3      Richardson: the O(h²) error of D cancels
 *   passed_i    ⇔ |analytic_i − numeric_i| ≤ atol + rtol · |numeric_i| + noise_i
 *
 * θ runs over every input and every parameter. The criterion is PyTorch's
 * `torch.autograd.gradcheck` (allclose of analytic and numeric), whose defaults
 * (eps 1e-6, atol 1e-5, rtol 1e-3) are for float64. striate computes in float32, so
 * L is summed in float64 but each value of f carries float32 rounding; three things
 * make the differences trustworthy there:
 *
 * - The step is eps = 1e-2 (1e-6 would drown in rounding); the steps actually taken
 *   are the float32-rounded ones. Through batch norm's batch statistics a single
 *   difference D(h) can still be a few percent off; the extrapolation leaves O(h⁴).
 * - noise_i bounds the rounding of L in the differences: each float32 value of f is
 *   allowed a relative error of G·u (u = 2⁻²⁴, G = 4 for the growth through a few
 *   layers), so D(h) is off by at most G·u·(Σ|dy·f(θ+h)| + Σ|dy·f(θ−h)|) / 2h, and
 *   noise_i combines these bounds as numeric_i combines the D. It matters only for
 *   entries whose gradient is near zero. A forward returning float64 values (a loss
 *   summed in float64) gets the same allowance: they carry the float32 rounding of
 *   what they were computed from.
 * - Kinks. A step that crosses a kink (a ReLU input changing sign, a max-pool window
 *   changing its maximum) differences two pieces of the function, and in a block
 *   with batch norm some ReLU input always lies within 1e-2 of zero. So for layers
 *   and models, the perturbed passes keep the pieces of the unperturbed one: ReLU,
 *   LeakyReLU and ELU apply the sign of their unperturbed input, MaxPool2D gathers at
 *   its unperturbed argmax. That function equals f near θ wherever f is
 *   differentiable, so it has the same derivative there, which is what backward
 *   computes; the differences then hold whatever the step crosses. Dropout and
 *   stochastic pooling draw the same mask in every pass.
 *
 * A check leaves the subject as it found it: inputs and parameters are restored
 * after each step, batch-norm running statistics (which training passes update)
 * after the check, and random streams (dropout) restart from their own seed.
 */
import { checkBoolean, checkInteger, checkObject, checkTensorData, describeType, describeValue, formatShape, orDefault } from './errors.js';
import { BaseLayer, sameShape } from './nn/layer.js';
import { Graph } from './models/graph.js';
import { permutation } from './data/dataset.js';
import { maxPool2dWithArgmax } from './ops/pool.js';
import { Rng } from './random.js';
import { Tensor } from './tensor.js';

/**
 * A function with its gradient, in the style of JAX's `vjp`: called with the inputs, it
 * returns its value (a tensor, or a number such as a loss) and `backward`, which maps
 * dL/dvalue to dL/dinput for each input (a tensor, or an array with one per input).
 * striate has no automatic differentiation, so a plain function must bring its backward;
 * gradcheck calls it once for the analytic gradient, then for the value at every step.
 * @example
 * const matmul: st.GradFunction = (a, b) => ({
 *   value: st.ops.matmul(a, b),
 *   backward: (dy) => [st.ops.matmul(dy, b, { transB: true }), st.ops.matmul(a, dy, { transA: true })],
 * });
 */
export type GradFunction = (...inputs: Tensor[]) => { value: Tensor | number; backward: (dy: Tensor) => Tensor | readonly Tensor[] };

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
  /** Seeds dy, the sample and the dropout masks; default 0. */
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
  /** The float32 rounding allowance at this entry, part of its tolerance. */
  noise: number;
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

/** The unit roundoff of float32. */
const F32_UNIT = 2 ** -24;
/** The relative rounding allowed each value of f, in units: the growth through a few layers. */
const NOISE_GROWTH = 4;

/** The options with their defaults, checked; `op` names the caller in errors. */
interface CheckedOptions {
  eps: number;
  atol: number;
  rtol: number;
  training: boolean;
  params: boolean;
  samples: number | undefined;
  seed: number;
  throwOnFailure: boolean;
}

function checkOptions(op: string, options: unknown): CheckedOptions {
  checkObject(op, 'options', options, 'an object like { eps, samples }');
  const o = options as GradcheckOptions;
  const number = (name: string, value: unknown, fallback: number, positive: boolean): number => {
    const v = orDefault(value, fallback);
    if (typeof v !== 'number' || !Number.isFinite(v) || !(positive ? v > 0 : v >= 0))
      throw new RangeError(`${op}: ${name} must be a finite number ${positive ? '> 0' : '>= 0'}, got ${describeValue(value)}`);
    return v;
  };
  const seed = orDefault(o.seed, 0);
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new TypeError(`${op}: seed must be an integer, got ${describeValue(seed)}`);
  return {
    eps: number('eps', o.eps, 1e-2, true),
    atol: number('atol', o.atol, 1e-5, false),
    rtol: number('rtol', o.rtol, 2e-2, false),
    training: checkBoolean(op, 'training', o.training, false),
    params: checkBoolean(op, 'params', o.params, true),
    samples: o.samples === undefined ? undefined : checkInteger(op, 'samples', o.samples, 1),
    seed,
    throwOnFailure: checkBoolean(op, 'throwOnFailure', o.throwOnFailure, false),
  };
}

/** Checks compareGradients' targets: tensors with their data, each gradient the size of its value. */
function checkTargets(op: string, targets: unknown): readonly GradTarget[] {
  if (!Array.isArray(targets)) throw new TypeError(`${op}: targets must be an array of { name, kind, value, grad }, got ${describeType(targets)}`);
  targets.forEach((t: Partial<GradTarget> | null, i) => {
    const form = `{ name, kind: 'input' | 'param', value: Tensor, grad: Tensor }`;
    if (typeof t !== 'object' || t === null || typeof t.name !== 'string' || (t.kind !== 'input' && t.kind !== 'param'))
      throw new TypeError(`${op}: targets[${i}] must be ${form}, got ${describeValue(t)}`);
    if (!(t.value instanceof Tensor) || !(t.grad instanceof Tensor))
      throw new TypeError(`${op}: targets[${i}] (${t.name}) must be ${form}: its value and grad must be Tensors`);
    checkTensorData(op, `targets[${i}].value`, t.value);
    checkTensorData(op, `targets[${i}].grad`, t.grad);
    if (t.grad.size !== t.value.size)
      throw new RangeError(`${op}: targets[${i}]: the gradient of ${t.name} has ${t.grad.size} values, ${t.name} has ${t.value.size}`);
  });
  return targets as readonly GradTarget[];
}

/** Σ dy·y in float64 (or the scalar itself), and the bound on its rounding: G·u·Σ|dy·y|. */
function lossOf(out: GradOutput, dy: Tensor): { value: number; rounding: number } {
  if (typeof out === 'number') {
    const value = out * dy.data[0];
    return { value, rounding: NOISE_GROWTH * F32_UNIT * Math.abs(value) };
  }
  const values = out instanceof Float64Array ? out : out.data;
  if (values.length !== dy.size) throw new RangeError(`gradcheck: forward returned ${values.length} values, expected ${dy.size}`);
  let sum = 0;
  let magnitude = 0;
  for (let i = 0; i < values.length; i++) {
    const term = dy.data[i] * values[i];
    sum += term;
    magnitude += Math.abs(term);
  }
  return { value: sum, rounding: NOISE_GROWTH * F32_UNIT * magnitude };
}

/** The entries of a tensor to check: all of them, or a seeded sample without repeats. */
function chosen(size: number, samples: number | undefined, rng: Rng): ArrayLike<number> {
  if (samples === undefined || size <= samples) return Int32Array.from({ length: size }, (_, i) => i);
  return permutation(size, rng.nextUint32()).subarray(0, samples).sort();
}

/**
 * The core of `gradcheck`: checks each target's analytic gradient against central
 * differences of Σ dy·forward(). Exposed for checks that build their own targets
 * (a loss whose input is a tensor it does not own, a hand-written loop). The forward
 * is differenced as it is: no kinks are frozen here.
 * @example
 * const report = st.compareGradients(() => loss.forward(y, labels), st.tensor([1]),
 *   [{ name: 'y', kind: 'input', value: y, grad: dy }]);
 */
export function compareGradients(
  forward: () => GradOutput, dy: Tensor, targets: readonly GradTarget[], options: GradcheckOptions = {},
): GradcheckReport {
  return compare('compareGradients', forward, dy, targets, options);
}

function compare(op: string, forward: unknown, dy: unknown, targets: unknown, options: unknown): GradcheckReport {
  const { eps, atol, rtol, samples, seed, throwOnFailure } = checkOptions(op, options);
  if (typeof forward !== 'function') throw new TypeError(`${op}: forward must be a function, got ${describeType(forward)}`);
  if (!(dy instanceof Tensor)) throw new TypeError(`${op}: dy must be a Tensor, got ${describeType(dy)}`);
  checkTensorData(op, 'dy', dy);
  const list = checkTargets(op, targets);
  // What forward returns is checked against dy once, before any value is perturbed.
  const out: unknown = forward();
  const shape = typeof out === 'number' ? [1] : out instanceof Tensor ? out.shape : out instanceof Float64Array ? [out.length] : undefined;
  if (!shape) throw new TypeError(`${op}: forward must return a Tensor, a Float64Array or a number, got ${describeType(out)}`);
  if (out instanceof Float64Array ? dy.size !== out.length : !sameShape(dy.shape, shape))
    throw new RangeError(`${op}: dy must be shaped like what forward returns, ${formatShape(shape)}, got ${formatShape(dy.shape)}`);
  const rng = new Rng(seed);
  const report: GradcheckReport = { ok: true, inputs: [], params: [], eps, atol, rtol };
  for (const target of list) {
    const data = target.value.data;
    let worst: GradcheckEntry | undefined;
    let worstScore = -1;
    let checked = 0;
    let failed = 0;
    const indices = chosen(data.length, samples, rng);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const v = data[i];
      // D(step) and the bound on its rounding, with the float32 steps actually taken.
      const run = forward as () => GradOutput;
      const difference = (step: number) => {
        try {
          data[i] = v + step;
          const up = data[i] - v;
          const lossUp = lossOf(run(), dy);
          data[i] = v - step;
          const down = v - data[i];
          const lossDown = lossOf(run(), dy);
          return { value: (lossUp.value - lossDown.value) / (up + down), rounding: (lossUp.rounding + lossDown.rounding) / (up + down) };
        } finally {
          data[i] = v; // even when forward throws: a check leaves the values as it found them
        }
      };
      const whole = difference(eps);
      const half = difference(eps / 2);
      const numeric = (4 * half.value - whole.value) / 3;
      const noise = (4 * half.rounding + whole.rounding) / 3;
      const analytic = target.grad.data[i];
      const absError = Math.abs(analytic - numeric);
      // NaN anywhere fails: the score is then Infinity.
      const score = absError / (atol + rtol * Math.abs(numeric) + noise);
      const safeScore = Number.isNaN(score) ? Infinity : score;
      checked++;
      if (!(safeScore <= 1)) failed++;
      if (safeScore > worstScore) {
        worstScore = safeScore;
        worst = {
          name: target.name, kind: target.kind, index: i, analytic, numeric, absError,
          relError: numeric !== 0 ? absError / Math.abs(numeric) : absError === 0 ? 0 : Infinity,
          noise, passed: true, checked: 0, failed: 0,
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
  if (!report.ok && throwOnFailure) throw new GradcheckError(report);
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
  if (!Array.isArray(list) || list.length !== count || list.some((g) => !(g instanceof Tensor)))
    throw new TypeError(`gradcheck: ${what} must return ${count} gradient tensor${count > 1 ? 's' : ''}, one per input`);
  return list;
}

/** Several outputs as one float32 vector, so one dy and one Σ dy·y cover them all. */
function joined(ys: readonly Tensor[]): Tensor {
  if (ys.length === 1) return ys[0];
  const out = new Float32Array(ys.reduce((a, y) => a + y.size, 0));
  let offset = 0;
  for (const y of ys) {
    out.set(y.data, offset);
    offset += y.size;
  }
  return new Tensor(out, [out.length]);
}

/** Replays a piecewise layer's unperturbed pieces on a perturbed input. */
type Replay = (x: Tensor) => Tensor;

/** Elementwise: the piece of each value chosen by the sign of its unperturbed input (> 0 as the kernels test). */
function bySign(x0: Tensor, positive: (v: number) => number, negative: (v: number) => number): Replay {
  const up = Uint8Array.from(x0.data, (v) => Number(v > 0));
  return (x) => new Tensor(x.data.map((v, i) => (up[i] ? positive(v) : negative(v))), x.shape);
}

/**
 * For a layer whose output is piecewise in its input, a function that records the pieces
 * of the unperturbed input and returns their replay; undefined for any other layer.
 */
function piecewise(layer: BaseLayer): ((x0: Tensor) => Replay) | undefined {
  const c = layer.config as Record<string, unknown>;
  switch (layer.type) {
    case 'relu':
      return (x0) => bySign(x0, (v) => v, () => 0);
    case 'leakyRelu':
      return (x0) => bySign(x0, (v) => v, (v) => (c.alpha as number) * v);
    case 'elu':
      return (x0) => bySign(x0, (v) => v, (v) => (c.alpha as number) * Math.expm1(v));
    case 'maxPool2d':
      return (x0) => {
        const { argmax } = maxPool2dWithArgmax(x0, {
          kernelSize: c.kernelSize as number, padding: c.padding as number, ceilMode: c.ceilMode as boolean,
          ...(c.stride !== undefined && { stride: c.stride as number }),
        });
        return (x) => {
          const [n, channels, h, w] = x.shape;
          const shape = [n, ...layer.outputShapeFrom([x.shape.slice(1)])];
          const plane = shape[2] * shape[3];
          const y = new Float32Array(n * channels * plane);
          for (let p = 0; p < n * channels; p++)
            for (let j = 0; j < plane; j++) y[p * plane + j] = x.data[p * h * w + argmax[p * plane + j]];
          return new Tensor(y, shape);
        };
      };
    default:
      return undefined;
  }
}

/** A layer with a random stream (dropout, stochastic pooling). */
interface Reseedable {
  seed: number | undefined;
  reseed(seed: number): void;
}

const reseedable = (layer: object): layer is BaseLayer & Reseedable => typeof (layer as Partial<Reseedable>).reseed === 'function';

/**
 * Replaces one layer's forward for the length of a check (an own property over the
 * class's method: gradcheck drives the layers of a model it does not own); returns the undo.
 */
function overrideForward(layer: BaseLayer, forwardFrom: BaseLayer['forwardFrom']): () => void {
  const own = Object.getOwnPropertyDescriptor(layer, 'forwardFrom');
  layer.forwardFrom = forwardFrom;
  return () => {
    if (own) Object.defineProperty(layer, 'forwardFrom', own);
    else delete (layer as Partial<Pick<BaseLayer, 'forwardFrom'>>).forwardFrom;
  };
}

function checkFunction(fn: GradFunction, xs: readonly Tensor[], options: CheckedOptions): GradcheckReport {
  const call = () => {
    const out = fn(...xs);
    if (out === null || typeof out !== 'object' || !(out.value instanceof Tensor || typeof out.value === 'number') || typeof out.backward !== 'function')
      throw new TypeError('gradcheck: a function subject must return { value: Tensor | number, backward: (dy) => gradients } (see GradFunction)');
    return out;
  };
  const first = call();
  const dy = randomDy(first.value, options.seed + 1);
  const dxs = asList(first.backward(dy), xs.length, "the function's backward");
  const targets = xs.map((x, k) => ({ name: `inputs[${k}]`, kind: 'input' as const, value: x, grad: dxs[k].clone() }));
  return compare('gradcheck', () => call().value, dy, targets, options);
}

function checkLayers(subject: BaseLayer | Graph, xs: readonly Tensor[], options: CheckedOptions): GradcheckReport {
  const { training, seed } = options;
  const graph = subject instanceof Graph ? subject : undefined;
  const layer = subject instanceof BaseLayer ? subject : undefined;
  // A layer (a Sequential's too) creates its parameters and statistics at its first
  // forward; a forward at inference touches neither.
  if (layer) layer.forwardFrom(xs, { training: false });
  else graph!.forward(xs.length === 1 ? xs[0] : xs);
  const layers = graph ? graph.layers : [layer!];
  const statistics = layers.flatMap((l) => l.buffers()).map((b) => ({ data: b.value.data, saved: b.value.data.slice() }));
  const random = layers.filter(reseedable);
  // The output and, for a model, its auxiliary heads: backward covers them all.
  const run = (): Tensor[] => {
    for (const l of random) l.reseed(seed);
    if (!graph) return [layer!.forwardFrom(xs, { training })];
    const { output, auxiliary } = graph.forwardWithAuxiliary(xs.length === 1 ? xs[0] : xs, { training });
    return [output, ...auxiliary];
  };
  const undo: (() => void)[] = [];
  try {
    const replays = new Map<BaseLayer, Replay>();
    for (const l of layers) {
      const record = piecewise(l);
      if (!record) continue;
      const forwardFrom = l.forwardFrom;
      undo.push(overrideForward(l, (inputs, o) => {
        replays.set(l, record(inputs[0]));
        return forwardFrom.call(l, inputs, o);
      }));
    }
    const ys = run();
    while (undo.length) undo.pop()!();
    const dys = ys.map((y, k) => randomDy(y, seed + 1 + k));
    subject.zeroGrad();
    const dxs = graph
      ? asList(graph.backward(dys[0], { auxiliary: dys.slice(1) }), xs.length, 'the model backward')
      : asList(layer!.backwardTo(dys[0]), xs.length, 'the layer backward');
    const targets: GradTarget[] = [
      ...xs.map((x, k) => ({ name: `inputs[${k}]`, kind: 'input' as const, value: x, grad: dxs[k].clone() })),
      ...(options.params ? subject.params() : []).map((p) => ({ name: p.name, kind: 'param' as const, value: p.value, grad: p.grad.clone() })),
    ];
    for (const [l, replay] of replays) undo.push(overrideForward(l, (inputs) => replay(inputs[0])));
    return compare('gradcheck', () => joined(run()), joined(dys), targets, options);
  } finally {
    while (undo.length) undo.pop()!();
    for (const s of statistics) s.data.set(s.saved);
    for (const l of random) l.reseed(l.seed ?? 0);
  }
}

/**
 * Checks the gradients of a layer, a model or a function with its gradient by central
 * differences (see the top of this file), and reports the worst entry of each input
 * and each parameter. A model's auxiliary outputs are checked with its output.
 * @example
 * const report = st.gradcheck(new st.nn.Conv2D({ filters: 2, kernelSize: 3 }), [st.randn([1, 2, 5, 5], { seed: 1 })]);
 * report.ok            // true
 * report.params[0]     // { name: 'weight', index, analytic, numeric, absError, relError, noise, passed, ... }
 * st.gradcheck(model, x, { training: true, throwOnFailure: true });
 * // y = a·b, so dL/da = dy·bᵀ and dL/db = aᵀ·dy
 * st.gradcheck((a, b) => ({
 *   value: st.ops.matmul(a, b),
 *   backward: (dy) => [st.ops.matmul(dy, b, { transB: true }), st.ops.matmul(a, dy, { transA: true })],
 * }), [a, b]);
 */
export function gradcheck(subject: GradcheckSubject, inputs: Tensor | readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const xs = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(xs) || xs.length === 0 || xs.some((x) => !(x instanceof Tensor)))
    throw new TypeError('gradcheck: inputs must be a Tensor or a non-empty array of Tensors');
  const checked = checkOptions('gradcheck', options);
  if (subject instanceof Graph || subject instanceof BaseLayer) return checkLayers(subject, xs, checked);
  if (typeof subject === 'function') return checkFunction(subject, xs, checked);
  throw new TypeError('gradcheck: subject must be a layer, a model, or a function returning { value, backward } (see GradFunction)');
}

/** The report as text: one line per tensor, failures first. */
export function formatReport(report: GradcheckReport): string {
  const r = report as Partial<GradcheckReport> | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.inputs) || !Array.isArray(r.params))
    throw new TypeError(`formatGradcheckReport: report must be what gradcheck returns ({ ok, inputs, params, ... }), got ${describeType(report)}`);
  const entries = [...report.inputs, ...report.params].sort((a, b) => Number(a.passed) - Number(b.passed));
  const head = report.ok
    ? 'gradcheck passed'
    : `gradcheck failed (|analytic - numeric| > ${report.atol} + ${report.rtol}·|numeric| + noise, eps ${report.eps})`;
  return [
    head,
    ...entries.map((e) =>
      `  ${e.passed ? 'ok  ' : 'FAIL'} ${e.name}[${e.index}]: analytic ${e.analytic}, numeric ${e.numeric}, ` +
      `abs error ${e.absError.toExponential(2)} (allowed ${(report.atol + report.rtol * Math.abs(e.numeric) + e.noise).toExponential(2)}), ` +
      `rel error ${e.relError.toExponential(2)}` +
      (e.failed > 0 ? ` (${e.failed} of ${e.checked} entries failed)` : ` (${e.checked} checked)`),
    ),
  ].join('\n');
}
