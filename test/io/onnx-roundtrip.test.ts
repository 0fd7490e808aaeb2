// Export -> import of every zoo model: the imported graph gives the original's outputs
// bit for bit (the same layers with the same weights come back: 'same' padding as its
// explicit pads, Dense through Gemm with transB = 1, batch norm with its running
// statistics, set away from their initial values here), and an imported network trains. Each model is built at a reduced width
// (the same layers and wiring with fewer channels; the CIFAR ResNets at full size) so
// the whole zoo, AlexNet and the VGGs at 224x224 included, runs in seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { models } from '../../src/models/zoo/index.js';

const IMAGENET = { inputShape: [3, 224, 224] };
/** Each model's options beyond { numClasses: 10, seed: 1, inputShape: [3, 32, 32] }. */
const OPTIONS: Record<string, Record<string, unknown>> = {
  lenet5: { inputShape: [1, 32, 32] },
  alexnet: { ...IMAGENET, width: 0.125 },
  vgg11: { ...IMAGENET, width: 0.0625 }, vgg13: { ...IMAGENET, width: 0.0625 }, vgg16: { ...IMAGENET, width: 0.0625 }, vgg19: { ...IMAGENET, width: 0.0625 },
  googlenet: { width: 0.25 },
  inceptionV3: { inputShape: [3, 75, 75], auxLogits: false, width: 0.25 },
  resnet18: { width: 0.25 }, resnet34: { width: 0.25 }, resnet50: { width: 0.25 }, resnet101: { width: 0.125 }, resnet152: { width: 0.125 },
  densenet121: { growthRate: 8 }, densenet169: { growthRate: 8 }, densenet201: { growthRate: 8 },
  resnet20: {}, resnet32: {}, resnet56: {},
  vgg: { width: 0.25 }, densenet: { depth: 40 },
};
const dir = mkdtempSync(path.join(tmpdir(), 'striate-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const build = (name: string, extra: Record<string, unknown> = {}) =>
  models[name]({ inputShape: [3, 32, 32], numClasses: 10, seed: 1, ...OPTIONS[name], ...extra });

/** Batch norm statistics and shifts away from their initial 0 and 1, so a slip in exporting them shows. */
function trained(model: st.Graph): st.Graph {
  let seed = 100;
  for (const layer of model.layers) {
    const bn = layer as unknown as { runningMean?: st.Tensor; runningVar?: st.Tensor; beta?: st.Param };
    if (!bn.runningMean) continue;
    const c = bn.runningMean.size;
    bn.runningMean.data.set(st.randn([c], { seed: seed++ }).data.map((v) => 0.1 * v));
    bn.runningVar!.data.set(st.rand([c], { seed: seed++ }).data.map((v) => 0.5 + v));
    bn.beta!.value.data.set(st.randn([c], { seed: seed++ }).data.map((v) => 0.1 * v));
  }
  return model;
}

describe('st.onnx.save -> st.onnx.load round trip of the zoo', () => {
  it('has options for every zoo model', () => expect(Object.keys(models).filter((n) => !(n in OPTIONS))).toEqual([]));

  for (const name of Object.keys(models)) {
    it(`${name} (${JSON.stringify(OPTIONS[name])}): the imported graph computes the same outputs, bit for bit`, () => {
      const model = trained(build(name));
      const file = path.join(dir, `${name}.onnx`);
      model.toOnnx(file);
      const imported = st.onnx.load(file);
      expect(imported.countParams()).toBe(model.countParams());
      const x = st.randn([1, ...model.inputShapes[0]], { seed: 2 });
      const want = model.predictSync(x);
      const got = imported.predictSync(x);
      expect(got.shape).toEqual(want.shape);
      let differing = 0;
      for (let i = 0; i < want.size; i++) if (!Object.is(got.data[i], want.data[i])) differing++;
      expect(differing).toBe(0);
    }, 60_000);
  }

  it('fit lowers the loss of an imported resnet20', async () => {
    const file = path.join(dir, 'fit.onnx');
    st.onnx.save(build('resnet20'), file, { opset: 13 });
    const g = st.onnx.load(file);
    const images = st.randn([32, 3, 32, 32], { seed: 5 });
    const labels = new Int32Array(32).map((_, i) => i % 10);
    const history = await g.fit({ images, labels }, { epochs: 3, batchSize: 16, optimizer: { type: 'adam', lr: 1e-3 } });
    const losses = history.epochs.map((e) => e.loss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  }, 60_000);

  // At small inputs their adaptive pooling has windows of unequal sizes (1x1 -> 6x6, 2x2 -> 7x7): two MatMuls in the file.
  for (const [name, side] of [['alexnet', 63], ['vgg16', 64]] as const)
    it(`${name} at ${side}x${side}: the adaptive pooling up to the classifier's size round-trips too`, () => {
      const model = build(name, { inputShape: [3, side, side] });
      const imported = st.onnx.load(st.onnx.encodeOnnx(model));
      expect(imported.layers.map((l) => l.type)).toEqual(model.layers.map((l) => l.type));
      const x = st.randn([2, 3, side, side], { seed: 3 });
      expect(Array.from(imported.predictSync(x).data)).toEqual(Array.from(model.predictSync(x).data));
    });
});
