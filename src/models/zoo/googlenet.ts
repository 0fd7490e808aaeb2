/**
 * GoogLeNet, Inception-v1 (Szegedy et al. 2015). An Inception module runs four branches
 * side by side on one input and concatenates their channels:
 *   1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | 3x3/1 max pool -> 1x1
 *   [N,3,224,224] conv 7x7/2 64, max pool 3x3/2, conv 1x1 64, conv 3x3 192, max pool
 *   -> 3a 3b, max pool -> 4a 4b 4c 4d 4e, max pool -> 5a 5b -> global average pool,
 *   dropout, fc        (every pool rounds its size up, ceil mode)
 *
 * Two forms (`form`):
 * - `'torchvision'` (the default) matches torchvision.models.googlenet: each conv has no
 *   bias and is followed by batch norm (eps 1e-3) and ReLU, no LRN, and the "5x5" branch
 *   uses a 3x3 conv (a quirk of the weights torchvision ported). With the defaults
 *   (1000 classes, 3x224x224, auxLogits false) it has torchvision's 6,624,904 parameters.
 *   It is the default because batch norm makes it train from scratch reliably.
 * - `'paper'`: the 2015 paper as Caffe's bvlc_googlenet: convs with biases and ReLU, no
 *   batch norm, LRN (size 5, alpha 1e-4, beta 0.75) after the first pool and after conv
 *   3x3, and true 5x5 convs (6,998,552 parameters with aux off).
 *
 * `auxLogits: true` adds the two auxiliary classifiers after 4a and 4d (torchvision's
 * InceptionAux: adaptive average pool to 4x4, conv 1x1 128, fc 1024, relu, dropout 0.7,
 * fc; the paper form pools 5x5/3 as the paper does) as branches named aux1.* and aux2.*,
 * the graph's auxiliary outputs: training (`fit`, `forwardWithAuxiliary`) runs them and
 * minimises loss(main) + 0.3·loss(aux1) + 0.3·loss(aux2), the paper's "discount weight"
 * of 0.3; inference (`forward`, `predictSync`, `predict`) runs the main classifier
 * alone, as torchvision's model in eval mode does.
 */
import type { Graph } from '../graph.js';
import { buildNet, type Net, type Node } from './net.js';
import { boolArg, resolveOptions, type ZooOptions } from './options.js';
import { widthScale } from './resnet.js';

export interface GoogLeNetOptions extends ZooOptions {
  /** `'torchvision'` (batch norm, default) or `'paper'` (biases, LRN, true 5x5 convs). */
  form?: 'torchvision' | 'paper';
  /** The two auxiliary classifiers, trained with loss weight 0.3 each (see above); default false. */
  auxLogits?: boolean;
  /** Multiplies every conv's channels (and the auxiliary classifiers' fc 1024); default 1. */
  width?: number;
}

/** One Inception module's channels: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection. */
export type InceptionSpec = readonly [number, number, number, number, number, number];

const MODULES: Record<string, InceptionSpec> = {
  inception3a: [64, 96, 128, 16, 32, 32],
  inception3b: [128, 128, 192, 32, 96, 64],
  inception4a: [192, 96, 208, 16, 48, 64],
  inception4b: [160, 112, 224, 24, 64, 64],
  inception4c: [128, 128, 256, 24, 64, 64],
  inception4d: [112, 144, 288, 32, 64, 64],
  inception4e: [256, 160, 320, 32, 128, 128],
  inception5a: [256, 160, 320, 32, 128, 128],
  inception5b: [384, 192, 384, 48, 128, 128],
};

/** A conv followed by batch norm (torchvision) or with a bias (paper), then ReLU. */
export type ConvUnit = (x: Node, name: string, filters: number, kernelSize: number, padding?: number, stride?: number) => Node;

function convUnit(net: Net, paper: boolean): ConvUnit {
  return (x, name, filters, kernelSize, padding = 0, stride = 1) => paper
    ? net.relu(net.conv(x, name, filters, kernelSize, { padding, stride, bias: true }))
    : net.convBnRelu(x, name, filters, kernelSize, { padding, stride }, 1e-3);
}

/** An Inception-v1 module; `fiveByFive` false gives torchvision's 3x3 in the third branch. */
export function inceptionModule(net: Net, conv: ConvUnit, x: Node, name: string, spec: InceptionSpec, fiveByFive: boolean): Node {
  const [c1, r3, c3, r5, c5, pp] = spec;
  const b1 = conv(x, `${name}.branch1`, c1, 1);
  const b2 = conv(conv(x, `${name}.branch2.0`, r3, 1), `${name}.branch2.1`, c3, 3, 1);
  const b3 = fiveByFive
    ? conv(conv(x, `${name}.branch3.0`, r5, 1), `${name}.branch3.1`, c5, 5, 2)
    : conv(conv(x, `${name}.branch3.0`, r5, 1), `${name}.branch3.1`, c5, 3, 1);
  const b4 = conv(net.maxPool(x, 3, 1, 1, true, `${name}.branch4.0`), `${name}.branch4.1`, pp, 1);
  return net.concat(`${name}.concat`, b1, b2, b3, b4);
}

/** The paper's weight of each auxiliary classifier's loss. */
const AUX_WEIGHT = 0.3;

/**
 * An auxiliary classifier (pool to 4x4, conv 1x1 128, fc 1024, relu, dropout 0.7, fc;
 * 128 and 1024 scaled by `width`), marked as an auxiliary output.
 */
export function auxHead(net: Net, conv: ConvUnit, x: Node, name: string, numClasses: number, paper: boolean, scaled: (c: number) => number): void {
  const pooled = paper ? net.avgPool(x, 5, 3, 0, `${name}.pool`) : net.adaptiveAvgPool(x, 4, `${name}.pool`);
  let y = net.flatten(conv(pooled, `${name}.conv`, scaled(128), 1));
  y = net.dropout(net.relu(net.dense(y, `${name}.fc1`, scaled(1024))), 0.7);
  net.auxiliary(net.dense(y, `${name}.fc2`, numClasses, true), AUX_WEIGHT);
}

/**
 * @example
 * const model = st.zoo.googlenet({ numClasses: 10, inputShape: [3, 64, 64] });
 * const paper = st.zoo.googlenet({ form: 'paper' });
 */
export function googlenet(options: GoogLeNetOptions = {}): Graph {
  const label = 'googlenet';
  const o = resolveOptions(label, options, { numClasses: 1000, inputShape: [3, 224, 224] }, ['form', 'auxLogits', 'width']);
  const form = options.form ?? 'torchvision';
  if (form !== 'torchvision' && form !== 'paper') throw new RangeError(`${label}: form must be 'torchvision' or 'paper', got ${String(form)}`);
  const paper = form === 'paper';
  const aux = boolArg(label, 'auxLogits', options.auxLogits) ?? false;
  const scaled = widthScale(label, options.width);
  const scale = (s: InceptionSpec) => s.map(scaled) as unknown as InceptionSpec;
  return buildNet(label, o, (net) => {
    const conv = convUnit(net, paper);
    const module = (x: Node, name: string) => inceptionModule(net, conv, x, name, scale(MODULES[name]), paper);
    let x = conv(net.input, 'conv1', scaled(64), 7, 3, 2);
    x = net.maxPool(x, 3, 2, 0, true, 'maxpool1');
    if (paper) x = net.lrn(x, 'lrn1', 1e-4, 1);
    x = conv(conv(x, 'conv2', scaled(64), 1), 'conv3', scaled(192), 3, 1);
    if (paper) x = net.lrn(x, 'lrn2', 1e-4, 1);
    x = net.maxPool(x, 3, 2, 0, true, 'maxpool2');
    x = module(module(x, 'inception3a'), 'inception3b');
    x = module(net.maxPool(x, 3, 2, 0, true, 'maxpool3'), 'inception4a');
    if (aux) auxHead(net, conv, x, 'aux1', o.numClasses, paper, scaled);
    x = module(module(module(x, 'inception4b'), 'inception4c'), 'inception4d');
    if (aux) auxHead(net, conv, x, 'aux2', o.numClasses, paper, scaled);
    x = module(x, 'inception4e');
    x = module(module(net.maxPool(x, 2, 2, 0, true, 'maxpool4'), 'inception5a'), 'inception5b');
    return net.dense(net.dropout(net.globalAvgPool(x, 'avgpool'), paper ? 0.4 : 0.2), 'fc', o.numClasses, true);
  }, aux && paper ? ' (the paper form\'s auxiliary classifiers pool 5x5/3; auxLogits: false or the torchvision form take smaller inputs)' : '');
}
