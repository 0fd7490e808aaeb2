/**
 * The ImageNet-default zoo models against torchvision: parameter counts equal
 * sum(p.numel() for p in torchvision.models.NAME().parameters()), and every model's
 * output shape at its default input. Building only: no forward at 224x224. AlexNet and
 * the VGGs (61M-144M weights, seconds each to initialise) are counted and shaped by a
 * dry run (dryRun: each layer's outputShape from its config, no weights), which
 * zoo.test.ts and the built models here hold against countParams() and outputShape.
 */
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { countParamsDry, dryRun } from '../../src/models/zoo/net.js';

const DRY: [string, () => st.Graph, number][] = [
  ['alexnet', () => st.zoo.alexnet({ lrn: false }), 61_100_840],
  ['alexnet (paper LRN: no parameters)', () => st.zoo.alexnet(), 61_100_840],
  ['vgg11', () => st.zoo.vgg11(), 132_863_336],
  ['vgg11_bn', () => st.zoo.vgg11({ batchNorm: true }), 132_868_840],
  ['vgg13', () => st.zoo.vgg13(), 133_047_848],
  ['vgg13_bn', () => st.zoo.vgg13({ batchNorm: true }), 133_053_736],
  ['vgg16', () => st.zoo.vgg16(), 138_357_544],
  ['vgg16_bn', () => st.zoo.vgg16({ batchNorm: true }), 138_365_992],
  ['vgg19', () => st.zoo.vgg19(), 143_667_240],
  ['vgg19_bn', () => st.zoo.vgg19({ batchNorm: true }), 143_678_248],
];

const TORCHVISION: [string, () => st.Graph, number][] = [
  ['googlenet', () => st.zoo.googlenet(), 6_624_904],
  ['googlenet (aux_logits=True)', () => st.zoo.googlenet({ auxLogits: true }), 13_004_888],
  ['inception_v3 (aux_logits=False)', () => st.zoo.inceptionV3({ auxLogits: false }), 23_834_568],
  ['inception_v3', () => st.zoo.inceptionV3(), 27_161_264],
  ['resnet18', () => st.zoo.resnet18(), 11_689_512],
  ['resnet34', () => st.zoo.resnet34(), 21_797_672],
  ['resnet50', () => st.zoo.resnet50(), 25_557_032],
  ['resnet101', () => st.zoo.resnet101(), 44_549_160],
  ['resnet152', () => st.zoo.resnet152(), 60_192_808],
  ['densenet121', () => st.zoo.densenet121(), 7_978_856],
  ['densenet169', () => st.zoo.densenet169(), 14_149_480],
  ['densenet201', () => st.zoo.densenet201(), 20_013_928],
];

describe('ImageNet defaults: parameter counts equal torchvision', () => {
  for (const [name, build, count] of TORCHVISION)
    it(`${name}: ${count.toLocaleString('en')} parameters, output [1000]`, () => {
      const model = build();
      expect(model.countParams()).toBe(count);
      expect(countParamsDry(build)).toBe(count);
      expect(model.outputShape).toEqual([1000]);
      expect(dryRun(build).outputShape).toEqual([1000]);
    });

  for (const [name, build, count] of DRY)
    it(`${name}: ${count.toLocaleString('en')} parameters, [3, 224, 224] -> [1000] (dry run)`, () => {
      expect(dryRun(build)).toEqual({ params: count, inputShape: [3, 224, 224], outputShape: [1000] });
    });

  it('Inception-v3 without aux drops InceptionAux', () => {
    // InceptionAux(768, 1000): conv 1x1 128 + bn, conv 5x5 768 + bn, fc 768 -> 1000
    expect(st.zoo.inceptionV3({ auxLogits: false }).countParams()).toBe(27_161_264 - (768 * 128 + 256 + 128 * 768 * 25 + 1536 + 768 * 1000 + 1000));
  });
});

describe('default inputs and output shapes', () => {
  const defaults: [string, number[], number][] = [
    ['lenet5', [1, 32, 32], 10], ['resnet20', [3, 32, 32], 10], ['resnet32', [3, 32, 32], 10], ['resnet56', [3, 32, 32], 10],
    ['vgg', [3, 32, 32], 10], ['densenet', [3, 32, 32], 10], ['inceptionV3', [3, 299, 299], 1000], ['googlenet', [3, 224, 224], 1000],
  ];
  for (const [name, input, classes] of defaults)
    it(`${name}: [N, ${input}] -> [N, ${classes}]`, () => {
      const model = st.zoo.models[name]();
      expect(model.inputShapes).toEqual([input]);
      expect(model.outputShape).toEqual([classes]);
    });

  it('CIFAR nets: resnet20 272,474 (projection shortcuts), DenseNet-BC-100 (k=12) 769,162 parameters', () => {
    // resnet20: the paper's 0.27M plus two 1x1 projections with batch norm (16->32, 32->64)
    expect(st.zoo.resnet20().countParams()).toBe(272_474);
    expect(st.zoo.densenet().countParams()).toBe(769_162);
  });
});
