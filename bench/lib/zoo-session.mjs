// striate's side of a zoo network in bench/zoo.mjs and bench/nets.mjs, as PyTorch's side
// (peers/torch_zoo.py) runs it: one random input per batch size, labels i mod classes,
// and `time(mode, batch)`, one call's seconds: 'forward' is predictSync, which runs the
// inference plan only if the caller compiled the model (bench:zoo does not: its forward
// rows time the layer-by-layer path); 'train' is zeroGrad, forward in training mode,
// softmax cross-entropy, backward and an SGD step with momentum 0.9. Also the zoo model
// that bench:nets and bench:nets-rss run for inference.
import { performance } from 'node:perf_hooks';
import { normal } from './data.mjs';

/** Zoo model `name` with 1000 classes, its random weights and random BatchNorm running statistics (so that folding them matters). */
export function inferenceModel(st, name, shape, seed, options = {}) {
  const model = st.zoo.models[name]({ numClasses: 1000, inputShape: shape, seed, ...options });
  let k = seed;
  for (const layer of model.layers)
    if (layer.runningMean) {
      const c = layer.runningMean.size;
      layer.runningMean.data.set(normal(c, k++, 0.1));
      layer.runningVar.data.set(normal(c, k++, 0.2).map((v) => 1 + Math.abs(v)));
    }
  return model;
}

export function zooSession(st, model, batches, classes) {
  const input = model.inputShapes[0];
  const rng = new st.Rng(2);
  const xs = new Map(batches.map((b) => {
    const data = new Float32Array(b * input.reduce((a, c) => a * c, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    return [b, new st.Tensor(data, [b, ...input])];
  }));
  const labels = Int32Array.from({ length: Math.max(...batches) }, (_, i) => i % classes);
  const loss = new st.nn.SoftmaxCrossEntropy();
  const opt = new st.optim.SGD(model.params(), { lr: 0.01, momentum: 0.9 });
  const call = (mode, batch) => {
    const x = xs.get(batch);
    if (mode === 'forward') return model.predictSync(x, { batchSize: batch });
    model.zeroGrad();
    loss.forward(model.forward(x, { training: true }), labels.subarray(0, batch));
    model.backward(loss.backward(), { inputGrad: false });
    opt.step();
  };
  return {
    async time(mode, batch) {
      const t0 = performance.now();
      call(mode, batch);
      return (performance.now() - t0) / 1e3;
    },
  };
}
