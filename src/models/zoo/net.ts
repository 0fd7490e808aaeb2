/**
 * The small vocabulary the zoo's builders are written in: conv, batch norm, ReLU,
 * pooling, dense, concat and add on a `Net`, which wraps a Graph. A Net can also run
 * "dry", computing only output shapes (no weights), so a builder can find out cheaply
 * whether an input size is large enough, and the smallest that is.
 */
import { MAX_ELEMENTS } from '../../errors.js';
import { Graph, type GraphNode } from '../graph.js';
import { AdaptiveAvgPool2D } from '../../nn/adaptive-pool.js';
import { BatchNorm2D } from '../../nn/batch-norm.js';
import { Conv2D } from '../../nn/conv.js';
import { Dense } from '../../nn/dense.js';
import { Dropout } from '../../nn/dropout.js';
import { Flatten } from '../../nn/flatten.js';
import type { BaseLayer } from '../../nn/layer.js';
import { LocalResponseNorm } from '../../nn/local-response-norm.js';
import { Add, Concat } from '../../nn/merge.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D } from '../../nn/pooling.js';
import { ReLU } from '../../nn/activations.js';
import type { Shape } from '../../tensor.js';
import { cannotBuild, type ResolvedOptions } from './options.js';

/** A node of a Net: a GraphNode, or in a dry run only a shape. */
export interface Node {
  readonly shape: Shape;
}

type Pair = number | readonly [number, number];

export interface ConvSpec {
  stride?: Pair;
  /** Default 0. */
  padding?: Pair;
  /** Default false: every conv the zoo puts before a batch norm has none. */
  bias?: boolean;
}

export class Net {
  private readonly graph: Graph | undefined;
  readonly input: Node;
  /** In a dry run: the parameters the layers would have. */
  dryParams = 0;
  /** Heads that training adds to the loss (`auxiliary`), given to the graph's output. */
  private readonly heads: { node: Node; weight: number }[] = [];

  constructor(inputShape: Shape, seed: number, dry: boolean) {
    if (dry) {
      this.input = { shape: inputShape };
    } else {
      this.graph = new Graph({ seed });
      this.input = this.graph.input([...inputShape], { name: 'input' });
    }
  }

  /** Applies a layer; in a dry run only checks the shapes. */
  add(layer: BaseLayer, ...inputs: Node[]): Node {
    if (!this.graph) {
      const shapes = inputs.map((n) => n.shape);
      const shape = layer.outputShapeFrom(shapes);
      const params = paramsOf(layer, shapes[0]);
      // The real build would fail allocating them: fail here, where buildNet can say which options did it.
      if (params > MAX_ELEMENTS)
        throw new RangeError(`${layer.type} '${layer.name}': ${params} parameters, more than the ${MAX_ELEMENTS} a Float32Array can hold`);
      this.dryParams += params;
      return { shape };
    }
    return this.graph.add(layer, ...(inputs as GraphNode[]));
  }

  /** Marks `node` as an auxiliary output whose loss training adds with `weight` (see Graph.output). */
  auxiliary(node: Node, weight: number): void {
    this.heads.push({ node, weight });
  }

  /** The finished graph (not for a dry run). */
  finish(output: Node): Graph {
    if (!this.graph) throw new Error('Net.finish: a dry run has no graph');
    return this.graph.output(output as GraphNode, { auxiliary: this.heads.map(({ node, weight }) => ({ node: node as GraphNode, weight })) });
  }

  conv(x: Node, name: string, filters: number, kernelSize: Pair, spec: ConvSpec = {}): Node {
    return this.add(
      new Conv2D({ name, filters, kernelSize, stride: spec.stride ?? 1, padding: spec.padding ?? 0, useBias: spec.bias ?? false }), x);
  }

  bn(x: Node, name: string, eps = 1e-5): Node {
    return this.add(new BatchNorm2D({ name, eps }), x);
  }

  relu(x: Node, name?: string): Node {
    return this.add(new ReLU({ name }), x);
  }

  /** conv (no bias) -> batch norm -> ReLU: torchvision's BasicConv2d with `eps`. */
  convBnRelu(x: Node, name: string, filters: number, kernelSize: Pair, spec: ConvSpec = {}, eps = 1e-5): Node {
    return this.relu(this.bn(this.conv(x, `${name}.conv`, filters, kernelSize, spec), `${name}.bn`, eps));
  }

  maxPool(x: Node, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode = false, name?: string): Node {
    return this.add(new MaxPool2D({ name, kernelSize, stride, padding, ceilMode }), x);
  }

  avgPool(x: Node, kernelSize: Pair, stride: Pair, padding: Pair = 0, name?: string): Node {
    return this.add(new AvgPool2D({ name, kernelSize, stride, padding }), x);
  }

  adaptiveAvgPool(x: Node, outputSize: Pair, name?: string): Node {
    return this.add(new AdaptiveAvgPool2D({ name, outputSize }), x);
  }

  /** [N, C, H, W] -> [N, C]: the mean of each channel. */
  globalAvgPool(x: Node, name?: string): Node {
    return this.add(new GlobalAvgPool2D({ name }), x);
  }

  /** Local response normalisation over 5 channels, beta 0.75 (alpha is divided by the size here). */
  lrn(x: Node, name: string, alpha: number, k: number): Node {
    return this.add(new LocalResponseNorm({ name, size: 5, alpha, beta: 0.75, k }), x);
  }

  flatten(x: Node): Node {
    return this.add(new Flatten(), x);
  }

  dense(x: Node, name: string, units: number, lastLayer = false): Node {
    return this.add(new Dense({ name, units, kernelInitializer: lastLayer ? 'glorotUniform' : 'heNormal' }), x);
  }

  dropout(x: Node, rate: number): Node {
    return this.add(new Dropout({ rate }), x);
  }

  concat(name: string | undefined, ...xs: Node[]): Node {
    return this.add(new Concat({ name }), ...xs);
  }

  sum(name: string | undefined, a: Node, b: Node): Node {
    return this.add(new Add({ name }), a, b);
  }
}

/**
 * The parameter count of a zoo layer for its input shape, from its config alone: conv
 * filters·(Cin/groups)·kH·kW (+ filters), dense units·in (+ units), batch norm 2·C.
 * zoo.test.ts holds it against countParams() of every built model.
 */
function paramsOf(layer: BaseLayer, input: Shape): number {
  const c = layer.config as Record<string, unknown>;
  switch (layer.type) {
    case 'conv2d': {
      const k = c.kernelSize as number | [number, number];
      const [kH, kW] = typeof k === 'number' ? [k, k] : k;
      const filters = c.filters as number;
      return filters * (input[0] / ((c.groups as number) ?? 1)) * kH * kW + (c.useBias ? filters : 0);
    }
    case 'dense':
      return (c.units as number) * input.reduce((a, b) => a * b, 1) + (c.useBias === false ? 0 : (c.units as number));
    case 'batchNorm2d':
      return 2 * input[0];
    default:
      return 0;
  }
}

/** Set while `countParamsDry` runs: buildNet then counts instead of building. */
let counting = false;

/** What a dry run finds out about the model a builder would return. */
export interface DryRun {
  /** Trainable scalars, auxiliary heads included. */
  params: number;
  /** One sample's input and output shapes. */
  inputShape: Shape;
  outputShape: Shape;
}

/** Carries a dry run's result out of a builder (the builder's code after buildNet is skipped). */
class DryResult {
  constructor(readonly result: DryRun) {}
}

/**
 * The parameter count and shapes of the model `build` would return, from a dry run:
 * no weights are allocated, so VGG's 138M parameters are counted in milliseconds.
 */
export function dryRun(build: () => unknown): DryRun {
  counting = true;
  try {
    build();
  } catch (e) {
    if (e instanceof DryResult) return e.result;
    throw e;
  } finally {
    counting = false;
  }
  throw new Error('dryRun: the builder does not build through buildNet');
}

/** The parameter count of the model `build` would return (see dryRun). */
export function countParamsDry(build: () => unknown): number {
  return dryRun(build).params;
}

/** Spatial sizes tried when looking for an architecture's smallest input. */
const LARGEST_TRIED = 512;

/**
 * Builds the graph `body` describes, first running it dry: an input too small for the
 * architecture gives a RangeError naming the smallest square input it takes (and `hint`);
 * options that give a layer no input size can build (a huge growthRate) give one naming them.
 */
export function buildNet(label: string, o: ResolvedOptions, body: (net: Net) => Node, hint = ''): Graph {
  const failure = (shape: Shape): RangeError | undefined => {
    try {
      body(new Net(shape, 0, true));
      return undefined;
    } catch (e) {
      if (e instanceof RangeError) return e;
      throw e;
    }
  };
  const error = failure(o.inputShape);
  if (error) {
    const [c, h, w] = o.inputShape;
    let min = 0;
    for (let s = 1; s <= LARGEST_TRIED && !min; s++) if (!failure([c, s, s])) min = s;
    if (min > Math.min(h, w))
      throw new RangeError(`${label}: inputShape [${c}, ${h}, ${w}] is too small for this architecture; the smallest square input it takes is [${c}, ${min}, ${min}]${hint}`);
    throw cannotBuild(label, o, error);
  }
  if (counting) {
    const dry = new Net(o.inputShape, o.seed, true);
    const out = body(dry);
    throw new DryResult({ params: dry.dryParams, inputShape: o.inputShape, outputShape: out.shape });
  }
  const net = new Net(o.inputShape, o.seed, false);
  return net.finish(body(net));
}
