// The two networks of the suite as a tiny layer list that every peer translates into
// its own API (striate Sequential/Graph, tfjs ops, an ONNX graph, torch modules,
// convnetjs layers), plus their weights, drawn once so all of them hold the same ones.
//
// Node ops: conv {cin, cout, k, stride, pad, relu} · maxpool {k, stride, pad} ·
// add {in: [a, b], relu} · gap (global average pool -> [N, C]) · flatten · fc {cin, cout, relu}.
// Weights: `<name>.w` in PyTorch layout ([Cout, Cin, kH, kW] / [out, in]) and `<name>.b`.
// ResNet's BatchNorm is folded into the conv weights and bias (what an inference engine
// does anyway), so every library runs exactly conv + bias + ReLU + add.
import { heNormal, normal } from './data.mjs';

/** LeNet-5 on 32×32 MNIST: conv5×6, pool, conv5×16, pool, fc120, fc84, fc10. */
export function lenet5() {
  const nodes = [
    { name: 'conv1', op: 'conv', in: 'x', cin: 1, cout: 6, k: 5, stride: 1, pad: 0, relu: true },
    { name: 'pool1', op: 'maxpool', in: 'conv1', k: 2, stride: 2, pad: 0 },
    { name: 'conv2', op: 'conv', in: 'pool1', cin: 6, cout: 16, k: 5, stride: 1, pad: 0, relu: true },
    { name: 'pool2', op: 'maxpool', in: 'conv2', k: 2, stride: 2, pad: 0 },
    { name: 'flat', op: 'flatten', in: 'pool2' },
    { name: 'fc1', op: 'fc', in: 'flat', cin: 400, cout: 120, relu: true },
    { name: 'fc2', op: 'fc', in: 'fc1', cin: 120, cout: 84, relu: true },
    { name: 'fc3', op: 'fc', in: 'fc2', cin: 84, cout: 10, relu: false },
  ];
  return { name: 'lenet5', input: [1, 32, 32], nodes, output: 'fc3' };
}

/**
 * ResNet-18 (He et al. 2016, BasicBlock ×[2,2,2,2]). `imagenet`: 7×7/2 stem and a
 * 3×3/2 max-pool, 1000 classes. `cifar`: 3×3/1 stem, no pool, 10 classes (the usual
 * CIFAR-10 variant, 0.56 GFLOP per image).
 */
export function resnet18(variant) {
  const imagenet = variant === 'imagenet';
  const nodes = [];
  const conv = (name, input, cin, cout, k, stride, relu) =>
    nodes.push({ name, op: 'conv', in: input, cin, cout, k, stride, pad: (k - 1) >> 1, relu });
  conv('stem', 'x', 3, 64, imagenet ? 7 : 3, imagenet ? 2 : 1, true);
  let last = 'stem';
  if (imagenet) {
    nodes.push({ name: 'stempool', op: 'maxpool', in: 'stem', k: 3, stride: 2, pad: 1 });
    last = 'stempool';
  }
  let channels = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const id = `s${stage + 1}b${block + 1}`;
      conv(`${id}c1`, last, channels, width, 3, stride, true);
      conv(`${id}c2`, `${id}c1`, width, width, 3, 1, false);
      let shortcut = last;
      if (stride !== 1 || channels !== width) {
        conv(`${id}down`, last, channels, width, 1, stride, false);
        shortcut = `${id}down`;
      }
      nodes.push({ name: `${id}add`, op: 'add', in: [`${id}c2`, shortcut], relu: true });
      last = `${id}add`;
      channels = width;
    }
  });
  nodes.push({ name: 'gap', op: 'gap', in: last });
  nodes.push({ name: 'fc', op: 'fc', in: 'gap', cin: 512, cout: imagenet ? 1000 : 10, relu: false });
  const size = imagenet ? 224 : 32;
  return { name: `resnet18-${variant}`, input: [3, size, size], nodes, output: 'fc' };
}

/**
 * He-normal weights and small biases for every conv/fc node. The last conv of each
 * residual branch is scaled by 1/2 so activations stay O(1) through the eight
 * un-normalised additions, keeping the float32 comparison between libraries meaningful.
 */
export function initWeights(net, seed) {
  const weights = {};
  net.nodes.forEach((node, i) => {
    if (node.op !== 'conv' && node.op !== 'fc') return;
    const k = node.op === 'conv' ? node.k * node.k : 1;
    const w = heNormal(node.cout * node.cin * k, node.cin * k, seed + 2 * i);
    if (/c2$/.test(node.name)) for (let j = 0; j < w.length; j++) w[j] *= 0.5;
    weights[`${node.name}.w`] = w;
    weights[`${node.name}.b`] = normal(node.cout, seed + 2 * i + 1, 0.01);
  });
  return weights;
}

/** [Cout, Cin, kH, kW] or [out, in]: the shape of a weight, by its node. */
export function weightShape(node) {
  return node.op === 'conv' ? [node.cout, node.cin, node.k, node.k] : [node.cout, node.cin];
}

/** GFLOP of one forward pass of one image (multiply-adds counted as 2). */
export function forwardGflop(net) {
  const shapes = { x: net.input };
  let flops = 0;
  for (const node of net.nodes) {
    const src = shapes[Array.isArray(node.in) ? node.in[0] : node.in];
    if (node.op === 'conv' || node.op === 'maxpool') {
      const out = (d) => Math.floor((d + 2 * node.pad - node.k) / node.stride) + 1;
      const shape = [node.op === 'conv' ? node.cout : src[0], out(src[1]), out(src[2])];
      if (node.op === 'conv') flops += 2 * shape[0] * shape[1] * shape[2] * node.cin * node.k * node.k;
      shapes[node.name] = shape;
    } else if (node.op === 'fc') {
      flops += 2 * node.cin * node.cout;
      shapes[node.name] = [node.cout];
    } else if (node.op === 'gap' || node.op === 'flatten') {
      shapes[node.name] = node.op === 'gap' ? [src[0]] : [src.reduce((a, b) => a * b, 1)];
    } else {
      shapes[node.name] = src;
    }
  }
  return flops / 1e9;
}
