/**
 * An inference plan for a whole graph, built once by `graph.compile()`:
 *   1. fold each batch norm (running statistics) into the convolution or dense layer
 *      before it (fold.ts);
 *   2. cut the kernel taps that read only zero padding on small maps (trim.ts), and run
 *      a convolution whose every window covers its whole map as a dense layer (small-map.ts);
 *   3. fuse each convolution with what follows it in a residual network, bias, the
 *      residual `Add` and a `ReLU`, into one native call whose epilogue finishes every
 *      output as it is stored: y = relu((W ⋆ x + b) + shortcut); a batch norm with no
 *      convolution before it runs with the ReLU after it in one pass (AffineStep), or,
 *      before a 1×1 convolution (DenseNet's BN → ReLU → conv), inside that convolution,
 *      which normalises x as its GEMM packs it (ConvStep.inputNorm);
 *   4. put the outputs of the convolutions, batch norms, concatenations and pools into
 *      one preallocated arena laid out by liveness (arena.ts); every other layer writes
 *      into the arrays it keeps from call to call or over its input, so a pass allocates
 *      no buffers after the first. For one sample, the arena values a channel
 *      concatenation reads are written straight into their parts of it, which then
 *      copies nothing (DenseNet's and GoogLeNet's concatenations; see concatPlacements);
 *   5. pick each convolution's algorithm for the plan's batch size and thread count:
 *      Winograd F(4×4, 3×3) or F(2×2, 3×3) for 3×3 stride-1 convolutions where the native
 *      cost model predicts it 1.2× faster (its weights transformed here, once), else
 *      the native dispatcher's path by shape (1×1 GEMM, im2col + GEMM, direct SIMD;
 *      native/kernels/conv2d/choose.h). A deterministic function of the shapes, the ISA
 *      and the thread count: the same plan for the same model on the same machine.
 * A chain is fused only where nothing else reads its intermediate values. Running the
 * plan gives `forward`'s values within float32 rounding (folding re-rounds the weights;
 * Winograd adds its own rounding, see winograd.ts), the same bits from run to run for a
 * given thread count.
 */
import { getNumThreads, MAX_THREADS, setNumThreads } from '../../backend.js';
import { describeValue, formatShape, MAX_ELEMENTS } from '../../errors.js';
import { BatchNorm1D, BatchNorm2D } from '../../nn/batch-norm.js';
import { Conv2D } from '../../nn/conv.js';
import { Dense } from '../../nn/dense.js';
import type { BaseLayer } from '../../nn/layer.js';
import { Add, Concat } from '../../nn/merge.js';
import { AvgPool2D, MaxPool2D } from '../../nn/pooling.js';
import { ReLU } from '../../nn/activations.js';
import { layerFromConfig } from '../../nn/registry.js';
import { conv2dFused, type Conv2dInputNorm, type Conv2dOptions } from '../../ops/conv.js';
import { resolveConv, type ConvGeometry } from '../../ops/conv-options.js';
import { batchNorm } from '../../ops/elementwise.js';
import { Tensor, type Shape } from '../../tensor.js';
import { layoutArena, type ArenaLayout, type ArenaStep, type Placements } from './arena.js';
import { foldBatchNorm } from './fold.js';
import { convAsDense } from './small-map.js';
import { trimDeadTaps } from './trim.js';
import { conv2dWinograd, convAlgorithm, winogradApplies, winogradWeights, type ConvAlgorithm, type WinogradWeights } from './winograd.js';

/** A graph as the planner reads it: nodes in topological order, by index. */
export interface GraphTopology {
  nodes: readonly { name: string; layer: BaseLayer | undefined; inputs: readonly number[]; shape: Shape }[];
  /** The nodes the output depends on, in topological order. */
  order: readonly number[];
  inputs: readonly number[];
  output: number;
}

export interface CompileOptions {
  /** The batch the arena is first sized for (it grows for a larger one); default 32. */
  batchSize?: number;
  /** Threads the plan's kernels run on, in [1, 1024] (set around each run, then restored); default: the current setting. */
  threads?: number;
  /**
   * How each convolution's algorithm is picked: 'auto' (default) by the native cost model
   * for the plan's batch size and threads; 'plain' never Winograd (the native dispatcher's
   * path, as `st.ops.conv2d`, after the plan's cut of dead taps and dense form on small
   * maps); 'winograd-f2' or 'winograd-f4' Winograd F(2×2, 3×3) or
   * F(4×4, 3×3) wherever it applies (3×3, stride 1, dilation 1, groups 1), for tests and
   * benchmarks.
   */
  convAlgorithm?: 'auto' | 'plain' | 'winograd-f2' | 'winograd-f4';
}

const convAlgorithms = ['auto', 'plain', 'winograd-f2', 'winograd-f4'];

/** One fused convolution: y = act((W ⋆ x + b) + residual), W and b with any batch norm folded in, W without dead taps (trim.ts). */
export interface ConvStep {
  kind: 'conv';
  /** The graph nodes this step computes, the convolution first (an input norm's batch norm and ReLU last). */
  nodes: string[];
  input: number;
  /** A batch norm and ReLU applied to the input first (a 1×1 convolution only); null otherwise. */
  inputNorm: Conv2dInputNorm | null;
  residual: number | undefined;
  output: number;
  weight: Tensor;
  bias: Tensor | null;
  options: Conv2dOptions;
  relu: boolean;
  /**
   * Whether the convolution runs as a dense layer (small-map.ts): `weight` and `bias` are
   * then its dense form, a 1×1 convolution on x and the residual viewed as [N, C·H·W, 1, 1].
   */
  asDense: boolean;
  /** How the convolution runs, chosen at compile time for the plan's batch size and threads. */
  algorithm: ConvAlgorithm;
  /** `weight` transformed for a Winograd algorithm; null otherwise. */
  winograd: WinogradWeights | null;
}

/** Any other layer, run as in `predictSync` (a dense layer may carry a folded batch norm). */
export interface LayerStep {
  kind: 'layer';
  nodes: string[];
  layer: BaseLayer;
  inputs: number[];
  output: number;
  /** Whether the layer writes its output into the arena (transient.out): see ARENA_LAYERS. */
  inArena: boolean;
}

/**
 * A batch norm with no convolution before it to fold into, and the ReLU after it
 * (DenseNet's norm → ReLU → convolution on the concatenated features), in one native pass
 * into the arena: the same floats as the two layers, one pass over memory fewer.
 */
export interface AffineStep {
  kind: 'affine';
  nodes: string[];
  inputs: [number];
  output: number;
  /** The batch norm's running statistics and parameters as of compile time. */
  mean: Float64Array;
  invStd: Float64Array;
  gamma: Float32Array;
  beta: Float32Array;
}

/**
 * The layers that write their output into the array the plan gives them (`outputFor`
 * in nn/kept-array.ts), so that it can go into the arena. The others keep an array of
 * their own, or write over or return a view of an input (ReLU, Add, Flatten). DenseNet-121
 * with its 120 batch norms and 58 concatenations each in an array of its own held 1.4–1.6
 * times ONNX Runtime's peak memory (bench:nets-rss).
 */
const ARENA_LAYERS = [BatchNorm2D, Concat, MaxPool2D, AvgPool2D];
const inArena = (layer: BaseLayer) => ARENA_LAYERS.some((type) => layer instanceof type);

export type PlanStep = ConvStep | AffineStep | LayerStep;

/**
 * A compiled graph: `run` is its inference forward pass.
 * @example
 * const plan = model.compile({ batchSize: 1 });
 * plan.steps.map((s) => s.nodes.join('+'))   // ['conv2d_1+batchNorm2d_1+relu_1', ...]
 * const y = model.predictSync(x);             // runs the plan
 */
export class InferencePlan {
  readonly batchSize: number;
  readonly threads: number | undefined;
  private arena = new Float32Array(0);
  private readonly layout: ArenaLayout;
  /** The layout for one sample, with concatenation inputs inside their concatenations. */
  private readonly single: ArenaLayout;
  /** The concatenations that, for one sample, hold some of their inputs already (concatPlacements). */
  private readonly hosts: ReadonlySet<number>;

  /** @internal */
  constructor(
    private readonly topology: GraphTopology,
    readonly steps: readonly PlanStep[],
    options: CompileOptions,
  ) {
    this.batchSize = options.batchSize ?? 32;
    this.threads = options.threads;
    const sizes = new Map<number, number>();
    for (const s of steps) sizes.set(s.output, topology.nodes[s.output].shape.reduce((a, d) => a * d, 1));
    const arenaSteps = steps.map((s) => ({
      inputs: s.kind === 'conv' ? [s.input, ...(s.residual === undefined ? [] : [s.residual])] : s.inputs,
      output: s.output, inArena: s.kind !== 'layer' || s.inArena,
    }));
    this.layout = layoutArena(arenaSteps, sizes, [topology.output]);
    const placements = concatPlacements(steps, arenaSteps, (v) => topology.nodes[v].shape.reduce((a, d) => a * d, 1));
    this.hosts = new Set([...placements.values()].map((p) => p.host));
    this.single = placements.size === 0 ? this.layout : layoutArena(arenaSteps, sizes, [topology.output], placements);
    if (this.layout.size * this.batchSize > MAX_ELEMENTS)
      throw new RangeError(
        `compile: batchSize ${this.batchSize} is too large: the arena would hold ${this.layout.size} values per sample times it, ` +
          `more than the ${MAX_ELEMENTS} a Float32Array can hold`,
      );
    this.arena = new Float32Array(this.batchSize === 1 ? this.single.size : this.layout.size * this.batchSize);
  }

  private layoutFor(batch: number): ArenaLayout {
    return batch === 1 ? this.single : this.layout;
  }

  /** Floats in the arena per sample (its size is this times the largest batch run; less for one sample). */
  get arenaFloatsPerSample(): number {
    return this.layout.size;
  }

  /** Where each arena value lies for a batch of `batch`: [start, end) in floats, by node name. */
  arenaRanges(batch: number): Map<string, [number, number]> {
    const out = new Map<string, [number, number]>();
    for (const [v, offset] of this.layoutFor(batch).offsets) {
      const size = this.topology.nodes[v].shape.reduce((a, d) => a * d, 1);
      out.set(this.topology.nodes[v].name, [offset * batch, (offset + size) * batch]);
    }
    return out;
  }

  /**
   * The forward pass on inputs already checked against the graph's shapes. The result
   * may lie in the arena or a layer's kept array: valid until the next run.
   */
  run(xs: readonly Tensor[]): Tensor {
    const before = this.threads === undefined ? undefined : getNumThreads();
    if (this.threads !== undefined) setNumThreads(this.threads);
    try {
      return this.steps.length === 0 ? xs[0] : this.pass(xs);
    } finally {
      if (before !== undefined) setNumThreads(before);
    }
  }

  private pass(xs: readonly Tensor[]): Tensor {
    const { nodes, inputs, output } = this.topology;
    const batch = xs[0].shape[0];
    const layout = this.layoutFor(batch);
    if (this.arena.length < layout.size * batch) this.arena = new Float32Array(layout.size * batch);
    const values: (Tensor | undefined)[] = new Array(nodes.length);
    inputs.forEach((index, k) => (values[index] = xs[k]));
    // The arena slice of value v, for this batch.
    const slot = (v: number) => {
      const offset = layout.offsets.get(v)! * batch;
      return this.arena.subarray(offset, offset + batch * nodes[v].shape.reduce((a, d) => a * d, 1));
    };
    this.steps.forEach((step, k) => {
      if (step.kind === 'conv') {
        // A dense-form convolution reads x and the residual as [N, C·H·W, 1, 1] (NCHW: the same floats).
        const view = (t: Tensor, channels: number) => step.asDense ? new Tensor(t.data, [batch, channels, 1, 1]) : t;
        const epilogue = {
          residual: step.residual === undefined ? null : view(values[step.residual]!, step.weight.shape[0]),
          activation: step.relu ? 'relu' as const : 'none' as const, inputNorm: step.inputNorm,
        };
        const x = view(values[step.input]!, step.weight.shape[1]), out = slot(step.output);
        const y = step.winograd
          ? conv2dWinograd(x, step.winograd, step.bias, step.options, epilogue, out)
          : conv2dFused(x, step.weight, step.bias, step.options, epilogue, out);
        values[step.output] = step.asDense ? new Tensor(y.data, [batch, ...nodes[step.output].shape]) : y;
        return;
      }
      if (step.kind === 'affine') {
        const x = values[step.inputs[0]]!;
        const out = slot(step.output);
        batchNorm(x.data, out, x.shape[0], x.shape[1], x.size / (x.shape[0] * x.shape[1]), step.mean, step.invStd, step.gamma, step.beta, true);
        values[step.output] = new Tensor(out, x.shape);
        return;
      }
      if (layout === this.single && this.hosts.has(step.output)) {
        // A concatenation whose placed inputs already lie in their parts of it: the others are copied in.
        const out = slot(step.output);
        let at = 0;
        for (const v of step.inputs) {
          const x = values[v]!;
          if (x.data.buffer !== out.buffer || x.data.byteOffset !== out.byteOffset + 4 * at) out.set(x.data, at);
          at += x.size;
        }
        values[step.output] = new Tensor(out, [batch, ...nodes[step.output].shape]);
        return;
      }
      const y = step.layer.forwardFrom(step.inputs.map((i) => values[i]!), {
        training: false, transient: { overwritable: layout.overwritable[k], ...(step.inArena ? { out: slot(step.output) } : {}) },
      });
      const want = [batch, ...nodes[step.output].shape];
      if (y.shape.length !== want.length || y.shape.some((d, i) => d !== want[i]))
        throw new Error(`InferencePlan: layer '${nodes[step.output].name}' returned [${y.shape.join(', ')}], expected [${want.join(', ')}]`);
      values[step.output] = y;
    });
    return values[output]!;
  }
}

/**
 * Where the inputs of channel concatenations go for one sample: inside the concatenation,
 * at their channel offset, each input that a step writes into the arena (a convolution, a
 * batch norm, a pool, another concatenation), that this concatenation reads once, and
 * that no earlier concatenation has taken. At batch 1 an NCHW channel concatenation is
 * its inputs end to end, so DenseNet's block of concatenations becomes one buffer that
 * each layer's 32 new channels are written into, and GoogLeNet's branches write their
 * parts of the inception output: DenseNet-121 at 3×224×224 copied about 45 MB a pass.
 */
function concatPlacements(steps: readonly PlanStep[], arenaSteps: readonly ArenaStep[], sizeOf: (v: number) => number): Placements {
  const placements = new Map<number, { host: number; offset: number }>();
  const inArena = new Set(arenaSteps.filter((s) => s.inArena).map((s) => s.output));
  for (const step of steps) {
    if (step.kind !== 'layer' || !step.inArena || !(step.layer instanceof Concat) || step.layer.axis !== 1) continue;
    let offset = 0;
    for (const v of step.inputs) {
      if (inArena.has(v) && !placements.has(v) && step.inputs.indexOf(v) === step.inputs.lastIndexOf(v))
        placements.set(v, { host: step.output, offset });
      offset += sizeOf(v);
    }
  }
  return placements;
}

/** Whether a convolution reads each input pixel once, on its own (1×1, stride 1, no padding, one group): its GEMM's B is x. */
function pointwise(g: ConvGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 && g.groups === 1 &&
    g.padTop === 0 && g.padBottom === 0 && g.padLeft === 0 && g.padRight === 0;
}

/** A convolution's algorithm under the `convAlgorithm` option, for input `xShape` at `threads` (default: the current count). */
function chooseAlgorithm(pick: NonNullable<CompileOptions['convAlgorithm']>, xShape: Shape, wShape: Shape,
  options: Conv2dOptions, threads: number | undefined): ConvAlgorithm {
  if ((pick === 'winograd-f2' || pick === 'winograd-f4') && winogradApplies(xShape, wShape, options)) return pick;
  const before = getNumThreads();
  if (threads !== undefined) setNumThreads(threads);
  try {
    return convAlgorithm(xShape, wShape, options, pick === 'auto');
  } finally {
    if (threads !== undefined) setNumThreads(before);
  }
}

/** Builds the plan of `topology` (see the file's header). */
export function compilePlan(topology: GraphTopology, options: CompileOptions = {}): InferencePlan {
  if (options === null || typeof options !== 'object') throw new TypeError(`compile: options must be an object, got ${describeValue(options)}`);
  const { batchSize, threads, convAlgorithm: pick = 'auto' } = options;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1))
    throw new RangeError(`compile: batchSize must be an integer >= 1, got ${describeValue(batchSize)}`);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS))
    throw new RangeError(`compile: threads must be an integer in [1, ${MAX_THREADS}], got ${describeValue(threads)}`);
  if (!convAlgorithms.includes(pick))
    throw new RangeError(`compile: convAlgorithm must be one of ${convAlgorithms.map((a) => `'${a}'`).join(', ')}, got ${describeValue(pick)}`);
  const { nodes, order, output } = topology;
  // Every value of the graph holds batchSize samples at once: the largest must fit a Float32Array.
  const batch = batchSize ?? 32;
  for (const node of nodes) {
    const size = node.shape.reduce((a, d) => a * d, 1);
    if (batch * size > MAX_ELEMENTS)
      throw new RangeError(
        `compile: batchSize ${batch} is too large: node '${node.name}' ${formatShape([batch, ...node.shape])} would hold ` +
          `${batch * size} values, more than the ${MAX_ELEMENTS} a Float32Array can hold`,
      );
  }
  const readers = new Map<number, number[]>();
  for (const i of order) for (const j of nodes[i].inputs) readers.set(j, [...(readers.get(j) ?? []), i]);
  // The one layer that reads node v, when nothing else (nor the caller) does.
  const soleReader = (v: number): number | undefined => {
    const r = readers.get(v) ?? [];
    return v !== output && r.length === 1 ? r[0] : undefined;
  };
  const absorbed = new Set<number>();
  const stepAt = new Map<number, PlanStep>();
  // A node another chain has already taken (two convolutions meeting at one Add).
  const taken = (v: number | undefined) => v === undefined || absorbed.has(v) || stepAt.has(v);
  for (const i of order) {
    const layer = nodes[i].layer;
    if (layer instanceof Conv2D) {
      const chain = [i];
      let weight = layer.weight!.value, bias = layer.bias ? layer.bias.value : null, residual: number | undefined, relu = false;
      let next = soleReader(i);
      if (!taken(next) && nodes[next!].layer instanceof BatchNorm2D) {
        ({ weight, bias } = foldBatchNorm(weight, bias, nodes[next!].layer as BatchNorm2D));
        chain.push(next!);
        next = soleReader(next!);
      }
      const last = chain[chain.length - 1];
      if (!taken(next) && nodes[next!].layer instanceof Add && nodes[next!].inputs.length === 2) {
        const other = nodes[next!].inputs.find((j) => j !== last);
        if (other !== undefined) {
          residual = other;
          chain.push(next!);
          next = soleReader(next!);
        }
      }
      if (!taken(next) && nodes[next!].layer instanceof ReLU) {
        relu = true;
        chain.push(next!);
      }
      const out = chain[chain.length - 1];
      const inputShape = nodes[nodes[i].inputs[0]].shape;
      let options: Conv2dOptions = { stride: layer.stride, padding: layer.padding, dilation: layer.dilation, groups: layer.groups };
      ({ weight, options } = trimDeadTaps(inputShape, weight, options));
      const dense = convAsDense(inputShape, weight, bias, options);
      if (dense) {
        ({ weight, bias } = dense);
        options = {};
      }
      const convInput = dense ? [weight.shape[1], 1, 1] : inputShape;
      const algorithm = chooseAlgorithm(pick, [batch, ...convInput], weight.shape, options, threads);
      const tile = algorithm === 'winograd-f4' ? 4 : algorithm === 'winograd-f2' ? 2 : undefined;
      chain.slice(0, -1).forEach((j) => absorbed.add(j));
      let input = nodes[i].inputs[0], inputNorm: Conv2dInputNorm | null = null, normNodes: string[] = [];
      // A BN + ReLU step (AffineStep) that only this 1×1 convolution reads runs inside it
      // (not inside a dense form, whose input channels are the map's pixels).
      const before = stepAt.get(input);
      if (before?.kind === 'affine' && soleReader(input) === i && !dense && pointwise(resolveConv('compile', 2, [batch, ...inputShape], weight.shape, options))) {
        stepAt.delete(input);
        absorbed.add(input);
        ({ nodes: normNodes, inputs: [input] } = before);
        inputNorm = { mean: before.mean, invStd: before.invStd, gamma: before.gamma, beta: before.beta };
      }
      stepAt.set(out, {
        kind: 'conv', nodes: [...chain.map((j) => nodes[j].name), ...normNodes], input, inputNorm, residual, output: out,
        weight, bias, options, relu, asDense: dense !== undefined, algorithm, winograd: tile === undefined ? null : winogradWeights(weight, tile),
      });
    } else if (layer instanceof BatchNorm2D && !taken(i)) {
      const next = soleReader(i);
      if (!taken(next) && nodes[next!].layer instanceof ReLU) {
        absorbed.add(i);
        stepAt.set(next!, {
          kind: 'affine', nodes: [nodes[i].name, nodes[next!].name], inputs: [nodes[i].inputs[0]], output: next!,
          ...layer.inferenceStatistics(), gamma: Float32Array.from(layer.gamma!.value.data), beta: Float32Array.from(layer.beta!.value.data),
        });
      }
    } else if (layer instanceof Dense) {
      const next = soleReader(i);
      if (!taken(next) && nodes[next!].layer instanceof BatchNorm1D && nodes[i].shape.length === 1) {
        const folded = foldBatchNorm(layer.weight!.value, layer.bias ? layer.bias.value : null, nodes[next!].layer as BatchNorm1D);
        const copy = layerFromConfig({ ...layer.config, useBias: true }) as Dense;
        copy.buildFrom([nodes[nodes[i].inputs[0]].shape], 0);
        copy.weight!.value.data.set(folded.weight.data);
        copy.bias!.value.data.set(folded.bias.data);
        absorbed.add(i);
        stepAt.set(next!, { kind: 'layer', nodes: [nodes[i].name, nodes[next!].name], layer: copy, inputs: [...nodes[i].inputs], output: next!, inArena: false });
      }
    }
  }
  const steps: PlanStep[] = [];
  for (const i of order) {
    if (!nodes[i].layer || absorbed.has(i)) continue;
    steps.push(stepAt.get(i) ?? { kind: 'layer', nodes: [nodes[i].name], layer: nodes[i].layer!, inputs: [...nodes[i].inputs], output: i, inArena: inArena(nodes[i].layer!) });
  }
  return new InferencePlan(topology, steps, options);
}
