/**
 * The fuzz harness: an entry is a valid call of one public function or method and the
 * argument slots a bad value can go into. Each fuzzed call puts one generated bad value
 * into one slot of fresh valid arguments and must throw (or reject with) a TypeError or
 * RangeError whose message names the slot's argument; for entries that read files, a
 * plain Error naming the file or the argument is the library's documented form too.
 * Returning, throwing anything else, an unnamed message, or taking longer than
 * `SLOW_MS` (a near-hang: a huge allocation or loop) is a failure, recorded with the
 * value that caused it.
 */
import fc from 'fast-check';
import { show } from './bad-values.js';

export type Path = readonly (number | string)[];

export interface Slot {
  /** Where the bad value goes: an argument index, then keys into it. */
  at: Path;
  /** The error message must contain one of these words. */
  names: readonly string[];
  bad: fc.Arbitrary<unknown>;
}

export interface Entry {
  /** Fresh valid arguments. */
  args: () => unknown[];
  /** The call under test; a returned promise is awaited (async methods reject instead of throwing). */
  call: (...args: unknown[]) => unknown;
  slots: readonly Slot[];
  /** Reading or writing files: an Error naming the file (or a slot name) is a clear error too. */
  files?: boolean;
  /** Bad calls for this entry instead of the default (async entries start workers: fewer). */
  runs?: number;
  /** Methods of the entry's class this entry also exercises (a constructor entry runs `forward`). */
  covers?: readonly string[];
}

export interface Tally {
  /** Calls with a bad argument. */
  bad: number;
  /** Valid calls (one per entry, to prove the harness's arguments work). */
  valid: number;
  typeErrors: number;
  rangeErrors: number;
  fileErrors: number;
  /** Bad calls that failed otherwise. */
  other: number;
  /** One line per distinct (entry, slot, failure). */
  failures: string[];
}

export const emptyTally = (): Tally => ({
  bad: 0, valid: 0, typeErrors: 0, rangeErrors: 0, fileErrors: 0, other: 0, failures: [],
});

/** A synchronous call slower than this is a failure. */
const SLOW_MS = 3000;
/** An async call still pending after this is a failure (a hang). */
const HANG_MS = 30_000;

/** A copy of `args` with `value` at `at` (objects on the way copied, not mutated). */
function put(args: unknown[], at: Path, value: unknown): unknown[] {
  const [head, ...rest] = at;
  if (rest.length === 0) {
    args[head as number] = value;
    return args;
  }
  const copy = (o: unknown) => (Array.isArray(o) ? [...o] : { ...(o as object) }) as Record<string | number, unknown>;
  let target = copy(args[head as number]);
  args[head as number] = target;
  for (let k = 0; k < rest.length - 1; k++) {
    target[rest[k]] = copy(target[rest[k]]);
    target = target[rest[k]] as Record<string | number, unknown>;
  }
  target[rest[rest.length - 1]] = value;
  return args;
}

const mentions = (message: string, name: string) =>
  new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`).test(message);

type Outcome = { kind: 'returned' } | { kind: 'threw'; error: unknown } | { kind: 'stuck'; why: string };

/** Runs `entry.call` on `args` and awaits what it returns. */
async function attempt(entry: Entry, args: unknown[]): Promise<Outcome> {
  const start = performance.now();
  let result: unknown;
  try {
    result = entry.call(...args);
  } catch (error) {
    const ms = performance.now() - start;
    return ms > SLOW_MS ? { kind: 'stuck', why: `took ${ms.toFixed(0)} ms to throw` } : { kind: 'threw', error };
  }
  const ms = performance.now() - start;
  if (ms > SLOW_MS) return { kind: 'stuck', why: `took ${ms.toFixed(0)} ms` };
  if (!(result instanceof Promise)) return { kind: 'returned' };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS)));
  try {
    if ((await Promise.race([result, hang])) === 'hang') return { kind: 'stuck', why: `still pending after ${HANG_MS} ms` };
    return { kind: 'returned' };
  } catch (error) {
    return { kind: 'threw', error };
  } finally {
    clearTimeout(timer);
  }
}

/** Sorts a thrown error into the tally; returns a failure line or null when it is a clear error. */
function classify(entry: Entry, slot: Slot, error: unknown, tally: Tally): string | null {
  const message = error instanceof Error ? error.message : String(error);
  if (entry.files && error instanceof Error && !(error instanceof TypeError || error instanceof RangeError)) {
    if (!slot.names.some((n) => message.includes(n))) return `Error does not name ${slot.names.join('/')}: ${message}`;
    tally.fileErrors++;
    return null;
  }
  if (!(error instanceof TypeError || error instanceof RangeError))
    return `threw ${(error as Error)?.constructor?.name ?? typeof error}: ${message}`;
  if (!slot.names.some((n) => mentions(message, n))) return `error does not name ${slot.names.join('/')}: ${message}`;
  if (error instanceof TypeError) tally.typeErrors++;
  else tally.rangeErrors++;
  return null;
}

/** A stable seed per entry, so adding an entry changes no other entry's values. */
function entrySeed(seed: number, label: string): number {
  let h = seed | 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x9e3779b1);
  return h;
}

/**
 * The valid call, then `runs` seeded bad calls of `entry`. Failures go into the tally,
 * one line per distinct (slot, failure).
 */
export async function fuzzEntry(label: string, entry: Entry, runs: number, seed: number, tally: Tally): Promise<void> {
  const valid = await attempt(entry, entry.args());
  tally.valid++;
  if (valid.kind !== 'returned') {
    const why = valid.kind === 'stuck' ? valid.why : String((valid.error as Error)?.message ?? valid.error);
    throw new Error(`${label}: the valid call failed (${why}); the bad calls would prove nothing`);
  }
  if (entry.slots.length === 0) return;
  const seen = new Set<string>();
  const arbitrary = fc.nat(entry.slots.length - 1).chain((i) => entry.slots[i].bad.map((value) => ({ i, value })));
  for (const { i, value } of fc.sample(arbitrary, { numRuns: entry.runs ?? runs, seed: entrySeed(seed, label) })) {
    const slot = entry.slots[i];
    tally.bad++;
    const outcome = await attempt(entry, put(entry.args(), slot.at, value));
    const failure =
      outcome.kind === 'returned' ? 'returned without an error' : outcome.kind === 'stuck' ? outcome.why : classify(entry, slot, outcome.error, tally);
    if (failure === null) continue;
    tally.other++;
    if (seen.has(`${i}:${failure}`)) continue;
    seen.add(`${i}:${failure}`);
    tally.failures.push(`${label} [${slot.at.join('.')}] = ${show(value)}: ${failure}`);
  }
}
