/**
 * Generators of bad arguments, by what the argument should have been: wrong types,
 * null, NaN and ±Infinity, negative, zero, fractional and huge sizes, shapes whose
 * element count overflows 32 bits, tensors of the wrong rank or size, empty tensors,
 * tensors whose buffer was detached (transferred away) and tensors whose data is
 * shorter than their shape says. Every value here must be refused by the slot it is
 * given to.
 */
import fc from 'fast-check';
import * as st from '../../src/index.js';

const symbol = Symbol('bad');

/** Values of no sensible type for a number, a tensor, an array or an options object. */
export const junk: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  '3', 'x', '', null, true, false, 3n, symbol, () => 3, new Date(0), /re/, new Map(), Promise.resolve(1),
);

export const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);

/** Not a finite number at all. */
export const badNumber: fc.Arbitrary<unknown> = fc.oneof(junk, nonFinite, fc.constantFrom<unknown>({}, [], [1]));

/** Not an integer >= min (and, with `max`, not <= max). */
export function badInt(min: number, max = Number.MAX_SAFE_INTEGER): fc.Arbitrary<unknown> {
  const parts: fc.Arbitrary<unknown>[] = [
    badNumber,
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((v) => !Number.isInteger(v)),
    fc.constantFrom(min - 0.5, -(2 ** 53), -Number.MAX_VALUE),
  ];
  if (min > -(2 ** 31)) parts.push(fc.integer({ min: -(2 ** 31), max: min - 1 }));
  if (min > 0) parts.push(fc.constant(-0));
  if (max < Number.MAX_SAFE_INTEGER) parts.push(fc.integer({ min: max + 1, max: max + 1000 }), fc.constantFrom(2 ** 53, 1e300));
  return fc.oneof(...parts);
}

/** A size that is a valid integer but far too large to allocate (2^31 and up). */
export const hugeSize = fc.constantFrom(2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 53 - 1);

/** Not a number in [low, high] (`open` excludes the ends). */
export function badRange(low: number, high: number, open: { low?: boolean; high?: boolean } = {}): fc.Arbitrary<unknown> {
  const parts: fc.Arbitrary<unknown>[] = [badNumber];
  if (Number.isFinite(low)) parts.push(fc.double({ min: low - 1e6, max: low, noNaN: true }).filter((v) => (open.low ? v <= low : v < low)));
  if (Number.isFinite(high)) parts.push(fc.double({ min: high, max: high + 1e6, noNaN: true }).filter((v) => (open.high ? v >= high : v > high)));
  return fc.oneof(...parts);
}

/** Not a boolean. */
export const badBool: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(0, 1, 'true', 'false', {}, NaN, [], symbol, null);

export const badString: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(1, 0, null, {}, [], true, symbol, NaN, ['a'], 3n);

/** Not one of `allowed`: other types, or other strings. */
export function badEnum(allowed: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(badString, fc.string({ maxLength: 12 }).filter((s) => !allowed.includes(s)), fc.constantFrom('VALID', ' same', 'full\0'));
}

/** Not an options object. */
export const badObject: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(null, 3, 'x', true, symbol, NaN, 3n, () => ({}));

/**
 * Not a shape of `rank` dimensions (any rank when undefined): not an array, a bad
 * dimension (negative, fractional, NaN, a string, a Symbol, past 2^53), or dimensions
 * fine alone whose product is past 2^32 (and past what a Float32Array holds).
 */
export function badShape(rank?: number): fc.Arbitrary<unknown> {
  const dims = rank ?? 2;
  const ok = Array.from({ length: dims }, () => 2);
  const element = fc.oneof(fc.constantFrom<unknown>(-1, 1.5, NaN, Infinity, -Infinity, '2', 2 ** 53 + 2), junk);
  const parts: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(3, 'x', null, {}, true, new Float32Array(dims), symbol),
    fc.tuple(fc.nat(dims - 1), element).map(([i, bad]) => ok.map((d, k) => (k === i ? bad : d))),
    fc.constant(Array.from({ length: Math.max(dims, 1) }, (_, k) => (k === 0 ? 2 ** 32 + 1 : 1 << 20))),
    fc.constant(dims === 1 ? [2 ** 40] : ok.map(() => 1 << 16)),
  ];
  if (rank !== undefined) parts.push(fc.constant(ok.slice(1)), fc.constant([...ok, 2]));
  return fc.oneof(...parts);
}

/** A tensor whose buffer was transferred away: its data now has length 0. */
export function detachedTensor(shape: readonly number[]): st.Tensor {
  const t = st.zeros(shape);
  structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
  return t;
}

/** An object that passes `instanceof Tensor` but whose data is shorter than its shape. */
export function shortTensor(shape: readonly number[]): st.Tensor {
  const size = shape.reduce((a, d) => a * d, 1);
  return Object.create(st.Tensor.prototype, {
    data: { value: new Float32Array(size > 1 ? 1 : 0) },
    shape: { value: Object.freeze([...shape]) },
  }) as st.Tensor;
}

export interface TensorSlotSpec {
  /** Dimensions that must agree with another argument (or the op's rules): changed to 0 and d+3. */
  match?: readonly number[];
  /** Further shapes that are wrong here. */
  wrong?: readonly (readonly number[])[];
  /** Ranks the slot accepts besides the given shape's (no rank±1 variant of those). */
  ranks?: readonly number[];
  /** Leave out the empty tensor (a slot where one is valid). */
  emptyOk?: boolean;
}

/**
 * Everything that is not an acceptable tensor where a tensor of `shape` is expected:
 * junk, look-alikes, detached and short tensors, the empty tensor (batch 0) and
 * tensors of the wrong rank or of mismatched dimensions.
 */
export function badTensor(shape: readonly number[], spec: TensorSlotSpec = {}): fc.Arbitrary<unknown> {
  const ranks = new Set([shape.length, ...(spec.ranks ?? [])]);
  const shapes: number[][] = [];
  if (!ranks.has(shape.length + 1)) shapes.push([1, ...shape]);
  if (shape.length > 1 && !ranks.has(shape.length - 1)) shapes.push(shape.slice(1));
  for (const i of spec.match ?? []) for (const d of [0, shape[i] + 3]) shapes.push(shape.map((v, k) => (k === i ? d : v)));
  for (const s of spec.wrong ?? []) shapes.push([...s]);
  const parts: fc.Arbitrary<unknown>[] = [
    junk,
    fc.constantFrom<unknown>({}, [], [1, 2], new Float32Array(4), { data: new Float32Array(4), shape: [4] }, new Float64Array(4)),
    fc.constant(null).map(() => detachedTensor(shape)),
    fc.constant(null).map(() => shortTensor(shape)),
  ];
  if (shapes.length > 0) parts.push(fc.constantFrom(...shapes).map((s) => st.zeros(s)));
  return fc.oneof(...parts);
}

/** Not a typed array of `length` elements of `type`. */
export function badTypedArray(length: number, type: 'int32' | 'float32'): fc.Arbitrary<unknown> {
  const other = type === 'int32' ? new Float32Array(length) : new Int32Array(length);
  const Ctor = type === 'int32' ? Int32Array : Float32Array;
  return fc.oneof(
    junk,
    fc.constantFrom<unknown>(other, new Float64Array(length), {}),
    fc.constantFrom(0, 1, length - 1, length + 1, length * 4).filter((n) => n !== length && n >= 0).map((n) => new Ctor(n)),
    fc.constant(null).map(() => {
      const a = new Ctor(length);
      structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
      return a;
    }),
  );
}

/** A value in a failure line: safe for Symbols, BigInts and cycles, short for tensors and arrays. */
export function show(v: unknown, depth = 0): string {
  if (depth > 2) return '…';
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function') return `${String(v)}${typeof v === 'bigint' ? 'n' : ''}`;
  if (v instanceof st.Tensor) return `Tensor(shape ${showArray(v.shape, depth)}, ${v.data.length} values)`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (Array.isArray(v)) return showArray(v, depth);
  if (typeof v === 'number' && Object.is(v, -0)) return '-0';
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? JSON.stringify(v) : String(v);
  const entries = Object.entries(v).slice(0, 6).map(([k, x]) => `${k}: ${show(x, depth + 1)}`);
  return `${v.constructor?.name && v.constructor.name !== 'Object' ? v.constructor.name : ''}{${entries.join(', ')}}`;
}

function showArray(a: readonly unknown[], depth: number): string {
  return `[${a.slice(0, 8).map((x) => show(x, depth + 1)).join(', ')}${a.length > 8 ? ', ...' : ''}]`;
}
