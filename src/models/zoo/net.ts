/**
 * The small vocabulary the zoo's builders are written in: conv, batch norm, ReLU,
 * pooling, dense, concat and add on a `Net`, which wraps a Graph. A Net can also run
 * "dry", computing only output shapes (no weights), so a builder can find out cheaply
 * whether an input size is large enough, and the smallest that is.
 */
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
import type { ResolvedOptions } from './options.js';

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
      this.dryParams += paramsOf(layer, shapes[0]);
      return { shape };
    }
    return this.graph.add(layer, ...(inputs as GraphNode[]));
  }

  /** The finished graph (not for a dry run). */
  finish(output: Node): Graph {
    if (!this.graph) throw new Error('Net.finish: a dry run has no graph');
    return this.graph.output(output as GraphNode);
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

/** Carries a dry count out of a builder (the builder's code after buildNet is skipped). */
class DryCount {
  constructor(readonly params: number) {}
}

/**
 * The parameter count of the model `build` would return, from a dry run: no weights
 * are allocated, so VGG's 138M parameters are counted in milliseconds.
 */
export function countParamsDry(build: () => unknown): number {
  counting = true;
  try {
    build();
  } catch (e) {
    if (e instanceof DryCount) return e.params;
    throw e;
  } finally {
    counting = false;
  }
  throw new Error('countParamsDry: the builder does not build through buildNet');
}

/** Spatial sizes tried when looking for an architecture's smallest input. */
const LARGEST_TRIED = 512;

/**
 * Builds the graph `body` describes, first running it dry: an input too small for the
 * architecture gives a RangeError naming the smallest square input it takes (and `hint`).
 */
export function buildNet(label: string, o: ResolvedOptions, body: (net: Net) => Node, hint = ''): Graph {
  const fits = (shape: Shape) => {
    try {
      body(new Net(shape, 0, true));
      return true;
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  };
  if (!fits(o.inputShape)) {
    const [c, h, w] = o.inputShape;
    let min = 0;
    for (let s = 1; s <= LARGEST_TRIED && !min; s++) if (fits([c, s, s])) min = s;
    const smallest = min ? `the smallest square input it takes is [${c}, ${min}, ${min}]` : `no square input up to ${LARGEST_TRIED} fits`;
    throw new RangeError(`${label}: inputShape [${c}, ${h}, ${w}] is too small for this architecture; ${smallest}${hint}`);
  }
  if (counting) {
    const dry = new Net(o.inputShape, o.seed, true);
    body(dry);
    throw new DryCount(dry.dryParams);
  }
  const net = new Net(o.inputShape, o.seed, false);
  return net.finish(body(net));
}
