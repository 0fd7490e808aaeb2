// npm run onnx-check [-- name ...]
// Exported zoo models in ONNX Runtime: each model (full size, its default input:
// 3x224x224 for the ImageNet nets, 3x299x299 for Inception-v3, 3x32x32 for the CIFAR
// nets, 1x32x32 for LeNet-5; 1000 or 10 classes) is written by st.onnx.encodeOnnx and
// run by onnxruntime-node (CPU provider, graph optimisation "all") on one random image,
// and so is a small net with StochasticPool2D, which no zoo model has (its export is
// six operators: Relu, Mul, AveragePool ×2, Max, Div), and AlexNet at 63x63 and VGG-16 at
// 64x64, whose adaptive pooling up to 6x6 / 7x7 exports as two MatMuls by averaging matrices;
// its output must match striate's predictSync within a relative error of 1e-4: the
// largest |ort − striate| over the largest |striate| (lib/stats.mjs maxRelError;
// elementwise relative error is meaningless where a logit crosses zero). Prints a
// Markdown row per model (bench/README.md, "ONNX Runtime agreement"); exits 1 on any
// mismatch. Needs `npm run build` in the repository and `npm ci` here.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { maxRelError } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);

const TOLERANCE = 1e-4;
const models = {
  ...st.zoo.models,
  stochasticPool: ({ seed }) => new st.Sequential([
    new st.nn.Conv2D({ filters: 16, kernelSize: 3, padding: 1 }), new st.nn.ReLU(),
    new st.nn.StochasticPool2D({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true }), new st.nn.Flatten(), new st.nn.Dense({ units: 10 }),
  ], { inputShape: [3, 32, 32], seed }),
  alexnet63: ({ seed }) => st.zoo.alexnet({ inputShape: [3, 63, 63], seed }),
  vgg16at64: ({ seed }) => st.zoo.vgg16({ inputShape: [3, 64, 64], seed }),
};
const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(models);
const unknown = names.filter((n) => !(n in models));
if (unknown.length) throw new Error(`onnx-check: unknown model ${unknown.join(', ')}; known: ${Object.keys(models).join(', ')}`);

console.log(`onnxruntime-node ${require('onnxruntime-node/package.json').version}, striate ${require('../package.json').version} (${st.backendInfo().isa})`);
console.log('| model | input | parameters | max relative error | |\n| --- | --- | ---: | ---: | --- |');
let failed = 0;
for (const name of names) {
  const model = models[name]({ seed: 1 });
  const x = st.randn([1, ...model.inputShapes[0]], { seed: 2 });
  const want = model.predictSync(x).data;
  const session = await ort.InferenceSession.create(st.onnx.encodeOnnx(model), { graphOptimizationLevel: 'all' });
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.shape) });
  const error = maxRelError(result[session.outputNames[0]].data, want);
  const ok = error <= TOLERANCE;
  if (!ok) failed++;
  console.log(`| ${name} | ${model.inputShapes[0].join('x')} | ${model.countParams().toLocaleString('en-US')} | ${error.toExponential(1)} | ${ok ? 'ok' : 'FAIL'} |`);
  await session.release();
}
process.exit(failed ? 1 : 0);
