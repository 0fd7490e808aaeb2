// The results as a PNG: one horizontal bar per (workload, peer) for the speed ratio
// striate/peer on a log2 axis, bars growing right of 1× where striate is faster and
// left where it is slower. A vega-lite spec, drawn by the path striate's own pictures
// take (dist/viz/render.js: vega lays it out as SVG, resvg rasterises it), so it needs
// `npm run build` like the rest of the suite.
import { vegaLiteToPng } from '../../dist/viz/render.js';

const PALETTE = {
  tfjs: '#e69138',
  'tfjs-wasm': '#f1c232',
  onnxruntime: '#674ea7',
  convnetjs: '#6aa84f',
  pytorch: '#cc4125',
};
const FALLBACK = '#787878';

/** 4.25 -> "4.25×", 323 -> "323×", 0.5 -> "0.50×". */
const ratioText = (ratio) => `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;

/**
 * PNG bytes for `bars` [{label, peer, ratio, mismatch}] (consecutive bars with the same label
 * form one group, in the order given), titled `title`, with `subtitle` under it.
 */
export async function ratioChart({ title, subtitle, bars }) {
  const shown = bars.filter((b) => b.ratio > 0 && Number.isFinite(b.ratio));
  const ratios = shown.map((b) => b.ratio);
  const lo = Math.min(-1, Math.floor(Math.log2(Math.min(...ratios, 1))));
  const hi = Math.max(1, Math.ceil(Math.log2(Math.max(...ratios, 1))));
  const peers = Object.keys(PALETTE).filter((p) => shown.some((b) => b.peer === p));
  peers.push(...new Set(shown.map((b) => b.peer).filter((p) => !PALETTE[p])));
  const values = shown.map((b) => ({ ...b, text: `${ratioText(b.ratio)}${b.mismatch ? ' !' : ''}` }));
  const note = shown.some((b) => b.mismatch) ? '; ! = output differs from striate by > 1e-3' : '';

  const bar = {
    y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelFontSize: 12, labelLimit: 400, ticks: false } },
    yOffset: { field: 'peer', type: 'nominal', sort: peers },
    x: {
      field: 'ratio',
      type: 'quantitative',
      scale: { type: 'log', base: 2, domain: [2 ** lo, 2 ** hi] },
      axis: {
        orient: 'top',
        title: null,
        values: Array.from({ length: hi - lo + 1 }, (_, k) => 2 ** (lo + k)),
        labelExpr: "datum.value >= 1 ? datum.value + '×' : '1/' + round(1 / datum.value)",
        labelOverlap: 'greedy',
      },
    },
  };
  const label = (side) => ({
    transform: [{ filter: side === 'right' ? 'datum.ratio >= 1' : 'datum.ratio < 1' }],
    mark: { type: 'text', align: side === 'right' ? 'left' : 'right', baseline: 'middle', dx: side === 'right' ? 4 : -4, fontSize: 10 },
    encoding: { ...bar, text: { field: 'text' } },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: { text: title, subtitle: [subtitle, `striate speed / peer speed: right of 1× striate is faster${note}`], anchor: 'start', fontSize: 15 },
    width: 720,
    height: { step: 11 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.85 } },
        encoding: {
          ...bar,
          x2: { datum: 1 },
          color: {
            field: 'peer',
            type: 'nominal',
            scale: { domain: peers, range: peers.map((p) => PALETTE[p] ?? FALLBACK) },
            legend: { orient: 'top', title: null, direction: 'horizontal', labelFontSize: 12 },
          },
        },
      },
      label('right'),
      label('left'),
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding: { x: { datum: 1, type: 'quantitative' } } },
    ],
    config: { axisY: { grid: true, gridColor: '#eee', bandPosition: 0 }, view: { stroke: null } },
  };
  return vegaLiteToPng(spec);
}
