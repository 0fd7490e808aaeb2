/**
 * The layer base classes. A layer is the textbook unit of a network: `forward`
 * computes its output from its input and keeps what `backward` needs; `backward`
 * takes dL/dy, adds dL/dθ into each parameter's `grad` (+=, so gradients of a
 * batch split in pieces, or of a shared tensor, accumulate) and returns dL/dx.
 *
 * Shapes given to `build` and `outputShape` are those of ONE sample (the batch
 * dimension excluded), as in a model's `inputShape`: `[C, H, W]` for images,
 * `[features]` for vectors. Tensors given to `forward` carry the batch first.
 */
import { checkTensorData, describeType, formatShape, MAX_ELEMENTS, orDefault } from '../errors.js';
import type { Param } from '../param.js';
import { Tensor, type Shape } from '../tensor.js';

export interface ForwardOptions {
  /** Training mode: dropout drops, batch norm uses batch statistics. Default false. */
  training?: boolean;
  /**
   * Set by `Graph.predictSync`, which reads every intermediate value within one pass
   * only: the layer may write its output into a buffer it keeps, as in training, or,
   * if elementwise, over an input marked `overwritable` (nothing reads it afterwards).
   * `out`, from an inference plan's arena, is an array of exactly the output's size that
   * the layers which keep their output write it into instead (`outputFor` in kept-array.ts).
   */
  transient?: { overwritable: readonly boolean[]; out?: Float32Array<ArrayBuffer> };
}

export interface BackwardOptions {
  /**
   * Whether to compute dL/dx for the model's inputs. Default true; training passes
   * false, so layers fed only by data compute their parameter gradients alone.
   */
  inputGrad?: boolean;
}

/** A layer's plain-JSON description: enough to rebuild it (`layerFromConfig`). */
export interface LayerConfig {
  type: string;
  name?: string;
  [option: string]: unknown;
}

/** Options every layer accepts. */
export interface BaseLayerOptions {
  /** The layer's name in a model (default: `<type>_<k>`, numbered per type). */
  name?: string;
}

/** A non-trainable tensor a layer keeps between calls (batch norm's running statistics). */
export interface Buffer {
  name: string;
  value: Tensor;
}

/**
 * What a model needs from any node's layer, whether it takes one input or several.
 * Single-input layers extend `Layer`, merge layers (`Add`, `Concat`) `MergeLayer`.
 */
export abstract class BaseLayer {
  /** The registry name used in configs, e.g. `'conv2d'`. */
  abstract readonly type: string;
  /** Set by the user or, when absent, by the model that holds the layer. */
  name: string | undefined;

  constructor(options: BaseLayerOptions = {}) {
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
      throw new TypeError(`layer: name must be a non-empty string, got ${String(options.name)}`);
    this.name = options.name;
  }

  /** The layer's options as plain JSON. */
  abstract get config(): LayerConfig;

  /** The trainable parameters (empty for layers without any). */
  params(): Param[] {
    return [];
  }

  /** Non-trainable state saved with the model (empty for most layers). */
  buffers(): Buffer[] {
    return [];
  }

  /** Sets every parameter gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params()) p.grad.data.fill(0);
  }

  /** The number of trainable scalars. */
  countParams(): number {
    let count = 0;
    for (const p of this.params()) count += p.value.size;
    return count;
  }

  /** The label used in error messages. */
  protected get label(): string {
    return this.name ? `${this.constructor.name} '${this.name}'` : this.constructor.name;
  }

  /** Sizes the layer for these per-sample input shapes (creates parameters if needed). */
  abstract buildFrom(inputShapes: readonly Shape[], seed?: number): void;
  /** The per-sample output shape for these per-sample input shapes. */
  abstract outputShapeFrom(inputShapes: readonly Shape[]): Shape;
  /** Forward over the node's inputs, in the order they were connected. */
  abstract forwardFrom(inputs: readonly Tensor[], options: ForwardOptions): Tensor;
  /** Backward returning one gradient per input, in the same order. */
  abstract backwardTo(dy: Tensor): Tensor[];

  /**
   * Adds this batch's parameter gradients without computing gradients for the inputs,
   * for a layer fed only by data (a network's first convolution). This default runs
   * the whole backward and drops the input gradients; layers where those cost real
   * work override it.
   */
  accumulateParamGrads(dy: Tensor): void {
    this.backwardTo(dy);
  }

  /** The config: type, name and the given options, leaving out those that are undefined. */
  protected makeConfig(options: Record<string, unknown> = {}): LayerConfig {
    const config: LayerConfig = { type: this.type };
    if (this.name !== undefined) config.name = this.name;
    for (const [key, value] of Object.entries(options))
      if (value !== undefined) config[key] = Array.isArray(value) ? [...value] : value;
    return config;
  }
}

/**
 * A layer with one input. Subclasses implement `forward`, `backward` and
 * `outputShape`; layers with sizes that depend on the input override `build`.
 *
 * @example
 * class Square extends Layer {
 *   readonly type = 'square';
 *   private x?: Tensor;
 *   get config() { return this.makeConfig(); }
 *   outputShape(s: Shape) { return s; }
 *   forward(x: Tensor) { this.x = x; ... }
 *   backward(dy: Tensor) { ... }
 * }
 */
export abstract class Layer extends BaseLayer {
  abstract forward(x: Tensor, options?: ForwardOptions): Tensor;
  abstract backward(dy: Tensor): Tensor;
  abstract outputShape(inputShape: Shape): Shape;

  /**
   * Sizes the layer for a per-sample input shape. Layers without input-dependent
   * sizes only check the shape; the default checks that `outputShape` accepts it.
   * `seed` is used when the layer was given none of its own.
   */
  build(inputShape: Shape, seed?: number): void {
    void seed;
    this.outputShape(inputShape);
  }

  buildFrom(inputShapes: readonly Shape[], seed?: number): void {
    this.build(this.single(inputShapes), seed);
  }

  outputShapeFrom(inputShapes: readonly Shape[]): Shape {
    return this.outputShape(this.single(inputShapes));
  }

  forwardFrom(inputs: readonly Tensor[], options: ForwardOptions): Tensor {
    return this.forward(this.single(inputs), options);
  }

  backwardTo(dy: Tensor): Tensor[] {
    return [this.backward(dy)];
  }

  /** The element count of the output for the batch x (checking x's sample shape). */
  protected outputSize(x: Tensor): number {
    return x.shape[0] * this.outputShape(x.shape.slice(1)).reduce((a, d) => a * d, 1);
  }

  private single<T>(inputs: readonly T[]): T {
    if (inputs.length !== 1) throw new RangeError(`${this.label}: takes exactly 1 input, got ${inputs.length}`);
    return inputs[0];
  }
}

/** A layer that combines several inputs into one output (`Add`, `Concat`). */
export abstract class MergeLayer extends BaseLayer {
  abstract forward(inputs: readonly Tensor[], options?: ForwardOptions): Tensor;
  /** One gradient per input, in the order of the inputs. */
  abstract backward(dy: Tensor): Tensor[];
  abstract outputShape(inputShapes: readonly Shape[]): Shape;

  buildFrom(inputShapes: readonly Shape[]): void {
    this.outputShape(inputShapes);
  }

  outputShapeFrom(inputShapes: readonly Shape[]): Shape {
    return this.outputShape(inputShapes);
  }

  forwardFrom(inputs: readonly Tensor[], options: ForwardOptions): Tensor {
    return this.forward(inputs, options);
  }

  backwardTo(dy: Tensor): Tensor[] {
    return this.backward(dy);
  }
}

/** Throws unless `x` is a Tensor of the given rank(s); returns it. */
export function checkInput(label: string, name: string, x: unknown, ranks: readonly number[], layout: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${label}: ${name} must be a Tensor, got ${describeType(x)}`);
  checkTensorData(label, name, x);
  if (!ranks.includes(x.rank))
    throw new RangeError(`${label}: ${name} must be ${layout}, got shape ${formatShape(x.shape)}`);
  return x;
}

/** The sample ranks of layers that take a tensor of any rank up to 6 (batch included). */
export const ANY_SAMPLE_RANK: readonly number[] = [0, 1, 2, 3, 4, 5];

/**
 * Throws unless a per-sample input shape has one of the given ranks, positive integer
 * dimensions and an element count a Float32Array can hold.
 */
export function checkSampleShape(label: string, shape: Shape, ranks: readonly number[], layout: string): void {
  if (!Array.isArray(shape)) throw new TypeError(`${label}: input must be a shape ${layout} per sample, got ${describeType(shape)}`);
  if (!ranks.includes(shape.length)) throw new RangeError(`${label}: input must be ${layout} per sample, got ${formatShape(shape)}`);
  let size = 1;
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1)
      throw new RangeError(`${label}: input shape must hold positive integers, got ${formatShape(shape)}`);
    size *= d;
  }
  if (size > MAX_ELEMENTS)
    throw new RangeError(`${label}: input shape ${formatShape(shape)} has ${size} elements per sample, more than the ${MAX_ELEMENTS} a Float32Array can hold`);
}

/** Checks forward's options: an object, `training` a boolean when given. */
export function checkForwardOptions(label: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${label}: forward options must be an object like { training: true }, got ${describeType(options)}`);
  const training = (options as ForwardOptions).training;
  if (training !== undefined && typeof training !== 'boolean')
    throw new TypeError(`${label}: training must be a boolean, got ${String(training)}`);
}

/** Throws when backward is called without a forward to go back through. */
export function missingForward(label: string): never {
  throw new Error(`${label}: backward called before forward (run forward with the same layer first)`);
}

/** Throws unless dy has exactly the shape of the last output. */
export function checkGradShape(label: string, dy: unknown, shape: Shape): Tensor {
  if (!(dy instanceof Tensor)) throw new TypeError(`${label}: dy must be a Tensor, got ${describeType(dy)}`);
  checkTensorData(label, 'dy', dy);
  if (!sameShape(dy.shape, shape))
    throw new RangeError(`${label}: dy must have the output's shape ${formatShape(shape)}, got ${formatShape(dy.shape)}`);
  return dy;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}


/** The seed a model passes to `build` (0 when none): an integer, whether or not the layer has its own. */
export function buildSeed(label: string, seed: unknown): number {
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed)))
    throw new TypeError(`${label}: build's seed must be an integer, got ${String(seed)}`);
  return orDefault(seed as number | undefined, 0);
}

/** Reads an optional integer option ≥ min. */
export function intOption(label: string, name: string, value: unknown, min: number, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${label}: ${name} must be an integer, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${label}: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** Reads an optional finite number option within [min, max]. */
export function numberOption(label: string, name: string, value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(`${label}: ${name} must be a finite number, got ${String(value)}`);
  if (value < min || value > max) throw new RangeError(`${label}: ${name} must be in [${min}, ${max}], got ${value}`);
  return value;
}

/** Reads an optional boolean option (the layers' name for the shared check). */
export { checkBoolean as boolOption } from '../errors.js';

/** Throws unless `options` is an object (or undefined when allowed); returns it. */
export function checkOptions<T>(label: string, options: T | undefined, required: boolean): T {
  if (options === undefined && !required) return {} as T;
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${label}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  return options;
}

/** A fresh trainable parameter with a zero gradient. */
export function makeParam(name: string, value: Tensor): Param {
  return { name, value, grad: new Tensor(new Float32Array(value.size), value.shape) };
}

/** Throws for a required option that is missing. */
export function missingOption(label: string, name: string): never {
  throw new TypeError(`${label}: the option ${name} is required`);
}
