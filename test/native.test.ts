// The native kernel test binary (every ISA this CPU has against reference.cc), one
// vitest case per native test. npm install builds it beside the addon.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const binary = path.resolve(__dirname, '..', 'build', 'striate_native_tests');
const list = spawnSync(binary, ['--list'], { encoding: 'utf8' });
const names = list.stdout.split('\n').filter(Boolean);

describe('native kernel tests', () => {
  it('the test binary was built and lists its tests', () => {
    expect(list.error).toBeUndefined();
    expect(names.length).toBeGreaterThan(0);
  });
  for (const name of names) {
    it(name, () => {
      const r = spawnSync(binary, ['--exact', name], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
    });
  }
});
