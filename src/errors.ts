/**
 * Argument checks shared by every op. Each names the op, the argument, what was
 * expected and what came, and throws before anything reaches native code.
 */
import { constants } from 'node:buffer';

/** The most elements a Float32Array can hold in this Node.js. */
export const MAX_ELEMENTS = Math.floor(constants.MAX_LENGTH / 4);

/** A shape for a message; entries that are not numbers (a Symbol, a BigInt) are shown as they are, never thrown on. */
export function formatShape(shape: readonly unknown[]): string {
  return `[${Array.from(shape, (d) => String(d)).join(', ')}]`;
}

/** What a wrong argument was, for "must be X, got Y": its class name, null or its typeof. */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** An option's value, or `fallback` when it is undefined (null is a wrong value, not a missing one). */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/** A wrong value for a message: a primitive as it is (a Symbol too), an object or function by its type. */
export function describeValue(v: unknown): string {
  return v !== null && (typeof v === 'object' || typeof v === 'function') ? describeType(v) : String(v);
}

/** Whether `v` is a plain object (`{ ... }` or `Object.create(null)`), not a Date, Map, array or class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Throws unless `value` is an options object (not null, an array or a function); `form` shows one. */
export function checkObject(op: string, name: string, value: unknown, form: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${op}: ${name} must be ${form}, got ${describeType(value)}`);
}

/** An optional boolean option: `fallback` when undefined; anything else but a boolean is a TypeError. */
export function checkBoolean(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** Whether two typed arrays share any byte of memory. */
export function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/** Checks that `shape` is an array of non-negative integers and returns its element count. */
export function checkShape(op: string, name: string, shape: unknown): number {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: ${name} must be an array of dimensions, got ${describeType(shape)}`);
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new RangeError(`${op}: ${name}[${i}] must be a non-negative integer, got ${String(d)} in ${formatShape(shape)}`);
    count *= d;
  }
  if (count > MAX_ELEMENTS)
    throw new RangeError(`${op}: ${name} ${formatShape(shape)} has ${count} elements, more than the ${MAX_ELEMENTS} a Float32Array can hold`);
  return count;
}

/**
 * Throws unless a tensor's data still holds every element its shape says: a buffer
 * transferred to another thread (detached) has length 0, and native code must never
 * read past what is there.
 */
export function checkTensorData(op: string, name: string, t: { data: ArrayBufferView & { length: number }; shape: readonly number[] }): void {
  const size = t.shape.reduce((a, d) => a * d, 1);
  if (t.data.length !== size)
    throw new RangeError(
      `${op}: ${name} has ${t.data.length} values for shape ${formatShape(t.shape)} (${size}); was its buffer transferred (detached)?`,
    );
}

export function checkFloat32(op: string, name: string, data: unknown): asserts data is Float32Array {
  if (!(data instanceof Float32Array)) throw new TypeError(`${op}: ${name} must be a Float32Array, got ${describeType(data)}`);
}

export function checkInteger(op: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

export function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(`${op}: ${name} must be a finite number, got ${String(value)}`);
  return value;
}

/**
 * A name or string read from a file, quoted for an error message: control characters
 * escaped (a damaged name can hold NULs or escape sequences) and long names cut at 80.
 */
export function quoted(text: string | undefined): string {
  text ??= '';
  const escaped = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text).slice(1, -1);
  return `'${escaped}'`;
}
