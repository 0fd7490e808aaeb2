// The arm64 (NEON) kernel tests: cross-compiles the native test binary with Debian's
// aarch64-linux-gnu-g++ and runs it under qemu-aarch64. Extra arguments filter tests.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.join(root, 'build-arm64');
const hint = 'install the tools with: sudo apt-get install -y cmake g++-aarch64-linux-gnu qemu-user';

function run(command, args) {
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (r.error?.code === 'ENOENT') {
    console.error(`striate: ${command} was not found; ${hint}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release',
  `-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'aarch64-linux-gnu.cmake')}`]);
run('cmake', ['--build', buildDir, '--target', 'striate_native_tests', '--parallel']);
run('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', path.join(buildDir, 'striate_native_tests'), ...process.argv.slice(2)]);
