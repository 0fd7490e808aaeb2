import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../src/index.js';
import { native } from '../src/native.js';

const addonPath = path.resolve(__dirname, '..', 'build', 'Release', 'striate.node');

afterAll(() => st.setNumThreads(st.backendInfo().hardwareThreads));

describe('kernel tests per ISA', () => {
  // vitest.config.ts runs test/kernels once per ISA this CPU has; the others are reported here.
  for (const isa of ['scalar', 'avx2', 'avx512', 'neon'].filter((i) => !st.backendInfo().isasAvailable.includes(i)))
    it.skip(`${isa}: this CPU lacks it${isa === 'neon' ? ' (npm run test:arm runs the NEON kernels under qemu)' : ''}`, () => {});
});

describe('backend', () => {
  it('reports the ISA, the ISAs available, threads, OpenMP and the version', () => {
    const info = st.backendInfo();
    expect(info.isasAvailable[0]).toBe('scalar');
    expect(info.isasAvailable).toContain(info.isa);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(typeof info.openmp).toBe('boolean');
    expect(info.version).toBe(JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')).version);
  });

  it('setNumThreads changes the thread count and getNumThreads reads it', () => {
    st.setNumThreads(1);
    expect(st.getNumThreads()).toBe(1);
    expect(st.backendInfo().threads).toBe(1);
    st.setNumThreads(2);
    expect(st.getNumThreads()).toBe(2);
  });

  it('the addon itself refuses a thread count past 1024 (a cast to int would take 2^32 + 3 as 3)', () => {
    st.setNumThreads(2);
    expect(() => native.setNumThreads(2 ** 32 + 3)).toThrow(RangeError);
    expect(() => native.setNumThreads(1025)).toThrow(/setNumThreads: n must be at most 1024, got 1025/);
    expect(st.getNumThreads()).toBe(2);
  });

  it('STRIATE_ISA naming an ISA this CPU lacks stops the load with a clear error', () => {
    const missing = ['scalar', 'avx2', 'avx512', 'neon'].find((isa) => !st.backendInfo().isasAvailable.includes(isa));
    const load = (isa: string) =>
      execFileSync(process.execPath, ['-e', `try { require(${JSON.stringify(addonPath)}) } catch (e) { console.log(e.message) }`], {
        env: { ...process.env, STRIATE_ISA: isa },
        encoding: 'utf8',
      });
    expect(load('sse9')).toMatch(/STRIATE_ISA=sse9 is not one of scalar, avx2, avx512, neon/);
    if (missing) expect(load(missing)).toMatch(new RegExp(`STRIATE_ISA=${missing} is not supported by this CPU \\(available: scalar`));
  });

  it('the addon loads and computes inside a worker thread', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      const addon = require(${JSON.stringify(addonPath)});
      const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
      addon.sgemm(false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2);
      parentPort.postMessage({ c: Array.from(c), isa: addon.backendInfo().isa });`;
    const result = await new Promise<{ c: number[]; isa: string }>((resolve, reject) => {
      const worker = new Worker(code, { eval: true });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(result.c).toEqual([19, 22, 43, 50]);
    expect(result.isa).toBe(st.backendInfo().isa);
  });

  // fit's worker lowers its own priority so that the event loop gets a core at once.
  it.runIf(process.platform === 'linux')('lowerComputePriority runs the calling thread and its kernel threads at nice 5 (or lower)', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      const fs = require('node:fs');
      const addon = require(${JSON.stringify(addonPath)});
      // Field 19 of a thread's stat, after the parenthesised command name.
      const nice = (stat) => Number(fs.readFileSync(stat, 'utf8').split(') ')[1].split(' ')[16]);
      const start = nice('/proc/thread-self/stat');
      const want = Math.max(start, 5);
      const at = () => fs.readdirSync('/proc/self/task').filter((t) => nice('/proc/self/task/' + t + '/stat') === want).length;
      const before = at();
      const lowered = addon.lowerComputePriority();
      // This thread, and the threads its kernels run on: one team of getNumThreads().
      parentPort.postMessage({ start, want, lowered, now: nice('/proc/thread-self/stat'), added: at() - before, threads: addon.getNumThreads() });`;
    const r = await new Promise<{ start: number; want: number; lowered: boolean; now: number; added: number; threads: number }>((resolve, reject) => {
      const worker = new Worker(code, { eval: true });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(r.lowered).toBe(true);
    expect(r.now).toBe(r.want);
    // At nice 0 (a runner started with more niceness keeps it): this thread and the
    // kernel team's other threads move to 5.
    if (r.start < 5) expect(r.added).toBe(r.threads);
    expect(r.threads).toBe(st.getNumThreads());
  });
});
