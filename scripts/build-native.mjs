// Builds the native addon from source with cmake-js (Release, -O3). Run by `npm install`.
// Checks for the tools first, so a missing one is named with the command that installs it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function found(command, args = ['--version']) {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.status === 0;
}

function fail(message) {
  console.error(`\nstriate: cannot build the native addon: ${message}\n`);
  process.exit(1);
}

const install = {
  debian: 'sudo apt-get install -y cmake g++',
  fedora: 'sudo dnf install -y cmake gcc-c++',
  macos: 'xcode-select --install && brew install cmake',
};
const how = `Install it, e.g.\n  Debian/Ubuntu: ${install.debian}\n  Fedora: ${install.fedora}\n  macOS: ${install.macos}\nthen run npm install again.`;

if (!found('cmake')) fail(`cmake was not found on PATH. ${how}`);
const compiler = process.env.CXX || ['c++', 'g++', 'clang++'].find((c) => found(c));
if (!compiler || !found(compiler)) fail(`no C++17 compiler (c++, g++ or clang++) was found on PATH. ${how}`);

const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const args = [cmakeJs, 'compile', '--config', 'Release', '--directory', root, '--out', path.join(root, 'build')];
if (process.env.CXX) args.push(`--CDCMAKE_CXX_COMPILER=${process.env.CXX}`);
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
if (r.status !== 0) fail(`cmake-js exited with status ${r.status}; the compiler output above says why.`);
