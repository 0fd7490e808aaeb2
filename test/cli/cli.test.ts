// The command line: digit preprocessing, and `striate predict` end to end (from dist/,
// which `npm test` builds first).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { digitTensor } from '../../src/cli/digit.js';
import { encodeGreyPng } from '../../src/io/png.js';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'striate-cli-'));
const pre = { size: 28, pad: 2, mean: 0.1307, std: 0.3081 };

/** A 28x28 "digit": a bright bar on black, as in MNIST. */
function bar(): Uint8Array {
  const px = new Uint8Array(28 * 28);
  for (let y = 4; y < 24; y++) for (let x = 12; x < 16; x++) px[y * 28 + x] = 255;
  return px;
}

describe('digit preprocessing', () => {
  it('pads to 32x32 and normalises like the training data', () => {
    const x = digitTensor({ width: 28, height: 28, channels: 1, data: bar() }, pre);
    expect(x.shape).toEqual([1, 1, 32, 32]);
    expect(x.data[0]).toBeCloseTo(-0.1307 / 0.3081, 5); // padding is normalised background
    expect(x.data[(4 + 2) * 32 + 12 + 2]).toBeCloseTo((1 - 0.1307) / 0.3081, 5);
  });

  it('inverts a dark digit on light paper and scales a larger image down by area', () => {
    const light = bar().map((v) => 255 - v);
    const big = new Uint8Array(56 * 56);
    for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) big[y * 56 + x] = light[(y >> 1) * 28 + (x >> 1)];
    const a = digitTensor({ width: 28, height: 28, channels: 1, data: bar() }, pre);
    const b = digitTensor({ width: 56, height: 56, channels: 1, data: big }, pre);
    for (let i = 0; i < a.size; i++) expect(b.data[i]).toBeCloseTo(a.data[i], 5);
  });
});

describe('striate predict', () => {
  it('classifies a PNG with a saved model, as model.forward does', () => {
    const model = st.zoo.lenet5({ seed: 4 });
    const file = path.join(dir, 'lenet5.striate');
    model.save(file, { preprocessing: pre, classes: [...Array(10).keys()].map(String) });
    const png = path.join(dir, 'bar.png');
    writeFileSync(png, encodeGreyPng(28, 28, bar()));
    const out = execFileSync(process.execPath, [cli, 'predict', file, png], { encoding: 'utf8' });
    const logits = model.forward(digitTensor({ width: 28, height: 28, channels: 1, data: bar() }, pre)).data;
    const best = logits.indexOf(Math.max(...logits));
    expect(out).toMatch(new RegExp(`^${png.replace(/[.]/g, '\\.')}: ${best} \\(p=\\d\\.\\d{3}; next \\d \\d\\.\\d{3}, \\d \\d\\.\\d{3}\\)\\n$`));
  });

  it('exits non-zero with a message on bad usage', () => {
    const r = spawnSync(process.execPath, [cli, 'train', 'alexnet'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/striate: train: the model must be lenet5, got alexnet/);
    const p = spawnSync(process.execPath, [cli, 'predict', path.join(dir, 'missing.striate'), 'x.png'], { encoding: 'utf8' });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/missing.striate/);
  });
});
