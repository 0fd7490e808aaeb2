/**
 * API fuzzing: every public function and layer constructor of st.ops, st.nn,
 * st.signal, st.data, st.optim and the model API, called with generated bad
 * arguments (seeded: FUZZ_SEED, FUZZ_RUNS per entry). Each call must throw a
 * TypeError or RangeError naming the argument; the tally of outcomes is printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { emptyTally, fuzzEntry } from './run-entry.js';
import { surface } from './surface.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261206);
const runs = Number(process.env.FUZZ_RUNS ?? 100);
const tally = emptyTally();

describe(`API fuzzing (seed ${seed}, ${runs} bad calls per entry)`, () => {
  for (const [namespace, entries] of Object.entries(surface)) {
    for (const [name, entry] of Object.entries(entries)) {
      it(`${namespace}.${name}`, () => {
        const before = tally.failures.length;
        fuzzEntry(`${namespace}.${name}`, entry, runs, seed, tally);
        expect(tally.failures.slice(before)).toEqual([]);
      });
    }
  }
  afterAll(() => {
    console.log(
      `API fuzzing: ${tally.calls} calls, ${tally.typeErrors} TypeError, ${tally.rangeErrors} RangeError, ` +
        `${tally.fileErrors} file-system errors naming the path, ${tally.failures.length} failures`,
    );
  });
});
