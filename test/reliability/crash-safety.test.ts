// kill -9 during a save or a checkpointing fit: 100 child processes (crash-child.mjs,
// on dist/) are killed at random points, 4 at a time. After each, the file must be the
// previous version or the new one, whole: it loads (which verifies its CRC-32) and holds
// exactly the weights, or the training history, of a version the child began writing.
// A killed save may leave its temporary file; nothing else may be left beside the model,
// and a later save and load of the same path must work.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { Rng } from '../../src/random.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.mjs');
const root = mkdtempSync(path.join(tmpdir(), 'striate-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PARALLEL = 4;

interface Run {
  lines: string[];
  stderr: string;
}

/** Starts `crash-child.mjs mode file`, waits for its first line (save: begin 1, fit: epoch 0), then `delayMs`, then kills it with SIGKILL. */
function killDuring(mode: 'save' | 'fit', file: string, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, mode, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const watchdog = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (timer === undefined && stdout.includes('\n')) timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
    });
    p.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    p.on('error', reject);
    // 'close' comes after the pipes are drained: every line written before the kill is here.
    p.on('close', (_code, signal) => {
      clearTimeout(watchdog);
      if (signal !== 'SIGKILL' || timer === undefined) reject(new Error(`crash-child ${mode} ended by itself (${signal}): ${stderr}`));
      else resolve({ lines: stdout.split('\n').filter(Boolean), stderr });
    });
  });
}

/** Runs `trial(i)` for i < n, `PARALLEL` at a time. */
async function pool(n: number, trial: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < n) await trial(next++);
  }));
}

/** The entries beside `file` other than it; each must be one of its temporary files. */
function leftovers(file: string): { temps: number; others: string[] } {
  const name = path.basename(file);
  const temp = new RegExp(`^\\.${name.replace('.', '\\.')}\\.\\d+\\.[0-9a-f]{8}\\.tmp$`);
  const rest = readdirSync(path.dirname(file)).filter((f) => f !== name);
  return { temps: rest.filter((f) => temp.test(f)).length, others: rest.filter((f) => !temp.test(f)) };
}

const count = (tally: Map<string, number>, key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
const last = (lines: string[], word: string) =>
  lines.filter((l) => l.startsWith(`${word} `)).reduce((a, l) => Math.max(a, Number(l.split(' ')[1])), -1);

describe('SIGKILL during save and checkpointing fit', () => {
  it('70 saves killed at random points leave the previous or the new model, whole', async () => {
    // Version v: a 500x500 dense layer (1 MB) with every weight v, as crash-child.mjs writes it.
    const model = new st.Sequential([new st.nn.Dense({ units: 500 })], { inputShape: [500] });
    const rng = new Rng(7);
    const delays = Array.from({ length: 70 }, () => rng.uniform() * 150);
    const failures: string[] = [];
    const tally = new Map<string, number>();
    await pool(delays.length, async (i) => {
      const dir = mkdtempSync(path.join(root, 'save-'));
      const file = path.join(dir, 'model.striate');
      model.params().forEach((p) => p.value.data.fill(0));
      model.save(file, { version: 0 });
      const { lines } = await killDuring('save', file, delays[i]);
      const begun = Math.max(0, last(lines, 'begin'));
      const done = Math.max(0, last(lines, 'done'));
      const where = `trial ${i} (killed ${delays[i].toFixed(1)} ms in, after begin ${begun}, done ${done})`;
      try {
        const { model: loaded, metadata } = st.loadWithMetadata(file);
        const version = metadata.version as number;
        const whole = loaded.params().every((p) => p.value.data.every((v) => v === version));
        if (!whole) failures.push(`${where}: version ${version} has weights of another version`);
        if (version === done) count(tally, begun > done ? 'killed mid-save: the previous file' : 'killed between saves: the last file');
        else if (version === begun && begun === done + 1) count(tally, 'killed mid-save: the new file');
        else failures.push(`${where}: the file holds version ${version}`);
      } catch (err) {
        failures.push(`${where}: ${(err as Error).message}`);
      }
      const { temps, others } = leftovers(file);
      if (others.length > 0) failures.push(`${where}: unexpected files beside the model: ${others.join(', ')}`);
      if (temps > 0) count(tally, 'a temporary file left (never read)');
      model.params().forEach((p) => p.value.data.fill(-1));
      model.save(file, { version: -1 });
      if (st.loadWithMetadata(file).metadata.version !== -1) failures.push(`${where}: a later save did not replace the file`);
      rmSync(dir, { recursive: true });
    });
    console.log('save trials:', Object.fromEntries(tally));
    expect(failures).toEqual([]);
    expect(tally.get('killed mid-save: the previous file') ?? 0).toBeGreaterThan(0);
  });

  it('30 checkpointing fits killed at random points after the first epoch leave the last checkpoint, whole', async () => {
    const rng = new Rng(8);
    const delays = Array.from({ length: 30 }, () => rng.uniform() * 200);
    const failures: string[] = [];
    const tally = new Map<string, number>();
    await pool(delays.length, async (i) => {
      const dir = mkdtempSync(path.join(root, 'fit-'));
      const file = path.join(dir, 'ckpt.striate');
      const { lines } = await killDuring('fit', file, delays[i]);
      const logged = new Map(lines.filter((l) => l.startsWith('epoch ')).map((l) => {
        const [, epoch, loss] = l.split(' ');
        return [Number(epoch), JSON.parse(loss) as number];
      }));
      const lastLogged = Math.max(...logged.keys());
      const where = `trial ${i} (killed ${delays[i].toFixed(1)} ms after epoch 0, epoch ${lastLogged} logged)`;
      // The worker writes each checkpoint before it reports the epoch.
      if (!existsSync(file)) failures.push(`${where}: no checkpoint`);
      else {
        try {
          const cp = st.loadCheckpoint(file);
          if (cp.epoch < lastLogged + 1) failures.push(`${where}: the checkpoint is of epoch ${cp.epoch}`);
          if (cp.resume.history.length !== cp.epoch) failures.push(`${where}: ${cp.resume.history.length} epochs of history for epoch ${cp.epoch}`);
          for (const [epoch, loss] of logged)
            if (epoch < cp.epoch && cp.resume.history[epoch].loss !== loss)
              failures.push(`${where}: epoch ${epoch} has loss ${cp.resume.history[epoch].loss} in the checkpoint, ${loss} logged`);
          const y = cp.model.predictSync(st.randn([2, 1, 8, 8], { seed: 1 }));
          if (y.shape.join() !== '2,4') failures.push(`${where}: the checkpoint predicts ${y.shape}`);
          count(tally, 'a whole checkpoint');
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message}`);
        }
      }
      const { temps, others } = leftovers(file);
      if (others.length > 0) failures.push(`${where}: unexpected files beside the checkpoint: ${others.join(', ')}`);
      if (temps > 0) count(tally, 'a temporary file left (never read)');
      rmSync(dir, { recursive: true });
    });
    console.log('fit trials:', Object.fromEntries(tally));
    expect(failures).toEqual([]);
    expect(tally.get('a whole checkpoint')).toBe(delays.length);
  });
});
