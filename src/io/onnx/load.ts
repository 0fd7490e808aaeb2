/**
 * Reading ONNX: a ModelProto becomes a `Graph` of ordinary striate layers, so an
 * imported network predicts, trains (`fit`), saves and prints like one built by hand.
 * Everything is checked before any layer is built: the file parses, every operator is
 * one striate imports (one error lists every other, with node names and the opset),
 * every input exists, the nodes form no cycle, every tensor's data matches its dims.
 */
import { readFileSync } from 'node:fs';
import { describeType } from '../../errors.js';
import { Graph } from '../../models/graph.js';
import { Tensor } from '../../tensor.js';
import { NodeContext, type Constant, type Value } from './context.js';
import { findOperator, OPERATORS } from './operators.js';
import { decodeModelProto, tensorValues, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './proto.js';

export interface OnnxLoadOptions {
  /**
   * Graph inputs to hold fixed, by name: they become constants, as initializers are.
   * For models that feed weights as inputs (the ONNX backend tests do).
   */
  constants?: Record<string, Tensor>;
  /** The name errors give the model when it is passed as bytes; default 'ONNX model'. */
  name?: string;
}

/**
 * Imports an ONNX model (a file name or the file's bytes) as a trainable Graph.
 * @example
 * const model = st.onnx.load('resnet18.onnx');
 * const logits = model.predictSync(images);
 * await model.fit(myData, { epochs: 1 });   // fine-tune it
 */
export function load(source: string | Uint8Array, options: OnnxLoadOptions = {}): Graph {
  if (options === null || typeof options !== 'object') throw new TypeError(`onnx.load: options must be an object, got ${describeType(options)}`);
  let bytes: Uint8Array;
  let label: string;
  if (typeof source === 'string') {
    label = source;
    bytes = readFileSync(source);
  } else if (source instanceof Uint8Array) {
    label = options.name ?? 'ONNX model';
    bytes = source;
  } else throw new TypeError(`onnx.load: source must be a file name or a Uint8Array, got ${describeType(source)}`);
  let model: OnnxModel;
  try {
    model = decodeModelProto(bytes);
  } catch (err) {
    throw new Error(`${label}: not a valid ONNX model (${(err as Error).message})`);
  }
  return buildGraph(model, label, options.constants ?? {});
}

function opsetOf(model: OnnxModel, label: string): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry || typeof entry.version !== 'number') throw new Error(`${label}: the model imports no opset of the default ONNX domain`);
  return entry.version;
}

function nodeLabel(n: OnnxNode, index: number, opset: number): string {
  return `${n.opType || '(no op_type)'} node '${n.name || `#${index}`}' (opset ${opset})`;
}

/** The per-sample shape of a graph input: its dims after the batch, all known. */
function sampleShape(info: OnnxValueInfo, label: string): number[] {
  const type = info.type?.tensorType;
  if (!type) throw new Error(`${label}: input '${info.name}' is not a tensor`);
  if (type.elemType !== 1) throw new Error(`${label}: input '${info.name}' has element type ${type.elemType}; striate takes float32 (1)`);
  const dims = type.shape?.dim ?? [];
  if (dims.length < 2) throw new Error(`${label}: input '${info.name}' must be [batch, ...] with at least one sample dimension, got rank ${dims.length}`);
  return dims.slice(1).map((d, i) => {
    const v = d.dimValue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw new Error(`${label}: input '${info.name}' dimension ${i + 1} is ${d.dimParam ? `symbolic ('${d.dimParam}')` : 'unknown'}; only the batch may be`);
    return v;
  });
}

function buildGraph(model: OnnxModel, label: string, fixed: Record<string, Tensor>): Graph {
  const graph: OnnxGraph = model.graph ?? {};
  if (!model.graph) throw new Error(`${label}: the model has no graph`);
  const opset = opsetOf(model, label);
  const nodes = graph.node ?? [];

  // Constants: initializers and fixed inputs.
  const values = new Map<string, Value>();
  for (const t of graph.initializer ?? []) {
    try {
      values.set(t.name ?? '', { constant: tensorValues(t) });
    } catch (err) {
      throw new Error(`${label}: initializer ${(err as Error).message}`);
    }
  }
  for (const [name, t] of Object.entries(fixed)) {
    if (!(t instanceof Tensor)) throw new TypeError(`onnx.load: constants.${name} must be a Tensor, got ${describeType(t)}`);
    const constant: Constant = { dims: [...t.shape], values: Float64Array.from(t.data) };
    values.set(name, { constant });
  }

  // Every operator and attribute known, before anything is built.
  const problems: string[] = [];
  nodes.forEach((n, i) => {
    const where = nodeLabel(n, i, opset);
    const op = n.domain && n.domain !== 'ai.onnx' ? undefined : findOperator(n.opType ?? '', opset);
    if (!op) {
      problems.push(n.domain && n.domain !== 'ai.onnx' ? `${where}: domain '${n.domain}'` : where);
      return;
    }
    const extra = (n.attribute ?? []).map((a) => a.name ?? '').filter((a) => !op.attributes.includes(a));
    if (extra.length) problems.push(`${where}: attribute ${extra.join(', ')}`);
  });
  if (problems.length)
    throw new RangeError(
      `${label}: ${problems.length} node(s) striate cannot import:\n  ${problems.join('\n  ')}\n` +
        `(striate imports ${OPERATORS.map((o) => o.op).join(', ')})`,
    );

  // The data inputs, then the producers of every value: no dangling input, no value made twice, no cycle.
  const g = new Graph();
  const names = new Set<string>();
  const unique = (base: string) => {
    let name = base.replace(/[^\w.\-/:]/g, '_') || 'node';
    for (let k = 2; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  for (const info of graph.input ?? []) {
    if (values.has(info.name ?? '')) continue;
    const shape = sampleShape(info, label);
    values.set(info.name ?? '', { node: g.input(shape, { name: unique(info.name ?? 'input') }) });
  }
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const out of n.output ?? []) {
      if (out === '') continue;
      if (producer.has(out) || values.has(out))
        throw new Error(`${label}: ${nodeLabel(n, i, opset)} writes '${out}', which is already ${values.has(out) ? 'an input or initializer' : 'written by another node'}`);
      producer.set(out, i);
    }
  });
  nodes.forEach((n, i) => {
    for (const input of n.input ?? [])
      if (input !== '' && !values.has(input) && !producer.has(input))
        throw new Error(`${label}: ${nodeLabel(n, i, opset)} reads '${input}', which no node, input or initializer provides`);
  });
  const order = topologicalOrder(nodes, producer, label, opset);

  // Extra outputs (a Dropout mask, MaxPool indices) must be unused.
  const read = new Set<string>([...nodes.flatMap((n) => n.input ?? []), ...(graph.output ?? []).map((o) => o.name ?? '')]);
  for (const i of order) {
    const n = nodes[i];
    const op = findOperator(n.opType ?? '', opset)!;
    const where = nodeLabel(n, i, opset);
    const unused = (n.output ?? []).slice(1).filter((o) => o !== '' && read.has(o));
    if (unused.length) throw new RangeError(`${label}: ${where}: output '${unused[0]}' is read, but striate computes only the first output`);
    const ctx = new NodeContext(n, `${label}: ${where}`, opset, g, values, unique(n.name || `${n.opType}_${i + 1}`));
    try {
      values.set(n.output?.[0] ?? '', op.convert(ctx));
    } catch (err) {
      const message = (err as Error).message;
      if (message.startsWith(`${label}: `)) throw err;
      throw new RangeError(`${label}: ${where}: ${message}`);
    }
  }

  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new RangeError(`${label}: the graph has ${outputs.length} outputs; striate imports graphs with exactly one`);
  const out = values.get(outputs[0].name ?? '');
  if (!out) throw new Error(`${label}: the graph output '${outputs[0].name}' is not computed by any node`);
  if (!('node' in out)) throw new RangeError(`${label}: the graph output '${outputs[0].name}' is a constant`);
  return g.output(out.node);
}

/** Kahn's algorithm over the nodes; an error names the nodes of a cycle. */
function topologicalOrder(nodes: readonly OnnxNode[], producer: Map<string, number>, label: string, opset: number): number[] {
  const waiting = nodes.map((n) => new Set((n.input ?? []).filter((x) => producer.has(x)).map((x) => producer.get(x)!)).size);
  const readers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const p of new Set((n.input ?? []).filter((x) => producer.has(x)).map((x) => producer.get(x)!))) readers[p].push(i);
  });
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: number[] = [];
  while (ready.length) {
    const i = ready.shift()!;
    order.push(i);
    for (const r of readers[i]) if (--waiting[r] === 0) ready.push(r);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.map((n, i) => (waiting[i] > 0 ? nodeLabel(n, i, opset) : '')).filter(Boolean);
    throw new Error(`${label}: the nodes form a cycle: ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', ...' : ''}`);
  }
  return order;
}
