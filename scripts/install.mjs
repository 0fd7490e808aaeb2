// `npm install`: uses the prebuilt addon in prebuilds/ when one matches this platform and
// loads, else builds from source (scripts/build-native.mjs). A checkout has no prebuilds/,
// so it always builds; `npm install --build-from-source` (npm_config_build_from_source)
// builds even where a prebuild matches. node-gyp-build picks the prebuild, as the loader does.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The prebuild that matches this machine, or why there is none. */
function matchingPrebuild() {
  // Read when node-gyp-build loads: consider prebuilds/ only, not a build/Release left from before.
  process.env.PREBUILDS_ONLY = '1';
  try {
    return { file: createRequire(import.meta.url)('node-gyp-build').path(root) };
  } catch {
    return { why: `no prebuild for ${process.platform}-${process.arch} (glibc) in ${path.join(root, 'prebuilds')}` };
  } finally {
    delete process.env.PREBUILDS_ONLY;
  }
}

/** Loads the addon in a child process, so that a crash while loading cannot end the install. */
function loads(file) {
  const probe = 'try { require(process.argv[1]) } catch (e) { console.error(e.message); process.exit(1) }';
  const r = spawnSync(process.execPath, ['-e', probe, file], { encoding: 'utf8' });
  return r.status === 0 ? { ok: true } : { ok: false, why: `${file} does not load here: ${r.stderr.trim().split('\n')[0]}` };
}

function reasonToBuild() {
  if (process.env.npm_config_build_from_source === 'true') return 'asked to build from source (--build-from-source)';
  const prebuild = matchingPrebuild();
  if (!prebuild.file) return prebuild.why;
  const load = loads(prebuild.file);
  return load.ok ? null : load.why;
}

const why = reasonToBuild();
if (why !== null) {
  console.error(`striate: ${why}; building the native addon from source`);
  await import('./build-native.mjs');
}
