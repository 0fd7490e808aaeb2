/**
 * The options every zoo builder takes, and their checking. A builder reads
 * `numClasses`, `inputShape` ([C, H, W], no batch) and `seed`, plus the knobs of its
 * own architecture; an option it does not know is an error, so a typo is not ignored.
 */
import { formatShape, MAX_ELEMENTS } from '../../errors.js';
import type { Graph } from '../graph.js';

/** The options common to every zoo model. */
export interface ZooOptions {
  /** Output classes (logits); default 1000 for ImageNet nets, 10 for CIFAR nets and LeNet-5. */
  numClasses?: number;
  /** One sample's shape [C, H, W]; default the architecture's (3x224x224, 3x299x299, 3x32x32, 1x32x32). */
  inputShape?: number[];
  /** Seeds every weight initialiser; default 0. */
  seed?: number;
}

/** A zoo model's builder: `st.zoo.models.resnet20({ numClasses: 10 })`. */
export type ZooBuilder = (options?: ZooOptions & Record<string, unknown>) => Graph;

/** The checked common options. */
export interface ResolvedOptions {
  numClasses: number;
  inputShape: [number, number, number];
  seed: number;
  /** The options as given (those not undefined), for errors about what they build. */
  given: Record<string, unknown>;
}

/**
 * Checks `options` against the common keys and the builder's own `known` keys and fills
 * the defaults. Throws a TypeError/RangeError naming the builder and the option.
 */
export function resolveOptions(
  label: string, options: unknown, defaults: { numClasses: number; inputShape: [number, number, number] }, known: readonly string[],
): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${label}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (o[key] !== undefined && !['numClasses', 'inputShape', 'seed', ...known].includes(key))
      throw new RangeError(`${label}: unknown option '${key}'; known options: ${['numClasses', 'inputShape', 'seed', ...known].join(', ')}`);
  const numClasses = intArg(label, 'numClasses', o.numClasses, 1) ?? defaults.numClasses;
  // The output layer holds one row of weights per class.
  if (numClasses > MAX_ELEMENTS) throw new RangeError(`${label}: numClasses must be at most ${MAX_ELEMENTS}, got ${numClasses}`);
  const seed = intArg(label, 'seed', o.seed, 0) ?? 0;
  let inputShape = defaults.inputShape;
  if (o.inputShape !== undefined) {
    const s = o.inputShape;
    if (!Array.isArray(s) || s.length !== 3 || s.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1))
      throw new RangeError(`${label}: inputShape must be [C, H, W] of positive integers (no batch), got ${JSON.stringify(s)}`);
    inputShape = [s[0], s[1], s[2]];
  }
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return { numClasses, inputShape, seed, given };
}

/** The error for options that give a layer no input size can build (a huge growthRate or numClasses), naming them. */
export function cannotBuild(label: string, o: ResolvedOptions, cause: Error): RangeError {
  const given = Object.entries({ ...o.given, inputShape: o.inputShape })
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? formatShape(v) : String(v)}`).join(', ');
  return new RangeError(`${label}: the options { ${given} } give a network that cannot be built (${cause.message})`, { cause });
}

/** An optional integer option >= min. */
export function intArg(label: string, name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${label}: ${name} must be an integer, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${label}: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** An optional positive finite number option. */
export function positiveArg(label: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${label}: ${name} must be a finite number, got ${String(value)}`);
  if (value <= 0) throw new RangeError(`${label}: ${name} must be > 0, got ${value}`);
  return value;
}

/** An optional boolean option. */
export function boolArg(label: string, name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new TypeError(`${label}: ${name} must be a boolean, got ${String(value)}`);
  return value;
}
