/**
 * Sub-graphs the loader imports as one layer. st.onnx.save writes StochasticPool2D's
 * inference form as six standard operators (STOCHASTIC_POOL in operators.ts):
 *   r = Relu(x)   num = AveragePool(Mul(r, r))   den = AveragePool(r)
 *   y = Div(num, Max(den, guard))
 * Finding them turns them back into one node that becomes a StochasticPool2D, so an
 * exported model imports with the layer it had. The values inside the pattern must be
 * read only by it; anything else stays as it was (and is refused as Mul, Div, ...).
 */
import type { Constant } from './context.js';
import { STOCHASTIC_POOL } from './operators.js';
import type { OnnxAttribute, OnnxNode } from './proto.js';

/** The largest guard accepted: float32's smallest normal number, far below any window sum of consequence. */
const GUARD = 2 ** -126;

function standard(n: OnnxNode | undefined, op: string, inputs: number): n is OnnxNode & { input: string[]; output: string[] } {
  return n !== undefined && n.opType === op && (!n.domain || n.domain === 'ai.onnx') &&
    (n.input ?? []).length === inputs && (n.input ?? []).every((i) => i !== '') && (n.output ?? []).length === 1;
}

const attributeKey = (attributes: readonly OnnxAttribute[] | undefined) =>
  JSON.stringify([...(attributes ?? [])].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1)));

/**
 * The nodes with every stochastic-pooling pattern replaced by one node (op_type
 * STOCHASTIC_POOL.op, the Div's name and output, the AveragePools' attributes), and
 * for each such node the Div it stands for.
 */
export function fuseStochasticPools(
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
    const inner = [relu, square, num, den, guard];
    const part = new Set<OnnxNode>([...inner, div]);
    const enclosed = inner.every((n) => !taken.has(n) && !graphOutputs.has(n.output[0]) && (readers.get(n.output[0]) ?? []).every((x) => part.has(x)));
    if (!enclosed) continue;
    for (const n of inner) taken.add(n);
    const node: OnnxNode = { name: div.name, opType: STOCHASTIC_POOL.op, input: [relu.input[0]], output: [...div.output], attribute: num.attribute };
    replacement.set(div, node);
    fused.set(node, div);
  }
  return { nodes: nodes.filter((n) => !taken.has(n)).map((n) => replacement.get(n) ?? n), fused };
}
