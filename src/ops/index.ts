export { matmul, gemm, type TransposeOptions, type GemmOptions } from './gemm.js';
