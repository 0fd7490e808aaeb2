// Exported zoo models in ONNX Runtime: each model is written by st.onnx.save and run by
// onnxruntime-node; its outputs must match striate's predictSync within 1e-4 relative
// error (|a − b| ≤ 1e-4·max(1, |b|)). Prints one line per model; exits 1 on any mismatch.
//   node bench/onnx-check.mjs [name ...]      (needs `npm run build` and `cd bench && npm ci`)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);

// Small inputs, as in test/io/onnx-roundtrip.test.ts; the 100M-parameter VGGs are left out for time.
const SHAPES = { lenet5: [1, 32, 32], inceptionV3: [3, 75, 75] };
const EXTRA = { inceptionV3: { auxLogits: false } };
const LEFT_OUT = new Set(['vgg11', 'vgg13', 'vgg16', 'vgg19', 'alexnet']);
const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(st.zoo.models).filter((n) => !LEFT_OUT.has(n));

let failed = 0;
for (const name of names) {
  const model = st.zoo.models[name]({ inputShape: SHAPES[name] ?? [3, 32, 32], numClasses: 10, seed: 1, ...EXTRA[name] });
  const x = st.randn([2, ...model.inputShapes[0]], { seed: 2 });
  const want = model.predictSync(x);
  const session = await ort.InferenceSession.create(st.onnx.encodeOnnx(model), { graphOptimizationLevel: 'all' });
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.shape) });
  const got = result[session.outputNames[0]].data;
  let worst = 0;
  for (let i = 0; i < want.size; i++) worst = Math.max(worst, Math.abs(got[i] - want.data[i]) / Math.max(1, Math.abs(want.data[i])));
  const ok = got.length === want.size && worst <= 1e-4;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(12)} ${model.countParams()} params, max relative error ${worst.toExponential(2)}`);
}
process.exit(failed ? 1 : 0);
