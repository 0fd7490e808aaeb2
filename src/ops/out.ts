/**
 * The `out` arrays that convolution and pooling ops accept, so that a caller running the
 * same shapes again (a layer in training, `Graph.predictSync`) writes into the arrays it
 * keeps instead of allocating: a fresh multi-megabyte array cost 10–40% of a
 * convolution here. Every op that takes one writes each of its elements.
 */
import { describeType, overlaps } from '../errors.js';

type ArrayType<T> = { new (length: number): T; readonly name: string };

/** `out` checked (type, exact length, no memory shared with `inputs`), or a new array. */
export function outputArray<T extends Float32Array | Int32Array>(
  op: string, name: string, out: unknown, length: number, type: ArrayType<T>, inputs: readonly ArrayBufferView[],
): T {
  if (out === undefined) return new type(length);
  if (!(out instanceof type))
    throw new TypeError(`${op}: ${name} must be ${/^[AEIOU]/.test(type.name) ? 'an' : 'a'} ${type.name}, got ${describeType(out)}`);
  if (out.length !== length) throw new RangeError(`${op}: ${name} has ${out.length} elements, expected ${length}`);
  if (inputs.some((input) => overlaps(input, out))) throw new RangeError(`${op}: ${name} must not share memory with the inputs`);
  return out;
}
