/** The native backend: which kernels run, and on how many threads. */
import { checkInteger } from './errors.js';
import { addonOrigin, native, type MemoryStats, type NativeBackendInfo } from './native.js';

export type { MemoryStats };

export interface BackendInfo extends NativeBackendInfo {
  /** 'prebuild': the addon shipped in the package; 'source': compiled on this machine (or STRIATE_ADDON). */
  build: 'prebuild' | 'source';
  /** The addon file this process loaded. */
  addonPath: string;
}

/**
 * What the native core chose at load time.
 * @example st.backendInfo()
 * // { isa: 'avx2', isasAvailable: ['scalar', 'avx2'], threads: 2, hardwareThreads: 2, openmp: true, version: '0.1.0',
 * //   build: 'prebuild', addonPath: '.../node_modules/striate/prebuilds/linux-x64/node.napi.glibc.node' }
 */
export function backendInfo(): BackendInfo {
  return { ...native.backendInfo(), build: addonOrigin.build, addonPath: addonOrigin.path };
}

/**
 * The memory the native core holds itself: only the scratch buffers its kernels reuse
 * from call to call (tensors are JS ArrayBuffers, counted by
 * `process.memoryUsage().arrayBuffers`). In a steady loop, training or inference,
 * `allocations` stops growing after the first steps and `liveBytes` stays flat.
 * @example st.memoryStats()
 * // { allocations: 6, frees: 2, liveBytes: 1179904, peakBytes: 1179904 }
 */
export function memoryStats(): MemoryStats {
  return native.allocationStats();
}

/** More threads than any machine has cores; a larger count is a mistake, not a request. */
export const MAX_THREADS = 1024;

/**
 * Sets the number of threads the kernels use (process-wide; default: the machine's cores),
 * an integer in [1, 1024]. The same inputs and thread count give bitwise the same outputs.
 */
export function setNumThreads(n: number): void {
  checkInteger('setNumThreads', 'n', n, 1);
  if (n > MAX_THREADS) throw new RangeError(`setNumThreads: n must be at most ${MAX_THREADS}, got ${n}`);
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}
