/**
 * Runs one fuzz entry: valid arguments with one slot replaced by a generated bad
 * value, and sorts each call's outcome. A call must throw a TypeError or RangeError
 * whose message contains one of the slot's names; returning, throwing anything else,
 * or an unnamed message is a failure, recorded with the value that caused it.
 */
import fc from 'fast-check';
import type { Entry, Path, Slot } from './surface.js';

export interface Tally {
  calls: number;
  typeErrors: number;
  rangeErrors: number;
  fileErrors: number;
  failures: string[];
}

export const emptyTally = (): Tally => ({ calls: 0, typeErrors: 0, rangeErrors: 0, fileErrors: 0, failures: [] });

function put(args: unknown[], at: Path, value: unknown): unknown[] {
  const [head, ...rest] = at;
  if (rest.length === 0) {
    args[head as number] = value;
    return args;
  }
  let target = args[head as number] as Record<string | number, unknown>;
  target = { ...(target ?? {}) };
  args[head as number] = target;
  for (let k = 0; k < rest.length - 1; k++) {
    target[rest[k]] = { ...(target[rest[k]] as object) };
    target = target[rest[k]] as Record<string | number, unknown>;
  }
  target[rest[rest.length - 1]] = value;
  return args;
}

function describe(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function') return String(v);
  if (v && typeof v === 'object' && 'shape' in v) return `Tensor-like shape=${JSON.stringify((v as { shape: unknown }).shape)} length=${(v as { data?: { length: number } }).data?.length}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const mentions = (message: string, name: string) =>
  new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`).test(message);

/** Classifies one call with `value` in `slot`; returns a failure line or null. */
function classify(entry: Entry, slot: Slot, value: unknown, tally: Tally): string | null {
  tally.calls++;
  let result: unknown;
  try {
    result = entry.call(...put(entry.args(), slot.at, value));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Reading files, a plain Error naming the file (ENOENT, a damaged header) is the clear error.
    if (entry.files && err instanceof Error && slot.names.some((n) => message.includes(n))) {
      tally.fileErrors++;
      return null;
    }
    if (!(err instanceof TypeError || err instanceof RangeError)) return `threw ${(err as Error)?.constructor?.name}: ${message}`;
    if (!slot.names.some((n) => mentions(message, n))) return `error does not name ${slot.names.join('/')}: ${message}`;
    if (err instanceof TypeError) tally.typeErrors++;
    else tally.rangeErrors++;
    return null;
  }
  void result;
  return 'returned without an error';
}

/** `runs` seeded calls of `entry` with bad values; failures are listed in the tally, one per slot. */
export function fuzzEntry(label: string, entry: Entry, runs: number, seed: number, tally: Tally): void {
  entry.call(...entry.args()); // the valid call must work, or the bad ones prove nothing
  tally.calls++;
  const seen = new Set<string>();
  const arbitrary = fc.nat(entry.slots.length - 1).chain((i) => entry.slots[i].bad.map((value) => ({ i, value })));
  for (const { i, value } of fc.sample(arbitrary, { numRuns: runs, seed })) {
    const slot = entry.slots[i];
    const failure = classify(entry, slot, value, tally);
    if (failure && !seen.has(`${i}:${failure}`)) {
      seen.add(`${i}:${failure}`);
      tally.failures.push(`${label} [${slot.at.join('.')}] = ${describe(value)}: ${failure}`);
    }
  }
}
