/**
 * Arrays a layer keeps from call to call instead of allocating (a fresh megabyte-sized
 * Float32Array cost more than the ReLU that fills it, and 10–40% of a convolution).
 * The rule every layer that keeps them follows: a training forward, or one inside
 * `Graph.predictSync`, writes its output into the layer's array and overwrites it on
 * the layer's next such forward; backward writes dx into an array it overwrites on its
 * next backward. Plain inference forwards return fresh tensors. So an output or a
 * gradient is valid until the same layer runs again that way: `clone()` it to keep it.
 */
import type { ForwardOptions } from './layer.js';

export class KeptArray<T extends Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>> {
  private array: T;

  constructor(private readonly type: { new (length: number): T }) {
    this.array = new type(0);
  }

  /** The first `length` elements of the kept array, grown when too short. */
  take(length: number): T {
    if (this.array.length < length) this.array = new this.type(length);
    return this.array.subarray(0, length) as T;
  }
}

/** Whether this forward writes into kept arrays (training, or inside predictSync). */
export function keepsOutput(options: ForwardOptions): boolean {
  return options.training === true || options.transient !== undefined;
}

/**
 * The array a forward writes its output of `size` floats into: the plan's arena slice
 * (`transient.out`), else the layer's kept array when it keeps its output, else a fresh one.
 */
export function outputFor(label: string, options: ForwardOptions, kept: KeptArray<Float32Array<ArrayBuffer>>, size: number): Float32Array<ArrayBuffer> {
  const out = options.transient?.out;
  if (out !== undefined) {
    if (out.length !== size) throw new RangeError(`${label}: transient.out has ${out.length} elements, the output ${size}`);
    return out;
  }
  return keepsOutput(options) ? kept.take(size) : new Float32Array(size);
}
