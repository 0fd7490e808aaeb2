// npm run bench:gemm [-- --threads 1,2 --reps 7 --quick --only 2048]
// Runs the native SGEMM benchmark that npm install built (build/striate_bench_gemm):
// striate against OpenBLAS cblas_sgemm in the same process when libopenblas-dev was
// installed at build time (Debian: apt-get install libopenblas-dev, then npm run build:native).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const binary = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'striate_bench_gemm');
if (!existsSync(binary)) {
  console.error(`striate: ${binary} is missing; build it with npm run build:native`);
  process.exit(1);
}
const r = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
