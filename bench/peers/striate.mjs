// striate itself, imported from the built package (../../dist): ops for the kernel
// workloads, st.Sequential + st.optim.SGD for LeNet-5, st.Graph for ResNet-18.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js');
let st;

/** Which striate functions a task needs, so a missing one reads "not available yet". */
const NEEDS = {
  gemm: ['ops.matmul'],
  'conv-fwd': ['ops.conv2d'],
  'conv-bwd': ['ops.conv2dGradInput', 'ops.conv2dGradWeight'],
  'pool-fwd': ['ops.maxPool2dWithArgmax'],
  'pool-bwd': ['ops.maxPool2dWithArgmax', 'ops.maxPool2dGrad'],
  lenet: ['Sequential', 'nn.Conv2D', 'nn.Dense', 'nn.SoftmaxCrossEntropy', 'optim.SGD'],
  resnet: ['Graph', 'nn.Conv2D', 'nn.Add', 'nn.GlobalAvgPool2D', 'nn.MaxPool2D', 'nn.Dense'],
};

function missing(kind) {
  const absent = NEEDS[kind].filter((name) => name.split('.').reduce((o, key) => o?.[key], st) === undefined);
  return absent.length ? `striate: not available yet (${absent.join(', ')})` : undefined;
}

const convOptions = (s) => ({ stride: s.stride, padding: s.pad });

function setWeights(layer, weights, name) {
  layer.weight.value.data.set(weights[`${name}.w`]);
  layer.bias.value.data.set(weights[`${name}.b`]);
}

function layerFor(node, weights) {
  let layer;
  if (node.op === 'conv')
    layer = new st.nn.Conv2D({ filters: node.cout, inChannels: node.cin, kernelSize: node.k, stride: node.stride, padding: node.pad });
  else if (node.op === 'fc') layer = new st.nn.Dense({ units: node.cout, inFeatures: node.cin });
  else if (node.op === 'maxpool') return [new st.nn.MaxPool2D({ kernelSize: node.k, stride: node.stride, padding: node.pad })];
  else if (node.op === 'gap') return [new st.nn.GlobalAvgPool2D(), new st.nn.Flatten()];
  else if (node.op === 'flatten') return [new st.nn.Flatten()];
  else throw new Error(`striate peer: no layer for ${node.op}`);
  setWeights(layer, weights, node.name);
  return node.relu ? [layer, new st.nn.ReLU()] : [layer];
}

/** A Graph from the layer list: the residual additions need one. */
function buildGraph(net, weights) {
  const g = new st.Graph();
  const out = { x: g.input(net.input) };
  for (const node of net.nodes) {
    if (node.op === 'add') {
      const sum = g.add(new st.nn.Add(), out[node.in[0]], out[node.in[1]]);
      out[node.name] = node.relu ? g.add(new st.nn.ReLU(), sum) : sum;
      continue;
    }
    out[node.name] = layerFor(node, weights).reduce((prev, layer) => g.add(layer, prev), out[node.in]);
  }
  return g.output(out[net.output]);
}

function lenet(task) {
  const model = new st.Sequential(task.net.nodes.flatMap((node) => layerFor(node, task.weights)), { inputShape: task.net.input });
  const loss = new st.nn.SoftmaxCrossEntropy();
  const opt = new st.optim.SGD(model.params(), { lr: task.lr, momentum: task.momentum });
  const sample = task.net.input.reduce((a, b) => a * b, 1);
  const step = (first) => {
    const x = new st.Tensor(task.images.subarray(first * sample, (first + task.batch) * sample), [task.batch, ...task.net.input]);
    opt.zeroGrad();
    const value = loss.forward(model.forward(x, { training: true }), task.labels.subarray(first, first + task.batch));
    model.backward(loss.backward(), { inputGrad: false }); // as PyTorch: the images need no gradient
    opt.step();
    return value;
  };
  return {
    result: () => [Float32Array.from({ length: task.checkSteps }, (_, i) => step(i * task.batch))],
    call: () => {
      for (let first = 0; first + task.batch <= task.count; first += task.batch) step(first);
    },
  };
}

export default {
  name: 'striate',
  async load() {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npx tsc -p .\` (and npm run build:native) in the repo root`);
    st = await import(pathToFileURL(dist).href);
    const info = st.backendInfo();
    return { version: info.version, detail: `ISA ${info.isa}, OpenMP ${info.openmp ? 'on' : 'off'}`, backend: info };
  },
  setThreads(n) {
    st.setNumThreads(n);
    return st.getNumThreads();
  },
  prepare(task) {
    const why = missing(task.kind);
    if (why) return why;
    const s = task.spec;
    switch (task.kind) {
      case 'gemm': {
        const a = new st.Tensor(task.a, [s.m, s.k]);
        const b = new st.Tensor(task.b, [s.k, s.n]);
        const call = () => st.ops.matmul(a, b).data;
        return { call, result: () => [call()] };
      }
      case 'conv-fwd': {
        const x = new st.Tensor(task.x, task.xShape);
        const w = new st.Tensor(task.w, task.wShape);
        const b = new st.Tensor(task.b, [s.cout]);
        const call = () => st.ops.conv2d(x, w, b, convOptions(s)).data;
        return { call, result: () => [call()] };
      }
      case 'conv-bwd': {
        const x = new st.Tensor(task.x, task.xShape);
        const w = new st.Tensor(task.w, task.wShape);
        const dy = new st.Tensor(task.dy, task.yShape);
        const call = () => {
          const dx = st.ops.conv2dGradInput(dy, w, task.xShape, convOptions(s));
          const { dw, db } = st.ops.conv2dGradWeight(x, dy, task.wShape, convOptions(s));
          return [dx.data, dw.data, db.data];
        };
        return { call, result: call };
      }
      case 'pool-fwd': {
        const x = new st.Tensor(task.x, task.xShape);
        const call = () => st.ops.maxPool2dWithArgmax(x, { kernelSize: s.k, stride: s.stride }).y.data;
        return { call, result: () => [call()] };
      }
      case 'pool-bwd': {
        const x = new st.Tensor(task.x, task.xShape);
        const { argmax } = st.ops.maxPool2dWithArgmax(x, { kernelSize: s.k, stride: s.stride });
        const dy = new st.Tensor(task.dy, task.yShape);
        const call = () => st.ops.maxPool2dGrad(dy, argmax, task.xShape).data;
        return { call, result: () => [call()] };
      }
      case 'lenet':
        return lenet(task);
      case 'resnet': {
        const graph = buildGraph(task.net, task.weights);
        const x = new st.Tensor(task.x, [task.batch, ...task.net.input]);
        // What a user runs for inference: one pass of predictSync, which reuses its buffers
        // (with `task.compile`, through the graph's inference plan).
        if (task.compile) graph.compile({ batchSize: task.batch });
        const call = () => graph.predictSync(x, { batchSize: task.batch }).data;
        return { call, result: () => [call()] };
      }
      default:
        return `no ${task.kind} workload`;
    }
  },
};
