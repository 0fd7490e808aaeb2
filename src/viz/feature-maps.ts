/**
 * The activations of one layer for one input, as the ConvNetJS demos draw them: one grey
 * tile per channel, brighter where the layer responds more strongly. Each map is scaled to
 * its own min..max, so a weak map's pattern shows as clearly as a strong one's.
 */
import { checkTensorData, formatShape } from '../errors.js';
import { sameShape, type BaseLayer, type ForwardOptions } from '../nn/layer.js';
import type { Graph } from '../models/graph.js';
import { Tensor } from '../tensor.js';
import { describe } from './filters.js';
import { renderGrid, scaleFor, squareColumns, toBytes, type GridTile } from './grid.js';
import { writePng } from './render.js';

export interface FeatureMapOptions {
  /** The layer whose output is drawn: its name, its index in `model.layers`, or the layer itself. */
  layer: string | number | BaseLayer;
}

/**
 * Runs `image` (`[C, H, W]` or `[1, C, H, W]`) through `model` and writes a PNG of
 * `layer`'s output channels to `file` (atomically).
 * @example
 * st.viz.featureMaps(model, digit, { layer: 'conv2d_1' }, 'maps.png');
 */
export function featureMaps(model: Graph, image: Tensor, options: FeatureMapOptions, file: string): void {
  if (typeof model !== 'object' || model === null || !Array.isArray(model.layers))
    throw new TypeError(`viz.featureMaps: model must be a Graph or Sequential, got ${describe(model)}`);
  if (!(image instanceof Tensor)) throw new TypeError(`viz.featureMaps: image must be a Tensor, got ${describe(image)}`);
  checkTensorData('viz.featureMaps', 'image', image);
  if (image.rank !== 3 && !(image.rank === 4 && image.shape[0] === 1))
    throw new RangeError(`viz.featureMaps: image must be [C, H, W] or [1, C, H, W], got [${image.shape.join(', ')}]`);
  // A Sequential not built yet has no input shape: its forward builds it from the image.
  const want = model.inputShapes[0];
  if (want && !sameShape(image.shape.slice(image.rank - 3), want))
    throw new RangeError(`viz.featureMaps: image must be ${formatShape(want)} (or [1, ${want.join(', ')}]) for this model, got ${formatShape(image.shape)}`);
  const layer = findLayer(model, options?.layer);
  const activation = capture(model, layer, image.rank === 3 ? new Tensor(image.data, [1, ...image.shape]) : image);
  const [, ...shape] = activation.shape;
  // [C, H, W] maps are drawn as they are; a vector (dense output) as one 1-pixel-high map.
  const [channels, h, w] = shape.length === 3 ? shape : shape.length === 2 ? [shape[0], 1, shape[1]] : [1, 1, shape[0]];
  const area = h * w;
  const tiles: GridTile[] = [];
  for (let c = 0; c < channels; c++) {
    const map = activation.data.subarray(c * area, (c + 1) * area);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const rgb = new Uint8Array(area * 3);
    for (let k = 0; k < 3; k++) toBytes(map, lo, hi, rgb, 3, k);
    tiles.push({ width: w, height: h, rgb, label: String(c) });
  }
  const name = layer.name ?? layer.type;
  const title = `${name}: ${channels} maps ${h}x${w} (brighter = stronger)`;
  writePng('viz.featureMaps', file, renderGrid(tiles, { title, columns: squareColumns(channels), scale: scaleFor(Math.max(h, w), 48) }));
}

function findLayer(model: Graph, which: unknown): BaseLayer {
  const layers = model.layers;
  const names = layers.map((l, i) => l.name ?? String(i)).join(', ');
  if (typeof which === 'number') {
    if (!Number.isInteger(which) || which < 0 || which >= layers.length)
      throw new RangeError(`viz.featureMaps: options.layer index must be in [0, ${layers.length}), got ${which}`);
    return layers[which];
  }
  if (typeof which === 'string') {
    const found = layers.find((l) => l.name === which);
    if (!found) throw new RangeError(`viz.featureMaps: no layer named '${which}'; the layers are ${names}`);
    return found;
  }
  if (layers.includes(which as BaseLayer)) return which as BaseLayer;
  throw new TypeError(`viz.featureMaps: options.layer must be a layer name, index or layer of the model; the layers are ${names}`);
}

/**
 * One layer's output during an inference forward pass. Graph keeps intermediate values
 * private, so the layer's forwardFrom is wrapped for this one call (and restored after);
 * the output is copied because a layer may reuse its buffer on the next pass.
 */
function capture(model: Graph, layer: BaseLayer, x: Tensor): Tensor {
  let seen: Tensor | undefined;
  const original = layer.forwardFrom;
  layer.forwardFrom = function (inputs: readonly Tensor[], opts: ForwardOptions): Tensor {
    const y = original.call(this, inputs, opts);
    seen = new Tensor(y.data.slice(), [...y.shape]);
    return y;
  };
  try {
    model.forward(x);
  } finally {
    layer.forwardFrom = original;
  }
  if (!seen) throw new Error(`viz.featureMaps: layer '${layer.name}' did not run for this input`);
  return seen;
}
