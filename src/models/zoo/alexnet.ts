/**
 * AlexNet (Krizhevsky, Sutskever & Hinton 2012) in torchvision's single-tower form
 * (torchvision.models.alexnet: 64, 192, 384, 256, 256 channels, from Krizhevsky's
 * "one weird trick" paper, rather than the original two-GPU 96, 256, 384, 384, 256):
 *   [N,3,224,224] conv 11x11/4 pad 2 64, relu, [lrn], max pool 3x3/2 (overlapping)
 *   conv 5x5 pad 2 192, relu, [lrn], max pool 3x3/2
 *   conv 3x3 384, relu, conv 3x3 256, relu, conv 3x3 256, relu, max pool 3x3/2
 *   adaptive average pool 6x6 -> dropout, fc 4096, relu, dropout, fc 4096, relu, fc
 * `lrn` (default true, as in the 2012 paper) puts local response normalisation after the
 * first two ReLUs (size 5, alpha 1e-4, beta 0.75, k 2; LRN has no parameters); with
 * `lrn: false` it is exactly torchvision's alexnet, 61,100,840 parameters at the defaults.
 * The smallest input is 63x63.
 */
import type { Graph } from '../graph.js';
import { buildNet } from './net.js';
import { boolArg, resolveOptions, type ZooOptions } from './options.js';
import { widthScale } from './resnet.js';

export interface AlexNetOptions extends ZooOptions {
  /** Local response normalisation after conv1 and conv2, as in the paper; default true. */
  lrn?: boolean;
  /** Multiplies every layer's channels and the classifier's 4096; default 1. */
  width?: number;
}

/**
 * @example
 * const paper = st.zoo.alexnet();                   // with LRN
 * const tv = st.zoo.alexnet({ lrn: false });        // torchvision.models.alexnet
 */
export function alexnet(options: AlexNetOptions = {}): Graph {
  const label = 'alexnet';
  const o = resolveOptions(label, options, { numClasses: 1000, inputShape: [3, 224, 224] }, ['lrn', 'width']);
  const lrn = boolArg(label, 'lrn', options.lrn) ?? true;
  const scaled = widthScale(label, options.width);
  return buildNet(label, o, (net) => {
    // The paper's alpha (1e-4) multiplies the plain sum of squares; ours divides by size.
    let x = net.relu(net.conv(net.input, 'features.0', scaled(64), 11, { stride: 4, padding: 2, bias: true }));
    if (lrn) x = net.lrn(x, 'lrn1', 5e-4, 2);
    x = net.maxPool(x, 3, 2, 0, false, 'features.2');
    x = net.relu(net.conv(x, 'features.3', scaled(192), 5, { padding: 2, bias: true }));
    if (lrn) x = net.lrn(x, 'lrn2', 5e-4, 2);
    x = net.maxPool(x, 3, 2, 0, false, 'features.5');
    x = net.relu(net.conv(x, 'features.6', scaled(384), 3, { padding: 1, bias: true }));
    x = net.relu(net.conv(x, 'features.8', scaled(256), 3, { padding: 1, bias: true }));
    x = net.relu(net.conv(x, 'features.10', scaled(256), 3, { padding: 1, bias: true }));
    x = net.flatten(net.adaptiveAvgPool(net.maxPool(x, 3, 2, 0, false, 'features.12'), 6, 'avgpool'));
    x = net.relu(net.dense(net.dropout(x, 0.5), 'classifier.1', scaled(4096)));
    x = net.relu(net.dense(net.dropout(x, 0.5), 'classifier.4', scaled(4096)));
    return net.dense(x, 'classifier.6', o.numClasses, true);
  });
}
