// The package as a user gets it (`npm run test:pack`, run by CI): builds the prebuilds,
// packs the tarball, installs it into an empty folder with a PATH that holds node, npm and
// sh but no cmake or C++ compiler, and runs the main job from there; then installs it once
// more with --build-from-source (full PATH) to check the fallback. Ends with one line,
// "N passed, N failed". `--skip-prebuild` packs the prebuilds/ already there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { 'skip-prebuild': { type: 'boolean' } } });
const work = mkdtempSync(path.join(os.tmpdir(), 'striate-pack-'));
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/** Runs a command, returning its status, output and wall time; stdio is captured, not shown. */
function run(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`;
  return { ok: r.status === 0, stdout: r.stdout ?? '', output, seconds };
}

function tail(text, lines = 15) {
  return `\n${text.trim().split('\n').slice(-lines).join('\n')}`;
}

/** A bin folder holding only node, npm, npx and sh: what a machine with no build tools offers. */
function compilerFreePath() {
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  const npmDir = path.dirname(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
  symlinkSync(process.execPath, path.join(bin, 'node'));
  for (const tool of ['npm', 'npx']) symlinkSync(path.join(npmDir, tool), path.join(bin, tool));
  symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

function emptyProject(name) {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'commonjs' }));
  return dir;
}

/** Is file an ELF shared object for machine (e_machine: 62 x86-64, 183 aarch64) exporting the Node-API entry? */
function elfAddon(file, machine) {
  const header = readFileSync(file).subarray(0, 20);
  if (header.readUInt32BE(0) !== 0x7f454c46 || header.readUInt16LE(18) !== machine) return false;
  return /\bnapi_register_module_v1\b/.test(execFileSync('readelf', ['--dyn-syms', '-W', file], { encoding: 'utf8' }));
}

// 1. Prebuilds: x64 always; arm64 when the cross compiler is installed.
if (!flags['skip-prebuild']) {
  const r = run(process.execPath, [path.join(root, 'scripts', 'prebuild.mjs')], { cwd: root });
  check('npm run build:prebuilds', r.ok, r.ok ? '' : tail(r.output));
}
const x64 = path.join(root, 'prebuilds', 'linux-x64', 'node.napi.glibc.node');
const arm64 = path.join(root, 'prebuilds', 'linux-arm64', 'node.napi.glibc.node');
check('linux-x64 prebuild is an x86-64 Node-API addon', existsSync(x64) && elfAddon(x64, 62));
if (existsSync(arm64)) check('linux-arm64 prebuild is an aarch64 Node-API addon', elfAddon(arm64, 183));
else console.log('# no linux-arm64 prebuild (aarch64-linux-gnu-g++ missing): not checked');

// 2. The tarball: the compiled TypeScript both ways, the prebuilds, the sources for the fallback.
const packed = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
let tarball = '';
if (check('npm pack', packed.ok, packed.ok ? '' : tail(packed.output))) {
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('\n[') + 1))[0]; // after prepare's output
  tarball = path.join(work, info.filename);
  const files = new Set(info.files.map((f) => f.path));
  const wanted = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli/main.js',
    'dist/training/worker.js', 'prebuilds/linux-x64/node.napi.glibc.node', 'prebuilds/linux-x64/libgomp.so.1',
    'CMakeLists.txt', 'native/sources.cmake', 'scripts/install.mjs', 'scripts/build-native.mjs'];
  const missing = wanted.filter((f) => !files.has(f));
  check('the tarball holds dist (ESM, CJS, .d.ts), the prebuilds and the sources', missing.length === 0, missing.join(', '));
  const stray = [...files].filter((f) => /^(build|test|bench|native\/tests)\//.test(f) || f.endsWith('.map'));
  check('the tarball holds no build output, tests or benchmarks', stray.length === 0, stray.slice(0, 5).join(', '));
  console.log(`# ${info.filename}: ${(info.size / 1e6).toFixed(1)} MB packed, ${(info.unpackedSize / 1e6).toFixed(1)} MB unpacked`);
}

// 3. Install with no compiler on PATH: the prebuild must be used, and the main job must run.
if (tarball) {
  const env = { ...process.env, PATH: compilerFreePath() };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key]; // not this script's npm config
  const noTools = ['cmake', 'g++', 'c++', 'gcc', 'cc'].filter((t) => run('sh', ['-c', `command -v ${t}`], { env }).ok);
  check('PATH holds no cmake or compiler', noTools.length === 0, noTools.join(', '));

  const user = emptyProject('user');
  const install = run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: user, env });
  check('npm install of the tarball without a compiler', install.ok, install.ok ? '' : tail(install.output));
  console.log(`# install took ${install.seconds.toFixed(1)} s (dependencies from npm's cache where present)`);
  const installed = path.join(user, 'node_modules', 'striate');
  check('the install built nothing', install.ok && !existsSync(path.join(installed, 'build')));

  const origin = run('node', ['-e', 'const b = require("striate").backendInfo(); console.log(JSON.stringify(b))'], { cwd: user, env });
  const info = origin.ok ? JSON.parse(origin.output.trim().split('\n').pop()) : {};
  check('backendInfo() reports the prebuild', info.build === 'prebuild' && info.addonPath?.includes('prebuilds'), origin.ok ? info.addonPath : tail(origin.output));

  const same = run('node', ['-e', 'const a = require("striate"); import("striate").then((b) => { if (a !== b) process.exit(3); });'], { cwd: user, env });
  check('require("striate") and import("striate") give one module instance', same.ok, same.ok ? '' : tail(same.output));
  const esm = run('node', ['--input-type=module', '-e', 'import * as st from "striate"; const y = st.zoo.lenet5().forward(st.zeros([1, 1, 32, 32])); if (y.shape.join() !== "1,10") process.exit(3);'], { cwd: user, env });
  check('import * as st from "striate" runs a forward pass', esm.ok, esm.ok ? '' : tail(esm.output));

  const train = run('npx', ['striate', 'train', 'lenet5', '--epochs', '1', '--limit', '2000'], { cwd: user, env });
  const accuracy = /test accuracy ([0-9.]+)%/.exec(train.output);
  check('npx striate train lenet5 --epochs 1 --limit 2000', train.ok && accuracy !== null,
    train.ok ? `test accuracy ${accuracy?.[1]}% in ${train.seconds.toFixed(0)} s` : tail(train.output));

  // 4. The fallback: --build-from-source compiles the package's sources (full PATH, with the compiler).
  const source = emptyProject('source');
  const envFull = { ...process.env };
  for (const key of Object.keys(envFull)) if (key.startsWith('npm_')) delete envFull[key];
  const built = run('npm', ['install', tarball, '--build-from-source', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: source, env: envFull });
  check('npm install --build-from-source compiles the addon', built.ok, built.ok ? `${built.seconds.toFixed(0)} s` : tail(built.output));
  const sourceInfo = run('node', ['-e', 'const b = require("striate").backendInfo(); if (b.build !== "source") process.exit(3); console.log(b.addonPath)'], { cwd: source, env });
  check('backendInfo() then reports the source build', sourceInfo.ok, sourceInfo.output.trim().split('\n').pop());
}

rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
