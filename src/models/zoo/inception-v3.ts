/**
 * Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture"), matching
 * torchvision.models.inception_v3 (every conv: no bias, batch norm eps 1e-3, ReLU):
 *   [N,3,299,299] conv 3x3/2 32, conv 3x3 32, conv 3x3 64 pad 1, max pool 3x3/2,
 *   conv 1x1 80, conv 3x3 192, max pool 3x3/2                          -> 35x35x192
 *   Mixed_5b/5c/5d  InceptionA: 1x1 | 1x1→5x5 | 1x1→3x3→3x3 | avg pool→1x1  -> 35x35x288
 *   Mixed_6a        InceptionB, grid reduction: 3x3/2 | 1x1→3x3→3x3/2 | max pool -> 17x17x768
 *   Mixed_6b..6e    InceptionC, 7x7 factorised into 1x7 and 7x1            -> 17x17x768
 *   Mixed_7a        InceptionD, grid reduction                             -> 8x8x1280
 *   Mixed_7b/7c     InceptionE, 3x3 split into parallel 1x3 and 3x1       -> 8x8x2048
 *   global average pool, dropout 0.5, fc
 * The auxiliary classifier with batch norm (InceptionAux on Mixed_6e: avg pool 5x5/3,
 * conv 1x1 128, conv 5x5 768, global average pool, fc) comes with `auxLogits` (default
 * true, as torchvision): 27,161,264 parameters at the defaults, 23,834,568 without. It
 * is the graph's auxiliary output: training (`fit`, `forwardWithAuxiliary`) minimises
 * loss(main) + 0.4·loss(aux), the weight of TF-slim's train_image_classifier.py, which
 * trained Google's Inception-v3 (the paper gives none; torchvision's reference script
 * has no aux loss); inference (`forward`, `predictSync`, `predict`) runs the main
 * classifier alone. torchvision's head needs Mixed_6e's 17x17 grid (inputs of 299 and
 * up, where it is used as is); on a smaller grid an adaptive average pool to 5x5 takes
 * the place of the 5x5/3 pool (which gives 5x5 at 17x17), so every input from 75x75 up
 * works with the head, and its parameters are the same.
 */
import type { Graph } from '../graph.js';
import { buildNet, type Net, type Node } from './net.js';
import { boolArg, resolveOptions, type ZooOptions } from './options.js';
import { widthScale } from './resnet.js';

export interface InceptionV3Options extends ZooOptions {
  /** The auxiliary classifier, trained with loss weight 0.4 (see above); default true. */
  auxLogits?: boolean;
  /** Multiplies every conv's channels; default 1. */
  width?: number;
}

type Pair = number | readonly [number, number];

/** Inception-v3's conv unit: conv (no bias), batch norm eps 1e-3, ReLU, channels scaled by `width`. */
export class InceptionUnits {
  constructor(readonly net: Net, readonly scaled: (c: number) => number) {}

  conv(x: Node, name: string, filters: number, kernelSize: Pair, padding: Pair = 0, stride = 1): Node {
    return this.net.convBnRelu(x, name, this.scaled(filters), kernelSize, { padding, stride }, 1e-3);
  }
}

/** 35x35 module: 64 + 64 + 96 + poolFeatures channels. */
export function inceptionA(u: InceptionUnits, x: Node, name: string, poolFeatures: number): Node {
  const b1 = u.conv(x, `${name}.branch1x1`, 64, 1);
  const b5 = u.conv(u.conv(x, `${name}.branch5x5_1`, 48, 1), `${name}.branch5x5_2`, 64, 5, 2);
  let b3 = u.conv(x, `${name}.branch3x3dbl_1`, 64, 1);
  b3 = u.conv(u.conv(b3, `${name}.branch3x3dbl_2`, 96, 3, 1), `${name}.branch3x3dbl_3`, 96, 3, 1);
  const bp = u.conv(u.net.avgPool(x, 3, 1, 1, `${name}.avgpool`), `${name}.branch_pool`, poolFeatures, 1);
  return u.net.concat(`${name}.concat`, b1, b5, b3, bp);
}

/** 35 -> 17 grid reduction: 384 + 96 + the input's channels. */
export function inceptionB(u: InceptionUnits, x: Node, name: string): Node {
  const b3 = u.conv(x, `${name}.branch3x3`, 384, 3, 0, 2);
  let bd = u.conv(x, `${name}.branch3x3dbl_1`, 64, 1);
  bd = u.conv(u.conv(bd, `${name}.branch3x3dbl_2`, 96, 3, 1), `${name}.branch3x3dbl_3`, 96, 3, 0, 2);
  const bp = u.net.maxPool(x, 3, 2, 0, false, `${name}.maxpool`);
  return u.net.concat(`${name}.concat`, b3, bd, bp);
}

/** 17x17 module with factorised 7x7s (c7 inner channels): 768 channels. */
export function inceptionC(u: InceptionUnits, x: Node, name: string, c7: number): Node {
  const b1 = u.conv(x, `${name}.branch1x1`, 192, 1);
  let b7 = u.conv(x, `${name}.branch7x7_1`, c7, 1);
  b7 = u.conv(u.conv(b7, `${name}.branch7x7_2`, c7, [1, 7], [0, 3]), `${name}.branch7x7_3`, 192, [7, 1], [3, 0]);
  let bd = u.conv(x, `${name}.branch7x7dbl_1`, c7, 1);
  bd = u.conv(bd, `${name}.branch7x7dbl_2`, c7, [7, 1], [3, 0]);
  bd = u.conv(bd, `${name}.branch7x7dbl_3`, c7, [1, 7], [0, 3]);
  bd = u.conv(bd, `${name}.branch7x7dbl_4`, c7, [7, 1], [3, 0]);
  bd = u.conv(bd, `${name}.branch7x7dbl_5`, 192, [1, 7], [0, 3]);
  const bp = u.conv(u.net.avgPool(x, 3, 1, 1, `${name}.avgpool`), `${name}.branch_pool`, 192, 1);
  return u.net.concat(`${name}.concat`, b1, b7, bd, bp);
}

/** 17 -> 8 grid reduction: 320 + 192 + the input's channels. */
export function inceptionD(u: InceptionUnits, x: Node, name: string): Node {
  const b3 = u.conv(u.conv(x, `${name}.branch3x3_1`, 192, 1), `${name}.branch3x3_2`, 320, 3, 0, 2);
  let b7 = u.conv(x, `${name}.branch7x7x3_1`, 192, 1);
  b7 = u.conv(b7, `${name}.branch7x7x3_2`, 192, [1, 7], [0, 3]);
  b7 = u.conv(b7, `${name}.branch7x7x3_3`, 192, [7, 1], [3, 0]);
  b7 = u.conv(b7, `${name}.branch7x7x3_4`, 192, 3, 0, 2);
  const bp = u.net.maxPool(x, 3, 2, 0, false, `${name}.maxpool`);
  return u.net.concat(`${name}.concat`, b3, b7, bp);
}

/** 8x8 module with 3x3s split into parallel 1x3 and 3x1: 2048 channels. */
export function inceptionE(u: InceptionUnits, x: Node, name: string): Node {
  const b1 = u.conv(x, `${name}.branch1x1`, 320, 1);
  const b3 = u.conv(x, `${name}.branch3x3_1`, 384, 1);
  const b3a = u.conv(b3, `${name}.branch3x3_2a`, 384, [1, 3], [0, 1]);
  const b3b = u.conv(b3, `${name}.branch3x3_2b`, 384, [3, 1], [1, 0]);
  let bd = u.conv(x, `${name}.branch3x3dbl_1`, 448, 1);
  bd = u.conv(bd, `${name}.branch3x3dbl_2`, 384, 3, 1);
  const bda = u.conv(bd, `${name}.branch3x3dbl_3a`, 384, [1, 3], [0, 1]);
  const bdb = u.conv(bd, `${name}.branch3x3dbl_3b`, 384, [3, 1], [1, 0]);
  const bp = u.conv(u.net.avgPool(x, 3, 1, 1, `${name}.avgpool`), `${name}.branch_pool`, 192, 1);
  return u.net.concat(`${name}.concat`, b1, b3a, b3b, bda, bdb, bp);
}

/** TF-slim's weight of the auxiliary classifier's loss. */
const AUX_WEIGHT = 0.4;
/** The Mixed_6e grid of a 299x299 input, which the 5x5/3 pool takes to the 5x5 that conv1 needs. */
const AUX_GRID = 17;

/** InceptionAux, marked as the graph's auxiliary output. */
export function auxHead(u: InceptionUnits, x: Node, numClasses: number): void {
  let y = Math.min(x.shape[1], x.shape[2]) >= AUX_GRID
    ? u.net.avgPool(x, 5, 3, 0, 'AuxLogits.avgpool')
    : u.net.adaptiveAvgPool(x, 5, 'AuxLogits.avgpool');
  y = u.conv(u.conv(y, 'AuxLogits.conv0', 128, 1), 'AuxLogits.conv1', 768, 5);
  u.net.auxiliary(u.net.dense(u.net.globalAvgPool(y, 'AuxLogits.gap'), 'AuxLogits.fc', numClasses, true), AUX_WEIGHT);
}

/**
 * @example
 * const model = st.zoo.inceptionV3();                                   // 3x299x299
 * const small = st.zoo.inceptionV3({ inputShape: [3, 75, 75], width: 0.25 });
 */
export function inceptionV3(options: InceptionV3Options = {}): Graph {
  const label = 'inceptionV3';
  const o = resolveOptions(label, options, { numClasses: 1000, inputShape: [3, 299, 299] }, ['auxLogits', 'width']);
  const aux = boolArg(label, 'auxLogits', options.auxLogits) ?? true;
  const scaled = widthScale(label, options.width);
  return buildNet(label, o, (net) => {
    const u = new InceptionUnits(net, scaled);
    let x = u.conv(net.input, 'Conv2d_1a_3x3', 32, 3, 0, 2);
    x = u.conv(u.conv(x, 'Conv2d_2a_3x3', 32, 3), 'Conv2d_2b_3x3', 64, 3, 1);
    x = net.maxPool(x, 3, 2, 0, false, 'maxpool1');
    x = u.conv(u.conv(x, 'Conv2d_3b_1x1', 80, 1), 'Conv2d_4a_3x3', 192, 3);
    x = net.maxPool(x, 3, 2, 0, false, 'maxpool2');
    x = inceptionA(u, x, 'Mixed_5b', 32);
    x = inceptionA(u, x, 'Mixed_5c', 64);
    x = inceptionA(u, x, 'Mixed_5d', 64);
    x = inceptionB(u, x, 'Mixed_6a');
    x = inceptionC(u, x, 'Mixed_6b', 128);
    x = inceptionC(u, x, 'Mixed_6c', 160);
    x = inceptionC(u, x, 'Mixed_6d', 160);
    x = inceptionC(u, x, 'Mixed_6e', 192);
    if (aux) auxHead(u, x, o.numClasses);
    x = inceptionD(u, x, 'Mixed_7a');
    x = inceptionE(u, x, 'Mixed_7b');
    x = inceptionE(u, x, 'Mixed_7c');
    return net.dense(net.dropout(net.globalAvgPool(x, 'avgpool'), 0.5), 'fc', o.numClasses, true);
  });
}
