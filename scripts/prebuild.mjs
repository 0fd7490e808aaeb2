// Builds the addons that ship inside the npm package (`npm run build:prebuilds`, before
// `npm pack`; not `npm run prebuild`, since npm runs a script of that name before every
// `npm run build`, so each TypeScript build would recompile both addons):
// linux-x64 on this machine and linux-arm64 with Debian's cross compiler, each into
// prebuilds/<platform>-<arch>/node.napi.glibc.node, the name node-gyp-build looks for
// (Node-API, so one file serves every Node >= 20; glibc, so musl systems build from source).
// Each carries libgomp.so.1 beside it (Node brings libstdc++, not OpenMP), so it loads on a
// machine with no compiler. `--arch x64` or `--arch arm64` builds one; the default builds
// x64 and, when aarch64-linux-gnu-g++ is on PATH, arm64 (it says so when it is not).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');

/** What each target is built with. arm64 is a cross build, x64 needs this machine to be x64. */
const targets = {
  x64: { cxx: 'g++', strip: 'strip', cmake: [] },
  arm64: {
    cxx: 'aarch64-linux-gnu-g++',
    strip: 'aarch64-linux-gnu-strip',
    cmake: [`--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'aarch64-linux-gnu.cmake')}`],
  },
};

function fail(message) {
  console.error(`striate prebuild: ${message}`);
  process.exit(1);
}

function run(command, args) {
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (r.error) fail(`${command}: ${r.error.message}`);
  if (r.status !== 0) fail(`${command} ${args.join(' ')} exited with status ${r.status}`);
}

function found(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The libgomp.so.1 this compiler links against (gcc knows where its own runtime lives). */
function libgompOf(cxx) {
  const r = spawnSync(cxx, ['-print-file-name=libgomp.so.1'], { encoding: 'utf8' });
  const file = r.stdout.trim();
  if (r.status !== 0 || !path.isAbsolute(file)) fail(`${cxx} does not know where libgomp.so.1 is`);
  return file;
}

function prebuild(arch) {
  const t = targets[arch];
  if (!found(t.cxx)) fail(`${t.cxx} was not found; sudo apt-get install -y ${arch === 'arm64' ? 'g++-aarch64-linux-gnu' : 'g++'}`);
  // Its own build folder: build/ stays the checkout's source build, which others rely on.
  const out = path.join(root, 'build-prebuild', arch);
  run(process.execPath, [cmakeJs, 'build', '--config', 'Release', '--directory', root, '--out', out,
    '--arch', arch, '--target', 'striate', `--CDCMAKE_CXX_COMPILER=${t.cxx}`, '--CDSTRIATE_PREBUILD=ON', ...t.cmake]);

  const dir = path.join(root, 'prebuilds', `linux-${arch}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const addon = path.join(dir, 'node.napi.glibc.node');
  copyFileSync(path.join(out, 'Release', 'striate.node'), `${addon}.tmp`);
  run(t.strip, ['--strip-unneeded', `${addon}.tmp`]);
  renameSync(`${addon}.tmp`, addon);
  copyFileSync(libgompOf(t.cxx), path.join(dir, 'libgomp.so.1'));
  console.log(`striate prebuild: wrote ${path.relative(root, addon)} and libgomp.so.1`);
}

const { values } = parseArgs({ options: { arch: { type: 'string', multiple: true } } });
if (process.platform !== 'linux' || process.arch !== 'x64') fail('prebuilds are made on linux-x64 (x64 natively, arm64 cross-built)');
let arches = values.arch ?? ['x64', 'arm64'];
for (const arch of arches) if (!(arch in targets)) fail(`--arch ${arch}: expected one of ${Object.keys(targets).join(', ')}`);
if (!values.arch && !found(targets.arm64.cxx)) {
  console.warn('striate prebuild: aarch64-linux-gnu-g++ not found, so no linux-arm64 prebuild ' +
    '(sudo apt-get install -y g++-aarch64-linux-gnu)');
  arches = ['x64'];
}
for (const arch of arches) prebuild(arch);
