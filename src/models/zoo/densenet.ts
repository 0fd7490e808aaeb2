/**
 * Densely connected networks (Huang et al. 2017). Inside a dense block every layer
 * sees the concatenation of all earlier feature maps and adds `growthRate` new ones:
 *   dense layer  x -> concat(x, conv3x3(relu(bn(conv1x1(relu(bn(x)))))))   (BN-ReLU-Conv,
 *                the 1x1 "bottleneck" giving bnSize·growthRate channels)
 *   transition   bn, relu, conv 1x1 to half the channels (compression 0.5), avg pool 2x2/2
 *
 * ImageNet DenseNet-BC match torchvision.models.densenet121/169/201 (growth 32, blocks
 * [6,12,24,16], [6,12,32,32], [6,12,48,32], 64 initial channels, bnSize 4):
 *   conv 7x7/2 64, bn, relu, max pool 3x3/2 -> blocks and transitions -> bn, relu,
 *   global average pool -> fc
 * Counts at the defaults equal torchvision's: densenet121 7,978,856, densenet169
 * 14,149,480, densenet201 20,013,928. Any input of at least 32x32 works.
 *
 * The CIFAR DenseNet-BC (`densenet({ depth, growthRate })`, no torchvision model): a
 * 3x3 conv to 2·growthRate channels, three dense blocks of (depth − 4)/6 layers with
 * transitions between them, bn, relu, global average pool, fc. depth 100, growth 12 is
 * the paper's 0.8M-parameter DenseNet-BC-100.
 */
import type { Graph } from '../graph.js';
import { buildNet, type Net, type Node } from './net.js';
import { intArg, resolveOptions, type ZooOptions } from './options.js';

export interface DenseNetOptions extends ZooOptions {
  /** New channels per dense layer; default 32 (ImageNet), 12 (CIFAR). */
  growthRate?: number;
}

export interface CifarDenseNetOptions extends DenseNetOptions {
  /** Total depth 6n + 4 (n layers per block); default 100. */
  depth?: number;
}

const BN_SIZE = 4;

/** One BN-ReLU-Conv(1x1)-BN-ReLU-Conv(3x3) layer; returns x with its new maps appended. */
export function denseLayer(net: Net, x: Node, name: string, growthRate: number): Node {
  let y = net.conv(net.relu(net.bn(x, `${name}.norm1`)), `${name}.conv1`, BN_SIZE * growthRate, 1);
  y = net.conv(net.relu(net.bn(y, `${name}.norm2`)), `${name}.conv2`, growthRate, 3, { padding: 1 });
  return net.concat(`${name}.concat`, x, y);
}

/** A dense block of `layers` dense layers. */
export function denseBlock(net: Net, x: Node, name: string, layers: number, growthRate: number): Node {
  for (let i = 1; i <= layers; i++) x = denseLayer(net, x, `${name}.denselayer${i}`, growthRate);
  return x;
}

/** BN, ReLU, 1x1 conv to half the channels, 2x2 average pool. */
export function transition(net: Net, x: Node, name: string): Node {
  const y = net.conv(net.relu(net.bn(x, `${name}.norm`)), `${name}.conv`, Math.floor(x.shape[0] / 2), 1);
  return net.avgPool(y, 2, 2, 0, `${name}.pool`);
}

function growthOf(label: string, options: DenseNetOptions, fallback: number): number {
  return intArg(label, 'growthRate', options.growthRate, 1) ?? fallback;
}

function imagenetDenseNet(label: string, blocks: readonly number[], options: DenseNetOptions = {}): Graph {
  const o = resolveOptions(label, options, { numClasses: 1000, inputShape: [3, 224, 224] }, ['growthRate']);
  const growth = growthOf(label, options, 32);
  return buildNet(label, o, (net) => {
    let x = net.relu(net.bn(net.conv(net.input, 'features.conv0', 64, 7, { stride: 2, padding: 3 }), 'features.norm0'));
    x = net.maxPool(x, 3, 2, 1, false, 'features.pool0');
    blocks.forEach((layers, i) => {
      x = denseBlock(net, x, `features.denseblock${i + 1}`, layers, growth);
      if (i < blocks.length - 1) x = transition(net, x, `features.transition${i + 1}`);
    });
    x = net.relu(net.bn(x, 'features.norm5'));
    return net.dense(net.globalAvgPool(x, 'avgpool'), 'classifier', o.numClasses, true);
  });
}

/**
 * DenseNet-121 (torchvision.models.densenet121).
 * @example const model = st.zoo.densenet121({ inputShape: [3, 64, 64], numClasses: 10 });
 */
export function densenet121(options: DenseNetOptions = {}): Graph {
  return imagenetDenseNet('densenet121', [6, 12, 24, 16], options);
}

/**
 * DenseNet-169 (torchvision.models.densenet169).
 * @example const model = st.zoo.densenet169();
 */
export function densenet169(options: DenseNetOptions = {}): Graph {
  return imagenetDenseNet('densenet169', [6, 12, 32, 32], options);
}

/**
 * DenseNet-201 (torchvision.models.densenet201).
 * @example const model = st.zoo.densenet201();
 */
export function densenet201(options: DenseNetOptions = {}): Graph {
  return imagenetDenseNet('densenet201', [6, 12, 48, 32], options);
}

/**
 * DenseNet-BC for CIFAR (Huang et al. 2017, section 4).
 * @example
 * const model = st.zoo.densenet({ depth: 40, growthRate: 12 });   // [N, 3, 32, 32] -> [N, 10]
 */
export function densenet(options: CifarDenseNetOptions = {}): Graph {
  const label = 'densenet';
  const o = resolveOptions(label, options, { numClasses: 10, inputShape: [3, 32, 32] }, ['growthRate', 'depth']);
  const growth = growthOf(label, options, 12);
  const depth = intArg(label, 'depth', options.depth, 10) ?? 100;
  if ((depth - 4) % 6 !== 0) throw new RangeError(`${label}: depth must be 6n + 4 (10, 16, 22, ..., 100), got ${depth}`);
  const layers = (depth - 4) / 6;
  return buildNet(label, o, (net) => {
    let x = net.conv(net.input, 'conv0', 2 * growth, 3, { padding: 1 });
    for (let i = 0; i < 3; i++) {
      x = denseBlock(net, x, `denseblock${i + 1}`, layers, growth);
      if (i < 2) x = transition(net, x, `transition${i + 1}`);
    }
    x = net.relu(net.bn(x, 'norm'));
    return net.dense(net.globalAvgPool(x, 'avgpool'), 'fc', o.numClasses, true);
  });
}
