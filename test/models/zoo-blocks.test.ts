/**
 * The zoo's building blocks by finite differences (st.gradcheck with its defaults) at
 * tiny sizes, in training mode (batch statistics in every batch norm): ResNet basic and
 * bottleneck blocks, Inception-v1 modules of both forms, Inception-v3's A, C (1x7/7x1)
 * and E (parallel 1x3/3x1) modules, a dense block with a transition, and the auxiliary
 * classifiers of GoogLeNet and Inception-v3 through the trunk below them.
 */
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { denseBlock, transition } from '../../src/models/zoo/densenet.js';
import { auxHead as googlenetAux, inceptionModule, type ConvUnit } from '../../src/models/zoo/googlenet.js';
import { auxHead as inceptionV3Aux, InceptionUnits, inceptionA, inceptionC, inceptionE } from '../../src/models/zoo/inception-v3.js';
import { Net, type Node } from '../../src/models/zoo/net.js';
import { residualBlock } from '../../src/models/zoo/resnet.js';
import { randomTensor } from '../helpers/random.js';

/**
 * Builds the block and checks every input and parameter gradient at a seeded sample of
 * entries with gradcheck's default step and tolerances: every checked entry must pass.
 * Returns the report (the control case below corrupts a layer first).
 */
function check(inputShape: number[], body: (net: Net) => Node, corrupt?: (model: st.Graph) => void): st.GradcheckReport {
  const net = new Net(inputShape, 7, false);
  const model = net.finish(body(net));
  corrupt?.(model);
  const x = randomTensor([2, ...inputShape], 11);
  const report = st.gradcheck(model, x, { training: true, samples: 24, seed: 3, throwOnFailure: !corrupt });
  expect(report.params.length).toBe(model.params().length);
  return report;
}

describe('zoo blocks: backward by finite differences', () => {
  it('ResNet basic block, identity shortcut: x=[2,4,5,5]', () => {
    check([4, 5, 5], (net) => residualBlock(net, net.input, 'b', 'basic', 4, 1));
  });

  it('ResNet basic block, stride 2 with projection shortcut: x=[2,3,6,6] -> 5 channels', () => {
    check([3, 6, 6], (net) => residualBlock(net, net.input, 'b', 'basic', 5, 2));
  });

  it('ResNet bottleneck block, projection: x=[2,6,5,5], planes 2 -> 8 channels, stride 2', () => {
    check([6, 5, 5], (net) => residualBlock(net, net.input, 'b', 'bottleneck', 2, 2));
  });

  it('Inception-v1 module, torchvision form (BN, 3x3 third branch): x=[2,4,5,5]', () => {
    check([4, 5, 5], (net) => {
      const conv: ConvUnit = (x, name, f, k, p = 0, s = 1) => net.convBnRelu(x, name, f, k, { padding: p, stride: s }, 1e-3);
      return inceptionModule(net, conv, net.input, 'm', [2, 2, 3, 1, 2, 2], false);
    });
  });

  it('Inception-v1 module, paper form (biases, true 5x5): x=[2,3,6,6]', () => {
    check([3, 6, 6], (net) => {
      const conv: ConvUnit = (x, name, f, k, p = 0, s = 1) => net.relu(net.conv(x, name, f, k, { padding: p, stride: s, bias: true }));
      return inceptionModule(net, conv, net.input, 'm', [2, 2, 3, 1, 2, 2], true);
    });
  });

  const tiny = (c: number) => Math.max(1, Math.round(c / 64));
  it('Inception-v3 modules A, C (1x7 / 7x1) and E (1x3 | 3x1) at 1/64 width: x=[2,3,7,7]', () => {
    check([3, 7, 7], (net) => inceptionA(new InceptionUnits(net, tiny), net.input, 'a', 32));
    check([3, 7, 7], (net) => inceptionC(new InceptionUnits(net, tiny), net.input, 'c', 128));
    check([3, 5, 5], (net) => inceptionE(new InceptionUnits(net, tiny), net.input, 'e'));
  });

  it('control: the same check catches a backward 10% off in one layer', () => {
    const report = check([4, 5, 5], (net) => residualBlock(net, net.input, 'b', 'basic', 4, 1), (model) => {
      const layer = model.layers.find((l) => l.name === 'b.bn1')!;
      const backward = layer.backwardTo.bind(layer);
      layer.backwardTo = (dy) => backward(dy).map((g) => new st.Tensor(g.data.map((v) => 1.1 * v), g.shape));
    });
    expect(report.ok).toBe(false);
    // The input and conv1 (below bn1) get wrong gradients, and most of its entries fail.
    const below = [...report.inputs, ...report.params].filter((e) => /^(inputs|b\.conv1\.)/.test(e.name));
    expect(below.map((e) => e.passed)).toEqual(below.map(() => false));
    expect(below.reduce((a, e) => a + e.failed, 0)).toBeGreaterThan(0.5 * below.reduce((a, e) => a + e.checked, 0));
  });

  it('dense block (2 layers, growth 2) and transition: x=[2,3,6,6] -> [2,3,3,3]', () => {
    check([3, 6, 6], (net) => {
      const y = transition(net, denseBlock(net, net.input, 'block', 2, 2), 'transition');
      expect(y.shape).toEqual([3, 3, 3]);
      return y;
    });
  });

  /** The auxiliary outputs' parameters were checked and have a gradient (they are trained). */
  const auxChecked = (report: st.GradcheckReport, prefix: string) => {
    const aux = report.params.filter((e) => e.name.startsWith(prefix));
    expect(aux.length).toBeGreaterThan(0);
    expect(aux.some((e) => e.analytic !== 0)).toBe(true);
  };

  it('GoogLeNet auxiliary classifier at 1/32 width (adaptive pool 4x4, conv 4, fc 32, dropout 0.7, fc) on a trunk conv: x=[2,4,3,3]', () => {
    const report = check([4, 3, 3], (net) => {
      const conv: ConvUnit = (x, name, f, k, p = 0, s = 1) => net.convBnRelu(x, name, f, k, { padding: p, stride: s }, 1e-3);
      const trunk = conv(net.input, 'trunk', 3, 3, 1);
      googlenetAux(net, conv, trunk, 'aux1', 3, false, (c) => c / 32);
      return net.dense(net.globalAvgPool(trunk), 'fc', 3, true);
    });
    auxChecked(report, 'aux1.');
  });

  it('Inception-v3 auxiliary classifier with batch norm (a 7x7 grid: adaptive pool to 5x5) on a trunk conv: x=[2,3,7,7]', () => {
    const report = check([3, 7, 7], (net) => {
      const u = new InceptionUnits(net, tiny);
      const trunk = u.conv(net.input, 'trunk', 192, 3, 1);
      inceptionV3Aux(u, trunk, 3);
      return net.dense(net.globalAvgPool(trunk), 'fc', 3, true);
    });
    auxChecked(report, 'AuxLogits.');
  });
});
