// TensorFlow.js, two backends in one module: `tfjs` (the pure-JS CPU backend) and
// `tfjs-wasm` (XNNPACK compiled to WebAssembly SIMD). Both use channels-last tensors,
// so inputs are converted to NHWC / HWIO before timing and outputs back to NCHW for
// the check: the layout change is not counted, as a tfjs user keeps data in NHWC.
// Each peer keeps its own tensors and makes its backend active before each timed call
// (untimed), so no tensor ever migrates between the two.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fromHwio, fromNhwc, toHwio, toNhwc } from '../lib/data.mjs';

const require = createRequire(import.meta.url);
let tf;
let wasm;

async function loadTf() {
  if (tf) return;
  tf = await import('@tensorflow/tfjs');
  wasm = await import('@tensorflow/tfjs-backend-wasm');
  // PROD drops the debug checks and the "install tfjs-node" banner.
  tf.env().set('PROD', true);
}

const pad4 = (p) => [[0, 0], [p, p], [p, p], [0, 0]];
const nhwcShape = ([n, c, h, w]) => [n, h, w, c];

/** Ties the output's lifetime to the call: read it (as a user must), then free it. */
function read(tensor) {
  const data = tensor.dataSync();
  tensor.dispose();
  return data;
}

/** HWC-flattened features: the fc weight [out, C·H·W] (CHW order) re-indexed for x·W with x in HWC order. */
function denseKernel(w, [cout, cin], chw) {
  const out = new Float32Array(w.length);
  const [c, h, wd] = chw ?? [cin, 1, 1];
  for (let o = 0; o < cout; o++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < wd; x++) out[((y * wd + x) * c + ch) * cout + o] = w[o * cin + (ch * h + y) * wd + x];
  return out;
}

/** Variables for every conv/fc node of a net, in tfjs layouts. */
function variables(net, weights, trainable) {
  const vars = {};
  const shapes = { x: net.input };
  for (const node of net.nodes) {
    const src = shapes[Array.isArray(node.in) ? node.in[0] : node.in];
    if (node.op === 'conv') {
      const wShape = [node.cout, node.cin, node.k, node.k];
      vars[`${node.name}.w`] = tf.variable(tf.tensor4d(toHwio(weights[`${node.name}.w`], wShape), [node.k, node.k, node.cin, node.cout]), trainable);
      const out = (d) => Math.floor((d + 2 * node.pad - node.k) / node.stride) + 1;
      shapes[node.name] = [node.cout, out(src[1]), out(src[2])];
    } else if (node.op === 'fc') {
      const feeder = net.nodes.find((n) => n.name === node.in);
      const chw = feeder?.op === 'flatten' ? shapes[feeder.in] : undefined;
      const kernel = denseKernel(weights[`${node.name}.w`], [node.cout, node.cin], chw);
      vars[`${node.name}.w`] = tf.variable(tf.tensor2d(kernel, [node.cin, node.cout]), trainable);
      shapes[node.name] = [node.cout];
    } else if (node.op === 'maxpool') {
      const out = (d) => Math.floor((d + 2 * node.pad - node.k) / node.stride) + 1;
      shapes[node.name] = [src[0], out(src[1]), out(src[2])];
    } else {
      shapes[node.name] = node.op === 'gap' ? [src[0]] : node.op === 'flatten' ? [src.reduce((a, b) => a * b, 1)] : src;
    }
    if (node.op === 'conv' || node.op === 'fc') vars[`${node.name}.b`] = tf.variable(tf.tensor1d(weights[`${node.name}.b`]), trainable);
  }
  return vars;
}

/** The net's forward pass on NHWC input as tfjs ops (call inside tf.tidy). */
function forward(net, vars, x) {
  const out = { x };
  for (const node of net.nodes) {
    const input = out[Array.isArray(node.in) ? node.in[0] : node.in];
    const activation = node.relu ? 'relu' : 'linear';
    const w = vars[`${node.name}.w`];
    const bias = vars[`${node.name}.b`];
    if (node.op === 'conv') out[node.name] = tf.fused.conv2d({ x: input, filter: w, strides: node.stride, pad: pad4(node.pad), bias, activation });
    else if (node.op === 'fc') out[node.name] = tf.fused.matMul({ a: input, b: w, bias, activation });
    else if (node.op === 'maxpool') out[node.name] = tf.maxPool(input, node.k, node.stride, node.pad);
    else if (node.op === 'add') {
      const sum = tf.add(input, out[node.in[1]]);
      out[node.name] = node.relu ? tf.relu(sum) : sum;
    } else if (node.op === 'gap') out[node.name] = tf.mean(input, [1, 2]);
    else if (node.op === 'flatten') out[node.name] = tf.reshape(input, [input.shape[0], -1]);
  }
  return out[net.output];
}

function lenet(task) {
  const vars = variables(task.net, task.weights, true);
  const opt = tf.train.momentum(task.lr, task.momentum);
  const [c, h, w] = task.net.input;
  const sample = c * h * w;
  // C = 1: NCHW and NHWC images share one memory layout.
  const images = tf.tensor4d(task.images, [task.images.length / sample, h, w, c]);
  const onehot = tf.oneHot(tf.tensor1d(task.labels, 'int32'), 10).toFloat();
  const step = (first) => {
    const x = images.slice([first, 0, 0, 0], [task.batch, h, w, c]);
    const y = onehot.slice([first, 0], [task.batch, 10]);
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(task.net, vars, x)), true);
    x.dispose();
    y.dispose();
    return read(loss)[0];
  };
  return {
    result: () => [Float32Array.from({ length: task.checkSteps }, (_, i) => step(i * task.batch))],
    call: () => {
      for (let first = 0; first + task.batch <= task.count; first += task.batch) step(first);
    },
  };
}

function prepare(task, backend) {
  const s = task.spec;
  switch (task.kind) {
    case 'gemm': {
      const a = tf.tensor2d(task.a, [s.m, s.k]);
      const b = tf.tensor2d(task.b, [s.k, s.n]);
      const call = () => read(tf.matMul(a, b));
      return { call, result: () => [call()] };
    }
    case 'conv-fwd': {
      const x = tf.tensor4d(toNhwc(task.x, task.xShape), nhwcShape(task.xShape));
      const filter = tf.tensor4d(toHwio(task.w, task.wShape), [s.k, s.k, s.cin, s.cout]);
      const bias = tf.tensor1d(task.b);
      const call = () => read(tf.fused.conv2d({ x, filter, bias, strides: s.stride, pad: pad4(s.pad) }));
      return { call, result: () => [fromNhwc(call(), task.yShape)] };
    }
    case 'conv-bwd': {
      if (backend === 'wasm') return 'n/a (tfjs-wasm has no Conv2DBackpropFilter kernel)';
      const x = tf.tensor4d(toNhwc(task.x, task.xShape), nhwcShape(task.xShape));
      const filter = tf.tensor4d(toHwio(task.w, task.wShape), [s.k, s.k, s.cin, s.cout]);
      const dy = tf.tensor4d(toNhwc(task.dy, task.yShape), nhwcShape(task.yShape));
      const attrs = { strides: [s.stride, s.stride], pad: pad4(s.pad), dataFormat: 'NHWC' };
      const call = () => [
        read(tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: nhwcShape(task.xShape) })),
        read(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [s.k, s.k, s.cin, s.cout] })),
        read(tf.sum(dy, [0, 1, 2])),
      ];
      return {
        call,
        result: () => {
          const [dx, dw, db] = call();
          return [fromNhwc(dx, task.xShape), fromHwio(dw, task.wShape), db];
        },
      };
    }
    case 'pool-fwd': {
      const x = tf.tensor4d(toNhwc(task.x, task.xShape), nhwcShape(task.xShape));
      const call = () => read(tf.maxPool(x, s.k, s.stride, 'valid'));
      return { call, result: () => [fromNhwc(call(), task.yShape)] };
    }
    case 'pool-bwd': {
      const input = tf.tensor4d(toNhwc(task.x, task.xShape), nhwcShape(task.xShape));
      const output = tf.maxPool(input, s.k, s.stride, 'valid');
      const dy = tf.tensor4d(toNhwc(task.dy, task.yShape), nhwcShape(task.yShape));
      const call = () => read(tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: s.k, strides: s.stride, pad: 'valid' }));
      return { call, result: () => [fromNhwc(call(), task.xShape)] };
    }
    case 'lenet':
      if (backend === 'wasm') return 'n/a (tfjs-wasm has no Conv2DBackpropFilter kernel)';
      return lenet(task);
    case 'resnet': {
      const vars = variables(task.net, task.weights, false);
      const x = tf.tensor4d(toNhwc(task.x, [task.batch, ...task.net.input]), nhwcShape([task.batch, ...task.net.input]));
      const call = () => read(tf.tidy(() => forward(task.net, vars, x)));
      return { call, result: () => [call()] };
    }
    default:
      return `no ${task.kind} workload`;
  }
}

/**
 * Does the threaded wasm build start under Node? tfjs never tries it there (it reports
 * no thread support when IS_NODE), so the probe forces the flag and calls the backend
 * factory in a child process: a failed start leaves tfjs unusable.
 */
function probeThreaded() {
  const script = `
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(2);
    try {
      await tf.findBackendFactory('wasm')();
      console.log(JSON.stringify({ ok: true, threads: wasm.getThreadsCount() }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, why: String(e?.message ?? e) }));
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8', timeout: 30_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { ok: false, why: `the probe did not answer (${r.error?.message ?? r.stderr.trim().split('\n')[0]})` };
  }
}

function peer(name, backend) {
  return {
    name,
    async load() {
      await loadTf();
      const version = require('@tensorflow/tfjs/package.json').version;
      if (backend === 'cpu') {
        await tf.setBackend('cpu');
        return { version, detail: 'pure-JS CPU backend, single-threaded' };
      }
      const threaded = probeThreaded();
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      const detail = threaded.ok
        ? `threaded SIMD build started with ${threaded.threads} threads in a probe, but tfjs ${version} never picks it in Node; ran the single-threaded SIMD build`
        : `threaded build refused in Node (${threaded.why}); ran the single-threaded SIMD build`;
      return { version: require('@tensorflow/tfjs-backend-wasm/package.json').version, detail };
    },
    setThreads() {
      return backend === 'wasm' ? wasm.getThreadsCount() : 1;
    },
    async prepare(task) {
      await tf.setBackend(backend);
      const prepared = prepare(task, backend);
      if (typeof prepared === 'string') return prepared;
      return { ...prepared, enter: () => tf.getBackend() === backend || tf.setBackend(backend) };
    },
  };
}

export const tfjsCpu = peer('tfjs', 'cpu');
export const tfjsWasm = peer('tfjs-wasm', 'wasm');

/** tfjs-node wraps libtensorflow, which its install script downloads: impossible offline. */
export function tfjsNodeStatus() {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return 'installed but not benchmarked';
  } catch {
    return 'n/a (its install downloads libtensorflow, which this machine cannot fetch)';
  }
}
