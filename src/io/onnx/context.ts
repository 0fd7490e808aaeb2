/**
 * What an ONNX operator's importer sees of its node: its attributes (typed, with
 * defaults), its inputs (graph values or constants) and the graph being built. An
 * importer that meets a form striate has no layer for throws `unsupported(why)`; the
 * loader adds the node's name and opset and goes on to the next node.
 */
import type { Graph, GraphNode } from '../../models/graph.js';
import type { BaseLayer } from '../../nn/layer.js';
import { AttributeType } from './schema.js';
import { quoted } from '../../errors.js';
import type { OnnxAttribute, OnnxNode } from './proto.js';

/** A constant: an initializer, a Constant node's value or a fixed input. */
export interface Constant {
  dims: number[];
  values: Float64Array;
}

/** A value while importing: a node of the striate graph, or a constant. */
export type Value = { node: GraphNode } | { constant: Constant };

export class NodeContext {
  private readonly attributes = new Map<string, OnnxAttribute>();

  constructor(
    readonly node: OnnxNode,
    readonly opset: number,
    /** The batch size every graph input declares, when they declare one (a static-shape export); else undefined. */
    readonly batch: number | undefined,
    private readonly graph: Graph,
    private readonly values: Map<string, Value>,
    private readonly layerName: string,
  ) {
    for (const a of node.attribute ?? []) this.attributes.set(a.name ?? '', a);
  }

  /** An error for a form of this operator that striate cannot import. */
  unsupported(why: string): Error {
    return new RangeError(why);
  }

  private attribute(name: string, type: number): OnnxAttribute | undefined {
    const a = this.attributes.get(name);
    if (a && a.type !== undefined && a.type !== type && a.type !== 0)
      throw this.unsupported(`attribute ${name} has type ${a.type}, expected ${type}`);
    return a;
  }

  int(name: string, fallback: number): number {
    // protobuf leaves a zero out of the encoding: a present attribute without i holds 0.
    const a = this.attribute(name, AttributeType.INT);
    return a ? (a.i ?? 0) : fallback;
  }

  /**
   * A FLOAT attribute. ONNX keeps it as float32, so 1e-3 arrives as 0.0010000000474974513;
   * this gives the shortest decimal that rounds to it (1e-3), which is what an exporter
   * was given: a striate model's eps or alpha comes back exactly, and so do its outputs.
   */
  float(name: string, fallback: number): number {
    const a = this.attribute(name, AttributeType.FLOAT);
    if (!a) return fallback;
    const f = a.f ?? 0;
    for (let digits = 1; digits < 9; digits++) {
      const decimal = Number(f.toPrecision(digits));
      if (Math.fround(decimal) === f) return decimal;
    }
    return f;
  }

  ints(name: string): number[] | undefined {
    const a = this.attribute(name, AttributeType.INTS);
    return a ? [...(a.ints ?? [])] : undefined;
  }

  string(name: string, fallback: string): string {
    const s = this.attribute(name, AttributeType.STRING)?.s;
    return s ? new TextDecoder().decode(s) : fallback;
  }

  /** Input k's name, or '' when the slot is absent or empty (an omitted optional input). */
  inputName(k: number): string {
    return this.node.input?.[k] ?? '';
  }

  get inputCount(): number {
    return (this.node.input ?? []).filter((name) => name !== '').length;
  }

  /** Input k as a node of the graph (a computed value); a constant here is unsupported. */
  data(k: number): GraphNode {
    const value = this.values.get(this.inputName(k));
    if (!value || !('node' in value))
      throw this.unsupported(`input ${k} (${quoted(this.inputName(k))}) is a constant; striate needs a computed tensor there`);
    return value.node;
  }

  /** Input k as a constant, or undefined when the slot is empty; a computed value here is unsupported. */
  constant(k: number, what: string): Constant | undefined {
    const name = this.inputName(k);
    if (name === '') return undefined;
    const value = this.values.get(name)!;
    if (!('constant' in value))
      throw this.unsupported(
        `input ${k} (${quoted(name)}, the ${what}) is computed or a graph input; striate layers need it constant (an initializer, a Constant node, or load's constants option)`,
      );
    return value.constant;
  }

  /** Whether input k is a constant. */
  isConstant(k: number): boolean {
    const value = this.values.get(this.inputName(k));
    return value !== undefined && 'constant' in value;
  }

  /** Adds a layer named after the node to the graph. */
  add(layer: BaseLayer, ...inputs: GraphNode[]): GraphNode {
    layer.name = this.layerName;
    return this.graph.add(layer, ...inputs);
  }
}
