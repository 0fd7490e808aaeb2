import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Kernel tests (test/kernels) run once per ISA this CPU has, each in a project with
// STRIATE_ISA forced; the ISA is chosen at addon load, so each project is its own
// set of processes. test/backend.test.ts reports the ISAs the CPU lacks as skipped.
const addon = createRequire(import.meta.url)('./build/Release/striate.node') as {
  backendInfo(): { isasAvailable: string[] };
};
const available = addon.backendInfo().isasAvailable;

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
