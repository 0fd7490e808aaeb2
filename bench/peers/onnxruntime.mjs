// ONNX Runtime (onnxruntime-node, its bundled CPU build): inference only. Every graph
// is a striate model written by st.onnx.encodeOnnx (../../dist) with the same weights
// the other libraries get; the input is fed per call, weights are initializers
// (constants), as in deployment. GEMM is a Dense layer holding B as its weight, so
// ONNX Runtime sees B as a constant (it may pre-pack it). Task kind 'graph' runs any
// striate model (bench/nets.mjs gives it the zoo's).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js');
let ort;
let st;
let threads = 1;

const INFERENCE_ONLY = 'n/a (ONNX Runtime is inference only)';

/** The net's layers in striate with the suite's weights: conv (+ReLU), max-pool, add (+ReLU), global pool, dense. */
function netGraph(net, weights) {
  const g = new st.Graph();
  const out = { x: g.input(net.input) };
  const relu = (node, value) => (node.relu ? g.add(new st.nn.ReLU(), value) : value);
  for (const node of net.nodes) {
    const input = out[Array.isArray(node.in) ? node.in[0] : node.in];
    if (node.op === 'conv' || node.op === 'fc') {
      const layer = node.op === 'conv'
        ? new st.nn.Conv2D({ filters: node.cout, inChannels: node.cin, kernelSize: node.k, stride: node.stride, padding: node.pad })
        : new st.nn.Dense({ units: node.cout, inFeatures: node.cin });
      layer.weight.value.data.set(weights[`${node.name}.w`]);
      layer.bias.value.data.set(weights[`${node.name}.b`]);
      out[node.name] = relu(node, g.add(layer, input));
    } else if (node.op === 'maxpool') out[node.name] = g.add(new st.nn.MaxPool2D({ kernelSize: node.k, stride: node.stride, padding: node.pad }), input);
    else if (node.op === 'add') out[node.name] = relu(node, g.add(new st.nn.Add(), out[node.in[0]], out[node.in[1]]));
    else if (node.op === 'gap') out[node.name] = g.add(new st.nn.GlobalAvgPool2D(), input);
    else if (node.op === 'flatten') out[node.name] = g.add(new st.nn.Flatten(), input);
  }
  return g.output(out[net.output]);
}

/** A one-layer model on a [N, ...sample] input (batch symbolic). */
const single = (layer, sample) => new st.Sequential([layer], { inputShape: sample });

/** A session running `model` (a striate Graph, exported here) on the input x of shape dims. */
async function session(model, x, dims) {
  const s = await ort.InferenceSession.create(st.onnx.encodeOnnx(model), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', x, dims) };
  const output = s.outputNames[0];
  const call = async () => (await s.run(feeds))[output].data;
  return { call, result: async () => [await call()] };
}

export default {
  name: 'onnxruntime',
  async load() {
    ort = require('onnxruntime-node');
    st = await import(pathToFileURL(dist).href);
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
        // c = a·b as a Dense layer: its weight is bᵀ [n, k].
        const dense = new st.nn.Dense({ units: s.n, inFeatures: s.k, useBias: false });
        const w = dense.weight.value.data;
        for (let j = 0; j < s.n; j++) for (let p = 0; p < s.k; p++) w[j * s.k + p] = task.b[p * s.n + j];
        return session(single(dense, [s.k]), task.a, [s.m, s.k]);
      }
      case 'conv-fwd': {
        const conv = new st.nn.Conv2D({ filters: s.cout, inChannels: task.xShape[1], kernelSize: s.k, stride: s.stride, padding: s.pad });
        conv.weight.value.data.set(task.w);
        conv.bias.value.data.set(task.b);
        return session(single(conv, task.xShape.slice(1)), task.x, task.xShape);
      }
      case 'pool-fwd':
        return session(single(new st.nn.MaxPool2D({ kernelSize: s.k, stride: s.stride }), task.xShape.slice(1)), task.x, task.xShape);
      case 'resnet':
        return session(netGraph(task.net, task.weights), task.x, [task.batch, ...task.net.input]);
      case 'graph':
        return session(task.graph, task.x, task.xShape);
      default:
        return INFERENCE_ONLY;
    }
  },
};
