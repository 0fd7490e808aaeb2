/**
 * Adaptive average pooling: [N, C, inH, inW] -> [N, C, outH, outW] for a chosen output
 * size, with PyTorch's windows. Output row i averages input rows
 *   start(i) = floor(i·inH / outH)  to  end(i) = ceil((i+1)·inH / outH)  (exclusive)
 * and likewise for columns, so windows may overlap or differ in size by one; an output
 * larger than the input repeats values.
 *   forward   y[n,c,i,j] = mean of x[n,c, start(i)..end(i), start(j)..end(j)]
 *   backward  dx[n,c,h,w] = Σ over windows (i,j) holding (h,w) of dy[n,c,i,j] / |window(i,j)|
 * When the input divides evenly (inH % outH == 0, inW % outW == 0) the windows are an
 * ordinary average pooling, and the native kernel runs it.
 */
import { checkShape, checkTensorData, describeType, formatShape, MAX_ELEMENTS } from '../errors.js';
import { Tensor, type Shape } from '../tensor.js';
import { avgPool2d, avgPool2dGrad } from './pool.js';

/** An output size: one number for a square output, or [outH, outW]. */
export type AdaptiveOutputSize = number | readonly [number, number];

/** Checks an output size; returns it as [outH, outW]. */
export function resolveOutputSize(op: string, outputSize: unknown): [number, number] {
  const pair = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1))
    throw new RangeError(
      `${op}: outputSize must be a positive integer or [outH, outW] of positive integers, got ${Array.isArray(outputSize) ? formatShape(outputSize) : String(outputSize)}`,
    );
  return [pair[0], pair[1]];
}

function checkX(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  checkTensorData(op, name, x);
  if (x.rank !== 4) throw new RangeError(`${op}: ${name} must be [N, C, H, W], got ${formatShape(x.shape)}`);
  if (x.shape[2] < 1 || x.shape[3] < 1) throw new RangeError(`${op}: ${name} must have H, W >= 1, got ${formatShape(x.shape)}`);
}

function checkXShape(op: string, xShape: unknown): Shape {
  if (!Array.isArray(xShape) || xShape.length !== 4 || xShape.some((d) => !Number.isInteger(d) || d < 1))
    throw new RangeError(`${op}: xShape must be [N, C, H, W] of positive integers, got ${Array.isArray(xShape) ? formatShape(xShape) : describeType(xShape)}`);
  checkShape(op, 'xShape', xShape);
  return xShape;
}

/** The window bounds [start, end) of each output index along one axis. */
function windows(inSize: number, outSize: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    start[i] = Math.floor((i * inSize) / outSize);
    end[i] = Math.ceil(((i + 1) * inSize) / outSize);
  }
  return { start, end };
}

/**
 * The averaging matrix of one axis, [outSize, inSize] row-major: row i holds 1/len over
 * window i. Adaptive average pooling is separable, Y = A_h · X · A_wᵀ per plane, which is
 * how ONNX export writes it when the windows differ in size (onnx/save.ts, patterns.ts).
 */
export function adaptiveAverageMatrix(inSize: number, outSize: number): Float32Array {
  const { start, end } = windows(inSize, outSize);
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) m.fill(1 / (end[i] - start[i]), i * inSize + start[i], i * inSize + end[i]);
  return m;
}

/** The native avgPool options when every window has the same size and no overlap. */
function uniformPool(inH: number, inW: number, outH: number, outW: number) {
  if (inH % outH !== 0 || inW % outW !== 0) return undefined;
  const k: [number, number] = [inH / outH, inW / outW];
  return { kernelSize: k, stride: k };
}

/**
 * Average pooling to a fixed output size (PyTorch's `adaptive_avg_pool2d`).
 * @example
 * const y = st.ops.adaptiveAvgPool2d(x, [7, 7]);   // x [N, 512, H, W] -> [N, 512, 7, 7]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveOutputSize): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkX(op, 'x', x);
  const [outH, outW] = resolveOutputSize(op, outputSize);
  const [n, c, inH, inW] = x.shape;
  // Checked before the window tables (outH + outW entries) are allocated.
  if (n * c * outH * outW > MAX_ELEMENTS)
    throw new RangeError(
      `${op}: outputSize [${outH}, ${outW}] makes an output of ${formatShape([n, c, outH, outW])}, more than the ${MAX_ELEMENTS} values a Float32Array can hold`,
    );
  const uniform = uniformPool(inH, inW, outH, outW);
  if (uniform) return avgPool2d(x, uniform);
  const rows = windows(inH, outH);
  const cols = windows(inW, outW);
  const y = new Float32Array(n * c * outH * outW);
  const xd = x.data;
  for (let plane = 0; plane < n * c; plane++) {
    const xBase = plane * inH * inW;
    const yBase = plane * outH * outW;
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++) {
        let sum = 0;
        for (let h = rows.start[i]; h < rows.end[i]; h++)
          for (let w = cols.start[j]; w < cols.end[j]; w++) sum += xd[xBase + h * inW + w];
        y[yBase + i * outW + j] = sum / ((rows.end[i] - rows.start[i]) * (cols.end[j] - cols.start[j]));
      }
  }
  return new Tensor(y, [n, c, outH, outW]);
}

/**
 * Gradient of adaptive average pooling: each dy spread evenly over its window.
 * @example
 * const dx = st.ops.adaptiveAvgPool2dGrad(dy, x.shape);   // dy [N, C, outH, outW]
 */
export function adaptiveAvgPool2dGrad(dy: Tensor, xShape: Shape): Tensor {
  const op = 'adaptiveAvgPool2dGrad';
  checkX(op, 'dy', dy);
  const [n, c, inH, inW] = checkXShape(op, xShape);
  const [, , outH, outW] = dy.shape;
  if (dy.shape[0] !== n || dy.shape[1] !== c)
    throw new RangeError(`${op}: dy must be [${n}, ${c}, outH, outW] for xShape ${formatShape(xShape)}, got ${formatShape(dy.shape)}`);
  const uniform = uniformPool(inH, inW, outH, outW);
  if (uniform) return avgPool2dGrad(dy, xShape, uniform);
  const rows = windows(inH, outH);
  const cols = windows(inW, outW);
  const dx = new Float32Array(n * c * inH * inW);
  const g = dy.data;
  for (let plane = 0; plane < n * c; plane++) {
    const xBase = plane * inH * inW;
    const yBase = plane * outH * outW;
    for (let i = 0; i < outH; i++)
      for (let j = 0; j < outW; j++) {
        const share = g[yBase + i * outW + j] / ((rows.end[i] - rows.start[i]) * (cols.end[j] - cols.start[j]));
        for (let h = rows.start[i]; h < rows.end[i]; h++)
          for (let w = cols.start[j]; w < cols.end[j]; w++) dx[xBase + h * inW + w] += share;
      }
  }
  return new Tensor(dx, [n, c, inH, inW]);
}
