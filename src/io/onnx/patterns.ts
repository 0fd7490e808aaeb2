/**
 * Sub-graphs the loader imports as one layer, so an exported model imports with the
 * layers it had. st.onnx.save writes StochasticPool2D's inference form as six standard
 * operators (STOCHASTIC_POOL in operators.ts):
 *   r = Relu(x)   num = AveragePool(Mul(r, r))   den = AveragePool(r)
 *   y = Div(num, Max(den, guard))
 * and an AdaptiveAvgPool2D with windows of unequal sizes as two MatMuls (ADAPTIVE_AVG_POOL):
 *   y = MatMul(A_h, MatMul(x, A_wᵀ))   A_h, A_w constant averaging matrices
 * Each found pattern becomes one node of the pattern's op_type. The values inside a
 * pattern must be read only by it; anything else stays as it was (and is refused as
 * Mul, Div, MatMul of a 4-D tensor, ...).
 */
import { adaptiveAverageMatrix } from '../../ops/adaptive-pool.js';
import type { Constant } from './context.js';
import { ADAPTIVE_AVG_POOL, STOCHASTIC_POOL } from './operators.js';
import { AttributeType } from './schema.js';
import type { OnnxAttribute, OnnxNode } from './proto.js';

/** The largest guard accepted: float32's smallest normal number, far below any window sum of consequence. */
const GUARD = 2 ** -126;

function standard(n: OnnxNode | undefined, op: string, inputs: number): n is OnnxNode & { input: string[]; output: string[] } {
  return n !== undefined && n.opType === op && (!n.domain || n.domain === 'ai.onnx') &&
    (n.input ?? []).length === inputs && (n.input ?? []).every((i) => i !== '') && (n.output ?? []).length === 1;
}

const attributeKey = (attributes: readonly OnnxAttribute[] | undefined) =>
  JSON.stringify([...(attributes ?? [])].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1)));

/** The sizes of an averaging matrix [outSize, inSize] (transposed: [inSize, outSize]), or undefined when c is not one. */
function averaging(c: Constant | undefined, transposed: boolean): [number, number] | undefined {
  if (c === undefined || c.dims.length !== 2) return undefined;
  const [outSize, inSize] = transposed ? [c.dims[1], c.dims[0]] : c.dims;
  if (outSize < 1 || inSize < 1) return undefined;
  const want = adaptiveAverageMatrix(inSize, outSize);
  for (let i = 0; i < outSize; i++)
    for (let j = 0; j < inSize; j++)
      if (c.values[transposed ? j * outSize + i : i * inSize + j] !== want[i * inSize + j]) return undefined;
  return [inSize, outSize];
}

/**
 * The nodes with every pattern replaced by one node: a stochastic pool (op_type
 * STOCHASTIC_POOL.op, the Div's name and output, the AveragePools' attributes) or an
 * adaptive average pool (ADAPTIVE_AVG_POOL.op, the outer MatMul's name and output, the
 * matrices' sizes as attributes), and for each such node the node it stands for.
 */
export function fusePatterns(
  nodes: readonly OnnxNode[], graphOutputs: ReadonlySet<string>, constantOf: (name: string) => Constant | undefined,
): { nodes: OnnxNode[]; fused: Map<OnnxNode, OnnxNode> } {
  const producer = new Map<string, OnnxNode>();
  const readers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) if (o !== '') producer.set(o, n);
    for (const i of n.input ?? []) {
      if (i === '') continue;
      const list = readers.get(i);
      if (list) list.push(n);
      else readers.set(i, [n]);
    }
  }
  const taken = new Set<OnnxNode>();
  const replacement = new Map<OnnxNode, OnnxNode>();
  const fused = new Map<OnnxNode, OnnxNode>();
  /** Fuses `inner` and `last` into `node` when the values inside are read only by the pattern. */
  const fuse = (inner: OnnxNode[], last: OnnxNode, node: OnnxNode) => {
    const part = new Set<OnnxNode>([...inner, last]);
    const enclosed = inner.every((n) => !taken.has(n) && !graphOutputs.has(n.output![0]) && (readers.get(n.output![0]) ?? []).every((x) => part.has(x)));
    if (!enclosed) return;
    for (const n of inner) taken.add(n);
    replacement.set(last, node);
    fused.set(node, last);
  };
  const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints: values });
  for (const outer of nodes) {
    if (!standard(outer, 'MatMul', 2)) continue;
    const rows = averaging(constantOf(outer.input[0]), false);
    const inner = producer.get(outer.input[1]);
    if (rows === undefined || !standard(inner, 'MatMul', 2)) continue;
    const columns = averaging(constantOf(inner.input[1]), true);
    if (columns === undefined) continue;
    fuse([inner], outer, {
      name: outer.name, opType: ADAPTIVE_AVG_POOL.op, input: [inner.input[0]], output: [...outer.output],
      attribute: [ints('input_size', [rows[0], columns[0]]), ints('output_size', [rows[1], columns[1]])],
    });
  }
  for (const div of nodes) {
    if (!standard(div, 'Div', 2)) continue;
    const num = producer.get(div.input[0]);
    const guard = producer.get(div.input[1]);
    if (!standard(num, 'AveragePool', 1) || !standard(guard, 'Max', 2)) continue;
    const k = guard.input.findIndex((name) => {
      const c = constantOf(name);
      return c !== undefined && c.values.length === 1 && c.values[0] > 0 && c.values[0] <= GUARD;
    });
    if (k < 0) continue;
    const den = producer.get(guard.input[1 - k]);
    const square = producer.get(num.input[0]);
    if (!standard(den, 'AveragePool', 1) || !standard(square, 'Mul', 2)) continue;
    const r = den.input[0];
    if (square.input[0] !== r || square.input[1] !== r || attributeKey(num.attribute) !== attributeKey(den.attribute)) continue;
    const relu = producer.get(r);
    if (!standard(relu, 'Relu', 1)) continue;
    fuse([relu, square, num, den, guard], div, {
      name: div.name, opType: STOCHASTIC_POOL.op, input: [relu.input[0]], output: [...div.output], attribute: num.attribute,
    });
  }
  return { nodes: nodes.filter((n) => !taken.has(n)).map((n) => replacement.get(n) ?? n), fused };
}
