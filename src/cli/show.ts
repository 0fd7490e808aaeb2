/**
 * `striate show filters|maps|curves MODEL [IMAGE]`: the pictures of src/viz for a model
 * saved by `striate train` — a convolution's kernels, one layer's feature maps for an
 * image, or the loss and accuracy curves from the JSONL log train writes beside the model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadWithMetadata } from '../io/model-load.js';
import { Conv2D } from '../nn/conv.js';
import { curves, featureMaps, filters } from '../viz/index.js';
import { defineCommand, formatHelp, parseCommand, unknown } from './args.js';
import { imageInput, storedPreprocessing } from './image-input.js';

const spec = defineCommand({
  usage: 'striate show filters|maps|curves MODEL-FILE [IMAGE] [options]',
  summary: 'Writes a PNG: a convolution layer\'s filters, one layer\'s feature maps for IMAGE, or the training curves.',
  options: {
    layer: { type: 'string', help: 'layer name or index (filters: a Conv2D; maps: any layer)', defaultText: 'the first Conv2D' },
    out: { type: 'string', help: 'the PNG to write', defaultText: 'MODEL-<picture>.png' },
  },
  epilog: 'curves reads MODEL.log.jsonl, written by `striate train` beside MODEL.striate.',
});

export function showHelp(): string {
  return formatHelp(spec);
}

const PICTURES = ['filters', 'maps', 'curves'];

export async function show(argv: string[]): Promise<void> {
  const { values, positionals, help } = parseCommand(argv, spec);
  if (help) {
    console.log(showHelp());
    return;
  }
  const [picture, modelFile, imageFile] = positionals;
  if (!picture || !modelFile) throw new RangeError(`usage: ${spec.usage}`);
  if (!PICTURES.includes(picture)) throw unknown('picture', picture, PICTURES);
  const stem = modelFile.replace(/\.striate$/, '');
  const out = values.out ?? `${stem}-${picture}.png`;
  if (picture === 'curves') {
    const log = `${stem}.log.jsonl`;
    if (!existsSync(log))
      throw new Error(`show curves: ${log} does not exist; \`striate train\` writes it beside the model it saves (${stem}.striate)`);
    const lines = readFileSync(log, 'utf8').split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) throw new Error(`show curves: ${log} holds no epochs yet`);
    await curves(lines.map((line, i) => parseLine(log, line, i)), out);
  } else {
    const { model, metadata } = loadWithMetadata(modelFile);
    const layers = model.layers;
    const byName = values.layer === undefined ? undefined
      : /^\d+$/.test(values.layer) ? layers[Number(values.layer)] : layers.find((l) => l.name === values.layer);
    if (values.layer !== undefined && !byName)
      throw unknown('layer', values.layer, layers.map((l, i) => l.name ?? String(i)));
    const layer = byName ?? layers.find((l) => l instanceof Conv2D);
    if (!layer) throw new RangeError(`${modelFile}: has no Conv2D layer; pick one with --layer`);
    if (picture === 'filters') filters(layer, out);
    else {
      if (!imageFile) throw new RangeError(`show maps needs an IMAGE: ${spec.usage}`);
      const preprocessing = storedPreprocessing(modelFile, metadata, model.inputShapes[0]);
      featureMaps(model, await imageInput(imageFile, preprocessing), { layer }, out);
    }
  }
  console.log(`wrote ${out}`);
}

function parseLine(file: string, line: string, i: number) {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${file}: line ${i + 1} is not JSON`);
  }
}
