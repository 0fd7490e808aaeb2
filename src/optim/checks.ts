/** Option checks for optimizers and schedules: each names the class, the option and the range. */
import { checkNumber, checkTensorData, describeType } from '../errors.js';
import type { Param } from '../param.js';
import { Tensor } from '../tensor.js';

/** Throws unless `options` is an object holding only `known` keys; returns it. */
export function checkOptionsObject<T>(op: string, options: T, known: readonly string[], form: string): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${op}: options must be ${form}, got ${describeType(options)}`);
  for (const key of Object.keys(options))
    if (!known.includes(key)) throw new RangeError(`${op}: unknown option '${key}'; known options: ${known.join(', ')}`);
  return options;
}

/**
 * Checks a list of parameters: `{ name, value, grad }` with tensors of one size whose
 * buffers are attached, each listed once. `allowEmpty` for callers with nothing to do on [].
 */
export function checkParams(op: string, params: unknown, allowEmpty = false): Param[] {
  if (!Array.isArray(params)) throw new TypeError(`${op}: params must be an array of { name, value, grad }, got ${describeType(params)}`);
  if (params.length === 0 && !allowEmpty) throw new RangeError(`${op}: params is empty; there is nothing to optimize`);
  const seen = new Set<Float32Array>();
  params.forEach((p: Partial<Param> | null, i) => {
    if (typeof p !== 'object' || p === null || !(p.value instanceof Tensor) || !(p.grad instanceof Tensor))
      throw new TypeError(`${op}: params[${i}] must be { name, value: Tensor, grad: Tensor }`);
    checkTensorData(op, `params[${i}].value`, p.value);
    checkTensorData(op, `params[${i}].grad`, p.grad);
    if (p.value.size !== p.grad.size)
      throw new RangeError(`${op}: params[${i}] (${String(p.name)}) has ${p.value.size} values but ${p.grad.size} gradients`);
    if (seen.has(p.value.data))
      throw new RangeError(`${op}: params[${i}] (${String(p.name)}) appears twice in params`);
    seen.add(p.value.data);
  });
  return params as Param[];
}

/**
 * Checks `low <= value < high` (or `low < value` with `openLow`, `value <= high`
 * with `closedHigh`) and returns the value; a non-number is a TypeError.
 */
export function checkRange(
  op: string,
  name: string,
  value: unknown,
  low: number,
  high: number,
  { openLow = false, closedHigh = false } = {},
): number {
  const v = checkNumber(op, name, value);
  const aboveLow = openLow ? v > low : v >= low;
  const belowHigh = closedHigh ? v <= high : v < high;
  if (!aboveLow || !belowHigh) {
    const range = `${openLow ? '(' : '['}${low}, ${high === Infinity ? 'Infinity' : high}${closedHigh ? ']' : ')'}`;
    throw new RangeError(`${op}: ${name} must be in ${range}, got ${v}`);
  }
  return v;
}

/** A learning rate: finite and > 0. */
export function checkLr(op: string, value: unknown): number {
  return checkRange(op, 'lr', value, 0, Infinity, { openLow: true });
}
