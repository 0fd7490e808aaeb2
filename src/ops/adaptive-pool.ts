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
 * When the output is a whole multiple of the input along both axes every window is one
 * pixel (window i of an axis is pixel floor(i·in/out)) and pooling repeats pixels: for each
 * output position of a plane, the input pixel it copies. VGG's 7x7 pooling of a 1x1 map
 * (a 3x32x32 input) at batch 32: 15 ms through the window loops, 3-5 ms copying.
 */
function pixelOfOutput(inH: number, inW: number, outH: number, outW: number): Int32Array | undefined {
  if (outH % inH !== 0 || outW % inW !== 0) return undefined;
  const pixel = new Int32Array(outH * outW);
  for (let i = 0; i < outH; i++)
    for (let j = 0; j < outW; j++) pixel[i * outW + j] = Math.floor((i * inH) / outH) * inW + Math.floor((j * inW) / outW);
  return pixel;
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
  const y = new Float32Array(n * c * outH * outW);
  const xd = x.data;
  const pixel = pixelOfOutput(inH, inW, outH, outW);
  if (pixel) {
    for (let plane = 0, yAt = 0; plane < n * c; plane++) {
      const xBase = plane * inH * inW;
      for (let t = 0; t < pixel.length; t++) y[yAt++] = xd[xBase + pixel[t]];
    }
    return new Tensor(y, [n, c, outH, outW]);
  }
  const rows = windows(inH, outH);
  const cols = windows(inW, outW);
  // Separable: each input row's sums over the column windows (in float64), then the sums
  // of those over the row windows: about two reads an output, where the window loops
  // made |window| reads for each.
  const across = new Float64Array(inH * outW);
  for (let plane = 0; plane < n * c; plane++) {
    const xBase = plane * inH * inW;
    const yBase = plane * outH * outW;
    for (let h = 0; h < inH; h++)
      for (let j = 0; j < outW; j++) {
        let sum = 0;
        for (let w = cols.start[j]; w < cols.end[j]; w++) sum += xd[xBase + h * inW + w];
        across[h * outW + j] = sum;
      }
    for (let i = 0; i < outH; i++) {
      const lenH = rows.end[i] - rows.start[i];
      for (let j = 0; j < outW; j++) {
        let sum = 0;
        for (let h = rows.start[i]; h < rows.end[i]; h++) sum += across[h * outW + j];
        y[yBase + i * outW + j] = sum / (lenH * (cols.end[j] - cols.start[j]));
      }
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
  const dx = new Float32Array(n * c * inH * inW);
  const g = dy.data;
  const pixel = pixelOfOutput(inH, inW, outH, outW);
  if (pixel) {
    const sums = new Float64Array(inH * inW);
    for (let plane = 0, yAt = 0; plane < n * c; plane++) {
      sums.fill(0);
      for (let t = 0; t < pixel.length; t++) sums[pixel[t]] += g[yAt++];
      dx.set(sums, plane * inH * inW);
    }
    return new Tensor(dx, [n, c, inH, inW]);
  }
  const rows = windows(inH, outH);
  const cols = windows(inW, outW);
  // Separable like the forward, in float64: dy / |row window| spread down the input rows
  // of each window, then / |column window| across the input columns.
  const down = new Float64Array(inH * outW);
  const row = new Float64Array(inW);
  for (let plane = 0; plane < n * c; plane++) {
    const xBase = plane * inH * inW;
    const yBase = plane * outH * outW;
    down.fill(0);
    for (let i = 0; i < outH; i++) {
      const lenH = rows.end[i] - rows.start[i];
      for (let h = rows.start[i]; h < rows.end[i]; h++)
        for (let j = 0; j < outW; j++) down[h * outW + j] += g[yBase + i * outW + j] / lenH;
    }
    for (let h = 0; h < inH; h++) {
      row.fill(0);
      for (let j = 0; j < outW; j++) {
        const share = down[h * outW + j] / (cols.end[j] - cols.start[j]);
        for (let w = cols.start[j]; w < cols.end[j]; w++) row[w] += share;
      }
      for (let w = 0; w < inW; w++) dx[xBase + h * inW + w] = row[w];
    }
  }
  return new Tensor(dx, [n, c, inH, inW]);
}
