/**
 * One preallocated arena for a plan's intermediate values, laid out by liveness.
 * Each value a step writes into the arena is a block live from the step that writes it
 * to the last step that reads it or any value that may share its memory (a later layer
 * may return a view of its input, as Flatten does, or write over it, as Add and ReLU
 * may). Blocks whose lifetimes overlap get disjoint ranges; the rest reuse memory
 * (first fit, in step order: the same layout every time). Offsets are per sample:
 * every size scales with the batch, so the layout holds at any batch size.
 */

/** A step as the arena sees it: the values it reads, the value it defines, whether that goes into the arena. */
export interface ArenaStep {
  inputs: readonly number[];
  output: number;
  inArena: boolean;
}

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
 * sample; `live` values (the plan's output) are read after the last step.
 */
export function layoutArena(steps: readonly ArenaStep[], sizes: ReadonlyMap<number, number>, live: readonly number[]): ArenaLayout {
  const defined = new Map<number, number>();
  const lastUse = new Map<number, number>();
  steps.forEach((s, k) => {
    defined.set(s.output, k);
    for (const v of s.inputs) lastUse.set(v, k);
  });
  for (const v of live) lastUse.set(v, steps.length);
  // The arena blocks each value may occupy: its own, or those of the inputs it may alias.
  const blocksOf = new Map<number, number[]>();
  const producers: number[] = [];
  steps.forEach((s) => {
    if (s.inArena) {
      blocksOf.set(s.output, [producers.length]);
      producers.push(s.output);
    } else blocksOf.set(s.output, [...new Set(s.inputs.flatMap((v) => blocksOf.get(v) ?? []))]);
  });
  const members: number[][] = producers.map(() => []);
  for (const [v, blocks] of blocksOf) for (const b of blocks) members[b].push(v);
  const start = producers.map((v) => defined.get(v)!);
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
