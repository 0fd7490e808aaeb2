// PyTorch (CPU) through /usr/bin/python3 (Debian's python3-torch; override with
// STRIATE_PYTHON). torch_suite.py runs as one long-lived child: the harness sends it
// the same workloads, inputs as raw float32 files, and asks for one timed call at a
// time, so PyTorch interleaves with the in-process libraries like any other peer.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const python = process.env.STRIATE_PYTHON ?? '/usr/bin/python3';
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_suite.py');

let child;
let lines;
let dataDir;
const written = new WeakMap();

async function ask(request) {
  child.stdin.write(`${JSON.stringify(request)}\n`);
  const { value, done } = await lines.next();
  if (done) throw new Error('torch_suite.py exited');
  const res = JSON.parse(value);
  if (res.error) throw new Error(res.error);
  return res;
}

/** The file holding `array`, written once however many tasks share it. */
function file(name, array) {
  if (!written.has(array)) written.set(array, dataDir.write(name, array));
  return written.get(array);
}

function filesOf(task) {
  const files = {};
  for (const key of ['a', 'b', 'x', 'w', 'dy', 'images', 'labels']) if (task[key]) files[key] = file(key, task[key]);
  for (const [key, array] of Object.entries(task.weights ?? {})) files[key] = file(key, array);
  return files;
}

export default {
  name: 'pytorch',
  async load(ctx) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`${python} cannot import torch (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})`);
    dataDir = ctx.dataDir;
    child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.unref();
    lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const hello = await ask({ op: 'hello' });
    return { version: hello.version, detail: `${python}, CPU (ATen/oneDNN), one child process` };
  },
  async setThreads(n) {
    return (await ask({ op: 'threads', n })).threads;
  },
  async prepare(task) {
    const { net, spec, kind, xShape, wShape, yShape, batch, lr, momentum, count, checkSteps } = task;
    const res = await ask({ op: 'prepare', task: { net, spec, kind, xShape, wShape, yShape, batch, lr, momentum, count, checkSteps, files: filesOf(task) } });
    if (res.na) return res.na;
    const { id } = res;
    return {
      time: async () => (await ask({ op: 'time', id })).seconds,
      result: async () => {
        const { files } = await ask({ op: 'result', id, dir: dataDir.dir });
        return files.map((f) => {
          const bytes = readFileSync(f);
          return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        });
      },
      dispose: () => ask({ op: 'drop', id }),
    };
  },
  close() {
    child?.stdin.end();
  },
};
