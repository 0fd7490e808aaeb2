// npm run bench:conv [-- --threads 1,2 --reps 7 --shapes c3,r3 --cpu]
// Runs the native convolution benchmark that the addon build built
// (build/striate_bench_conv), then PyTorch on the same shapes with /usr/bin/python3
// when torch imports there, and prints both side by side: milliseconds (median of
// reps; with --cpu, both sides' minimum process CPU time, which sees through other jobs'
// load at 1 thread), striate's GFLOP/s, and torch / striate time ratios (> 1: striate
// is faster). STRIATE_ISA=avx2 times the AVX2 kernels on an AVX-512 machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.join(root, 'build', 'striate_bench_conv');
if (!existsSync(binary)) {
  console.error(`striate: ${binary} is missing; build it with npm run build:native`);
  process.exit(1);
}
const args = process.argv.slice(2);

function csv(text) {
  const [header, ...lines] = text.trim().split('\n');
  const keys = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], i < 1 ? v : Number(v)])));
}

const ours = spawnSync(binary, [...args, '--csv'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (ours.status !== 0) process.exit(ours.status ?? 1);
const rows = csv(ours.stdout);

let peer = new Map();
const python = '/usr/bin/python3';
const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
if (probe.status === 0) {
  const r = spawnSync(python, [path.join(root, 'bench', 'peers', 'torch_conv.py'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status === 0) peer = new Map(csv(r.stdout).map((row) => [`${row.shape}/${row.threads}`, row]));
  else console.error('torch_conv.py failed; showing striate alone');
} else {
  console.log(`(torch does not import in ${python}: showing striate alone)\n`);
}

const f = (v, digits = 2) => (v === undefined ? '–' : v.toFixed(digits));
console.log('| shape | threads | fwd ms | fwd GFLOP/s | bwd-data ms | bwd-weights ms | bwd total ms | torch fwd ms | torch bwd ms | fwd ratio | bwd ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const bwd = row.grad_input_ms + row.grad_weight_ms;
  const t = peer.get(`${row.shape}/${row.threads}`);
  console.log(
    `| ${row.shape} | ${row.threads} | ${f(row.forward_ms)} | ${f(row.gflop / row.forward_ms * 1e3, 1)} | ` +
      `${f(row.grad_input_ms)} | ${f(row.grad_weight_ms)} | ${f(bwd)} | ${f(t?.forward_ms)} | ${f(t?.backward_ms)} | ` +
      `${f(t && t.forward_ms / row.forward_ms)} | ${f(t && t.backward_ms / bwd)} |`,
  );
}
