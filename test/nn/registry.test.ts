import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

const { nn } = st;

describe('layer configs', () => {
  const layers: st.nn.BaseLayer[] = [
    new nn.Conv2D({ filters: 4, kernelSize: [3, 2], stride: 2, padding: [1, 0], dilation: 1, groups: 2, inChannels: 2, seed: 5 }),
    new nn.Conv1D({ filters: 3, kernelSize: 5, padding: 'same', useBias: false }),
    new nn.MaxPool2D({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true }),
    new nn.AvgPool2D({ kernelSize: 2, countIncludePad: false }),
    new nn.StochasticPool2D({ kernelSize: 2, seed: 3 }),
    new nn.GlobalAvgPool2D({ name: 'gap' }),
    new nn.Dense({ units: 10, inFeatures: 4, kernelInitializer: 'glorotUniform' }),
    new nn.Flatten(),
    new nn.ReLU(), new nn.LeakyReLU({ alpha: 0.1 }), new nn.ELU(), new nn.Sigmoid(), new nn.Tanh(), new nn.Softmax({ axis: 1 }),
    new nn.Dropout({ rate: 0.5, seed: 2 }),
    new nn.BatchNorm2D({ channels: 3, eps: 1e-3, momentum: 0.01 }), new nn.BatchNorm1D(),
    new nn.LocalResponseNorm({ size: 3, k: 2 }),
    new nn.AdaptiveAvgPool2D({ outputSize: [2, 3] }),
    new nn.Add(), new nn.Concat({ axis: 2 }),
  ];
  for (const layer of layers)
    it(`${layer.type}: config is plain JSON and rebuilds an equal layer`, () => {
      const json = JSON.parse(JSON.stringify(layer.config));
      expect(json.type).toBe(layer.type);
      const copy = nn.layerFromConfig(json);
      expect(copy.constructor).toBe(layer.constructor);
      expect(copy.config).toEqual(layer.config);
      expect(copy.params().map((p) => [p.name, p.value.shape])).toEqual(layer.params().map((p) => [p.name, p.value.shape]));
      for (const [i, p] of copy.params().entries()) expect(Array.from(p.value.data)).toEqual(Array.from(layer.params()[i].value.data));
    });

  it('every built-in type is registered', () => {
    expect(nn.layerTypes()).toEqual(layers.map((l) => l.type).sort());
  });

  it('rejects unknown types and non-objects', () => {
    expect(() => nn.layerFromConfig({ type: 'conv3d' })).toThrow(/unknown layer type 'conv3d'/);
    expect(() => nn.layerFromConfig(null as unknown as st.nn.LayerConfig)).toThrow(TypeError);
  });
});
