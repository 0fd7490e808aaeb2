/**
 * Matrix products on the native SGEMM (packed, cache-blocked, SIMD, threaded).
 */
import { checkNumber, checkTensorData, describeType, formatShape, orDefault, overlaps } from '../errors.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';

export interface TransposeOptions {
  /** Use A transposed: a is stored [K, M]. */
  transA?: boolean;
  /** Use B transposed: b is stored [N, K]. */
  transB?: boolean;
}

export interface GemmOptions extends TransposeOptions {
  /** Scales op(A)·op(B); default 1. */
  alpha?: number;
  /** Scales the existing c; default 1 (accumulate). 0 overwrites c without reading it. */
  beta?: number;
}

function checkMatrix(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor`);
  checkTensorData(op, name, t);
  if (t.rank !== 2) throw new RangeError(`${op}: ${name} must be 2-D, got shape ${formatShape(t.shape)}`);
}

function checkFlag(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}


/** Validates op(A)·op(B) and returns [M, N, K]. */
function productShape(op: string, a: Tensor, b: Tensor, transA: boolean, transB: boolean): [number, number, number] {
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb)
    throw new RangeError(
      `${op}: inner dimensions differ: op(a) is [${m}, ${k}] (a ${formatShape(a.shape)}${transA ? ', transposed' : ''}), ` +
        `op(b) is [${kb}, ${n}] (b ${formatShape(b.shape)}${transB ? ', transposed' : ''})`,
    );
  return [m, n, k];
}

function checkOptionsObject(op: string, options: unknown): void {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${op}: options must be an object like { transA: true }, got ${describeType(options)}`);
}

/**
 * op(a) · op(b) as a new [M, N] tensor.
 * @example
 * const y = st.ops.matmul(x, w, { transB: true });  // x [B, in], w [out, in] -> [B, out]
 */
export function matmul(a: Tensor, b: Tensor, options: TransposeOptions = {}): Tensor {
  checkOptionsObject('matmul', options);
  checkMatrix('matmul', 'a', a);
  checkMatrix('matmul', 'b', b);
  const transA = checkFlag('matmul', 'transA', options.transA);
  const transB = checkFlag('matmul', 'transB', options.transB);
  const [m, n, k] = productShape('matmul', a, b, transA, transB);
  const c = new Float32Array(m * n);
  native.sgemm(transA, transB, m, n, k, 1, a.data, a.shape[1], b.data, b.shape[1], 0, c, n);
  return new Tensor(c, [m, n]);
}

/**
 * c = alpha · op(a) · op(b) + beta · c, in place; returns c.
 * @example
 * st.ops.gemm(dy, x, dw, { transA: true });  // dw += dyᵀ · x
 */
export function gemm(a: Tensor, b: Tensor, c: Tensor, options: GemmOptions = {}): Tensor {
  checkOptionsObject('gemm', options);
  checkMatrix('gemm', 'a', a);
  checkMatrix('gemm', 'b', b);
  checkMatrix('gemm', 'c', c);
  const transA = checkFlag('gemm', 'transA', options.transA);
  const transB = checkFlag('gemm', 'transB', options.transB);
  const alpha = checkNumber('gemm', 'alpha', orDefault(options.alpha, 1));
  const beta = checkNumber('gemm', 'beta', orDefault(options.beta, 1));
  const [m, n, k] = productShape('gemm', a, b, transA, transB);
  if (c.shape[0] !== m || c.shape[1] !== n)
    throw new RangeError(`gemm: c must be [${m}, ${n}] for op(a)·op(b), got ${formatShape(c.shape)}`);
  if (overlaps(c.data, a.data) || overlaps(c.data, b.data))
    throw new RangeError('gemm: c shares memory with a or b; the product cannot be written in place over its inputs');
  native.sgemm(transA, transB, m, n, k, alpha, a.data, a.shape[1], b.data, b.shape[1], beta, c.data, n);
  return c;
}
