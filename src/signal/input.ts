/**
 * What the signal functions accept and what they return.
 *
 * Inputs: a 1-D signal is a `number[]`, `Float32Array`, `Float64Array` or a 1-D
 * `Tensor`; a 2-D signal is an array of rows (each a `number[]`, `Float32Array`
 * or `Float64Array`, all the same length) or a 2-D `Tensor`. Values are read
 * into float64; NaN and ±Infinity are carried through as scipy does.
 *
 * Output rule: if any input is a `Tensor`, the result is a `Tensor` (float32,
 * computed in float64 and rounded once at the end). Otherwise a 1-D result is a
 * `Float64Array` and a 2-D result is a `number[][]`.
 */
import { constants } from 'node:buffer';
import { checkTensorData, formatShape } from '../errors.js';
import { Tensor } from '../tensor.js';

/** A plain 1-D signal. */
export type Vector = readonly number[] | Float32Array | Float64Array;
/** A 1-D signal: plain or a 1-D tensor. */
export type Signal1D = Vector | Tensor;
/** A plain 2-D signal: rows of equal length. */
export type Matrix = readonly Vector[];
/** A 2-D signal: plain or a 2-D tensor. */
export type Signal2D = Matrix | Tensor;

/** A 2-D signal read into float64, row-major. A 1-D signal is one row. */
export interface Grid {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** The most elements a Float64Array can hold in this Node.js. */
const MAX_FLOAT64 = Math.floor(constants.MAX_LENGTH / 8);

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}

/** Copies a number[] or float typed array into float64; `path` names it in errors. */
function readVector(op: string, path: string, value: unknown, expected: string): Float64Array {
  if (value instanceof Float32Array || value instanceof Float64Array) return Float64Array.from(value);
  if (!Array.isArray(value)) throw new TypeError(`${op}: ${path} must be ${expected}, got ${describeValue(value)}`);
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (Array.isArray(v) || ArrayBuffer.isView(v))
      throw new RangeError(`${op}: ${path} must be 1-D, but ${path}[${i}] is ${describeValue(v)}`);
    if (typeof v !== 'number') throw new TypeError(`${op}: ${path}[${i}] must be a number, got ${describeValue(v)}`);
    out[i] = v;
  }
  return out;
}

function isVector(value: unknown): boolean {
  return value instanceof Float32Array || value instanceof Float64Array || (Array.isArray(value) && typeof value[0] === 'number');
}

/** Reads a 1-D signal; throws a TypeError/RangeError naming `name` if it is not one. */
export function read1d(op: string, name: string, value: unknown): Float64Array {
  if (value instanceof Tensor) {
    checkTensorData(op, name, value);
    if (value.rank !== 1) throw new RangeError(`${op}: ${name} must be a 1-D tensor, got shape ${formatShape(value.shape)}`);
    if (value.size === 0) throw new RangeError(`${op}: ${name} must not be empty, got shape ${formatShape(value.shape)}`);
    return Float64Array.from(value.data);
  }
  const data = readVector(op, name, value, 'a number[], Float32Array, Float64Array or 1-D Tensor');
  if (data.length === 0) throw new RangeError(`${op}: ${name} must not be empty`);
  return data;
}

/** Reads a 2-D signal; throws a TypeError/RangeError naming `name` if it is not one. */
export function read2d(op: string, name: string, value: unknown): Grid {
  if (value instanceof Tensor) {
    checkTensorData(op, name, value);
    if (value.rank !== 2) throw new RangeError(`${op}: ${name} must be a 2-D tensor, got shape ${formatShape(value.shape)}`);
    if (value.size === 0) throw new RangeError(`${op}: ${name} must not be empty, got shape ${formatShape(value.shape)}`);
    return { data: Float64Array.from(value.data), rows: value.shape[0], cols: value.shape[1] };
  }
  if (!Array.isArray(value))
    throw new TypeError(`${op}: ${name} must be an array of rows or a 2-D Tensor, got ${describeValue(value)}`);
  if (value.length === 0) throw new RangeError(`${op}: ${name} must not be empty (no rows)`);
  const rows = value.length;
  let cols = -1;
  let data = new Float64Array(0);
  for (let r = 0; r < rows; r++) {
    const row: unknown = value[r];
    if (typeof row === 'number')
      throw new RangeError(`${op}: ${name} must be 2-D (an array of rows), but ${name}[${r}] is a number`);
    const values = readVector(op, `${name}[${r}]`, row, 'a row: number[], Float32Array or Float64Array');
    if (r === 0) {
      cols = values.length;
      if (cols === 0) throw new RangeError(`${op}: ${name} must not be empty (row 0 has no values)`);
      data = new Float64Array(checkCount(op, name, rows * cols));
    } else if (values.length !== cols) {
      throw new RangeError(`${op}: ${name} is ragged: row ${r} has ${values.length} values, row 0 has ${cols}`);
    }
    data.set(values, r * cols);
  }
  return { data, rows, cols };
}

/**
 * Reads a signal of either rank, telling them apart as the output rule does: a
 * 1-D tensor or a flat array is 1-D (one row), a 2-D tensor or rows are 2-D.
 */
export function readEither(op: string, name: string, value: unknown): { grid: Grid; rank: 1 | 2 } {
  if (value instanceof Tensor ? value.rank === 1 : isVector(value)) {
    const data = read1d(op, name, value);
    return { grid: { data, rows: 1, cols: data.length }, rank: 1 };
  }
  if (value instanceof Tensor && value.rank !== 2)
    throw new RangeError(`${op}: ${name} must be a 1-D or 2-D tensor, got shape ${formatShape(value.shape)}`);
  return { grid: read2d(op, name, value), rank: 2 };
}

/** Throws a RangeError if an output of `count` samples cannot be allocated. */
export function checkCount(op: string, name: string, count: number): number {
  if (count > MAX_FLOAT64)
    throw new RangeError(`${op}: ${name} would have ${count} elements, more than the ${MAX_FLOAT64} a Float64Array can hold`);
  return count;
}

/** Presents a 1-D result by the output rule. */
export function write1d(data: Float64Array, asTensor: boolean): Float64Array | Tensor {
  return asTensor ? new Tensor(Float32Array.from(data), [data.length]) : data;
}

/** Presents a 2-D result by the output rule. */
export function write2d(grid: Grid, asTensor: boolean): number[][] | Tensor {
  if (asTensor) return new Tensor(Float32Array.from(grid.data), [grid.rows, grid.cols]);
  const out: number[][] = new Array(grid.rows);
  for (let r = 0; r < grid.rows; r++) out[r] = Array.from(grid.data.subarray(r * grid.cols, (r + 1) * grid.cols));
  return out;
}

/** True if any argument is a Tensor: the output rule's test. */
export function anyTensor(...values: unknown[]): boolean {
  return values.some((v) => v instanceof Tensor);
}
