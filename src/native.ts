/**
 * Loads the compiled addon and types its exports. This is the only module that
 * touches the addon; ops call it after validating their arguments.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeBackendInfo {
  isa: string;
  isasAvailable: string[];
  threads: number;
  hardwareThreads: number;
  openmp: boolean;
  version: string;
}

export interface NativeAddon {
  backendInfo(): NativeBackendInfo;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
  ): void;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = path.join(packageRoot, 'build', 'Release', 'striate.node');

function load(): NativeAddon {
  try {
    return createRequire(import.meta.url)(addonPath) as NativeAddon;
  } catch (err) {
    const reason = (err as Error).message;
    if (reason.startsWith('striate:')) throw new Error(reason, { cause: err });
    throw new Error(
      `striate: could not load the native addon at ${addonPath}: ${reason}\n` +
        `Build it from source with \`npm rebuild striate\` (in a checkout of striate: \`npm run build:native\`); ` +
        `this needs cmake and a C++17 compiler.`,
      { cause: err },
    );
  }
}

export const native: NativeAddon = load();
