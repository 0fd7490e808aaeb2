// The client of bench/peers/torch_zoo.py (PyTorch's zoo networks in plain torch.nn), shared
// by bench/zoo.mjs and bench/nets.mjs: a long-lived child under /usr/bin/python3 (or
// $STRIATE_PYTHON), one JSON request and answer per line.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the child at `threads` threads; undefined (with the reason printed) when torch
 * does not import. `build(name, side, classes, { batches, depth })` makes the network and
 * its inputs (one per batch size) and returns its parameter count; `time(mode, batch)` is
 * one forward ('forward', eval mode, no grad) or training step ('train') in seconds.
 */
export async function startTorchZoo(threads) {
  const python = process.env.STRIATE_PYTHON ?? '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`(torch does not import in ${python}: ${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}; PyTorch not run)\n`);
    return undefined;
  }
  const child = spawn(python, [path.join(here, 'torch_zoo.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (request) => {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error('torch_zoo.py exited');
    const answer = JSON.parse(value);
    if (answer.error) throw new Error(`torch_zoo.py: ${answer.error}`);
    return answer;
  };
  const hello = await ask({ op: 'hello', threads });
  return {
    version: hello.version,
    threads: hello.threads,
    build: async (name, side, classes, { batches = [1, 32], depth } = {}) =>
      (await ask({ op: 'build', name, side, classes, batches, ...(depth === undefined ? {} : { depth }) })).params,
    time: async (mode, batch) => (await ask({ op: 'time', mode, batch })).seconds,
    close: () => child.stdin.end(),
  };
}
