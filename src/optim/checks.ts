/** Option checks for optimizers and schedules: each names the class, the option and the range. */
import { checkNumber } from '../errors.js';

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
