/**
 * `striate predict MODEL IMAGE...`: classifies images with a model saved by `striate train`:
 * PNG for a digit model, PNG, JPEG or WebP of any size through sharp otherwise (src/cli/image-input.ts).
 */
import { loadWithMetadata } from '../io/model-load.js';
import { imageInput, type StoredPreprocessing } from './image-input.js';

export const PREDICT_USAGE = 'usage: striate predict MODEL-FILE IMAGE [IMAGE ...]   (PNG, JPEG or WebP)';

export async function predict(argv: string[]): Promise<void> {
  const [modelFile, ...images] = argv;
  if (!modelFile || images.length === 0) throw new RangeError(PREDICT_USAGE);
  const { model, metadata } = loadWithMetadata(modelFile);
  const preprocessing = metadata.preprocessing as StoredPreprocessing | undefined;
  if (!preprocessing) throw new Error(`${modelFile}: no preprocessing recorded; was it saved by \`striate train\`?`);
  const classes = (metadata.classes as string[] | undefined) ?? [];
  for (const file of images) {
    const x = await imageInput(file, preprocessing);
    const logits = model.forward(x).data;
    const max = Math.max(...logits);
    const exps = Array.from(logits, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    const ranked = exps.map((e, k) => ({ k, p: e / sum })).sort((a, b) => b.p - a.p);
    const name = (k: number) => classes[k] ?? String(k);
    console.log(`${file}: ${name(ranked[0].k)} (p=${ranked[0].p.toFixed(3)}; next ${ranked.slice(1, 3).map((r) => `${name(r.k)} ${r.p.toFixed(3)}`).join(', ')})`);
  }
}
