// The addon loader (src/native.ts) as a fresh process sees it: which file it loads, what
// backendInfo() says about it, and what a load failure tells the user.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'index.js');
const sourceBuild = path.join(root, 'build', 'Release', 'striate.node');

/** Imports dist/index.js in a new Node process with STRIATE_ADDON as given, printing backendInfo() as JSON. */
function loadWith(env: { STRIATE_ADDON?: string }) {
  const script = `import(${JSON.stringify(entry)}).then((st) => console.log(JSON.stringify(st.backendInfo())))`;
  const childEnv = { ...process.env, ...env };
  if (env.STRIATE_ADDON === undefined) delete childEnv.STRIATE_ADDON;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: childEnv });
  return { status: r.status, info: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

describe('the addon loader', () => {
  it('loads the source build of a checkout and says so', () => {
    const { status, info } = loadWith({});
    expect(status).toBe(0);
    expect(info.build).toBe('source');
    expect(info.addonPath).toBe(sourceBuild);
  });

  it('loads the file STRIATE_ADDON names', () => {
    const { info } = loadWith({ STRIATE_ADDON: path.relative(process.cwd(), sourceBuild) });
    expect(info.addonPath).toBe(sourceBuild);
    expect(info.isasAvailable).toContain('scalar');
  });

  it('names the file, the platform and the way to build when STRIATE_ADDON does not load', () => {
    const missing = path.join(root, 'no-such-dir', 'striate.node');
    const { status, stderr } = loadWith({ STRIATE_ADDON: missing });
    expect(status).not.toBe(0);
    expect(stderr).toContain(`could not load the native addon ${missing} (from STRIATE_ADDON)`);
    expect(stderr).toContain(`${process.platform}-${process.arch}`);
    expect(stderr).toContain('--build-from-source');
  });

  it('gives one module to require and import', () => {
    const script = `const a = require(${JSON.stringify(path.join(root, 'dist', 'index.cjs'))});
      import(${JSON.stringify(entry)}).then((b) => console.log(a === b && typeof a.Sequential === 'function'))`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('true');
  });
});
