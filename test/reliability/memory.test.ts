// Memory stays flat: after a warm-up (the JIT's code and the allocator's pages settle
// over the first couple of hundred steps), hundreds of LeNet-5 training steps (forward,
// loss, backward, SGD step, in this process) and a hundred resnet20 predictSync calls
// grow none of these by more than 5%: the resident set outside the JS heap, the JS heap
// in use, the ArrayBuffers that hold tensors, the native core's scratch
// (st.memoryStats()). The JS heap's resident pages are left out of the resident set: V8
// grows and shrinks its young generation with the allocation rate (8 to 16 MiB and back),
// which is its policy, not a leak; what is in use in the heap is counted. Each figure is read after a full garbage collection. One kernel thread: on a machine busier than its cores,
// OpenMP threads waiting for each other made these loops 8x slower, and the figures do
// not depend on it. `npm run bench:memory` runs the long version (10,000 steps, 1,000
// predictions, every thread) and reports the drift.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
st.setNumThreads(1);

interface Sample {
  rssOutsideHeap: number;
  heapUsed: number;
  arrayBuffers: number;
  scratchBytes: number;
  scratchAllocations: number;
}

function sample(): Sample {
  // A second collection frees what the first only found (a buffer referenced from objects it freed).
  gc();
  gc();
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  const { liveBytes, allocations } = st.memoryStats();
  const rssOutsideHeap = rss - v8.getHeapStatistics().total_physical_size;
  return { rssOutsideHeap, heapUsed, arrayBuffers, scratchBytes: liveBytes, scratchAllocations: allocations };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `step` `warmUp` times, then `count` times with a sample every `count / 12` steps;
 * returns the figures whose median over the last 3 samples is more than 5% above the
 * median over the first 3 and still growing in the second half (more than 2% above the
 * median of the middle 3). Medians, because the resident set moves by a few hundred
 * kilobytes from sample to sample as the allocator keeps or returns pages; the second
 * half, because a leak grows with the steps while a one-time step does not: a thread's
 * first allocation opens a glibc arena (a CI run saw 60.5 -> 63.7 MiB once, flat after).
 */
function drift(step: (i: number) => void, warmUp: number, count: number): { grown: string[]; samples: Sample[] } {
  for (let i = 0; i < warmUp; i++) step(i);
  const samples = [sample()];
  for (let i = 1; i <= count; i++) {
    step(i);
    if (i % (count / 12) === 0) samples.push(sample());
  }
  const grown = (Object.keys(samples[0]) as (keyof Sample)[]).flatMap((k) => {
    const first = median(samples.slice(0, 3).map((x) => x[k]));
    const middle = median(samples.slice(5, 8).map((x) => x[k]));
    const last = median(samples.slice(-3).map((x) => x[k]));
    return last > first * 1.05 && last > middle * 1.02 ? [`${k}: ${first} -> ${middle} -> ${last}`] : [];
  });
  return { grown, samples };
}

describe('memory stays flat', () => {
  it('st.memoryStats reports the native scratch: it grows for a larger problem, and only then', () => {
    const a = st.randn([64, 96], { seed: 1 });
    st.ops.matmul(a, st.randn([96, 80], { seed: 2 }));
    const first = st.memoryStats();
    st.ops.matmul(a, st.randn([96, 80], { seed: 3 }));
    expect(st.memoryStats()).toEqual(first);
    st.ops.matmul(st.randn([512, 700], { seed: 4 }), st.randn([700, 600], { seed: 5 }));
    const grown = st.memoryStats();
    expect(grown.liveBytes).toBeGreaterThan(first.liveBytes);
    expect(grown.allocations).toBeGreaterThan(first.allocations);
    expect(grown.peakBytes).toBeGreaterThanOrEqual(grown.liveBytes);
  });

  it('600 LeNet-5 training steps after 200 of warm-up', () => {
    const model = st.zoo.lenet5({ seed: 1 });
    const loss = new st.nn.SoftmaxCrossEntropy();
    const optimizer = new st.optim.SGD(model.params(), { lr: 0.01, momentum: 0.9 });
    const batches = [0, 1, 2, 3].map((k) => ({
      x: st.randn([8, 1, 32, 32], { seed: 10 + k }),
      labels: Int32Array.from({ length: 8 }, (_, i) => (i * 7 + k) % 10),
    }));
    const { grown, samples } = drift((i) => {
      const { x, labels } = batches[i % batches.length];
      model.zeroGrad();
      loss.forward(model.forward(x, { training: true }), labels);
      model.backward(loss.backward(), { inputGrad: false });
      optimizer.step();
    }, 200, 600);
    expect(grown.join('; ')).toBe('');
    expect(samples[0].scratchAllocations).toBeGreaterThan(0);
  });

  it('96 resnet20 predictSync calls after 12 of warm-up', () => {
    const model = st.zoo.resnet20({ numClasses: 10, seed: 1 });
    const x = st.randn([4, 3, 32, 32], { seed: 2 });
    const { grown } = drift(() => model.predictSync(x), 12, 96);
    expect(grown.join('; ')).toBe('');
  });
});
