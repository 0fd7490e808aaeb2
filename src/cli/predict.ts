/**
 * `striate predict MODEL IMAGE...`: classifies images with a model saved by `striate train`
 * and prints, for each, the `--top` most likely classes (5 by default, fewer when the model
 * has fewer) by name, with their softmax probabilities:
 *
 *   photo.jpg
 *     cat         0.912
 *     dog         0.051
 *
 * A digit model reads PNG (src/cli/digit.ts); any model reads PNG, JPEG or WebP of any size
 * through sharp (src/cli/image-input.ts).
 */
import { loadWithMetadata } from '../io/model-load.js';
import { defineCommand, formatHelp, parseCommand } from './args.js';
import { imageInput, storedPreprocessing } from './image-input.js';

const spec = defineCommand({
  usage: 'striate predict MODEL-FILE IMAGE [IMAGE ...] [options]',
  summary:
    'Classifies each IMAGE (PNG, JPEG or WebP, any size) with a model saved by `striate train`,\n' +
    'printing its most likely classes with their probabilities; class names come from the model file.',
  options: {
    top: { type: 'integer', default: 5, min: 1, placeholder: 'K', help: 'classes to print per image (all of them when the model has fewer)' },
  },
  epilog: 'example:\n  npx striate predict lenet5-mnist.striate digit.png --top 3',
});

export function predictHelp(): string {
  return formatHelp(spec);
}

export async function predict(argv: string[]): Promise<void> {
  const { values, positionals, help } = parseCommand(argv, spec);
  if (help) {
    console.log(predictHelp());
    return;
  }
  const [modelFile, ...images] = positionals;
  if (!modelFile || images.length === 0)
    throw new RangeError(`predict needs a MODEL-FILE and at least one IMAGE, got ${positionals.length ? positionals.join(' ') : 'none'}\n\n${predictHelp()}`);
  const { model, metadata } = loadWithMetadata(modelFile);
  const preprocessing = storedPreprocessing(modelFile, metadata, model.inputShapes[0]);
  const classes = Array.isArray(metadata.classes) ? metadata.classes.map(String) : [];
  const name = (k: number) => classes[k] ?? String(k);
  for (const file of images) {
    const logits = model.forward(await imageInput(file, preprocessing)).data;
    const max = Math.max(...logits);
    const exps = Array.from(logits, (v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    // Stable sort: equal probabilities keep class order.
    const ranked = exps.map((e, k) => ({ k, p: e / sum })).sort((a, b) => b.p - a.p).slice(0, values.top);
    const width = Math.max(...ranked.map((r) => name(r.k).length));
    console.log([file, ...ranked.map((r) => `  ${name(r.k).padEnd(width)}  ${r.p.toFixed(3)}`)].join('\n'));
  }
}
