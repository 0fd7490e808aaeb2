/**
 * Ready-made networks, from LeNet-5 to DenseNet: each builder returns a seeded Graph
 * (LeNet-5 a Sequential) that trains, saves and loads like any other. `models` maps
 * each name (as `npx striate train NAME` takes it) to its builder. Every builder takes
 * `numClasses`, `inputShape` ([C, H, W]) and `seed`, plus its architecture's knobs.
 * @example
 * const model = st.zoo.resnet20({ numClasses: 10, seed: 1 });
 * const same = st.zoo.models['resnet20']({ numClasses: 10, seed: 1 });
 */
import { alexnet } from './alexnet.js';
import { densenet, densenet121, densenet169, densenet201 } from './densenet.js';
import { googlenet } from './googlenet.js';
import { inceptionV3 } from './inception-v3.js';
import { lenet5 } from './lenet5.js';
import type { ZooBuilder } from './options.js';
import { resnet101, resnet152, resnet18, resnet20, resnet32, resnet34, resnet50, resnet56 } from './resnet.js';
import { vgg, vgg11, vgg13, vgg16, vgg19 } from './vgg.js';

export { lenet5, type LeNet5Options } from './lenet5.js';
export { alexnet, type AlexNetOptions } from './alexnet.js';
export { vgg11, vgg13, vgg16, vgg19, vgg, type VGGOptions, type CifarVGGOptions } from './vgg.js';
export { googlenet, type GoogLeNetOptions } from './googlenet.js';
export { inceptionV3, type InceptionV3Options } from './inception-v3.js';
export { resnet18, resnet34, resnet50, resnet101, resnet152, resnet20, resnet32, resnet56, type ResNetOptions } from './resnet.js';
export { densenet121, densenet169, densenet201, densenet, type DenseNetOptions, type CifarDenseNetOptions } from './densenet.js';
export type { ZooOptions, ZooBuilder } from './options.js';

/** Every zoo model's builder by name (torchvision's names where it has the model). */
export const models: Readonly<Record<string, ZooBuilder>> = Object.freeze({
  lenet5,
  alexnet,
  vgg11, vgg13, vgg16, vgg19,
  googlenet,
  inceptionV3,
  resnet18, resnet34, resnet50, resnet101, resnet152,
  densenet121, densenet169, densenet201,
  resnet20, resnet32, resnet56,
  vgg, densenet,
});
