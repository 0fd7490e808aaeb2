/**
 * Shorthands for the argument slots of fuzz entries and the arguments they share.
 * A slot names the words its error message may use for the argument.
 */
import type fc from 'fast-check';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as st from '../../src/index.js';
import { badObject } from './bad-values.js';
import type { Slot } from './harness.js';

/** Messages say 'kernel', 'dilated' or 'x shape' where the option is kernelSize, dilation or xShape. */
const aliases: Record<string, readonly string[]> = {
  kernelSize: ['kernelSize', 'kernel'], dilation: ['dilation', 'dilated', 'kernel'], padding: ['padding', 'padded', 'pad'],
  xShape: ['xShape', 'x'], wShape: ['wShape', 'w'], stride: ['stride'],
};

/** Argument `i`, named `names` in errors. */
export const arg = (i: number, names: string | readonly string[], bad: fc.Arbitrary<unknown>): Slot => ({
  at: [i], names: typeof names === 'string' ? (aliases[names] ?? [names]) : names, bad,
});

/** Key `key` of the options object at argument `i`. */
export const opt = (i: number, key: string, bad: fc.Arbitrary<unknown>, names: readonly string[] = aliases[key] ?? [key]): Slot => ({
  at: [i, key], names, bad,
});

/** The options object at argument `i` itself. */
export const options = (i: number): Slot => arg(i, ['options'], badObject);

/** A seeded normal tensor. */
export const t = (shape: number[], seed = 1): st.Tensor => st.randn(shape, { seed });

/** A scratch folder for the entries that read and write files (api.test.ts removes it). */
export const dir = mkdtempSync(path.join(tmpdir(), 'striate-fuzz-'));
mkdirSync(path.join(dir, 'a-dir'));
