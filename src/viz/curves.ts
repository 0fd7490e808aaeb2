/**
 * Training curves: loss and accuracy per epoch, train and validation, as two vega-lite
 * line charts side by side (a legend names the split), rendered by vega to SVG and by
 * resvg to PNG (./render.ts).
 */
import { describeType } from '../errors.js';
import type { EpochLog } from '../training/protocol.js';
import { vegaLiteToPng, writePng } from './render.js';

/** What `curves` reads: `fit`'s History, or the epochs of a training log. */
export type CurveHistory = { epochs: readonly EpochLog[] } | readonly EpochLog[];

interface Point {
  epoch: number;
  metric: 'loss' | 'accuracy';
  split: 'train' | 'validation';
  value: number;
}

/** Throws unless `epochs` is an array of epoch logs, each with an integer epoch >= 0 and a numeric loss. */
function checkEpochs(op: string, name: string, epochs: unknown): asserts epochs is readonly EpochLog[] {
  if (!Array.isArray(epochs)) throw new TypeError(`${op}: ${name} must be an array of epoch logs { epoch, loss, ... }, got ${describeType(epochs)}`);
  epochs.forEach((e: Partial<EpochLog> | null, i) => {
    if (typeof e !== 'object' || e === null || !Number.isInteger(e.epoch) || e.epoch! < 0 || typeof e.loss !== 'number')
      throw new TypeError(`${op}: ${name}[${i}] must be an epoch log with an integer epoch >= 0 and a numeric loss, got ${describeType(e)}`);
  });
}

/** The long-form rows vega-lite plots: one per (epoch, metric, split) with a finite value. */
export function curvePoints(epochs: readonly EpochLog[]): Point[] {
  checkEpochs('viz.curvePoints', 'epochs', epochs);
  const points: Point[] = [];
  const add = (epoch: number, metric: Point['metric'], split: Point['split'], value: number | null | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) points.push({ epoch, metric, split, value });
  };
  // EpochLog counts from 0; the chart counts epochs as train prints them, from 1.
  for (const e of epochs) {
    add(e.epoch + 1, 'loss', 'train', e.loss);
    add(e.epoch + 1, 'loss', 'validation', e.valLoss);
    add(e.epoch + 1, 'accuracy', 'train', e.accuracy);
    add(e.epoch + 1, 'accuracy', 'validation', e.valAccuracy);
  }
  return points;
}

/** Width and height in pixels of each of the two charts. */
export const CHART_SIZE = { width: 360, height: 240 } as const;

/**
 * Writes a PNG of the loss and accuracy curves of `history` to `file` (atomically).
 * @example
 * const history = await model.fit(train, { epochs: 10, validationData: test });
 * await st.viz.curves(history, 'curves.png');
 */
export async function curves(history: CurveHistory, file: string): Promise<void> {
  const epochs = Array.isArray(history) ? history : (history as { epochs?: unknown })?.epochs;
  if (!Array.isArray(epochs) || epochs.length === 0)
    throw new TypeError('viz.curves: history must be fit()\'s History or a non-empty array of epoch logs');
  checkEpochs('viz.curves', 'history epochs', epochs);
  const points = curvePoints(epochs);
  const chart = (metric: Point['metric'], title: string) => ({
    title,
    width: CHART_SIZE.width,
    height: CHART_SIZE.height,
    transform: [{ filter: `datum.metric === '${metric}'` }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: 'split', scale: { domain: ['train', 'validation'] } },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    data: { values: points },
    hconcat: [chart('loss', 'Loss per epoch'), chart('accuracy', 'Accuracy per epoch')],
  };
  writePng('viz.curves', file, await vegaLiteToPng(spec));
}
