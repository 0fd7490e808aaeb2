/**
 * VGG (Simonyan & Zisserman 2015): stacks of 3x3 convolutions (padding 1, ReLU, with
 * batch norm before each ReLU in the _bn variants) separated by 2x2/2 max pools.
 *   configurations  A vgg11: 64 M 128 M 256 256 M 512 512 M 512 512 M
 *                   B vgg13: 64 64 M 128 128 M 256 256 M 512 512 M 512 512 M
 *                   D vgg16: ... 256 x3 ... 512 x3 ... 512 x3 M
 *                   E vgg19: ... 256 x4 ... 512 x4 ... 512 x4 M
 *
 * ImageNet VGGs match torchvision.models.vgg11/13/16/19 and vgg11_bn/13_bn/16_bn/19_bn:
 * features -> adaptive average pool to 7x7 -> fc 4096, relu, dropout 0.5, fc 4096,
 * relu, dropout 0.5, fc. With the defaults (1000 classes, 3x224x224) the counts equal
 * torchvision's: vgg11 132,863,336 (bn 132,868,840), vgg13 133,047,848 (133,053,736),
 * vgg16 138,357,544 (138,365,992), vgg19 143,667,240 (143,678,248). The adaptive pool
 * lets any input of at least 32x32 through (five halvings), keeping the classifier's size.
 *
 * The CIFAR VGG (`vgg({ depth })`, no torchvision model) is the common CIFAR-10 form:
 * the same features, batch norm by default, and after the fifth pool (1x1 at 32x32)
 * global average pooling and a single fc layer.
 */
import type { Graph } from '../graph.js';
import { buildNet, type Net, type Node } from './net.js';
import { boolArg, resolveOptions, type ZooOptions } from './options.js';
import { widthScale } from './resnet.js';

export interface VGGOptions extends ZooOptions {
  /** Batch norm after every conv (torchvision's vggNN_bn); default false for the ImageNet VGGs, true for the CIFAR one. */
  batchNorm?: boolean;
  /** Multiplies every conv's channels (the classifier's 4096 too); default 1. */
  width?: number;
}

export interface CifarVGGOptions extends VGGOptions {
  /** 11, 13, 16 or 19; default 16. */
  depth?: number;
}

/** Channels per conv; 0 is a max pool. */
const CONFIGS: Record<number, readonly number[]> = {
  11: [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
  13: [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
  16: [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
  19: [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
};

/** The convolutional part, named as torchvision's `features.<index>`. */
function features(net: Net, depth: number, batchNorm: boolean, scaled: (c: number) => number): Node {
  let x = net.input;
  let index = 0;
  for (const channels of CONFIGS[depth]) {
    if (channels === 0) {
      x = net.maxPool(x, 2, 2, 0, false, `features.${index++}`);
      continue;
    }
    x = net.conv(x, `features.${index++}`, scaled(channels), 3, { padding: 1, bias: true });
    if (batchNorm) x = net.bn(x, `features.${index++}`);
    x = net.relu(x, `features.${index++}`);
  }
  return x;
}

function imagenetVGG(label: string, depth: number, options: VGGOptions = {}): Graph {
  const o = resolveOptions(label, options, { numClasses: 1000, inputShape: [3, 224, 224] }, ['batchNorm', 'width']);
  const batchNorm = boolArg(label, 'batchNorm', options.batchNorm) ?? false;
  const scaled = widthScale(label, options.width);
  return buildNet(label, o, (net) => {
    let x = net.flatten(net.adaptiveAvgPool(features(net, depth, batchNorm, scaled), 7, 'avgpool'));
    x = net.dropout(net.relu(net.dense(x, 'classifier.0', scaled(4096))), 0.5);
    x = net.dropout(net.relu(net.dense(x, 'classifier.3', scaled(4096))), 0.5);
    return net.dense(x, 'classifier.6', o.numClasses, true);
  });
}

/**
 * VGG-11 (torchvision.models.vgg11, or vgg11_bn with `batchNorm: true`).
 * @example const model = st.zoo.vgg11({ batchNorm: true, inputShape: [3, 64, 64], numClasses: 10 });
 */
export function vgg11(options: VGGOptions = {}): Graph {
  return imagenetVGG('vgg11', 11, options);
}

/**
 * VGG-13 (torchvision.models.vgg13 / vgg13_bn).
 * @example const model = st.zoo.vgg13();
 */
export function vgg13(options: VGGOptions = {}): Graph {
  return imagenetVGG('vgg13', 13, options);
}

/**
 * VGG-16 (torchvision.models.vgg16 / vgg16_bn).
 * @example const model = st.zoo.vgg16();
 */
export function vgg16(options: VGGOptions = {}): Graph {
  return imagenetVGG('vgg16', 16, options);
}

/**
 * VGG-19 (torchvision.models.vgg19 / vgg19_bn).
 * @example const model = st.zoo.vgg19();
 */
export function vgg19(options: VGGOptions = {}): Graph {
  return imagenetVGG('vgg19', 19, options);
}

/**
 * A CIFAR-sized VGG: the VGG features (batch norm by default), global average pool, one fc.
 * @example
 * const model = st.zoo.vgg({ depth: 11, width: 0.25 });   // [N, 3, 32, 32] -> [N, 10]
 */
export function vgg(options: CifarVGGOptions = {}): Graph {
  const label = 'vgg';
  const o = resolveOptions(label, options, { numClasses: 10, inputShape: [3, 32, 32] }, ['batchNorm', 'width', 'depth']);
  const depth = options.depth ?? 16;
  if (!(depth in CONFIGS)) throw new RangeError(`${label}: depth must be 11, 13, 16 or 19, got ${String(depth)}`);
  const batchNorm = boolArg(label, 'batchNorm', options.batchNorm) ?? true;
  const scaled = widthScale(label, options.width);
  return buildNet(label, o, (net) =>
    net.dense(net.globalAvgPool(features(net, depth, batchNorm, scaled), 'avgpool'), 'classifier', o.numClasses, true));
}
