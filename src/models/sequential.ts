/**
 * A chain of single-input layers: the simplest graph. Its input shape is given
 * (`inputShape`) or taken from the first batch; then each layer is built from the
 * output shape of the one before (`build(inputShape)`), so only the first sizes
 * ever need writing down.
 */
import { Layer, type LayerConfig } from '../nn/layer.js';
import { layerFromConfig } from '../nn/registry.js';
import type { BackwardOptions, ForwardOptions } from '../nn/layer.js';
import { describeType, formatShape } from '../errors.js';
import { Tensor, type Shape } from '../tensor.js';
import { Graph, type GraphConfig, type GraphOptions, type PredictOptions } from './graph.js';
import { formatSummary } from './summary.js';

export interface SequentialOptions extends GraphOptions {
  /** One sample's shape (no batch dimension), e.g. [1, 32, 32]; default: from the first forward. */
  inputShape?: Shape;
}

/** The JSON form of a Sequential: `Sequential.fromConfig(model.config)` rebuilds it. */
export interface SequentialConfig {
  type: 'sequential';
  seed: number;
  inputShape?: number[];
  layers: LayerConfig[];
}

/**
 * A model that applies its layers one after the other.
 * @example
 * const model = new st.Sequential([
 *   new st.nn.Conv2D({ filters: 6, kernelSize: 5 }),   // [N,1,32,32] -> [N,6,28,28]
 *   new st.nn.ReLU(),
 *   new st.nn.MaxPool2D({ kernelSize: 2 }),            // -> [N,6,14,14]
 *   new st.nn.Flatten(),
 *   new st.nn.Dense({ units: 10 }),                    // -> [N,10]
 * ], { inputShape: [1, 32, 32] });
 * console.log(model.summary());
 */
export class Sequential extends Graph {
  private readonly chain: Layer[];
  private built = false;

  constructor(layers: readonly Layer[], options: SequentialOptions = {}) {
    super(options);
    if (!Array.isArray(layers)) throw new TypeError(`Sequential: layers must be an array of layers, got ${typeof layers}`);
    if (layers.length === 0) throw new RangeError('Sequential: layers must hold at least one layer, got []');
    layers.forEach((layer, i) => {
      if (!(layer instanceof Layer))
        throw new TypeError(
          `Sequential: layers[${i}] must be a single-input layer (merge layers such as Add need a Graph), got ${layer?.constructor?.name ?? typeof layer}`,
        );
    });
    this.chain = [...layers];
    if (options.inputShape !== undefined) this.build(options.inputShape);
  }

  /**
   * Builds every layer for one sample's shape; done by the constructor when
   * `inputShape` is given, otherwise by the first `forward`, `predict` or `fit`.
   */
  build(inputShape: Shape): this {
    if (this.built) {
      if (!sameDims(inputShape, this.inputShapes[0]))
        throw new RangeError(`Sequential: built for input ${formatShape(this.inputShapes[0])}, got ${formatShape(inputShape)}`);
      return this;
    }
    let node = this.input(inputShape);
    for (const layer of this.chain) node = this.add(layer, node);
    this.output(node);
    this.built = true;
    return this;
  }

  /** The layers, in order. */
  override get layers(): Layer[] {
    return [...this.chain];
  }

  override forward(x: Tensor, options: ForwardOptions = {}): Tensor {
    this.buildFor(x);
    return super.forward(x, options);
  }

  override backward(dy: Tensor, options?: BackwardOptions & { inputGrad?: true }): Tensor;
  override backward(dy: Tensor, options: BackwardOptions): Tensor | undefined;
  override backward(dy: Tensor, options: BackwardOptions = {}): Tensor | undefined {
    return super.backward(dy, options) as Tensor | undefined;
  }

  override predictSync(x: Tensor, options: PredictOptions = {}): Tensor {
    this.buildFor(x);
    return super.predictSync(x, options);
  }

  override summary(): string {
    this.requireBuilt('summary');
    return formatSummary('Sequential', this.summaryRows().slice(1), false);
  }

  override get config(): SequentialConfig {
    const config: SequentialConfig = { type: 'sequential', seed: this.seed, layers: this.chain.map((l) => l.config) };
    if (this.built) config.inputShape = [...this.inputShapes[0]];
    return config;
  }

  /**
   * A model from layer configs: either `model.config`, or a list of layer configs
   * with the input shape in `options`.
   * @example
   * const lenet = st.Sequential.fromConfig([
   *   { type: 'conv2d', filters: 6, kernelSize: 5 }, { type: 'relu' }, { type: 'maxPool2d', kernelSize: 2 },
   *   { type: 'flatten' }, { type: 'dense', units: 10 },
   * ], { inputShape: [1, 32, 32] });
   */
  static override fromConfig(
    config: SequentialConfig | readonly LayerConfig[] | GraphConfig, options: SequentialOptions = {},
  ): Sequential {
    if (options === null || typeof options !== 'object')
      throw new TypeError(`Sequential.fromConfig: options must be an object like { inputShape, seed }, got ${describeType(options)}`);
    const list = Array.isArray(config) ? (config as readonly LayerConfig[]) : (config as SequentialConfig)?.layers;
    if ((config as GraphConfig)?.type === 'graph')
      throw new TypeError('Sequential.fromConfig: this is a graph config; use Graph.fromConfig');
    if (!Array.isArray(list))
      throw new TypeError('Sequential.fromConfig: expects a list of layer configs or { layers: [...] } as given by model.config');
    const whole = Array.isArray(config) ? undefined : (config as SequentialConfig);
    const layers = list.map((c, i) => {
      const layer = layerFromConfig(c);
      if (!(layer instanceof Layer)) throw new TypeError(`Sequential.fromConfig: layers[${i}] (${c.type}) takes several inputs; use a Graph`);
      return layer;
    });
    return new Sequential(layers, {
      seed: options.seed ?? whole?.seed,
      inputShape: options.inputShape ?? whole?.inputShape,
    });
  }

  protected override buildFor(x: Tensor): void {
    if (this.built) return;
    if (!(x instanceof Tensor)) throw new TypeError(`Sequential: x must be a Tensor, got ${typeof x}`);
    if (x.rank < 2) throw new RangeError(`Sequential: x must be [N, ...sample shape], got ${formatShape(x.shape)}`);
    this.build(x.shape.slice(1));
  }

  private requireBuilt(what: string): void {
    if (!this.built) throw new Error(`Sequential.${what}: the model is not built; give inputShape or run forward first`);
  }
}

function sameDims(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
