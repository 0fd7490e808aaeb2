/** The native backend: which kernels run, and on how many threads. */
import { checkInteger } from './errors.js';
import { addonOrigin, native, type NativeBackendInfo } from './native.js';

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
 * Sets the number of threads the kernels use (process-wide; default: the machine's cores).
 * The same inputs and thread count give bitwise the same outputs.
 */
export function setNumThreads(n: number): void {
  native.setNumThreads(checkInteger('setNumThreads', 'n', n, 1));
}

export function getNumThreads(): number {
  return native.getNumThreads();
}
