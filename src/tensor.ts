/**
 * Tensor: a Float32Array plus a shape, row-major (NCHW for images). A tensor owns
 * no native memory: it is an ordinary garbage-collected object, and the native
 * kernels read and write its `data` in place.
 */
import { checkFloat32, checkShape, formatShape, checkNumber, describeType, orDefault } from './errors.js';
import { Rng } from './random.js';

export type Shape = readonly number[];

/** Nested arrays of numbers, e.g. `[[1, 2], [3, 4]]`. */
export type NestedArray = number | NestedArray[];

export class Tensor {
  readonly data: Float32Array;
  readonly shape: Shape;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`.
   * @example new Tensor(new Float32Array(6), [2, 3])
   */
  constructor(data: Float32Array, shape: Shape) {
    checkFloat32('Tensor', 'data', data);
    const size = checkShape('Tensor', 'shape', shape);
    if (data.length !== size)
      throw new RangeError(`Tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`);
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** The number of elements. */
  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /**
   * The same data seen with another shape (no copy); one dimension may be -1.
   * @example st.zeros([2, 3, 4]).reshape([2, -1]).shape  // [2, 12]
   */
  reshape(shape: Shape): Tensor {
    if (!Array.isArray(shape)) throw new TypeError(`reshape: shape must be an array of dimensions, got ${describeType(shape)}`);
    const inferred = shape.indexOf(-1);
    if (inferred >= 0) {
      if (shape.indexOf(-1, inferred + 1) >= 0)
        throw new RangeError(`reshape: shape may hold only one -1, got ${formatShape(shape)}`);
      const rest = shape.filter((_, i) => i !== inferred);
      const known = checkShape('reshape', 'shape', rest);
      if (known === 0 || this.size % known !== 0)
        throw new RangeError(`reshape: cannot infer the -1 in shape ${formatShape(shape)} for ${this.size} elements`);
      shape = shape.map((d) => (d === -1 ? this.size / known : d));
    }
    const size = checkShape('reshape', 'shape', shape);
    if (size !== this.size)
      throw new RangeError(`reshape: shape ${formatShape(shape)} holds ${size} elements, tensor ${formatShape(this.shape)} has ${this.size}`);
    return new Tensor(this.data, shape);
  }

  /** A copy with its own data. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** The values as nested arrays (a number for a rank-0 tensor). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dim === this.shape.length - 1 ? this.data[offset + i] : build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)})`;
  }
}

function nestedShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function flatten(value: NestedArray, shape: number[], dim: number, out: Float32Array, offset: number): number {
  if (dim === shape.length) {
    if (typeof value !== 'number') throw new TypeError(`tensor: nested data is ragged or holds a non-number`);
    out[offset] = value;
    return offset + 1;
  }
  if (!Array.isArray(value) || value.length !== shape[dim])
    throw new RangeError(`tensor: nested data is ragged: expected length ${shape[dim]} at depth ${dim}`);
  for (const item of value) offset = flatten(item, shape, dim + 1, out, offset);
  return offset;
}

/**
 * Makes a tensor from a Float32Array, a flat number array or nested arrays.
 * Typed arrays are used as they are (no copy); arrays are copied into float32.
 * @example
 * st.tensor([[1, 2, 3], [4, 5, 6]])          // shape [2, 3]
 * st.tensor(new Float32Array(12), [3, 4])
 */
export function tensor(data: Float32Array | NestedArray, shape?: Shape): Tensor {
  // Only undefined means "infer the shape": null is a wrong shape, refused by the constructor.
  if (data instanceof Float32Array) return new Tensor(data, orDefault(shape, [data.length]));
  if (ArrayBuffer.isView(data)) checkFloat32('tensor', 'data', data);
  if (typeof data === 'number') return new Tensor(Float32Array.of(data), orDefault(shape, []));
  if (!Array.isArray(data)) throw new TypeError(`tensor: data must be a Float32Array or (nested) number arrays`);
  const inferred = nestedShape(data);
  const size = checkShape('tensor', 'shape', inferred);
  const flat = new Float32Array(size);
  flatten(data, inferred, 0, flat, 0);
  return new Tensor(flat, orDefault(shape, inferred));
}

/** A tensor of zeros. */
export function zeros(shape: Shape): Tensor {
  return new Tensor(new Float32Array(checkShape('zeros', 'shape', shape)), shape);
}

/** A tensor of ones. */
export function ones(shape: Shape): Tensor {
  return filled('ones', shape, 1);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number): Tensor {
  return filled('full', shape, checkNumber('full', 'value', value));
}

function filled(op: string, shape: Shape, value: number): Tensor {
  return new Tensor(new Float32Array(checkShape(op, 'shape', shape)).fill(value), shape);
}

export interface RandomOptions {
  /** The generator's seed; the same seed gives the same values on every platform. */
  seed?: number;
}

/** The options object of randn/rand (undefined: all defaults) and its seeded generator. */
function randomSource(op: string, options: unknown): { o: Record<string, unknown>; rng: Rng } {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${op}: options must be an object like { seed: 1 }, got ${describeType(options)}`);
  const o = options as Record<string, unknown>;
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isInteger(o.seed)))
    throw new TypeError(`${op}: seed must be an integer, got ${String(o.seed)}`);
  return { o, rng: new Rng(orDefault(o.seed as number | undefined, 0)) };
}

/** An optional finite number option: undefined gives the default, anything else must be a finite number. */
function numberOr(op: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkNumber(op, name, value);
}

/**
 * Normally distributed values.
 * @example st.randn([64, 10], { seed: 1, std: 0.1 })
 */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const { o, rng } = randomSource('randn', options);
  const mean = numberOr('randn', 'mean', o.mean, 0);
  const std = numberOr('randn', 'std', o.std, 1);
  if (std < 0) throw new RangeError(`randn: std must be >= 0, got ${std}`);
  const out = new Tensor(new Float32Array(checkShape('randn', 'shape', shape)), shape);
  for (let i = 0; i < out.size; i++) out.data[i] = mean + std * rng.normal();
  return out;
}

/**
 * Uniformly distributed values in [low, high) (high > low).
 * @example st.rand([3, 3], { seed: 7, low: -1, high: 1 })
 */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const { o, rng } = randomSource('rand', options);
  const low = numberOr('rand', 'low', o.low, 0);
  const high = numberOr('rand', 'high', o.high, 1);
  if (!(high > low) || !Number.isFinite(high - low))
    throw new RangeError(`rand: high must be > low (and high - low finite) for values in [low, high), got low ${low}, high ${high}`);
  const out = new Tensor(new Float32Array(checkShape('rand', 'shape', shape)), shape);
  for (let i = 0; i < out.size; i++) out.data[i] = low + (high - low) * rng.uniform();
  return out;
}

/** The element count of a shape (checked: non-negative integer dimensions, at most a Float32Array's capacity). */
export function sizeOf(shape: Shape): number {
  return checkShape('sizeOf', 'shape', shape);
}
