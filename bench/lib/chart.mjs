// The results as a PNG: one horizontal bar per (workload, peer) for the speed ratio
// striate/peer on a log2 axis, bars growing right of 1× where striate is faster and
// left where it is slower. Drawn into an RGB buffer with the bitmap font of font.mjs.
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.mjs';
import { encodePng } from './png.mjs';

const PALETTE = {
  tfjs: [230, 145, 56],
  'tfjs-wasm': [241, 194, 50],
  onnxruntime: [103, 78, 167],
  convnetjs: [106, 168, 79],
  pytorch: [204, 65, 37],
};
const FALLBACK = [120, 120, 120];
const INK = [30, 30, 30];
const GRID = [215, 215, 215];
const SCALE = 2;
const CHAR_W = GLYPH_WIDTH * SCALE;
const CHAR_H = GLYPH_HEIGHT * SCALE;

class Canvas {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.rgb = new Uint8Array(width * height * 3).fill(255);
  }

  rect(x, y, w, h, color) {
    for (let j = Math.max(0, y); j < Math.min(this.height, y + h); j++)
      for (let i = Math.max(0, x); i < Math.min(this.width, x + w); i++) this.rgb.set(color, (j * this.width + i) * 3);
  }

  text(x, y, str, color = INK) {
    [...str].forEach((ch, k) => {
      glyph(ch).forEach((bits, row) => {
        for (let col = 0; col < 5; col++)
          if (bits & (16 >> col)) this.rect(x + (k * GLYPH_WIDTH + col) * SCALE, y + row * SCALE, SCALE, SCALE, color);
      });
    });
  }
}

/**
 * PNG bytes for `bars` [{label, peer, ratio, mismatch}] (consecutive bars with the same label
 * form one group), titled `title`, with `subtitle` under it.
 */
export function ratioChart({ title, subtitle, bars }) {
  const ratios = bars.map((b) => b.ratio).filter((r) => r > 0 && Number.isFinite(r));
  const lo = Math.min(-1, Math.floor(Math.log2(Math.min(...ratios, 1))));
  const hi = Math.max(1, Math.ceil(Math.log2(Math.max(...ratios, 1))));
  const peers = Object.keys(PALETTE).filter((p) => bars.some((b) => b.peer === p));
  peers.push(...new Set(bars.map((b) => b.peer).filter((p) => !PALETTE[p])));
  const labelW = Math.max(...bars.map((b) => b.label.length)) * CHAR_W + 20;
  const plotW = 760;
  const valueW = 8 * CHAR_W;
  const barH = 16;
  const groupGap = 10;
  const top = 3 * (CHAR_H + 8) + CHAR_H + 24;
  const groups = bars.reduce((n, b, i) => n + (i === 0 || bars[i - 1].label !== b.label ? 1 : 0), 0);
  const height = top + bars.length * (barH + 2) + groups * groupGap + CHAR_H + 30;
  const width = labelW + plotW + valueW + 20;
  const c = new Canvas(width, height);
  const xOf = (log2) => labelW + Math.round(((log2 - lo) / (hi - lo)) * plotW);

  c.text(10, 8, title);
  c.text(10, 8 + CHAR_H + 8, subtitle, [90, 90, 90]);
  let lx = 10;
  for (const peer of peers) {
    c.rect(lx, 8 + 2 * (CHAR_H + 8), CHAR_H, CHAR_H, PALETTE[peer] ?? FALLBACK);
    c.text(lx + CHAR_H + 6, 8 + 2 * (CHAR_H + 8), peer);
    lx += CHAR_H + 6 + (peer.length + 2) * CHAR_W;
  }
  const axisY = top - CHAR_H - 8;
  const tickLabel = (p) => (p >= 0 ? `${2 ** p}×` : `1/${2 ** -p}`);
  // Label every `step`-th power of two so the widest label never touches its neighbour.
  const widest = Math.max(tickLabel(lo).length, tickLabel(hi).length) * CHAR_W + CHAR_W;
  const step = Math.max(1, Math.ceil(widest / (plotW / (hi - lo))));
  for (let p = lo; p <= hi; p++) {
    const x = xOf(p);
    c.rect(x, top - 4, p === 0 ? 2 : 1, height - top - CHAR_H - 20, p === 0 ? INK : GRID);
    if (p % step === 0) c.text(x - (tickLabel(p).length * CHAR_W) / 2, axisY, tickLabel(p), [90, 90, 90]);
  }
  let y = top;
  bars.forEach((bar, i) => {
    if (i === 0 || bars[i - 1].label !== bar.label) {
      if (i > 0) y += groupGap;
      c.text(10, y + 1, bar.label);
    }
    const v = Math.log2(bar.ratio);
    const x0 = xOf(0);
    const x1 = xOf(Math.max(lo, Math.min(hi, v)));
    c.rect(Math.min(x0, x1), y, Math.max(2, Math.abs(x1 - x0)), barH, PALETTE[bar.peer] ?? FALLBACK);
    const text = `${bar.ratio >= 10 ? bar.ratio.toFixed(0) : bar.ratio.toFixed(2)}×${bar.mismatch ? ' !' : ''}`;
    c.text(v >= 0 ? x1 + 6 : x1 - 6 - text.length * CHAR_W, y + 1, text);
    y += barH + 2;
  });
  const note = bars.some((b) => b.mismatch) ? '; ! = output differs from striate by > 1e-3' : '';
  c.text(10, height - CHAR_H - 8, `striate speed / peer speed: right of 1× striate is faster${note}`, [90, 90, 90]);
  return encodePng(width, height, c.rgb);
}
