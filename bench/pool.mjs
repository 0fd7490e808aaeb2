// npm run bench:pool: striate's native pooling benchmark, then PyTorch's on the same
// shapes when /usr/bin/python3 can import torch (skipped, with a note, otherwise).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.join(root, 'build', 'striate_bench_pool');
const args = process.argv.slice(2);
if (!existsSync(binary)) {
  console.error(`bench:pool: ${binary} is missing; run \`npm run build:native\` first.`);
  process.exit(1);
}
const ours = spawnSync(binary, args, { stdio: 'inherit' });
if (ours.status !== 0) process.exit(ours.status ?? 1);

const python = process.env.STRIATE_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
if (probe.status !== 0) {
  console.log(`\n(PyTorch peer skipped: ${python} cannot import torch)`);
} else {
  const threads = args.includes('--threads') ? args[args.indexOf('--threads') + 1] : '1,2';
  const reps = args.includes('--reps') ? args[args.indexOf('--reps') + 1] : '15';
  console.log('');
  spawnSync(python, [path.join(root, 'bench', 'peers', 'torch_pool.py'), threads, reps], { stdio: 'inherit' });
}
