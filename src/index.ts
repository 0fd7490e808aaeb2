/**
 * striate: convolutional networks for Node.js, TypeScript over a C++ SIMD core.
 * @example
 * import * as st from 'striate';
 * const y = st.ops.matmul(st.randn([4, 3], { seed: 1 }), st.ones([3, 2]));
 */
export { Tensor, tensor, zeros, ones, full, randn, rand, sizeOf, type Shape, type NestedArray } from './tensor.js';
export { Rng } from './random.js';
export type { Param } from './param.js';
export { backendInfo, memoryStats, setNumThreads, getNumThreads, type BackendInfo, type MemoryStats } from './backend.js';
export * as ops from './ops/index.js';
export * as nn from './nn/index.js';
export { Sequential, Graph, GraphNode } from './models/index.js';
export * as data from './data/index.js';
export * as optim from './optim/index.js';
export * as signal from './signal/index.js';
export * as viz from './viz/index.js';
export { load, loadWithMetadata } from './io/model-load.js';
export type { Metadata } from './io/model-file.js';
export type { FitOptions, FitCallbacks, History } from './training/run-job.js';
export { loadCheckpoint, type Checkpoint } from './training/checkpoint.js';
export type { BatchLog, EpochLog } from './training/protocol.js';
export type { TrainingData } from './training/loop.js';
export type { OptimizerSpec, LossSpec, ScheduleSpec } from './training/specs.js';
export * as zoo from './models/zoo/index.js';
export * as onnx from './io/onnx/index.js';
export { gradcheck, compareGradients, formatReport as formatGradcheckReport, GradcheckError, type GradcheckOptions, type GradcheckReport, type GradcheckEntry, type GradcheckSubject, type GradFunction, type GradTarget } from './gradcheck.js';
