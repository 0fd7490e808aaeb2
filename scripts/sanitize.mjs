// The native core under AddressSanitizer and UndefinedBehaviorSanitizer.
//
//   node scripts/sanitize.mjs build          builds build-asan/ (addon + kernel tests); never touches build/
//   node scripts/sanitize.mjs test [files]   runs the native kernel tests, then the given vitest
//                                            files (default: a short selection) against the ASan addon
//
// Any sanitizer report aborts the run with a non-zero status. The JS run loads the ASan
// runtime first with LD_PRELOAD (it must precede every other library in the process) and
// points src/native.ts at the sanitized addon with STRIATE_ADDON. Leak checking is off for
// the JS run: Node keeps memory alive at exit on purpose, and LeakSanitizer would report it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build-asan');
const addon = path.join(out, 'Release', 'striate.node');
const testBinary = path.join(out, 'striate_native_tests');
const defaultJsTests = [
  'test/ops/conv-errors.test.ts',
  'test/ops/pool-errors.test.ts',
  'test/nn/conv-pool.test.ts',
  'test/nn/normalization.test.ts',
  'test/io/model-file.test.ts',
];

function run(command, args, env = {}) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`sanitize: ${path.basename(command)} exited with status ${r.status ?? r.signal}`);
    process.exit(1);
  }
}

function build() {
  const require = createRequire(import.meta.url);
  const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  run(process.execPath, [
    cmakeJs, 'compile', '--config', 'Release', '--directory', root, '--out', out,
    '--CDSTRIATE_SANITIZE=address,undefined',
  ]);
}

function runtimeLibrary() {
  const compiler = process.env.CXX || 'g++';
  const r = spawnSync(compiler, ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const lib = r.stdout?.trim();
  if (!lib || !path.isAbsolute(lib)) {
    console.error(`sanitize: ${compiler} -print-file-name=libasan.so did not name the ASan runtime`);
    process.exit(1);
  }
  return lib;
}

function test(files) {
  if (!existsSync(addon) || !existsSync(testBinary)) {
    console.error('sanitize: build-asan/ is missing; run `npm run build:asan` first');
    process.exit(1);
  }
  const sanitizers = {
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
  };
  run(testBinary, [], { ...sanitizers, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1' });
  run(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files, '--project', 'unit'], {
    ...sanitizers,
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
    LD_PRELOAD: runtimeLibrary(),
    STRIATE_ADDON: addon,
  });
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'build') build();
else if (mode === 'test') test(rest.length > 0 ? rest : defaultJsTests);
else {
  console.error('usage: node scripts/sanitize.mjs build | test [vitest files...]');
  process.exit(2);
}
