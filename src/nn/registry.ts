/**
 * Layer types by config name, so a model can be rebuilt from plain JSON:
 * `layerFromConfig({ type: 'dense', units: 10 })`. New layer classes join with
 * `registerLayer`.
 */
import { ELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { BatchNorm1D, BatchNorm2D } from './batch-norm.js';
import { Conv1D, Conv2D } from './conv.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import type { BaseLayer, LayerConfig } from './layer.js';
import { LocalResponseNorm } from './local-response-norm.js';
import { Add, Concat } from './merge.js';
import { AdaptiveAvgPool2D } from './adaptive-pool.js';
import { AvgPool2D, GlobalAvgPool2D, MaxPool2D, StochasticPool2D } from './pooling.js';

export type LayerFactory = (config: LayerConfig) => BaseLayer;

const factories = new Map<string, LayerFactory>();

/**
 * Makes `layerFromConfig` build `type` with `factory`.
 * @example st.nn.registerLayer('square', (config) => new Square(config));
 */
export function registerLayer(type: string, factory: LayerFactory): void {
  if (typeof type !== 'string' || type === '') throw new TypeError('registerLayer: type must be a non-empty string');
  if (typeof factory !== 'function') throw new TypeError(`registerLayer: factory for '${type}' must be a function`);
  factories.set(type, factory);
}

/** The registered layer type names. */
export function layerTypes(): string[] {
  return [...factories.keys()].sort();
}

/**
 * A new layer from its config (the `config` of a layer of that type).
 * @example st.nn.layerFromConfig({ type: 'conv2d', filters: 6, kernelSize: 5 })
 */
export function layerFromConfig(config: LayerConfig): BaseLayer {
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new TypeError(`layerFromConfig: config must be an object like { type: 'dense', units: 10 }, got ${String(config)}`);
  if (typeof config.type !== 'string') throw new TypeError(`layerFromConfig: config.type must be a string, got ${String(config.type)}`);
  const factory = factories.get(config.type);
  if (!factory) throw new RangeError(`layerFromConfig: unknown layer type '${config.type}'; known types: ${layerTypes().join(', ')}`);
  const { type, ...options } = config;
  void type;
  return factory(options as LayerConfig);
}

// Layer constructors validate their options, so a config passes through as they are.
function builtin<C extends new (options: never) => BaseLayer>(type: string, ctor: C): void {
  registerLayer(type, (config) => new ctor(config as unknown as never));
}

builtin('conv2d', Conv2D);
builtin('conv1d', Conv1D);
builtin('maxPool2d', MaxPool2D);
builtin('avgPool2d', AvgPool2D);
builtin('stochasticPool2d', StochasticPool2D);
builtin('globalAvgPool2d', GlobalAvgPool2D);
builtin('adaptiveAvgPool2d', AdaptiveAvgPool2D);
builtin('dense', Dense);
builtin('flatten', Flatten);
builtin('relu', ReLU);
builtin('leakyRelu', LeakyReLU);
builtin('elu', ELU);
builtin('sigmoid', Sigmoid);
builtin('tanh', Tanh);
builtin('softmax', Softmax);
builtin('dropout', Dropout);
builtin('batchNorm2d', BatchNorm2D);
builtin('batchNorm1d', BatchNorm1D);
builtin('localResponseNorm', LocalResponseNorm);
builtin('add', Add);
builtin('concat', Concat);
