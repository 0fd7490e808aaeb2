/**
 * Residual networks (He et al. 2016, "Deep Residual Learning for Image Recognition").
 * Each block learns a residual F(x) added to its input: y = relu(F(x) + shortcut(x)),
 * with a projection shortcut (1x1 conv + batch norm) where the shape changes.
 *
 * ImageNet ResNets match torchvision.models.resnet18/34/50/101/152 layer for layer
 * (ResNet v1.5: the bottleneck's stride sits on its 3x3 conv), and their parameter
 * counts with the defaults (1000 classes, 3x224x224) equal torchvision's:
 *   resnet18  11,689,512   resnet34  21,797,672   resnet50  25,557,032
 *   resnet101 44,549,160   resnet152 60,192,808
 *   [N,3,H,W] conv 7x7/2 64, bn, relu, max pool 3x3/2 -> layer1..layer4 (strides 1,2,2,2)
 *   -> global average pool -> fc
 * Any input of at least 1x1 works (the average pool is global); 3x64x64 trains quickly.
 *
 * CIFAR ResNets (paper's section 4.2): resnet20/32/56 are 6n+2 layers, n = 3, 5, 9:
 *   [N,3,32,32] conv 3x3 16, bn, relu -> 3 stages of n basic blocks with 16, 32, 64
 *   channels (strides 1, 2, 2) -> global average pool -> fc
 * The paper's option A shortcut (zero-padded identity) has no layer here; these use
 * option B, projection shortcuts where the shape changes (as torchvision's ResNets do),
 * which adds a few thousand parameters (resnet20: 272,474 with 10 classes).
 * No torchvision model matches them (torchvision has no CIFAR ResNets).
 *
 * Weights: convs He-normal (fan-in), batch norm gamma 1, beta 0, the fc Glorot-uniform;
 * `zeroInitResidual: true` zeroes the last batch norm's gamma in every block (Goyal et
 * al. 2017; torchvision's zero_init_residual), so each block starts as the identity.
 */
import type { Graph } from '../graph.js';
import type { BatchNorm2D } from '../../nn/batch-norm.js';
import { buildNet, type Net, type Node } from './net.js';
import { boolArg, positiveArg, resolveOptions, type ZooOptions } from './options.js';

export interface ResNetOptions extends ZooOptions {
  /** Multiplies every layer's channels (first stage: 64 ImageNet, 16 CIFAR; later stages double); default 1. */
  width?: number;
  /** Start every residual branch at zero (its last batch norm's gamma = 0); default false. */
  zeroInitResidual?: boolean;
}

type BlockKind = 'basic' | 'bottleneck';

/** Channels out of a block with `planes` inner channels. */
function expansion(kind: BlockKind): number {
  return kind === 'basic' ? 1 : 4;
}

/**
 * One residual block, torchvision's BasicBlock or Bottleneck:
 *   basic       conv3x3(stride) bn relu conv3x3 bn            (+ shortcut) relu
 *   bottleneck  conv1x1 bn relu conv3x3(stride) bn relu conv1x1(4·planes) bn  (+ shortcut) relu
 * `lastBns` collects each block's final batch norm for zeroInitResidual.
 */
export function residualBlock(net: Net, x: Node, name: string, kind: BlockKind, planes: number, stride: number, lastBns?: string[]): Node {
  const out = planes * expansion(kind);
  let y: Node;
  if (kind === 'basic') {
    y = net.relu(net.bn(net.conv(x, `${name}.conv1`, planes, 3, { stride, padding: 1 }), `${name}.bn1`));
    y = net.bn(net.conv(y, `${name}.conv2`, planes, 3, { padding: 1 }), `${name}.bn2`);
    lastBns?.push(`${name}.bn2`);
  } else {
    y = net.relu(net.bn(net.conv(x, `${name}.conv1`, planes, 1), `${name}.bn1`));
    y = net.relu(net.bn(net.conv(y, `${name}.conv2`, planes, 3, { stride, padding: 1 }), `${name}.bn2`));
    y = net.bn(net.conv(y, `${name}.conv3`, out, 1), `${name}.bn3`);
    lastBns?.push(`${name}.bn3`);
  }
  const shortcut = stride !== 1 || x.shape[0] !== out
    ? net.bn(net.conv(x, `${name}.downsample.0`, out, 1, { stride }), `${name}.downsample.1`)
    : x;
  return net.relu(net.sum(`${name}.add`, y, shortcut));
}

/** `width` as a function from the architecture's channel count to the model's (at least 1). */
export function widthScale(label: string, width: unknown): (channels: number) => number {
  const k = positiveArg(label, 'width', width) ?? 1;
  return (channels) => Math.max(1, Math.round(channels * k));
}

function zeroGammas(graph: Graph, names: readonly string[]): void {
  const wanted = new Set(names);
  for (const layer of graph.layers) if (wanted.has(layer.name!)) (layer as BatchNorm2D).gamma!.value.data.fill(0);
}

function imagenetResNet(label: string, kind: BlockKind, blocks: readonly number[], options: ResNetOptions = {}): Graph {
  const o = resolveOptions(label, options, { numClasses: 1000, inputShape: [3, 224, 224] }, ['width', 'zeroInitResidual']);
  const scaled = widthScale(label, options.width);
  const zeroInit = boolArg(label, 'zeroInitResidual', options.zeroInitResidual) ?? false;
  const lastBns: string[] = [];
  const graph = buildNet(label, o, (net) => {
    lastBns.length = 0;
    let x = net.relu(net.bn(net.conv(net.input, 'conv1', scaled(64), 7, { stride: 2, padding: 3 }), 'bn1'));
    x = net.maxPool(x, 3, 2, 1, false, 'maxpool');
    blocks.forEach((count, stage) => {
      for (let b = 0; b < count; b++)
        x = residualBlock(net, x, `layer${stage + 1}.${b}`, kind, scaled(64 << stage), b === 0 && stage > 0 ? 2 : 1, lastBns);
    });
    return net.dense(net.globalAvgPool(x, 'avgpool'), 'fc', o.numClasses, true);
  });
  if (zeroInit) zeroGammas(graph, lastBns);
  return graph;
}

function cifarResNet(label: string, n: number, options: ResNetOptions = {}): Graph {
  const o = resolveOptions(label, options, { numClasses: 10, inputShape: [3, 32, 32] }, ['width', 'zeroInitResidual']);
  const scaled = widthScale(label, options.width);
  const zeroInit = boolArg(label, 'zeroInitResidual', options.zeroInitResidual) ?? false;
  const lastBns: string[] = [];
  const graph = buildNet(label, o, (net) => {
    lastBns.length = 0;
    let x = net.relu(net.bn(net.conv(net.input, 'conv1', scaled(16), 3, { padding: 1 }), 'bn1'));
    for (let stage = 0; stage < 3; stage++)
      for (let b = 0; b < n; b++)
        x = residualBlock(net, x, `layer${stage + 1}.${b}`, 'basic', scaled(16 << stage), b === 0 && stage > 0 ? 2 : 1, lastBns);
    return net.dense(net.globalAvgPool(x, 'avgpool'), 'fc', o.numClasses, true);
  });
  if (zeroInit) zeroGammas(graph, lastBns);
  return graph;
}

/**
 * ResNet-18 (torchvision.models.resnet18): basic blocks [2, 2, 2, 2].
 * @example
 * const model = st.zoo.resnet18({ numClasses: 10, inputShape: [3, 64, 64] });
 */
export function resnet18(options: ResNetOptions = {}): Graph {
  return imagenetResNet('resnet18', 'basic', [2, 2, 2, 2], options);
}

/**
 * ResNet-34 (torchvision.models.resnet34): basic blocks [3, 4, 6, 3].
 * @example const model = st.zoo.resnet34();
 */
export function resnet34(options: ResNetOptions = {}): Graph {
  return imagenetResNet('resnet34', 'basic', [3, 4, 6, 3], options);
}

/**
 * ResNet-50 (torchvision.models.resnet50): bottleneck blocks [3, 4, 6, 3].
 * @example const model = st.zoo.resnet50();
 */
export function resnet50(options: ResNetOptions = {}): Graph {
  return imagenetResNet('resnet50', 'bottleneck', [3, 4, 6, 3], options);
}

/**
 * ResNet-101 (torchvision.models.resnet101): bottleneck blocks [3, 4, 23, 3].
 * @example const model = st.zoo.resnet101();
 */
export function resnet101(options: ResNetOptions = {}): Graph {
  return imagenetResNet('resnet101', 'bottleneck', [3, 4, 23, 3], options);
}

/**
 * ResNet-152 (torchvision.models.resnet152): bottleneck blocks [3, 8, 36, 3].
 * @example const model = st.zoo.resnet152();
 */
export function resnet152(options: ResNetOptions = {}): Graph {
  return imagenetResNet('resnet152', 'bottleneck', [3, 8, 36, 3], options);
}

/**
 * ResNet-20 for CIFAR-10 (He et al. 2016, 3 blocks per stage, 0.27M parameters).
 * @example
 * const model = st.zoo.resnet20();                 // [N, 3, 32, 32] -> [N, 10]
 * const slim = st.zoo.resnet20({ width: 0.5 });    // half the channels
 */
export function resnet20(options: ResNetOptions = {}): Graph {
  return cifarResNet('resnet20', 3, options);
}

/**
 * ResNet-32 for CIFAR-10 (5 blocks per stage).
 * @example const model = st.zoo.resnet32();
 */
export function resnet32(options: ResNetOptions = {}): Graph {
  return cifarResNet('resnet32', 5, options);
}

/**
 * ResNet-56 for CIFAR-10 (9 blocks per stage).
 * @example const model = st.zoo.resnet56();
 */
export function resnet56(options: ResNetOptions = {}): Graph {
  return cifarResNet('resnet56', 9, options);
}
