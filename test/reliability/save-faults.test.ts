// Saves that fail: a full disk (ENOSPC while writing or flushing), a read-only file
// system (EROFS), a read-only target (EACCES; injected, since CI runs as root, for whom
// chmod 0444 changes nothing) and a failing rename. Each throws an Error naming the
// target and the cause, leaves the previous file byte for byte, and removes its
// temporary file. The faults are injected through a mock of node:fs that passes every
// call through unless a test's hook answers it.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as st from '../../src/index.js';

type Hook = (name: string, args: unknown[], real: (...args: unknown[]) => unknown) => unknown;
const seam = vi.hoisted(() => ({ hook: undefined as Hook | undefined, calls: [] as { name: string; args: unknown[] }[] }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const wrap = (name: keyof typeof real) => (...args: unknown[]) => {
    const f = real[name] as (...a: unknown[]) => unknown;
    seam.calls.push({ name, args });
    return seam.hook ? seam.hook(name, args, f) : f(...args);
  };
  const names = ['accessSync', 'closeSync', 'fsyncSync', 'openSync', 'renameSync', 'statSync', 'unlinkSync', 'writeSync'] as const;
  const wrapped = Object.fromEntries(names.map((n) => [n, wrap(n)]));
  return { ...real, ...wrapped, default: { ...real, ...wrapped } };
});

afterEach(() => {
  seam.hook = undefined;
  seam.calls.length = 0;
});

/** An error as node:fs throws it. */
function errno(code: string, text: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, syscall });
}

const model = () => new st.Sequential([new st.nn.Dense({ units: 64 })], { inputShape: [256], seed: 4 });

/** A folder holding one saved model; returns the file and its bytes. */
function saved(): { dir: string; file: string; before: Buffer } {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'striate-faults-'));
  const file = path.join(dir, 'model.striate');
  model().save(file, { version: 1 });
  return { dir, file, before: fs.readFileSync(file) };
}

/** Saves a new version with `hook` installed; checks the error, the old file and the folder. */
function expectRefused(hook: Hook, cause: RegExp): void {
  const { dir, file, before } = saved();
  const next = new st.Sequential([new st.nn.Dense({ units: 64 })], { inputShape: [256], seed: 5 });
  seam.calls.length = 0;
  seam.hook = hook;
  let thrown: unknown;
  try {
    next.save(file, { version: 2 });
  } catch (err) {
    thrown = err;
  }
  seam.hook = undefined;
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not written \\(`));
  expect((thrown as Error).message).toMatch(cause);
  expect(((thrown as Error).cause as NodeJS.ErrnoException).code).toMatch(/^E[A-Z]+$/);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(st.loadWithMetadata(file).metadata).toEqual({ version: 1 });
  expect(fs.readdirSync(dir)).toEqual(['model.striate']);
  fs.rmSync(dir, { recursive: true });
}

describe('save under injected faults', () => {
  it('a disk that fills halfway through the write (ENOSPC)', () => {
    let writes = 0;
    expectRefused((name, args, real) => {
      if (name !== 'writeSync') return real(...args);
      // The first write stores half the bytes, as a nearly full disk does; the next fails.
      if (writes++ > 0) throw errno('ENOSPC', 'no space left on device', 'write');
      const [fd, bytes, offset] = args as [number, Uint8Array, number];
      return real(fd, bytes, offset, Math.ceil((bytes.length - offset) / 2));
    }, /ENOSPC: no space left on device/);
    expect(writes).toBe(2);
  });

  it('a disk that is full when the data is flushed (ENOSPC from fsync)', () => {
    expectRefused((name, args, real) => {
      if (name === 'fsyncSync') throw errno('ENOSPC', 'no space left on device', 'fsync');
      return real(...args);
    }, /ENOSPC/);
  });

  it('a read-only file system (EROFS)', () => {
    expectRefused((name, args, real) => {
      if (name === 'openSync' && String(args[0]).endsWith('.tmp')) throw errno('EROFS', 'read-only file system', `open '${args[0]}'`);
      return real(...args);
    }, /EROFS: read-only file system/);
  });

  it('a read-only target (EACCES): refused, not replaced, nothing written', () => {
    expectRefused((name, args, real) => {
      if (name === 'accessSync') throw errno('EACCES', 'permission denied', `access '${args[0]}'`);
      return real(...args);
    }, /EACCES: permission denied/);
    expect(seam.calls.some((c) => c.name === 'writeSync')).toBe(false);
  });

  it('a rename that fails (EBUSY) removes the written temporary file', () => {
    expectRefused((name, args, real) => {
      if (name === 'renameSync') throw errno('EBUSY', 'resource busy or locked', 'rename');
      return real(...args);
    }, /EBUSY/);
  });

  it('the ONNX export and checkpoints share the same write: an ONNX save on a full disk', () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), 'striate-faults-'));
    const file = path.join(dir, 'model.onnx');
    seam.hook = (name, args, real) => {
      if (name === 'writeSync') throw errno('ENOSPC', 'no space left on device', 'write');
      return real(...args);
    };
    expect(() => st.onnx.save(model(), file)).toThrow(`${file}: not written (ENOSPC: no space left on device, write)`);
    seam.hook = undefined;
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  it('a good save: data flushed before the rename, the folder flushed after it, the mode kept', () => {
    const { dir, file } = saved();
    fs.chmodSync(file, 0o600);
    seam.calls.length = 0;
    model().save(file, { version: 2 });
    const calls = seam.calls.map((c) => `${c.name}(${typeof c.args[0] === 'string' ? path.basename(c.args[0]) || c.args[0] : typeof c.args[0]})`);
    const rename = calls.findIndex((c) => c.startsWith('renameSync'));
    expect(calls.slice(0, rename + 1).filter((c) => !c.startsWith('writeSync'))).toEqual([
      'statSync(model.striate)', 'accessSync(model.striate)', expect.stringMatching(/^openSync\(\.model\.striate\.\d+\.[0-9a-f]{8}\.tmp\)$/),
      'fsyncSync(number)', 'closeSync(number)', expect.stringMatching(/^renameSync\(\.model\.striate\./),
    ]);
    expect(calls.slice(rename + 1)).toEqual([`openSync(${path.basename(dir)})`, 'fsyncSync(number)', 'closeSync(number)']);
    expect(seam.calls[rename + 1].args[0]).toBe(dir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(st.loadWithMetadata(file).metadata).toEqual({ version: 2 });
    fs.rmSync(dir, { recursive: true });
  });
});
