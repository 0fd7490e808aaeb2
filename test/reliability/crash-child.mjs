// The process crash-safety.test.ts kills with SIGKILL. It writes, with writeSync (so a
// line is in the pipe before the next step starts), what it is about to do and what it
// has done:
//   node crash-child.mjs save FILE   saves versions 1, 2, ... of a 1 MB model to FILE in a
//                                    loop: "begin V", then "done V"; every weight is V
//   node crash-child.mjs fit FILE    trains with a checkpoint to FILE after every epoch:
//                                    "epoch E LOSS" as each epoch ends
import { writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const st = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);
const [mode, file] = process.argv.slice(2);
const say = (line) => writeSync(1, `${line}\n`);

if (mode === 'save') {
  // As crash-safety.test.ts writes version 0.
  const model = new st.Sequential([new st.nn.Dense({ units: 500 })], { inputShape: [500] });
  for (let version = 1; ; version++) {
    for (const p of model.params()) p.value.data.fill(version);
    say(`begin ${version}`);
    model.save(file, { version });
    say(`done ${version}`);
  }
} else if (mode === 'fit') {
  const model = new st.Sequential(
    [new st.nn.Flatten(), new st.nn.Dense({ units: 256 }), new st.nn.ReLU(), new st.nn.Dense({ units: 4 })],
    { inputShape: [1, 8, 8], seed: 3 },
  );
  const images = st.randn([64, 1, 8, 8], { seed: 1 });
  const labels = Int32Array.from({ length: 64 }, (_, i) => i % 4);
  await model.fit({ images, labels }, {
    epochs: 100_000, batchSize: 32, optimizer: { type: 'sgd', lr: 0.01, momentum: 0.9 }, seed: 1,
    checkpoint: { path: file, everyEpochs: 1 },
    callbacks: { onEpochEnd: (log) => say(`epoch ${log.epoch} ${JSON.stringify(log.loss)}`) },
  });
} else if (mode !== undefined) {
  throw new Error(`crash-child: mode must be save or fit, got ${mode}`);
}
