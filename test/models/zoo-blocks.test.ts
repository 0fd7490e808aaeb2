/**
 * The zoo's building blocks by finite differences (st.gradcheck, float64 sums) at tiny
 * sizes, in training mode (batch statistics in every batch norm): ResNet basic and
 * bottleneck blocks, Inception-v1 modules of both forms, Inception-v3's A, C (1x7/7x1)
 * and E (parallel 1x3/3x1) modules, a dense block with a transition.
 */
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { denseBlock, transition } from '../../src/models/zoo/densenet.js';
import { inceptionModule, type ConvUnit } from '../../src/models/zoo/googlenet.js';
import { InceptionUnits, inceptionA, inceptionC, inceptionE } from '../../src/models/zoo/inception-v3.js';
import { Net, type Node } from '../../src/models/zoo/net.js';
import { residualBlock } from '../../src/models/zoo/resnet.js';
import { randomTensor } from '../helpers/random.js';

/** Entries checked and failed over every input and parameter of a gradcheck report. */
function tally(report: st.GradcheckReport): { checked: number; failed: number } {
  const all = [...report.inputs, ...report.params];
  return { checked: all.reduce((a, e) => a + e.checked, 0), failed: all.reduce((a, e) => a + e.failed, 0) };
}

/**
 * Builds the block and checks every input and parameter gradient at a seeded sample of
 * entries. In float32 a step small enough to miss every ReLU kink drowns in rounding, so
 * a few entries whose step crosses a kink (a pre-activation within 1e-3 of 0 anywhere the
 * perturbation reaches) may disagree: the check allows 6% of entries to fail. A wrong
 * backward fails far more (see the control case below, a 10% error in one layer).
 */
function check(label: string, inputShape: number[], body: (net: Net) => Node, corrupt?: (model: st.Graph) => void): number {
  const net = new Net(inputShape, 7, false);
  const model = net.finish(body(net));
  corrupt?.(model);
  const x = randomTensor([2, ...inputShape], 11);
  const report = st.gradcheck(model, x, { training: true, samples: 24, seed: 3, eps: 1e-3, atol: 1e-4, rtol: 2e-2 });
  expect(report.params.length).toBe(model.params().length);
  const { checked, failed } = tally(report);
  if (!corrupt && failed > 0.06 * checked) throw new Error(`${label}: ${failed} of ${checked} entries failed\n${st.formatGradcheckReport(report)}`);
  return failed / checked;
}

describe('zoo blocks: backward by finite differences', () => {
  it('ResNet basic block, identity shortcut: x=[2,4,5,5]', () => {
    check('basic', [4, 5, 5], (net) => residualBlock(net, net.input, 'b', 'basic', 4, 1));
  });

  it('ResNet basic block, stride 2 with projection shortcut: x=[2,3,6,6] -> 5 channels', () => {
    check('basic/2', [3, 6, 6], (net) => residualBlock(net, net.input, 'b', 'basic', 5, 2));
  });

  it('ResNet bottleneck block, projection: x=[2,6,5,5], planes 2 -> 8 channels, stride 2', () => {
    check('bottleneck', [6, 5, 5], (net) => residualBlock(net, net.input, 'b', 'bottleneck', 2, 2));
  });

  it('Inception-v1 module, torchvision form (BN, 3x3 third branch): x=[2,4,5,5]', () => {
    check('inception/tv', [4, 5, 5], (net) => {
      const conv: ConvUnit = (x, name, f, k, p = 0, s = 1) => net.convBnRelu(x, name, f, k, { padding: p, stride: s }, 1e-3);
      return inceptionModule(net, conv, net.input, 'm', [2, 2, 3, 1, 2, 2], false);
    });
  });

  it('Inception-v1 module, paper form (biases, true 5x5): x=[2,3,6,6]', () => {
    check('inception/paper', [3, 6, 6], (net) => {
      const conv: ConvUnit = (x, name, f, k, p = 0, s = 1) => net.relu(net.conv(x, name, f, k, { padding: p, stride: s, bias: true }));
      return inceptionModule(net, conv, net.input, 'm', [2, 2, 3, 1, 2, 2], true);
    });
  });

  const tiny = (c: number) => Math.max(1, Math.round(c / 64));
  it('Inception-v3 modules A, C (1x7 / 7x1) and E (1x3 | 3x1) at 1/64 width: x=[2,3,7,7]', () => {
    check('inceptionA', [3, 7, 7], (net) => inceptionA(new InceptionUnits(net, tiny), net.input, 'a', 32));
    check('inceptionC', [3, 7, 7], (net) => inceptionC(new InceptionUnits(net, tiny), net.input, 'c', 128));
    check('inceptionE', [3, 5, 5], (net) => inceptionE(new InceptionUnits(net, tiny), net.input, 'e'));
  });

  it('control: the same check catches a backward 10% off in one layer', () => {
    const fraction = check('corrupt', [4, 5, 5], (net) => residualBlock(net, net.input, 'b', 'basic', 4, 1), (model) => {
      const layer = model.layers.find((l) => l.name === 'b.bn1')!;
      const backward = layer.backwardTo.bind(layer);
      layer.backwardTo = (dy) => backward(dy).map((g) => new st.Tensor(g.data.map((v) => 1.1 * v), g.shape));
    });
    expect(fraction).toBeGreaterThan(0.3);
  });

  it('dense block (2 layers, growth 2) and transition: x=[2,3,6,6] -> [2,3,3,3]', () => {
    check('dense', [3, 6, 6], (net) => {
      const y = transition(net, denseBlock(net, net.input, 'block', 2, 2), 'transition');
      expect(y.shape).toEqual([3, 3, 3]);
      return y;
    });
  });
});
