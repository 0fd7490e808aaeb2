// ONNX Runtime (onnxruntime-node, its bundled CPU build): inference only. Every graph
// is written here by ../lib/onnx.mjs with the same weights the other libraries get;
// inputs are fed per call, weights are initializers (constants), as in deployment.
import { createRequire } from 'node:module';
import { onnxModel } from '../lib/onnx.mjs';
import { weightShape } from '../lib/nets.mjs';

const require = createRequire(import.meta.url);
let ort;
let threads = 1;

const INFERENCE_ONLY = 'n/a (ONNX Runtime is inference only)';

function convAttrs(k, stride, pad) {
  return { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], group: 1 };
}

/** The net as ONNX nodes: conv (+Relu), MaxPool, Add (+Relu), GlobalAveragePool + Flatten, Gemm. */
function netModel(net, weights, batch) {
  const nodes = [];
  const initializers = [];
  for (const node of net.nodes) {
    const input = Array.isArray(node.in) ? node.in : [node.in];
    const out = node.relu ? `${node.name}_pre` : node.name;
    if (node.op === 'conv' || node.op === 'fc') {
      initializers.push({ name: `${node.name}.w`, dims: weightShape(node), data: weights[`${node.name}.w`] });
      initializers.push({ name: `${node.name}.b`, dims: [node.cout], data: weights[`${node.name}.b`] });
      const inputs = [input[0], `${node.name}.w`, `${node.name}.b`];
      if (node.op === 'conv') nodes.push({ op: 'Conv', inputs, outputs: [out], attrs: convAttrs(node.k, node.stride, node.pad) });
      else nodes.push({ op: 'Gemm', inputs, outputs: [out], attrs: { transB: 1 } });
    } else if (node.op === 'maxpool') {
      nodes.push({ op: 'MaxPool', inputs: input, outputs: [out], attrs: { kernel_shape: [node.k, node.k], strides: [node.stride, node.stride], pads: [node.pad, node.pad, node.pad, node.pad] } });
    } else if (node.op === 'add') {
      nodes.push({ op: 'Add', inputs: input, outputs: [out] });
    } else if (node.op === 'gap') {
      nodes.push({ op: 'GlobalAveragePool', inputs: input, outputs: [`${node.name}_4d`] });
      nodes.push({ op: 'Flatten', inputs: [`${node.name}_4d`], outputs: [out], attrs: { axis: 1 } });
    } else if (node.op === 'flatten') {
      nodes.push({ op: 'Flatten', inputs: input, outputs: [out], attrs: { axis: 1 } });
    }
    if (node.relu) nodes.push({ op: 'Relu', inputs: [out], outputs: [node.name] });
  }
  const classes = net.nodes.find((n) => n.name === net.output).cout;
  return onnxModel({
    name: net.name,
    inputs: [{ name: 'x', shape: [batch, ...net.input] }],
    outputs: [{ name: net.output, shape: [batch, classes] }],
    initializers,
    nodes,
  });
}

async function session(model, feeds, output) {
  const s = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const call = async () => (await s.run(feeds))[output].data;
  return { call, result: async () => [await call()] };
}

const tensor = (data, dims) => new ort.Tensor('float32', data, dims);

export default {
  name: 'onnxruntime',
  async load() {
    ort = require('onnxruntime-node');
    return { version: require('onnxruntime-node/package.json').version, detail: 'CPU execution provider, graph optimisation "all"' };
  },
  setThreads(n) {
    threads = n;
    return n;
  },
  async prepare(task) {
    const s = task.spec;
    switch (task.kind) {
      case 'gemm': {
        const model = onnxModel({
          name: 'gemm',
          inputs: [{ name: 'a', shape: [s.m, s.k] }, { name: 'b', shape: [s.k, s.n] }],
          outputs: [{ name: 'c', shape: [s.m, s.n] }],
          nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
        });
        return session(model, { a: tensor(task.a, [s.m, s.k]), b: tensor(task.b, [s.k, s.n]) }, 'c');
      }
      case 'conv-fwd': {
        const model = onnxModel({
          name: 'conv',
          inputs: [{ name: 'x', shape: task.xShape }],
          outputs: [{ name: 'y', shape: task.yShape }],
          initializers: [{ name: 'w', dims: task.wShape, data: task.w }, { name: 'b', dims: [s.cout], data: task.b }],
          nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: convAttrs(s.k, s.stride, s.pad) }],
        });
        return session(model, { x: tensor(task.x, task.xShape) }, 'y');
      }
      case 'pool-fwd': {
        const model = onnxModel({
          name: 'maxpool',
          inputs: [{ name: 'x', shape: task.xShape }],
          outputs: [{ name: 'y', shape: task.yShape }],
          nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [s.k, s.k], strides: [s.stride, s.stride] } }],
        });
        return session(model, { x: tensor(task.x, task.xShape) }, 'y');
      }
      case 'resnet': {
        const model = netModel(task.net, task.weights, task.batch);
        return session(model, { x: tensor(task.x, [task.batch, ...task.net.input]) }, task.net.output);
      }
      default:
        return INFERENCE_ONLY;
    }
  },
};
