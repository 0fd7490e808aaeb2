/**
 * Loads the compiled addon (STRIATE_ADDON, else this machine's source build, else the
 * package's prebuild) and types its exports. This is the only module that touches the
 * addon; ops call it after validating their arguments.
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

/** The native core's scratch workspace, process-wide (see native/dispatch/workspace.h). */
export interface MemoryStats {
  /** Scratch buffers allocated so far; a steady workload stops adding to it once each has grown to its largest size. */
  allocations: number;
  /** Scratch buffers released (grown past, or freed when a thread exits). */
  frees: number;
  /** Bytes of scratch held now, over all threads. */
  liveBytes: number;
  /** The most bytes of scratch ever held at once. */
  peakBytes: number;
}

/** How a convolution's forward runs: 1×1 on the SGEMM, im2col + SGEMM, direct SIMD loops, or Winograd F(2×2, 3×3) / F(4×4, 3×3). */
export type ConvAlgorithm = 'pointwise' | 'im2col' | 'direct' | 'winograd-f2' | 'winograd-f4';

export interface NativeAddon {
  backendInfo(): NativeBackendInfo;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  lowerComputePriority(): boolean;
  allocationStats(): MemoryStats;
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
  ): void;
  /** geometry = [N, C, inH, inW, kH, kW, strideH, strideW, padH, padW, ceilMode ? 1 : 0] */
  maxPool2d(geometry: number[], x: Float32Array, y: Float32Array, argmax: Int32Array | null): void;
  /** dims = [N, C, inH, inW, outH, outW]; throws a RangeError for argmax entries outside the plane */
  maxPool2dGrad(dims: number[], dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  avgPool2d(geometry: number[], countIncludePad: boolean, x: Float32Array, y: Float32Array): void;
  avgPool2dGrad(geometry: number[], countIncludePad: boolean, dy: Float32Array, dx: Float32Array): void;
  /** u: one uniform in [0, 1) per output */
  stochasticPool2dTrain(geometry: number[], x: Float32Array, u: Float64Array, y: Float32Array, index: Int32Array): void;
  stochasticPool2dInfer(geometry: number[], x: Float32Array, y: Float32Array): void;
  stochasticPool2dInferGrad(geometry: number[], x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** shape = N, Cin, H, W, Cout, kH, kW, strideH, strideW, padTop, padBottom, padLeft, padRight, dilationH, dilationW, groups */
  conv2dForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, ...shape: number[]): void;
  /** The same with the epilogue after the shape: y = act(conv + b + residual); activation 0 none, 1 ReLU. */
  conv2dForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array,
    ...shapeThenEpilogue: [...shape: number[], residual: Float32Array | null, activation: number]): void;
  /** And x through a batch norm (these inference statistics, each Cin long) and a ReLU first. */
  conv2dForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array,
    ...shapeThenFusions: [...shape: number[], residual: Float32Array | null, activation: number,
      mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array]): void;
  conv2dGradInput(dy: Float32Array, w: Float32Array, dx: Float32Array, ...shape: number[]): void;
  conv2dGradWeight(x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null, ...shape: number[]): void;
  /** u [(tile+2)², Cout, Cin] = G w Gᵀ for w [Cout, Cin, 3, 3]: Winograd F(tile×tile, 3×3)'s weights; tile 2 or 4. */
  conv2dWinogradWeights(w: Float32Array, u: Float32Array, outChannels: number, inChannels: number, tile: number): void;
  /** conv2dForward's epilogue form (3×3, stride 1, dilation 1, groups 1) by Winograd, from u = conv2dWinogradWeights(w). */
  conv2dWinograd(tile: number, x: Float32Array, u: Float32Array, b: Float32Array | null, y: Float32Array,
    ...shapeThenEpilogue: [...shape: number[], residual: Float32Array | null, activation: number]): void;
  /** The forward's algorithm for the shape at the current thread count: the plain path's, or with `winograd` an inference plan's choice. */
  conv2dAlgorithm(winograd: boolean, ...shape: number[]): ConvAlgorithm;
  reluForward(x: Float32Array, y: Float32Array): void;
  reluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void;
  leakyReluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void;
  biasAdd(y: Float32Array, b: Float32Array, outer: number, channels: number, inner: number): void;
  biasGrad(dy: Float32Array, db: Float32Array, outer: number, channels: number, inner: number): void;
  /** Writes dlogits = (softmax − q)/n; returns the summed (not averaged) loss. One of labels, targets is null. */
  softmaxCrossEntropy(
    logits: Float32Array, n: number, k: number, labels: Int32Array | null, targets: Float32Array | null, eps: number,
    dlogits: Float32Array,
  ): number;
  /** One step over every parameter in the lists (parallel lists, one entry per parameter). */
  sgdUpdate(
    values: Float32Array[], grads: Float32Array[], momenta: Float32Array[] | null, lr: number, weightDecay: number,
    momentum: number, keep: number, share: number, nesterov: boolean,
  ): void;
  adamUpdate(
    values: Float32Array[], grads: Float32Array[], ms: Float32Array[], vs: Float32Array[], stepSize: number,
    beta1: number, beta2: number, root2: number, eps: number, l2: number, decay: number,
  ): void;
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  multiply(a: Float32Array, b: Float32Array, out: Float32Array): void;
  sigmoid(x: Float32Array, y: Float32Array): void;
  sigmoidGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  tanh(x: Float32Array, y: Float32Array): void;
  tanhGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  elu(x: Float32Array, y: Float32Array, alpha: number): void;
  eluGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void;
  /** Along dim of [outer, dim, inner]. */
  softmax(x: Float32Array, y: Float32Array, outer: number, dim: number, inner: number): void;
  softmaxGrad(y: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, dim: number, inner: number): void;
  /** relu: then max(0, y), in the same pass. */
  batchNorm(
    x: Float32Array, y: Float32Array, outer: number, channels: number, inner: number, mean: Float64Array,
    invStd: Float64Array, gamma: Float32Array, beta: Float32Array, relu: boolean,
  ): void;
  /** Writes each channel's mean and biased variance, then y normalised with them (relu: then max(0, y)). */
  batchNormTrain(
    x: Float32Array, y: Float32Array, outer: number, channels: number, inner: number, eps: number,
    gamma: Float32Array, beta: Float32Array, mean: Float64Array, variance: Float64Array, relu: boolean,
  ): void;
  /** reluY: the output of a forward with relu (dy counts where it is > 0), or null. */
  batchNormGrad(
    x: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, channels: number, inner: number,
    mean: Float64Array, invStd: Float64Array, gamma: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
    batchStatistics: boolean, reluY: Float32Array | null,
  ): void;
  localResponseNorm(
    x: Float32Array, y: Float32Array, scale: Float32Array, outer: number, channels: number, inner: number, size: number,
    alpha: number, beta: number, k: number,
  ): void;
  /** work: scratch of x's length. */
  localResponseNormGrad(
    x: Float32Array, scale: Float32Array, dy: Float32Array, work: Float32Array, dx: Float32Array, outer: number,
    channels: number, inner: number, size: number, alpha: number, beta: number,
  ): void;
}

/**
 * OpenMP threads that finish a kernel spin while they wait for the next one, by default
 * for millions of cycles. In a Node process on a busy machine that spinning takes the
 * core from the JS thread (a 2-thread training loop ran 20x slower than 1 thread here
 * while other jobs ran); sleeping at once instead costs a wake-up per kernel that lost
 * half the 2-thread speed on a quiet machine (LeNet-5: 6,000 vs 9,400 images/s). A short
 * spin keeps both: waiting threads catch back-to-back kernels, then sleep. The user's
 * own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins; libgomp reads them when the addon loads it.
 */
function configureOpenMp(): void {
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined)
    process.env.GOMP_SPINCOUNT = '50000';
}

/** Where the loaded addon came from: shipped in the package, or compiled on this machine. */
export interface AddonOrigin {
  build: 'prebuild' | 'source';
  path: string;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const buildFromSource =
  'Build it from source with `npm rebuild striate --build-from-source` (in a checkout of striate: ' +
  '`npm run build:native`); this needs cmake and a C++17 compiler.';

function originOf(file: string): AddonOrigin {
  const inPrebuilds = file.startsWith(path.join(packageRoot, 'prebuilds') + path.sep);
  return { build: inPrebuilds ? 'prebuild' : 'source', path: file };
}

/**
 * The addon file to load: STRIATE_ADDON when set (e.g. a sanitizer build), else what
 * node-gyp-build picks: a source build in build/Release first, then the package's
 * prebuilds/<platform>-<arch>/ file for this libc.
 */
function locate(): AddonOrigin {
  const forced = process.env.STRIATE_ADDON;
  if (forced) return originOf(path.resolve(forced));
  const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
  try {
    return originOf(nodeGypBuild.path(packageRoot));
  } catch (err) {
    throw new Error(
      `striate: no native addon for ${process.platform}-${process.arch} (Node ${process.version}); looked for ` +
        `${path.join(packageRoot, 'build', 'Release', 'striate.node')} and a prebuild in ` +
        `${path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`)}${path.sep}. ${buildFromSource}`,
      { cause: err },
    );
  }
}

function load(): { addon: NativeAddon; origin: AddonOrigin } {
  configureOpenMp();
  const origin = locate();
  try {
    return { addon: require(origin.path) as NativeAddon, origin };
  } catch (err) {
    const reason = (err as Error).message;
    if (reason.startsWith('striate:')) throw new Error(reason, { cause: err });
    const source = process.env.STRIATE_ADDON ? ' (from STRIATE_ADDON)' : '';
    throw new Error(
      `striate: could not load the native addon ${origin.path}${source} on ${process.platform}-${process.arch} ` +
        `(Node ${process.version}): ${reason}\n${buildFromSource}`,
      { cause: err },
    );
  }
}

const loaded = load();
export const native: NativeAddon = loaded.addon;
/** Which addon file this process loaded, and whether it was a prebuild or a source build. */
export const addonOrigin: Readonly<AddonOrigin> = Object.freeze(loaded.origin);
