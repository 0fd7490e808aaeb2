import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Kernel tests (test/kernels) run once per ISA this CPU has, each in a project with
// STRIATE_ISA forced; the ISA is chosen at addon load, so each project is its own
// set of processes. ISAs the CPU lacks are listed as skipped.
const ALL_ISAS = ['scalar', 'avx2', 'avx512', 'neon'];
const addon = createRequire(import.meta.url)('./build/Release/striate.node') as {
  backendInfo(): { isasAvailable: string[] };
};
const available = addon.backendInfo().isasAvailable;
const skipped = ALL_ISAS.filter((isa) => !available.includes(isa));
if (skipped.length && process.env.VITEST_POOL_ID === undefined)
  console.log(`kernel tests skip ISAs this CPU lacks: ${skipped.join(', ')}`);

export default defineConfig({
  test: {
    // Native kernels use OpenMP threads; forks keep each test file in its own process.
    pool: 'forks',
    testTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/kernels/**'] } },
      ...available.map((isa) => ({
        extends: true,
        test: { name: `kernels:${isa}`, include: ['test/kernels/**/*.test.ts'], env: { STRIATE_ISA: isa } },
      })),
    ],
  },
});
