/**
 * Reading ONNX: a ModelProto becomes a `Graph` of ordinary striate layers, so an
 * imported network predicts, trains (`fit`), saves and prints like one built by hand.
 * A file that is not a well-formed graph (it does not parse, a tensor's data does not
 * match its dims, a node reads a value nothing provides, the nodes form a cycle) is an
 * error naming the file and the tensor or node. A well-formed graph striate cannot
 * import is one error listing every problem (each operator it has no layer for, each
 * form of a known operator it refuses, with the node's name and the opset), found by
 * checking every node before the graph is returned or anything runs.
 */
import { readFileSync } from 'node:fs';
import { checkObject, checkTensorData, describeType, describeValue, isPlainObject, quoted } from '../../errors.js';
import { Graph, type GraphNode } from '../../models/graph.js';
import { Tensor } from '../../tensor.js';
import { NodeContext, type Constant, type Value } from './context.js';
import { findOperator, OPERATORS, PATTERNS, type Operator } from './operators.js';
import { fusePatterns } from './patterns.js';
import { decodeModelProto, tensorValues, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './proto.js';

export interface OnnxLoadOptions {
  /**
   * Graph inputs to hold fixed, by name: they become constants, as initializers are.
   * For models that feed weights as inputs (the ONNX backend tests do). A name that is
   * not a graph input is an error.
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
  checkObject('onnx.load', 'options', options, 'an object like { constants, name }');
  const { constants = {}, name = 'ONNX model' } = options;
  if (!isPlainObject(constants))
    throw new TypeError(`onnx.load: constants must be an object of Tensors by input name, got ${describeValue(constants)}`);
  if (typeof name !== 'string' || name === '') throw new TypeError(`onnx.load: name must be a non-empty string, got ${describeValue(name)}`);
  let bytes: Uint8Array;
  let label: string;
  if (typeof source === 'string') {
    if (source === '') throw new TypeError('onnx.load: source must be a file name or a Uint8Array, got an empty string');
    label = source;
    try {
      bytes = readFileSync(source);
    } catch (cause) {
      throw new Error(`${source}: cannot read the ONNX file (${(cause as Error).message})`, { cause });
    }
  } else if (source instanceof Uint8Array) {
    label = name;
    bytes = source;
  } else throw new TypeError(`onnx.load: source must be a file name or a Uint8Array, got ${describeType(source)}`);
  let model: OnnxModel;
  try {
    model = decodeModelProto(bytes);
  } catch (err) {
    throw new Error(`${label}: not a valid ONNX model (${(err as Error).message})`);
  }
  return buildGraph(model, label, constants);
}

function opsetOf(model: OnnxModel, label: string): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry || typeof entry.version !== 'number') throw new Error(`${label}: the model imports no opset of the default ONNX domain`);
  return entry.version;
}

function nodeLabel(n: OnnxNode, index: number, opset: number): string {
  return `${n.opType ? quoted(n.opType).slice(1, -1) : '(no op_type)'} node ${n.name ? quoted(n.name) : `'#${index}'`} (opset ${opset})`;
}

/** The per-sample shape of a graph input (its dims after the batch, all known), or why striate cannot take it. */
function sampleShape(info: OnnxValueInfo): number[] | string {
  const type = info.type?.tensorType;
  if (!type) return 'is not a tensor';
  if (type.elemType !== 1) return `has element type ${type.elemType}; striate takes float32 (1)`;
  const dims = type.shape?.dim ?? [];
  if (dims.length < 2) return `must be [batch, ...] with at least one sample dimension, got rank ${dims.length}`;
  const shape: number[] = [];
  for (const [i, d] of dims.slice(1).entries()) {
    const v = d.dimValue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      return `dimension ${i + 1} is ${d.dimParam ? `symbolic (${quoted(d.dimParam)})` : 'unknown'}; only the batch may be`;
    shape.push(v);
  }
  return shape;
}

/** The operator that imports node n, or why there is none. */
function operatorFor(n: OnnxNode, opset: number, fused: ReadonlyMap<OnnxNode, OnnxNode>): Operator | string {
  if (fused.has(n)) return PATTERNS.find((p) => p.op === n.opType)!;
  if (n.domain && n.domain !== 'ai.onnx') return `domain ${quoted(n.domain)} (striate imports the default ONNX domain)`;
  const op = findOperator(n.opType ?? '', opset);
  if (op) return op;
  const known = OPERATORS.find((o) => o.op === n.opType);
  return known ? `striate reads ${known.op} at opsets ${known.opsets[0]}–${known.opsets[1]}` : 'operator not supported';
}

function buildGraph(model: OnnxModel, label: string, fixed: Record<string, Tensor>): Graph {
  const graph: OnnxGraph = model.graph ?? {};
  if (!model.graph) throw new Error(`${label}: the model has no graph`);
  const opset = opsetOf(model, label);

  // Constants: initializers and fixed inputs.
  const values = new Map<string, Value>();
  for (const t of graph.initializer ?? []) {
    try {
      values.set(t.name ?? '', { constant: tensorValues(t) });
    } catch (err) {
      throw new Error(`${label}: initializer ${(err as Error).message}`);
    }
  }
  const inputs = (graph.input ?? []).map((info) => info.name ?? '');
  for (const [name, t] of Object.entries(fixed)) {
    if (!(t instanceof Tensor)) throw new TypeError(`onnx.load: constants.${name} must be a Tensor, got ${describeType(t)}`);
    checkTensorData('onnx.load', `constants.${name}`, t);
    // A misspelt name would otherwise leave the input to be fed and say nothing.
    if (!inputs.includes(name))
      throw new RangeError(`onnx.load: constants.${name} names no input of ${label}; its inputs are ${inputs.join(', ') || 'none'}`);
    const constant: Constant = { dims: [...t.shape], values: Float64Array.from(t.data) };
    values.set(name, { constant });
  }
  const dataInputs = (graph.input ?? []).filter((info) => !values.has(info.name ?? ''));
  const inputNames = new Set(dataInputs.map((info) => info.name ?? ''));

  // The structure: no value written twice, no dangling input, no cycle.
  const original = graph.node ?? [];
  const producer = new Map<string, number>();
  original.forEach((n, i) => {
    for (const out of n.output ?? []) {
      if (out === '') continue;
      if (producer.has(out) || values.has(out) || inputNames.has(out))
        throw new Error(`${label}: ${nodeLabel(n, i, opset)} writes ${quoted(out)}, which is already ${producer.has(out) ? 'written by another node' : 'an input or initializer'}`);
      producer.set(out, i);
    }
  });
  original.forEach((n, i) => {
    for (const input of n.input ?? [])
      if (input !== '' && !values.has(input) && !producer.has(input) && !inputNames.has(input))
        throw new Error(`${label}: ${nodeLabel(n, i, opset)} reads ${quoted(input)}, which no node, input or initializer provides`);
  });
  const outputs = graph.output ?? [];
  const { nodes, fused } = fusePatterns(original, new Set(outputs.map((o) => o.name ?? '')), (name) => {
    const v = values.get(name);
    return v && 'constant' in v ? v.constant : undefined;
  });
  // Messages number an unnamed node by its place in the file.
  const place = new Map(original.map((n, i) => [n, i]));
  const position = (n: OnnxNode) => place.get(fused.get(n) ?? n)!;
  const order = topologicalOrder(nodes, label, (n) => nodeLabel(n, position(n), opset));

  // Every input and node, in order: each problem is noted and the walk goes on, so
  // one error lists them all. A node that reads a value a refused node would have
  // computed cannot be checked further (its input's shape is unknown).
  const problems: { at: number; text: string }[] = [];
  const g = new Graph();
  const names = new Set<string>();
  const unique = (base: string) => {
    const clean = base.replace(/[^\w.\-/:]/g, '_') || 'node';
    let name = clean;
    for (let k = 2; names.has(name); k++) name = `${clean}_${k}`;
    names.add(name);
    return name;
  };
  const batches = new Set<number | undefined>();
  for (const info of dataInputs) {
    const shape = sampleShape(info);
    if (typeof shape === 'string') {
      problems.push({ at: -1, text: `input ${quoted(info.name)} ${shape}` });
      continue;
    }
    const declared = info.type?.tensorType?.shape?.dim?.[0]?.dimValue;
    batches.add(declared !== undefined && declared >= 1 ? declared : undefined);
    try {
      values.set(info.name ?? '', { node: g.input(shape, { name: unique(info.name ?? 'input') }) });
    } catch (err) {
      problems.push({ at: -1, text: `input ${quoted(info.name)}: ${(err as Error).message}` });
    }
  }
  const batch = batches.size === 1 ? [...batches][0] : undefined;
  const read = new Set<string>([...nodes.flatMap((n) => n.input ?? []), ...outputs.map((o) => o.name ?? '')]);
  const missing = new Set<string>([...inputNames].filter((name) => !values.has(name)));
  for (const i of order) {
    const n = nodes[i];
    const where = nodeLabel(n, position(n), opset);
    const fail = (why: string) => {
      problems.push({ at: position(n), text: `${where}: ${why}` });
      for (const out of n.output ?? []) missing.add(out);
    };
    const op = operatorFor(n, opset, fused);
    if (typeof op === 'string') {
      fail(op);
      continue;
    }
    const extra = (n.attribute ?? []).map((a) => a.name ?? '').filter((a) => !op.attributes.includes(a));
    if (extra.length) {
      fail(`attribute ${extra.join(', ')} (striate reads ${op.attributes.join(', ') || 'none'})`);
      continue;
    }
    const unused = (n.output ?? []).slice(1).filter((o) => o !== '' && read.has(o));
    if (unused.length) {
      fail(`output ${quoted(unused[0])} is read, but striate computes only the first output`);
      continue;
    }
    if ((n.input ?? []).some((x) => missing.has(x))) {
      for (const out of n.output ?? []) missing.add(out);
      continue;
    }
    const ctx = new NodeContext(n, opset, batch, g, values, unique(n.name || `${n.opType}_${position(n) + 1}`));
    try {
      values.set(n.output?.[0] ?? '', op.convert(ctx));
    } catch (err) {
      fail((err as Error).message);
    }
  }

  const last = (text: string) => problems.push({ at: original.length, text });
  if (outputs.length !== 1) last(`the graph has ${outputs.length} outputs; striate imports graphs with exactly one`);
  const out = values.get(outputs[0]?.name ?? '');
  if (outputs.length === 1 && !missing.has(outputs[0].name ?? '')) {
    if (!out) last(`the graph output ${quoted(outputs[0].name)} is not computed by any node`);
    else if (!('node' in out)) last(`the graph output ${quoted(outputs[0].name)} is a constant`);
  }
  if (problems.length)
    throw new RangeError(
      `${label}: ${problems.length} problem(s) striate cannot import:\n  ${problems.sort((a, b) => a.at - b.at).map((p) => p.text).join('\n  ')}\n` +
        `(striate imports ${OPERATORS.map((o) => o.op).join(', ')}; see the README's ONNX table)`,
    );
  try {
    return g.output((out as { node: GraphNode }).node);
  } catch (err) {
    throw new RangeError(`${label}: ${(err as Error).message}`);
  }
}

/** Kahn's algorithm over the nodes; an error names the nodes of a cycle. */
function topologicalOrder(nodes: readonly OnnxNode[], label: string, describe: (n: OnnxNode) => string): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o !== '' && producer.set(o, i)));
  const from = (n: OnnxNode) => new Set((n.input ?? []).filter((x) => producer.has(x)).map((x) => producer.get(x)!));
  const waiting = nodes.map((n) => from(n).size);
  const readers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const p of from(n)) readers[p].push(i);
  });
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: number[] = [];
  while (ready.length) {
    const i = ready.shift()!;
    order.push(i);
    for (const r of readers[i]) if (--waiting[r] === 0) ready.push(r);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, i) => waiting[i] > 0).map(describe);
    throw new Error(`${label}: the nodes form a cycle: ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', ...' : ''}`);
  }
  return order;
}
