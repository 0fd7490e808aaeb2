// The plan's arena: no value is ever placed over memory another live value may use, on
// graphs whose branches reuse buffers (residual, concat, fan-out, views, in-place layers);
// memory is reused once values die.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { layoutArena, type ArenaStep, type Placements } from '../../src/models/plan/arena.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

const { nn } = st;

/**
 * Checks a layout against lifetimes computed here the slow way: a value occupies its
 * block from its step to the last read of it or of anything derived from it through
 * non-arena steps (which may alias their inputs).
 */
function checkNoLiveOverlap(steps: ArenaStep[], sizes: Map<number, number>, live: number[], within: Placements = new Map()): void {
  const { offsets, overwritable } = layoutArena(steps, sizes, live, within);
  // A placed value lies inside its host; it may share memory with its hosts and no other.
  const hosts = (v: number): number[] => (within.has(v) ? [within.get(v)!.host, ...hosts(within.get(v)!.host)] : []);
  for (const [v, { host, offset }] of within) expect(offsets.get(v), `value ${v} inside ${host}`).toBe(offsets.get(host)! + offset);
  const at = new Map(steps.map((s, k) => [s.output, k]));
  const lastRead = (v: number): number => {
    let last = live.includes(v) ? steps.length : at.get(v)!;
    steps.forEach((s, k) => {
      if (s.inputs.includes(v)) last = Math.max(last, k, s.inArena ? k : lastRead(s.output));
    });
    return last;
  };
  const arena = steps.filter((s) => s.inArena).map((s) => s.output);
  for (const a of arena)
    for (const b of arena) {
      if (a >= b || hosts(a).includes(b) || hosts(b).includes(a)) continue;
      const overlapTime = at.get(a)! <= lastRead(b) && at.get(b)! <= lastRead(a);
      const [oa, ob] = [offsets.get(a)!, offsets.get(b)!];
      const overlapMemory = oa < ob + sizes.get(b)! && ob < oa + sizes.get(a)!;
      expect(overlapTime && overlapMemory, `values ${a} and ${b} share memory while both live`).toBe(false);
    }
  // An input may be overwritten only at its last read, never when an alias is read later.
  steps.forEach((s, k) =>
    s.inputs.forEach((v, j) => {
      if (overwritable[k][j]) expect(lastRead(v) <= k || steps.every((t, m) => m <= k || !t.inputs.includes(v))).toBe(true);
    }),
  );
}

describe('layoutArena', () => {
  it('a chain reuses memory: two blocks suffice for five convolutions', () => {
    const steps: ArenaStep[] = [1, 2, 3, 4, 5].map((v) => ({ inputs: [v - 1], output: v, inArena: true }));
    const sizes = new Map([1, 2, 3, 4, 5].map((v) => [v, 10]));
    const layout = layoutArena(steps, sizes, [5]);
    expect(layout.size).toBe(20);
    checkNoLiveOverlap(steps, sizes, [5]);
  });

  it('residual, fan-out and concat keep their inputs apart', () => {
    // 1 = conv(0); 2 = conv(1); 3 = conv(2) + 1 (residual); 4 = conv(1); 5 = concat(3, 4, 1); 6 = conv(5)
    const steps: ArenaStep[] = [
      { inputs: [0], output: 1, inArena: true },
      { inputs: [1], output: 2, inArena: true },
      { inputs: [2, 1], output: 3, inArena: true },
      { inputs: [1], output: 4, inArena: true },
      { inputs: [3, 4, 1], output: 5, inArena: false },
      { inputs: [5], output: 6, inArena: true },
    ];
    const sizes = new Map([[1, 8], [2, 8], [3, 8], [4, 5], [5, 21], [6, 3]]);
    checkNoLiveOverlap(steps, sizes, [6]);
  });

  it('a view (flatten) of a value keeps it alive, and blocks in-place writes over it', () => {
    // 1 = conv(0); 2 = flatten(1) (a view); 3 = relu(1) (may write in place); 4 = conv(3); 5 = add(2, 4)
    const steps: ArenaStep[] = [
      { inputs: [0], output: 1, inArena: true },
      { inputs: [1], output: 2, inArena: false },
      { inputs: [1], output: 3, inArena: false },
      { inputs: [3], output: 4, inArena: true },
      { inputs: [2, 4], output: 5, inArena: false },
    ];
    const sizes = new Map([[1, 6], [4, 6]]);
    const { overwritable } = layoutArena(steps, sizes, [5]);
    expect(overwritable[2][0]).toBe(false); // the view 2 is read at step 4
    checkNoLiveOverlap(steps, sizes, [5]);
  });

  it('concatenation inputs placed inside it (one sample: a DenseNet block) share its block only', () => {
    // 1 = pool(0); 2 = bn(1); 3 = conv(2); 4 = concat(1, 3); 5 = bn(4); 6 = conv(5); 7 = concat(4, 6); 8 = conv(7)
    const steps: ArenaStep[] = [
      { inputs: [0], output: 1, inArena: true },
      { inputs: [1], output: 2, inArena: true },
      { inputs: [2], output: 3, inArena: true },
      { inputs: [1, 3], output: 4, inArena: true },
      { inputs: [4], output: 5, inArena: true },
      { inputs: [5], output: 6, inArena: true },
      { inputs: [4, 6], output: 7, inArena: true },
      { inputs: [7], output: 8, inArena: true },
    ];
    const sizes = new Map([[1, 8], [2, 8], [3, 4], [4, 12], [5, 12], [6, 4], [7, 16], [8, 5]]);
    const within: Placements = new Map([[1, { host: 4, offset: 0 }], [3, { host: 4, offset: 8 }], [4, { host: 7, offset: 0 }], [6, { host: 7, offset: 12 }]]);
    const layout = layoutArena(steps, sizes, [8], within);
    // 7's block lives from step 0 (1 is written there) to step 7: 2, 5 and 8 go elsewhere.
    expect(layout.offsets.get(1)).toBe(layout.offsets.get(7));
    expect(layout.offsets.get(6)).toBe(layout.offsets.get(7)! + 12);
    checkNoLiveOverlap(steps, sizes, [8], within);
    // Without the placements every value has its own block again.
    checkNoLiveOverlap(steps, sizes, [8]);
  });

  it('random DAGs: no two live values share memory', () => {
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let trial = 0; trial < 200; trial++) {
      const steps: ArenaStep[] = [];
      const sizes = new Map<number, number>();
      for (let v = 1; v <= 12; v++) {
        const inputs = [...new Set(Array.from({ length: 1 + rand(3) }, () => rand(v)))];
        const inArena = rand(3) !== 0;
        steps.push({ inputs, output: v, inArena });
        sizes.set(v, 1 + rand(9));
      }
      checkNoLiveOverlap(steps, sizes, [12]);
      // As the plan places a concatenation's inputs: arena values it reads once, in input
      // order, each in the first arena step that reads it and is at least as large as all its inputs.
      const within = new Map<number, { host: number; offset: number }>();
      for (const s of steps) {
        if (!s.inArena) continue;
        const total = s.inputs.reduce((a, v) => a + (sizes.get(v) ?? 1), 0);
        sizes.set(s.output, Math.max(sizes.get(s.output)!, total));
        let offset = 0;
        for (const v of s.inputs) {
          if (steps.some((t) => t.output === v && t.inArena) && !within.has(v)) within.set(v, { host: s.output, offset });
          offset += sizes.get(v) ?? 1;
        }
      }
      checkNoLiveOverlap(steps, sizes, [12], within);
    }
  });
});

describe('the arena in a compiled graph', () => {
  it('a ReLU that is not the last reader of a convolution does not write over it', () => {
    const g = new st.Graph({ seed: 2 });
    const x = g.input([3, 7, 7]);
    const c = g.add(new nn.Conv2D({ filters: 5, kernelSize: 3, padding: 1 }), x); // read by relu and concat
    const r = g.add(new nn.ReLU(), c);
    const d = g.add(new nn.Conv2D({ filters: 4, kernelSize: 1 }), r);
    g.output(g.add(new nn.Concat(), d, c, r));
    const input = randomTensor([2, 3, 7, 7], 3);
    const want = g.forward(input);
    g.compile();
    expectClose(g.predictSync(input).data, want.data, 1e-6, 'compiled');
    expectClose(g.predictSync(input).data, want.data, 1e-6, 'second run');
  });

  it('an Add that is the last reader runs in place without corrupting a live shortcut', () => {
    const g = new st.Graph({ seed: 4 });
    const x = g.input([4, 6, 6]);
    const a = g.add(new nn.Conv2D({ filters: 4, kernelSize: 3, padding: 1 }), x);
    const b = g.add(new nn.Conv2D({ filters: 4, kernelSize: 3, padding: 1 }), x);
    const s1 = g.add(new nn.Add(), a, b); // a and b both also read below: Add is not fused
    const s2 = g.add(new nn.Add(), s1, a);
    g.output(g.add(new nn.Add(), s2, b));
    const input = randomTensor([3, 4, 6, 6], 5);
    const want = g.forward(input);
    g.compile();
    expectClose(g.predictSync(input).data, want.data, 1e-6, 'compiled');
  });
});
