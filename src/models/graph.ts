/**
 * A model as a directed acyclic graph of layers. Nodes are inputs or layers
 * applied to earlier nodes, so the order in which nodes are added is a
 * topological order:
 *   forward   for each node in order: y_v = layer_v(y_u for u in inputs(v))
 *   backward  for each node in reverse: dx_u += layer_v.backward(dy_v) for u in inputs(v)
 * A tensor that feeds several layers (a residual shortcut, DenseNet's concatenated
 * features) receives the sum of their gradients. Only the nodes the output
 * depends on run. A batch norm whose only reader is a ReLU runs that ReLU in its own
 * pass, forward and backward (`reluPairs`): the same bits, one pass less each way.
 *
 * Auxiliary outputs (GoogLeNet's and Inception-v3's side classifiers) are heads that
 * only training uses: `forwardWithAuxiliary` runs them beside the output, the training
 * loop adds weight·loss(head) to the loss and `backward` takes their gradients;
 * `forward`, `predictSync` and `compile` run the output alone.
 */
import { checkShape, checkTensorData, describeType, formatShape, orDefault } from '../errors.js';
import { ReLU } from '../nn/activations.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { BaseLayer, checkForwardOptions, sameShape, type BackwardOptions, type Buffer, type ForwardOptions, type LayerConfig } from '../nn/layer.js';
import { KeptArray } from '../nn/kept-array.js';
import { layerFromConfig } from '../nn/registry.js';
import * as ew from '../ops/elementwise.js';
import type { Param } from '../param.js';
import { Tensor, type Shape } from '../tensor.js';
import type { SequentialConfig, SequentialOptions } from './sequential.js';
import { formatSummary, type SummaryRow } from './summary.js';
import { save, type Metadata } from '../io/model-file.js';
import { save as saveOnnx, type OnnxSaveOptions } from '../io/onnx/save.js';
import type { TrainingData } from '../training/loop.js';
import { evaluate, fit, predictAsync, type FitOptions, type History } from '../training/run-job.js';
import type { LossSpec } from '../training/specs.js';
import { compilePlan, type CompileOptions, type GraphTopology, type InferencePlan } from './plan/compile.js';

/** A handle on a node's output while building a graph; `shape` excludes the batch. */
export class GraphNode {
  /** @internal */
  constructor(
    readonly graph: Graph,
    readonly index: number,
    readonly name: string,
    readonly shape: Shape,
  ) {}
}

interface Entry {
  node: GraphNode;
  /** Undefined for an input node. */
  layer: BaseLayer | undefined;
  inputs: number[];
}

/** A forward's fused pairs: batchNormOf[relu], the batch norm a ReLU runs inside, and reluOf[bn]; -1 elsewhere. */
interface ReluFusions {
  batchNormOf: Int32Array;
  reluOf: Int32Array;
}

export interface GraphOptions {
  /** Seeds the initialisers of layers given no seed of their own (layer k gets a seed derived from it); default 0. */
  seed?: number;
}

export interface PredictOptions {
  /** Samples per forward pass; default 32. */
  batchSize?: number;
}

/** The JSON form of a graph: `Graph.fromConfig(graph.config)` rebuilds it. */
export interface GraphConfig {
  type: 'graph';
  seed: number;
  inputs: { name: string; shape: number[] }[];
  nodes: { layer: LayerConfig; inputs: string[] }[];
  output: string;
  /** The auxiliary outputs and their loss weights; absent when there are none. */
  auxiliary?: { name: string; weight: number }[];
}

/** A head that training adds to the loss: `loss += weight · loss(node's output, targets)`. */
export interface AuxiliaryOutput {
  node: GraphNode;
  /** The weight of its loss, > 0 (GoogLeNet's two heads 0.3 each, Inception-v3's 0.4). */
  weight: number;
}

export interface GraphBackwardOptions extends BackwardOptions {
  /**
   * dL/d(auxiliary output), one per auxiliary output in `output()`'s order, after a
   * `forwardWithAuxiliary`: their gradients flow into the heads and the layers below.
   */
  auxiliary?: readonly Tensor[];
}

/**
 * A network whose layers form a DAG: residual and dense blocks, several branches.
 * @example
 * // a ResNet basic block
 * const g = new st.Graph();
 * const x = g.input([16, 32, 32]);
 * let a = g.add(new st.nn.Conv2D({ filters: 16, kernelSize: 3, padding: 1 }), x);
 * a = g.add(new st.nn.BatchNorm2D(), a);
 * a = g.add(new st.nn.ReLU(), a);
 * a = g.add(new st.nn.Conv2D({ filters: 16, kernelSize: 3, padding: 1 }), a);
 * a = g.add(new st.nn.BatchNorm2D(), a);
 * const y = g.add(new st.nn.ReLU(), g.add(new st.nn.Add(), a, x));
 * g.output(y);
 * const out = g.forward(images, { training: true });
 */
export class Graph {
  readonly seed: number;
  private readonly entries: Entry[] = [];
  private readonly inputIndices: number[] = [];
  private readonly names = new Set<string>();
  private outputIndex = -1;
  /** The nodes the output depends on, in topological order. */
  private plan: number[] = [];
  /** The auxiliary outputs, and the nodes the output or any of them depends on (topological). */
  private auxiliary: { index: number; weight: number }[] = [];
  private trainingPlan: number[] = [];
  private lastBatch = -1;
  /** Whether the last forward ran the auxiliary heads (so backward may take their gradients). */
  private lastRanAuxiliary = false;
  /** The batch norm + ReLU pairs [bn, relu] of `plan` and of `trainingPlan` (see reluPairs), and those the last forward fused. */
  private fusible: { plan: [number, number][]; training: [number, number][] } | undefined;
  private lastFusions: ReluFusions | undefined;
  /** Per node, the array backward sums its gradient into when several layers read it (kept-array.ts's rule). */
  private readonly gradSums = new Map<number, KeptArray<Float32Array<ArrayBuffer>>>();
  /** The inference plan `compile` installed, its options, and whether training may have changed the weights since. */
  private inference: { plan: InferencePlan; options: CompileOptions; stale: boolean } | undefined;

  constructor(options: GraphOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('Graph: options must be an object');
    const seed = orDefault(options.seed, 0);
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0)
      throw new RangeError(`Graph: seed must be a non-negative integer, got ${String(seed)}`);
    this.seed = seed;
  }

  /** The name used in error messages. */
  protected get label(): string {
    return this.constructor.name;
  }

  /**
   * Declares an input of one sample's shape (no batch dimension).
   * @example const x = g.input([3, 32, 32]);
   */
  input(shape: Shape, options: { name?: string } = {}): GraphNode {
    const op = `${this.label}.input`;
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1))
      throw new RangeError(
        `${op}: shape must be a non-empty array of positive integers (batch excluded), got ${Array.isArray(shape) ? formatShape(shape) : describeType(shape)}`,
      );
    checkShape(op, 'shape', shape);
    if (options === null || typeof options !== 'object') throw new TypeError(`${op}: options must be an object like { name }, got ${describeType(options)}`);
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
      throw new TypeError(`${op}: name must be a non-empty string, got ${describeType(options.name)}`);
    const name = this.claimName(options.name ?? `input_${this.inputIndices.length + 1}`);
    const node = new GraphNode(this, this.entries.length, name, Object.freeze([...shape]));
    this.inputIndices.push(node.index);
    this.entries.push({ node, layer: undefined, inputs: [] });
    return node;
  }

  /**
   * Applies `layer` to the outputs of `inputs` (earlier nodes of this graph) and
   * returns the new node. The layer is built for the input shapes now.
   * @example const y = g.add(new st.nn.Add(), a, x);
   */
  add(layer: BaseLayer, ...inputs: GraphNode[]): GraphNode {
    if (!(layer instanceof BaseLayer)) throw new TypeError(`${this.label}.add: the first argument must be a layer, got ${describeType(layer)}`);
    if (inputs.length === 0) throw new RangeError(`${this.label}.add: ${layer.constructor.name} needs at least one input node`);
    inputs.forEach((node, i) => {
      if (!(node instanceof GraphNode) || node.graph !== this)
        throw new TypeError(`${this.label}.add: input ${i} of ${layer.constructor.name} must be a node of this graph (from input() or add()), got ${describeType(node)}`);
    });
    if (this.entries.some((e) => e.layer === layer))
      throw new RangeError(`${this.label}.add: layer '${layer.name}' is already in this graph; create a new layer (weights are not shared)`);
    const shapes = inputs.map((n) => n.shape);
    const index = this.entries.length;
    layer.buildFrom(shapes, deriveSeed(this.seed, index));
    const shape = Object.freeze([...layer.outputShapeFrom(shapes)]);
    layer.name = this.claimName(layer.name ?? this.defaultName(layer.type));
    const node = new GraphNode(this, index, layer.name, shape);
    this.entries.push({ node, layer, inputs: inputs.map((n) => n.index) });
    return node;
  }

  /**
   * Marks the node whose value `forward` returns and, optionally, auxiliary outputs:
   * heads that training runs and adds to the loss with their weight (see
   * `forwardWithAuxiliary`), and inference skips.
   * @example
   * g.output(logits, { auxiliary: [{ node: aux1, weight: 0.3 }, { node: aux2, weight: 0.3 }] });
   */
  output(node: GraphNode, options: { auxiliary?: readonly AuxiliaryOutput[] } = {}): this {
    const label = `${this.label}.output`;
    const own = (n: unknown): n is GraphNode => n instanceof GraphNode && n.graph === this;
    if (!own(node)) throw new TypeError(`${label}: expects a node of this graph, got ${describeType(node)}`);
    if (options === null || typeof options !== 'object') throw new TypeError(`${label}: options must be an object, got ${describeType(options)}`);
    const list = orDefault(options.auxiliary, []);
    if (!Array.isArray(list)) throw new TypeError(`${label}: auxiliary must be an array of { node, weight }, got ${describeType(list)}`);
    const auxiliary = list.map((a: AuxiliaryOutput, k) => {
      if (a === null || typeof a !== 'object' || !own(a.node))
        throw new TypeError(`${label}: auxiliary[${k}].node must be a node of this graph, got ${describeType(a?.node)}`);
      if (!this.entries[a.node.index].layer) throw new RangeError(`${label}: auxiliary[${k}] is the input '${a.node.name}', not a layer's output`);
      if (a.node === node || list.some((b: AuxiliaryOutput, j) => j < k && b.node === a.node))
        throw new RangeError(`${label}: auxiliary[${k}] ('${a.node.name}') is already an output`);
      if (typeof a.weight !== 'number' || !Number.isFinite(a.weight) || a.weight <= 0)
        throw new RangeError(`${label}: auxiliary[${k}].weight must be a finite number > 0, got ${String(a.weight)}`);
      return { index: a.node.index, weight: a.weight };
    });
    const plan = this.dependencies([node.index]);
    const unused = this.inputIndices.filter((i) => !plan.includes(i));
    if (unused.length)
      throw new RangeError(`${label}: the output does not depend on input ${unused.map((i) => this.entries[i].node.name).join(', ')}`);
    this.outputIndex = node.index;
    this.plan = plan;
    this.auxiliary = auxiliary;
    const heads = [node.index, ...auxiliary.map((a) => a.index)];
    this.trainingPlan = this.dependencies(heads);
    this.fusible = { plan: this.reluPairs(plan, heads), training: this.reluPairs(this.trainingPlan, heads) };
    return this;
  }

  /**
   * The ReLUs of `order` that can run inside the batch norm before them
   * (BatchNorm.forwardRelu, and the ReLU's backward inside the batch norm's): those whose
   * input is a batch norm that nothing else reads and that is no output. One pass over
   * the activation less each way, the same bits as the two layers. The inference plan
   * fuses the same pairs its own way; `STRIATE_PLAN=off` runs them apart, here too.
   */
  private reluPairs(order: readonly number[], heads: readonly number[]): [number, number][] {
    const readers = new Int32Array(this.entries.length);
    for (const index of order) for (const i of this.entries[index].inputs) readers[i]++;
    const pairs: [number, number][] = [];
    for (const index of order) {
      const { layer, inputs } = this.entries[index];
      const bn = inputs[0];
      if (layer instanceof ReLU && this.entries[bn].layer instanceof BatchNorm && readers[bn] === 1 && !heads.includes(bn)) pairs.push([bn, index]);
    }
    return pairs;
  }

  /**
   * The pairs a forward fuses: all of `pairs` but those with a layer whose `forwardFrom`
   * was replaced on the instance (gradcheck's replay of a ReLU's pieces, a wrapper that
   * counts calls): the replacement must run, and it would not inside the batch norm.
   */
  private activeFusions(pairs: readonly [number, number][]): ReluFusions | undefined {
    const replaced = (index: number) => Object.hasOwn(this.entries[index].layer!, 'forwardFrom');
    const fusions: ReluFusions = { batchNormOf: new Int32Array(this.entries.length).fill(-1), reluOf: new Int32Array(this.entries.length).fill(-1) };
    let any = false;
    for (const [bn, relu] of pairs)
      if (!replaced(bn) && !replaced(relu)) {
        fusions.batchNormOf[relu] = bn;
        fusions.reluOf[bn] = relu;
        any = true;
      }
    return any ? fusions : undefined;
  }

  /** The nodes `heads` depend on, themselves included, in topological order. */
  private dependencies(heads: readonly number[]): number[] {
    const needed = new Uint8Array(this.entries.length);
    for (const h of heads) needed[h] = 1;
    for (let i = this.entries.length - 1; i >= 0; i--) if (needed[i]) for (const j of this.entries[i].inputs) needed[j] = 1;
    const plan: number[] = [];
    for (let i = 0; i < this.entries.length; i++) if (needed[i]) plan.push(i);
    return plan;
  }

  /** The per-sample input shapes, in the order of `input()` calls. */
  get inputShapes(): Shape[] {
    return this.inputIndices.map((i) => this.entries[i].node.shape);
  }

  /** The per-sample output shape. */
  get outputShape(): Shape {
    return this.outputEntry().node.shape;
  }

  /** The auxiliary outputs (`output(node, { auxiliary })`): name, per-sample shape and loss weight. */
  get auxiliaryOutputs(): { name: string; shape: Shape; weight: number }[] {
    return this.auxiliary.map(({ index, weight }) => ({ name: this.entries[index].node.name, shape: this.entries[index].node.shape, weight }));
  }

  /** The layers, in the order they were added. */
  get layers(): BaseLayer[] {
    return this.entries.filter((e) => e.layer).map((e) => e.layer!);
  }

  /**
   * Runs every layer the output depends on, in topological order.
   * @example const logits = g.forward(x, { training: true });
   */
  forward(x: Tensor | readonly Tensor[], options: ForwardOptions = {}): Tensor {
    return this.forwardHeads(x, options, false)[0];
  }

  /**
   * The forward pass with the auxiliary heads run too: the output, and one tensor per
   * auxiliary output in `output()`'s order (none when the graph has none). The
   * training loop (`fit`) runs it with `{ training: true }` and hands the heads'
   * weighted loss gradients to `backward`.
   * @example
   * const { output, auxiliary } = model.forwardWithAuxiliary(x, { training: true });
   * let value = loss.forward(output, labels);
   * const dy = loss.backward();
   * const dAux = auxiliary.map((a, k) => {
   *   const w = model.auxiliaryOutputs[k].weight;
   *   value += w * loss.forward(a, labels);
   *   return new st.Tensor(loss.backward().data.map((g) => w * g), a.shape);
   * });
   * model.backward(dy, { inputGrad: false, auxiliary: dAux });
   */
  forwardWithAuxiliary(x: Tensor | readonly Tensor[], options: ForwardOptions = {}): { output: Tensor; auxiliary: Tensor[] } {
    this.buildFor(x);
    const [output, ...auxiliary] = this.forwardHeads(x, options, this.auxiliary.length > 0);
    return { output, auxiliary };
  }

  private forwardHeads(x: Tensor | readonly Tensor[], options: ForwardOptions, withAuxiliary: boolean): Tensor[] {
    checkForwardOptions(`${this.label}.forward`, options);
    if (options.training === true) this.invalidatePlan();
    const ys = this.run(this.prepare(x), options.training === true, false, withAuxiliary);
    this.lastBatch = ys[0].shape[0];
    this.lastRanAuxiliary = withAuxiliary;
    return ys;
  }

  /**
   * The forward pass. With `reuse` (inference whose intermediate values nobody reads
   * afterwards: predictSync), layers write into buffers they keep from call to call, an
   * elementwise layer may overwrite an input whose last reader it is when no other live
   * value shares that input's buffer, and values are dropped once their last reader has
   * run: a pass allocates nothing after the first.
   */
  private run(xs: readonly Tensor[], training: boolean, reuse: boolean, withAuxiliary = false): Tensor[] {
    const out = this.outputEntry();
    const order = withAuxiliary ? this.trainingPlan : this.plan;
    const fusions = reuse || process.env.STRIATE_PLAN === 'off' ? undefined : this.activeFusions(this.fusible![withAuxiliary ? 'training' : 'plan']);
    this.lastFusions = fusions;
    const values: (Tensor | undefined)[] = new Array(this.entries.length);
    this.inputIndices.forEach((index, k) => (values[index] = xs[k]));
    const batch = xs[0].shape[0];
    // With reuse: how many layers still read each value, and the live values per buffer
    // (the caller's tensors count once more, so are never overwritten).
    const readers = new Int32Array(reuse ? this.entries.length : 0);
    const sharing = new Map<ArrayBufferLike, number>();
    const share = (t: Tensor, by: number) => sharing.set(t.data.buffer, (sharing.get(t.data.buffer) ?? 0) + by);
    if (reuse) {
      for (const index of order) for (const i of this.entries[index].inputs) readers[i]++;
      for (const t of xs) share(t, 2);
    }
    for (const index of order) {
      const entry = this.entries[index];
      if (!entry.layer) continue;
      if (fusions && fusions.batchNormOf[index] >= 0) {
        values[index] = values[fusions.batchNormOf[index]];
        continue;
      }
      const inputs = entry.inputs.map((i) => values[i]!);
      const options: ForwardOptions = { training };
      if (reuse) options.transient = { overwritable: entry.inputs.map((i, k) => readers[i] === 1 && sharing.get(inputs[k].data.buffer) === 1) };
      const y = fusions && fusions.reluOf[index] >= 0 ? (entry.layer as BatchNorm).forwardRelu(inputs[0], options) : entry.layer.forwardFrom(inputs, options);
      if (y.shape[0] !== batch || !sameShape(y.shape.slice(1), entry.node.shape))
        throw new Error(`${this.label}: layer '${entry.node.name}' returned ${formatShape(y.shape)}, expected ${formatShape([batch, ...entry.node.shape])}`);
      values[index] = y;
      if (!reuse) continue;
      share(y, 1);
      for (const i of entry.inputs)
        if (--readers[i] === 0 && this.entries[i].layer) {
          share(values[i]!, -1);
          values[i] = undefined;
        }
    }
    return [out.node.index, ...(withAuxiliary ? this.auxiliary.map((a) => a.index) : [])].map((i) => values[i]!);
  }

  /**
   * Runs backward in reverse topological order from dL/dy, accumulating every
   * parameter's gradient; returns dL/dx (one tensor per input for several inputs).
   * With `{ inputGrad: false }` it returns nothing and computes only the gradients
   * that lead to a parameter: a first convolution skips its dx, the most expensive
   * part of LeNet-5's backward. After `forwardWithAuxiliary`, `auxiliary` takes the
   * gradients of the auxiliary outputs (see there).
   * @example
   * model.zeroGrad();
   * loss.forward(model.forward(x, { training: true }), labels);
   * model.backward(loss.backward(), { inputGrad: false });
   */
  backward(dy: Tensor, options?: GraphBackwardOptions & { inputGrad?: true }): Tensor | Tensor[];
  backward(dy: Tensor, options: GraphBackwardOptions): Tensor | Tensor[] | undefined;
  backward(dy: Tensor, options: GraphBackwardOptions = {}): Tensor | Tensor[] | undefined {
    const out = this.outputEntry();
    if (options === null || typeof options !== 'object')
      throw new TypeError(`${this.label}.backward: options must be an object like { inputGrad: false }, got ${describeType(options)}`);
    if (options.inputGrad !== undefined && typeof options.inputGrad !== 'boolean')
      throw new TypeError(`${this.label}.backward: inputGrad must be a boolean, got ${describeType(options.inputGrad)}`);
    if (this.lastBatch < 0) throw new Error(`${this.label}: backward called before forward`);
    if (!(dy instanceof Tensor)) throw new TypeError(`${this.label}.backward: dy must be a Tensor, got ${describeType(dy)}`);
    const want = [this.lastBatch, ...out.node.shape];
    if (!sameShape(dy.shape, want))
      throw new RangeError(`${this.label}.backward: dy must have the output's shape ${formatShape(want)}, got ${formatShape(dy.shape)}`);
    const heads = this.auxiliaryGrads(options.auxiliary);
    const plan = this.lastRanAuxiliary ? this.trainingPlan : this.plan;
    const grads: (Tensor | undefined)[] = new Array(this.entries.length);
    // A gradient is first stored as the tensor a layer returned (which may be shared,
    // e.g. by Add); it is copied only when a second contribution must be summed in, into
    // the node's kept array (a fresh one each step cost ResNet's backward 8 MB a block).
    const owned = new Uint8Array(this.entries.length);
    const accumulate = (index: number, g: Tensor) => {
      const have = grads[index];
      if (!have) grads[index] = g;
      else if (!owned[index]) {
        let kept = this.gradSums.get(index);
        if (kept === undefined) this.gradSums.set(index, (kept = new KeptArray(Float32Array)));
        const sum = kept.take(have.size);
        ew.add(have.data, g.data, sum);
        grads[index] = new Tensor(sum, have.shape);
        owned[index] = 1;
      } else ew.add(have.data, g.data, have.data);
    };
    // A node needs dL/d(node) when a parameter, or an input whose gradient was asked
    // for, lies at or before it.
    const inputGrad = options.inputGrad ?? true;
    const needed = new Uint8Array(this.entries.length);
    for (const index of plan) {
      const { layer, inputs } = this.entries[index];
      needed[index] = Number(layer ? layer.params().length > 0 || inputs.some((i) => needed[i]) : inputGrad);
    }
    grads[out.node.index] = dy;
    heads.forEach((g, k) => accumulate(this.auxiliary[k].index, g));
    for (let p = plan.length - 1; p >= 0; p--) {
      const entry = this.entries[plan[p]];
      const g = grads[entry.node.index];
      if (!entry.layer || !g) continue;
      grads[entry.node.index] = undefined;
      if (!needed[entry.node.index]) continue;
      const bn = this.lastFusions ? this.lastFusions.batchNormOf[entry.node.index] : -1;
      if (bn >= 0) {
        // A ReLU run inside its batch norm: the batch norm's backward applies the ReLU's.
        accumulate(bn, g);
        continue;
      }
      if (!entry.inputs.some((i) => needed[i])) {
        entry.layer.accumulateParamGrads(g);
        continue;
      }
      const dxs = entry.layer.backwardTo(g);
      entry.inputs.forEach((i, k) => {
        if (needed[i]) accumulate(i, dxs[k]);
      });
    }
    if (!inputGrad) return undefined;
    const dxs = this.inputIndices.map((i) => grads[i]!);
    return dxs.length === 1 ? dxs[0] : dxs;
  }

  /** Checks backward's `auxiliary` gradients against the last forward; [] when none are given. */
  private auxiliaryGrads(given: readonly Tensor[] | undefined): readonly Tensor[] {
    const label = `${this.label}.backward`;
    if (given === undefined) return [];
    if (!Array.isArray(given)) throw new TypeError(`${label}: auxiliary must be an array of Tensors, got ${describeType(given)}`);
    if (given.length === 0 && !this.lastRanAuxiliary) return given;
    if (!this.lastRanAuxiliary)
      throw new Error(`${label}: auxiliary gradients need the auxiliary heads run: call forwardWithAuxiliary (this graph has ${this.auxiliary.length} auxiliary outputs)`);
    if (given.length !== this.auxiliary.length)
      throw new RangeError(`${label}: auxiliary must hold ${this.auxiliary.length} gradients, one per auxiliary output, got ${given.length}`);
    given.forEach((g, k) => {
      const want = [this.lastBatch, ...this.entries[this.auxiliary[k].index].node.shape];
      if (!(g instanceof Tensor) || !sameShape(g.shape, want))
        throw new RangeError(`${label}: auxiliary[${k}] must be a Tensor ${formatShape(want)}, got ${g instanceof Tensor ? formatShape(g.shape) : describeType(g)}`);
    });
    return given;
  }

  /**
   * Every trainable parameter, named `<layer>.<param>` (e.g. `conv2d_1.weight`).
   * The tensors are the layers' own: an optimizer updates them in place.
   */
  params(): Param[] {
    return this.named((layer) => layer.params());
  }

  /** Non-trainable state (batch norm running statistics), named like params. */
  buffers(): Buffer[] {
    return this.named((layer) => layer.buffers()).map(({ name, value }) => ({ name, value }));
  }

  /** Sets every parameter gradient to zero (call before each batch's backward). */
  zeroGrad(): void {
    for (const layer of this.layers) layer.zeroGrad();
  }

  /** The number of trainable scalars. */
  countParams(): number {
    return this.layers.reduce((a, l) => a + l.countParams(), 0);
  }

  /**
   * Inference over a large batch in slices of `batchSize`, on the calling thread
   * (`predict` does the same in a worker thread).
   * @example const probs = model.predictSync(testImages, { batchSize: 128 });
   */
  predictSync(x: Tensor | readonly Tensor[], options: PredictOptions = {}): Tensor {
    if (options === null || typeof options !== 'object')
      throw new TypeError(`${this.label}.predictSync: options must be an object like { batchSize }, got ${describeType(options)}`);
    const xs = this.prepare(x);
    const plan = this.currentPlan();
    const batchSize = options.batchSize ?? plan?.batchSize ?? 32;
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`${this.label}.predictSync: batchSize must be an integer >= 1, got ${String(batchSize)}`);
    const n = xs[0].shape[0];
    const sample = this.outputShape;
    const sampleSize = sample.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * sampleSize);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const slices = xs.map((t) => {
        const size = t.size / n;
        return new Tensor(t.data.subarray(start * size, end * size), [end - start, ...t.shape.slice(1)]);
      });
      out.set((plan ? plan.run(slices) : this.run(slices, false, true)[0]).data, start * sampleSize);
    }
    // The layers' saved inputs may have been overwritten: no backward from here.
    this.lastBatch = -1;
    return new Tensor(out, [n, ...sample]);
  }

  /**
   * Compiles the graph for inference and installs the plan, which `predictSync` then
   * runs: batch norms folded into the convolution or dense layer before them, each
   * convolution fused with its bias, residual `Add` and `ReLU` into one native call,
   * the convolutions' outputs in one arena laid out by liveness (src/models/plan/).
   * Outputs equal `forward`'s within float32 rounding. Training (a training forward,
   * `fit`) marks the plan stale and the next `predictSync` compiles it again; after
   * changing weights by hand, call `compile` again. `STRIATE_PLAN=off` in the
   * environment makes `predictSync` ignore the plan (the layer-by-layer path).
   * @example
   * const plan = model.compile({ batchSize: 1 });
   * const probs = model.predictSync(image);   // runs the plan
   */
  compile(options: CompileOptions = {}): InferencePlan {
    const plan = compilePlan(this.topology(), options);
    this.inference = { plan, options: { ...options }, stale: false };
    return plan;
  }

  /**
   * Marks the installed plan out of date: its folded weights are copies, so anything
   * that writes new values into the model's tensors (a training step, `fit` copying
   * an epoch's weights back, a resume) calls this.
   * @internal
   */
  invalidatePlan(): void {
    if (this.inference) this.inference.stale = true;
  }

  /** The installed plan, recompiled when stale; none when STRIATE_PLAN=off. */
  private currentPlan(): InferencePlan | undefined {
    if (!this.inference || process.env.STRIATE_PLAN === 'off') return undefined;
    if (this.inference.stale) this.compile(this.inference.options);
    return this.inference.plan;
  }

  /** The graph as the planner reads it. */
  private topology(): GraphTopology {
    return {
      nodes: this.entries.map((e) => ({ name: e.node.name, layer: e.layer, inputs: e.inputs, shape: e.node.shape })),
      order: this.plan, inputs: this.inputIndices, output: this.outputEntry().node.index,
    };
  }

  /**
   * Trains the model off the calling thread: a worker thread runs the textbook loop
   * (forward, loss, backward, update per mini-batch) on a copy of the model, and the
   * trained weights are copied back after every epoch. The event loop stays free;
   * callbacks run on it. Layers must be registered types (`st.nn`), since the worker
   * rebuilds the model from its config.
   * @example
   * const history = await model.fit(train, {
   *   epochs: 1, batchSize: 64, optimizer: { type: 'adam', lr: 1e-3 },
   *   validationData: test, callbacks: { onEpochEnd: (log) => console.log(log) },
   * });
   */
  fit(data: TrainingData, options: FitOptions = {}): Promise<History> {
    this.buildFor(data?.images);
    return fit(this, data, options);
  }

  /**
   * Mean loss and accuracy over a dataset, computed in a worker thread.
   * @example const { loss, accuracy } = await model.evaluate(test);
   */
  evaluate(data: TrainingData, options: { batchSize?: number; loss?: LossSpec } = {}): Promise<{ loss: number; accuracy: number | null }> {
    this.buildFor(data?.images);
    return evaluate(this, data, options);
  }

  /**
   * Inference over a large batch in slices of `batchSize`, in a worker thread, which
   * compiles the inference plan (see `compile`) for its copy of the weights
   * (`STRIATE_PLAN=off` runs it layer by layer).
   * @example const probs = await model.predict(testImages, { batchSize: 256 });
   */
  predict(x: Tensor, options: PredictOptions = {}): Promise<Tensor> {
    this.buildFor(x);
    return predictAsync(this, x, options);
  }

  /**
   * Saves topology, weights and batch-norm statistics to one file, atomically
   * (`st.load` reads it back bit for bit); `metadata` is any plain JSON kept with it.
   * @example model.save('lenet5.striate');
   */
  save(file: string, metadata: Metadata = {}): void {
    save(this, file, metadata);
  }

  /**
   * Saves the model as ONNX (opset 17, batch symbolic; see `st.onnx.save` for options),
   * for ONNX Runtime, Triton or a phone.
   * @example model.toOnnx('lenet5.onnx');
   */
  toOnnx(file: string, options: OnnxSaveOptions = {}): void {
    saveOnnx(this, file, options);
  }

  /** Sizes a model whose input shape is not yet known (a Sequential) from a batch. */
  protected buildFor(_x: unknown): void {}

  /** A table of the layers with output shapes and parameter counts, and the total. */
  summary(): string {
    return formatSummary(`${this.label}`, this.summaryRows(), true);
  }

  /** The graph as plain JSON (layer configs and connections); see `Graph.fromConfig`. */
  get config(): GraphConfig | SequentialConfig {
    const out = this.outputEntry();
    return {
      type: 'graph',
      seed: this.seed,
      inputs: this.inputIndices.map((i) => ({ name: this.entries[i].node.name, shape: [...this.entries[i].node.shape] })),
      nodes: this.entries
        .filter((e) => e.layer)
        .map((e) => ({ layer: e.layer!.config, inputs: e.inputs.map((i) => this.entries[i].node.name) })),
      output: out.node.name,
      ...(this.auxiliary.length > 0 && { auxiliary: this.auxiliaryOutputs.map(({ name, weight }) => ({ name, weight })) }),
    };
  }

  /**
   * Rebuilds a model from its `config` (fresh weights: load them separately). A
   * Sequential's config (or a bare list of layer configs) gives the same chain as a Graph.
   * @example const copy = st.Graph.fromConfig(JSON.parse(JSON.stringify(g.config)));
   */
  static fromConfig(config: GraphConfig | SequentialConfig | readonly LayerConfig[], options: SequentialOptions = {}): Graph {
    if (options === null || typeof options !== 'object')
      throw new TypeError(`Graph.fromConfig: options must be an object like { inputShape, seed }, got ${describeType(options)}`);
    if (Array.isArray(config) || (config as SequentialConfig)?.type === 'sequential') {
      const list = Array.isArray(config) ? (config as readonly LayerConfig[]) : (config as SequentialConfig).layers;
      const whole = Array.isArray(config) ? undefined : (config as SequentialConfig);
      const shape = options.inputShape ?? whole?.inputShape;
      if (!shape) throw new TypeError('Graph.fromConfig: a chain of layers needs options.inputShape');
      const g = new Graph({ seed: options.seed ?? whole?.seed });
      let node = g.input(shape);
      for (const c of list) node = g.add(layerFromConfig(c), node);
      return g.output(node);
    }
    const c = config as GraphConfig;
    if (c === null || typeof c !== 'object' || !Array.isArray(c.inputs) || !Array.isArray(c.nodes))
      throw new TypeError('Graph.fromConfig: config must be { inputs: [...], nodes: [...], output } as given by graph.config');
    const g = new Graph({ seed: options.seed ?? c.seed });
    const byName = new Map<string, GraphNode>();
    const entry = (list: string, v: unknown, k: number, form: string): Record<string, unknown> => {
      if (v === null || typeof v !== 'object') throw new TypeError(`Graph.fromConfig: ${list}[${k}] must be ${form}, got ${describeType(v)}`);
      return v as Record<string, unknown>;
    };
    c.inputs.forEach((v, k) => {
      const { name, shape } = entry('inputs', v, k, '{ name, shape }') as { name: string; shape: Shape };
      byName.set(name, g.input(shape, { name }));
    });
    const find = (name: string) => {
      const node = byName.get(name);
      if (!node) throw new RangeError(`Graph.fromConfig: unknown node '${String(name)}' (nodes must come after their inputs)`);
      return node;
    };
    for (const [k, v] of c.nodes.entries()) {
      const { layer, inputs } = entry('nodes', v, k, '{ layer, inputs }') as { layer: LayerConfig; inputs: string[] };
      if (!Array.isArray(inputs)) throw new TypeError(`Graph.fromConfig: nodes[${k}].inputs must be an array of node names, got ${describeType(inputs)}`);
      const node = g.add(layerFromConfig(layer), ...inputs.map(find));
      byName.set(node.name, node);
    }
    if (c.auxiliary !== undefined && !Array.isArray(c.auxiliary))
      throw new TypeError(`Graph.fromConfig: auxiliary must be an array of { name, weight }, got ${describeType(c.auxiliary)}`);
    return g.output(find(c.output), { auxiliary: (c.auxiliary ?? []).map((a) => ({ node: find(a?.name), weight: a?.weight })) });
  }

  protected summaryRows(): SummaryRow[] {
    return this.entries.map((e) => ({
      name: e.node.name,
      type: e.layer ? e.layer.type : 'input',
      outputShape: e.node.shape,
      params: e.layer ? e.layer.countParams() : 0,
      inputs: e.inputs.map((i) => this.entries[i].node.name),
    }));
  }

  private named<T extends { name: string }>(list: (layer: BaseLayer) => T[]): T[] {
    const out: T[] = [];
    for (const e of this.entries) if (e.layer) for (const item of list(e.layer)) out.push({ ...item, name: `${e.node.name}.${item.name}` });
    return out;
  }

  private outputEntry(): Entry {
    if (this.outputIndex < 0) throw new Error(`${this.label}: no output; call output(node) after adding the layers`);
    return this.entries[this.outputIndex];
  }

  /** Checks the inputs against the declared shapes; returns them as an array. */
  private prepare(x: Tensor | readonly Tensor[]): readonly Tensor[] {
    this.outputEntry();
    const xs = Array.isArray(x) ? (x as readonly Tensor[]) : [x as Tensor];
    if (xs.length !== this.inputIndices.length)
      throw new RangeError(`${this.label}: expects ${this.inputIndices.length} input tensor(s), got ${xs.length}`);
    xs.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${this.label}: input ${k} must be a Tensor, got ${describeType(t)}`);
      checkTensorData(this.label, `input ${k}`, t);
      const shape = this.entries[this.inputIndices[k]].node.shape;
      if (!sameShape(t.shape.slice(1), shape) || t.shape[0] !== xs[0].shape[0])
        throw new RangeError(
          `${this.label}: input ${k} must be ${formatShape(['N', ...shape] as unknown as number[])} with one N for all inputs, got ${formatShape(t.shape)}`,
        );
    });
    return xs;
  }

  private defaultName(type: string): string {
    for (let k = 1; ; k++) if (!this.names.has(`${type}_${k}`)) return `${type}_${k}`;
  }

  private claimName(name: string): string {
    if (this.names.has(name)) throw new RangeError(`${this.label}: the name '${name}' is already used by another node`);
    this.names.add(name);
    return name;
  }
}

/** A per-node seed from the graph's seed, so layers without their own seed differ. */
function deriveSeed(seed: number, index: number): number {
  return (seed + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
}

