// Interleaved timing: each round times a block of calls of every library in turn, so a
// slow drift of the machine (another process, thermal state) hits all of them alike.
// A library leaves the rounds once it has minReps samples and has spent the time
// budget, or has maxReps; one whose single call outlasts the budget gets one sample
// (its correctness-check call served as warm-up). Thread pools (OpenMP, ONNX Runtime's)
// keep spinning for a while after a call; a pause before each block keeps one library's
// spinning threads from stealing the cores of the next. But a pause also lets the cores
// go idle, and on a VM an idle vCPU takes milliseconds to run again: so a block starts
// with one untimed call, which wakes the library's threads and cores, and then times
// `block` calls back to back, as a program calling the library repeatedly would see them.
// (With one timed call a block, another library's pool still spinning from before the
// pause left striate's 2-thread v3 forward no faster than 1 thread.)
import { setTimeout as sleep } from 'node:timers/promises';

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Seconds of one call of a prepared case (timed remotely when the case says so). */
export async function timeOnce(c, pauseMs = 0, primed = false) {
  await c.enter?.();
  if (pauseMs) await sleep(pauseMs);
  if (primed) await (c.time ? c.time() : c.call());
  if (c.time) return c.time();
  const t0 = now();
  await c.call();
  return now() - t0;
}

/**
 * contestants: [{ case, checkSeconds }]; fills `samples` (seconds) on each.
 * method: { warmup, minReps, maxReps, budgetSeconds, pauseMs, block }.
 */
export async function timeInterleaved(contestants, method) {
  for (const c of contestants) {
    c.samples = [];
    c.slow = c.checkSeconds > method.budgetSeconds;
    if (!c.slow) for (let i = 0; i < method.warmup; i++) await timeOnce(c.case, method.pauseMs);
  }
  let active = [...contestants];
  while (active.length) {
    for (const c of active) {
      c.samples.push(await timeOnce(c.case, method.pauseMs, !c.slow));
      for (let i = 1; i < (c.slow ? 1 : method.block); i++) c.samples.push(await timeOnce(c.case));
    }
    active = active.filter((c) => {
      const spent = c.samples.reduce((a, b) => a + b, 0);
      const enough = c.slow || (c.samples.length >= method.minReps && spent >= method.budgetSeconds);
      return !(enough || c.samples.length >= method.maxReps);
    });
  }
}
