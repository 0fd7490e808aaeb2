/**
 * One preallocated arena for a plan's intermediate values, laid out by liveness.
 * Each value a step writes into the arena is a block live from the step that writes it
 * to the last step that reads it or any value that may share its memory (a later layer
 * may return a view of its input, as Flatten does, or write over it, as Add and ReLU
 * may). Blocks whose lifetimes overlap get disjoint ranges; the rest reuse memory
 * (first fit, in step order: the same layout every time). Offsets are per sample:
 * every size scales with the batch, so the layout holds at any batch size.
 *
 * A value may instead be placed inside another's block (`within`): a concatenation's
 * input written straight into its part of the concatenation, which then copies nothing.
 * That holds for one sample only (at batch N each input's images lie apart in the
 * concatenation), so the plan lays out its arena twice, with and without placements. A
 * placed value shares its host's block: the block lives from the first of them to be
 * written to the last read of any.
 */

/** A step as the arena sees it: the values it reads, the value it defines, whether that goes into the arena. */
export interface ArenaStep {
  inputs: readonly number[];
  output: number;
  inArena: boolean;
}

/** Value → where it lies inside another value: `offset` floats from the start of `host`. */
export type Placements = ReadonlyMap<number, { host: number; offset: number }>;

export interface ArenaLayout {
  /** Per-sample offset of each arena value (by value id); absent for values outside it. */
  offsets: Map<number, number>;
  /** Floats per sample of the whole arena. */
  size: number;
  /** For each step and input, whether the step may write its output over that input (nothing reads it after). */
  overwritable: boolean[][];
}

/**
 * Lays out the arena for `steps` (in execution order) whose values have `sizes` floats per
 * sample; `live` values (the plan's output) are read after the last step; `within` places
 * arena values inside the block of a later one (each host an arena value defined after it).
 */
export function layoutArena(steps: readonly ArenaStep[], sizes: ReadonlyMap<number, number>, live: readonly number[],
  within: Placements = new Map()): ArenaLayout {
  const defined = new Map<number, number>();
  const lastUse = new Map<number, number>();
  steps.forEach((s, k) => {
    defined.set(s.output, k);
    for (const v of s.inputs) lastUse.set(v, k);
  });
  for (const v of live) lastUse.set(v, steps.length);
  // The value whose block a placed value lies in (hosts may be placed in turn), and its offset there.
  const root = (v: number): { host: number; offset: number } => {
    const p = within.get(v);
    if (p === undefined) return { host: v, offset: 0 };
    const up = root(p.host);
    return { host: up.host, offset: up.offset + p.offset };
  };
  // The arena blocks each value may occupy: its own, its host's, or those of the inputs it may alias.
  const producers = steps.filter((s) => s.inArena && !within.has(s.output)).map((s) => s.output);
  const blockOf = new Map(producers.map((v, b) => [v, b]));
  const blocksOf = new Map<number, number[]>();
  steps.forEach((s) => {
    if (s.inArena) blocksOf.set(s.output, [blockOf.get(root(s.output).host)!]);
    else blocksOf.set(s.output, [...new Set(s.inputs.flatMap((v) => blocksOf.get(v) ?? []))]);
  });
  const members: number[][] = producers.map(() => []);
  for (const [v, blocks] of blocksOf) for (const b of blocks) members[b].push(v);
  const start = members.map((vs) => Math.min(...vs.map((v) => defined.get(v)!)));
  const end = members.map((vs, b) => Math.max(start[b], ...vs.map((v) => lastUse.get(v) ?? defined.get(v)!)));

  const placed: { offset: number; size: number; start: number; end: number }[] = [];
  const offsets = new Map<number, number>();
  let size = 0;
  producers.forEach((v, b) => {
    const need = sizes.get(v)!;
    const busy = placed.filter((p) => p.start <= end[b] && start[b] <= p.end).sort((a, c) => a.offset - c.offset);
    let offset = 0;
    for (const p of busy) {
      if (p.offset - offset >= need) break;
      offset = Math.max(offset, p.offset + p.size);
    }
    placed.push({ offset, size: need, start: start[b], end: end[b] });
    offsets.set(v, offset);
    size = Math.max(size, offset + need);
  });
  for (const v of within.keys()) {
    const { host, offset } = root(v);
    offsets.set(v, offsets.get(host)! + offset);
  }

  // A step may overwrite input v when v is last read here and no other value that may
  // share v's memory, defined before this step, is read afterwards.
  const overwritable = steps.map((s, k) =>
    s.inputs.map((v) => {
      const blocks = blocksOf.get(v) ?? [];
      if (s.inArena || blocks.length === 0 || lastUse.get(v) !== k) return false;
      return blocks.every((b) => members[b].every((m) => m === v || m === s.output || defined.get(m)! >= k || lastUse.get(m)! <= k));
    }),
  );
  return { offsets, size, overwritable };
}
