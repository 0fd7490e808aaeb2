// ConvNetJS 0.3.0, the classic: one sample at a time through float64 Vols in
// [H, W, C] order, so NCHW data and [Cout, Cin, kH, kW] weights are re-indexed first
// (untimed). Only the small workloads (LeNet shapes): its per-sample loops would take
// minutes on the large ones.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cn;

const SMALL_ONLY = 'n/a (ConvNetJS: small workloads only)';

/** Sample b of NCHW data as a Vol. */
function vol(data, [, c, h, w], b) {
  const v = new cn.Vol(w, h, c, 0);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) v.w[(y * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  return v;
}

/** Writes a Vol's `field` (w or dw) into sample b of NCHW `out`. */
function unvol(v, field, out, [, c, h, w], b) {
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out[((b * c + ch) * h + y) * w + x] = v[field][(y * w + x) * c + ch];
}

/** [Cout, Cin, k, k] weights (and bias, when given) into a conv layer's filter Vols ([k, k, Cin] each). */
function setConv(layer, w, b, [cout, cin, kh, kw]) {
  for (let o = 0; o < cout; o++) {
    const f = layer.filters[o];
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) f.w[(y * kw + x) * cin + i] = w[((o * cin + i) * kh + y) * kw + x];
    layer.biases.w[o] = b ? b[o] : 0;
  }
}

function convTask(task) {
  const s = task.spec;
  const layer = new cn.ConvLayer({ in_sx: s.w, in_sy: s.h, in_depth: s.cin, sx: s.k, filters: s.cout, stride: s.stride, pad: s.pad });
  setConv(layer, task.w, task.b, task.wShape);
  const xs = Array.from({ length: s.n }, (_, b) => vol(task.x, task.xShape, b));
  if (task.kind === 'conv-fwd') {
    const call = () => xs.map((x) => layer.forward(x));
    return {
      call,
      result: () => {
        const out = new Float32Array(task.yShape.reduce((a, b) => a * b, 1));
        call().forEach((y, b) => unvol(y, 'w', out, task.yShape, b));
        return [out];
      },
    };
  }
  const dys = Array.from({ length: s.n }, (_, b) => {
    const y = new cn.Vol(layer.out_sx, layer.out_sy, s.cout, 0);
    y.dw = vol(task.dy, task.yShape, b).w;
    return y;
  });
  // Weight gradients accumulate over the batch inside the layer: zero them per call.
  const call = () => {
    for (const f of layer.filters) f.dw.fill(0);
    layer.biases.dw.fill(0);
    xs.forEach((x, b) => {
      layer.in_act = x;
      layer.out_act = dys[b];
      layer.backward();
    });
  };
  return {
    call,
    result: () => {
      call();
      const dx = new Float32Array(task.x.length);
      xs.forEach((x, b) => unvol(x, 'dw', dx, task.xShape, b));
      const [cout, cin, k] = task.wShape;
      const dw = new Float32Array(task.w.length);
      for (let o = 0; o < cout; o++)
        for (let i = 0; i < cin; i++)
          for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) dw[((o * cin + i) * k + y) * k + x] = layer.filters[o].dw[(y * k + x) * cin + i];
      return [dx, dw, Float32Array.from(layer.biases.dw)];
    },
  };
}

/** LeNet-5 as ConvNetJS layer definitions; its softmax layer adds the final fc10 itself. */
function lenet(task) {
  const [c, h, w] = task.net.input;
  const defs = [{ type: 'input', out_sx: w, out_sy: h, out_depth: c }];
  for (const node of task.net.nodes) {
    const activation = node.relu ? { activation: 'relu' } : {};
    if (node.op === 'conv') defs.push({ type: 'conv', sx: node.k, filters: node.cout, stride: node.stride, pad: node.pad, ...activation });
    else if (node.op === 'maxpool') defs.push({ type: 'pool', sx: node.k, stride: node.stride });
    else if (node.op === 'fc' && node.name !== task.net.output) defs.push({ type: 'fc', num_neurons: node.cout, ...activation });
  }
  defs.push({ type: 'softmax', num_classes: 10 });
  const net = new cn.Net();
  net.makeLayers(defs);
  const weighted = net.layers.filter((l) => l.layer_type === 'conv' || l.layer_type === 'fc');
  task.net.nodes.filter((n) => n.op === 'conv' || n.op === 'fc').forEach((node, i) => {
    const layer = weighted[i];
    const wt = task.weights[`${node.name}.w`];
    const bias = task.weights[`${node.name}.b`];
    if (node.op === 'conv') return setConv(layer, wt, bias, [node.cout, node.cin, node.k, node.k]);
    // An fc after a feature map sees it flattened in [H, W, C] order; striate's weights index [C, H, W].
    const prev = net.layers[net.layers.indexOf(layer) - 1];
    const [pc, ph, pw] = [prev.out_depth, prev.out_sy, prev.out_sx];
    for (let o = 0; o < node.cout; o++) {
      for (let ch = 0; ch < pc; ch++)
        for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) layer.filters[o].w[(y * pw + x) * pc + ch] = wt[o * node.cin + (ch * ph + y) * pw + x];
      layer.biases.w[o] = bias[o];
    }
  });
  const trainer = new cn.Trainer(net, { method: 'sgd', learning_rate: task.lr, momentum: task.momentum, batch_size: task.batch, l2_decay: 0 });
  const samples = Array.from({ length: Math.max(task.count, task.checkSteps * task.batch) }, (_, i) => vol(task.images, [0, c, h, w], i));
  return {
    result: () => [
      Float32Array.from({ length: task.checkSteps }, (_, step) => {
        let total = 0;
        for (let i = step * task.batch; i < (step + 1) * task.batch; i++) total += trainer.train(samples[i], task.labels[i]).cost_loss;
        return total / task.batch;
      }),
    ],
    call: () => {
      for (let i = 0; i < task.count; i++) trainer.train(samples[i], task.labels[i]);
    },
  };
}

export default {
  name: 'convnetjs',
  async load() {
    cn = require('convnetjs');
    return { version: require('convnetjs/package.json').version, detail: 'pure JS, float64, one sample at a time, single-threaded' };
  },
  setThreads() {
    return 1;
  },
  prepare(task) {
    if (task.kind === 'conv-fwd' || task.kind === 'conv-bwd') return task.spec.small ? convTask(task) : SMALL_ONLY;
    if (task.kind === 'lenet') return lenet(task);
    if (task.kind === 'resnet' || task.kind === 'gemm' || task.kind.startsWith('pool')) return SMALL_ONLY;
    return `no ${task.kind} workload`;
  },
};
