// The native core under AddressSanitizer and UndefinedBehaviorSanitizer.
//
//   node scripts/sanitize.mjs build          builds build-asan/ (addon + kernel tests); never touches build/
//   node scripts/sanitize.mjs test [files]   runs the native kernel tests, then the given vitest
//                                            files (default: a short selection) against the ASan addon,
//                                            and ends with one line: "N passed, N failed"
//
// Any sanitizer report aborts the process that made it, which counts as a failure. The JS
// run loads the ASan runtime first with LD_PRELOAD (it must precede every other library in
// the process: Node itself is not instrumented) and points src/native.ts at the sanitized
// addon with STRIATE_ADDON. Leak checking is on for the native binary and off for the JS
// run: Node keeps memory alive at exit on purpose, and LeakSanitizer would report it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build-asan');
const addon = path.join(out, 'Release', 'striate.node');
const testBinary = path.join(out, 'striate_native_tests');
// GCC's -fsanitize=undefined leaves out float-to-integer conversions that overflow (NaN,
// Infinity, 1e300 cast to int64), which are undefined behaviour all the same.
const sanitizers = 'address,undefined,float-cast-overflow';
// The kernels through the bindings on every ISA (test/kernels runs once per ISA, with
// STRIATE_ISA forced), the ops' argument checks and out-arrays, the layers, the optimizer
// steps, a short fit, the property tests and the API fuzzing (bad arguments down to the
// bindings): about three minutes on two cores. The native binary already runs every kernel
// on every ISA.
const defaultJsTests = [
  'test/kernels', 'test/ops', 'test/nn', 'test/optim/optimizers.test.ts', 'test/training/fit.test.ts',
  'test/property', 'test/fuzz/api.test.ts',
];
const sanitizerEnv = {
  // halt_on_error matters only if a check were compiled recoverable; the build passes
  // -fno-sanitize-recover=all, so every report is fatal either way.
  UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
};

function fail(message) {
  console.error(`sanitize: ${message}`);
  process.exit(1);
}

function runOrExit(command, args) {
  console.log(`$ ${path.basename(command)} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (r.error) fail(`${command}: ${r.error.message}`);
  if (r.status !== 0) fail(`${path.basename(command)} exited with status ${r.status ?? r.signal}`);
}

function build() {
  const require = createRequire(import.meta.url);
  const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  runOrExit(process.execPath, [
    cmakeJs, 'configure', '--config', 'Release', '--directory', root, '--out', out,
    `--CDSTRIATE_SANITIZE=${sanitizers}`,
  ]);
  // Only what the tests run: the benchmarks would double the (slow) sanitized compile.
  runOrExit('cmake', [
    '--build', out, '--config', 'Release', '--target', 'striate', 'striate_native_tests',
    '--parallel', String(os.availableParallelism()),
  ]);
}

function runtimeLibrary() {
  const compiler = process.env.CXX || 'g++';
  const r = spawnSync(compiler, ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const lib = r.stdout?.trim();
  if (!lib || !path.isAbsolute(lib) || !existsSync(lib)) fail(`${compiler} -print-file-name=libasan.so did not name the ASan runtime`);
  return lib;
}

/** Runs a command with its output shown as it comes and kept; resolves with the status and the text. */
function runTee(command, args, env) {
  console.log(`$ ${path.basename(command)} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const keep = (sink) => (chunk) => {
      sink.write(chunk);
      text += chunk;
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('error', (err) => resolve({ status: 1, text: `${text}\n${err.message}` }));
    child.on('close', (code, signal) => resolve({ status: code ?? signal, text }));
  });
}

const count = (text, re) => Number(re.exec(text)?.[1] ?? 0);

/**
 * Passed and failed counts of one step. A step that exits non-zero without a failed test
 * (a sanitizer abort, a crashed worker) counts as one failure, and so does any sanitizer
 * report in its output, whatever the status.
 */
function tally(name, { status, text }, passedRe, failedRe) {
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const passed = count(plain, passedRe);
  let failed = count(plain, failedRe);
  const reported = /ERROR: (Address|Leak)Sanitizer|runtime error: /.test(plain);
  if ((status !== 0 || reported) && failed === 0) failed = 1;
  console.log(`# ${name}: ${passed} passed, ${failed} failed${reported ? ' (a sanitizer report above)' : ''}`);
  return { passed, failed };
}

async function test(files) {
  if (!existsSync(addon) || !existsSync(testBinary)) fail('build-asan/ is missing; run `npm run build:asan` first');
  const native = await runTee(testBinary, [], { ...sanitizerEnv, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1' });
  const nativeCount = tally('native kernel tests', native, /^(\d+) passed, \d+ failed$/m, /^\d+ passed, (\d+) failed$/m);
  // The unit project runs the default (best) ISA; each kernels:<isa> project forces one.
  const vitest = await runTee(
    process.execPath,
    [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files, '--project', 'unit', '--project', 'kernels:*'],
    { ...sanitizerEnv, ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1', LD_PRELOAD: runtimeLibrary(), STRIATE_ADDON: addon },
  );
  // vitest: "Tests  3 failed | 120 passed (123)".
  const jsCount = tally('vitest against the ASan addon', vitest, /^\s*Tests\s.*?(\d+) passed/m, /^\s*Tests\s.*?(\d+) failed/m);
  const passed = nativeCount.passed + jsCount.passed;
  const failed = nativeCount.failed + jsCount.failed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'build') build();
else if (mode === 'test') await test(rest.length > 0 ? rest : defaultJsTests);
else {
  console.error('usage: node scripts/sanitize.mjs build | test [vitest files...]');
  process.exit(2);
}
