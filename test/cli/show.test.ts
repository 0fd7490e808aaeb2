// `striate show` and `striate predict` on image files, end to end from dist/ (run
// `npx tsc -p .` first): filters and feature maps of a saved LeNet-5, curves from the JSONL
// log beside it (and a clear error without one), and predict reading a JPEG through sharp for a
// colour model of a non-square input, as forward does.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { imageInput } from '../../src/cli/image-input.js';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'striate-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const decode = (file: string) => PNG.sync.read(readFileSync(file));

describe('striate show', () => {
  const model = path.join(dir, 'lenet5.striate');
  st.zoo.lenet5({ seed: 2 }).save(model, { preprocessing: { size: 28, pad: 2, mean: 0.1307, std: 0.3081 } });

  it('writes the first convolution\'s filters: 6 tiles of 5x5 at scale 6', () => {
    const out = path.join(dir, 'f.png');
    expect(run('show', 'filters', model, '--out', out)).toBe(`wrote ${out}\n`);
    const png = decode(out);
    // 3 columns of (30 + 4) px, 2 rows of (30 + 4 + 14) px, a 24 px title; at least 480 wide.
    expect([png.width, png.height]).toEqual([480, 24 + 2 * 48 + 4]);
  });

  it('writes feature maps of a digit PNG for a named layer', () => {
    const digit = new PNG({ width: 28, height: 28 });
    for (let i = 0; i < 28 * 28; i++) digit.data.set([255, 255, 255, 255], i * 4);
    const image = path.join(dir, 'digit.png');
    writeFileSync(image, PNG.sync.write(digit));
    const out = path.join(dir, 'm.png');
    run('show', 'maps', model, image, '--layer', '0', '--out', out);
    const png = decode(out);
    // 6 maps of 28x28 at scale 2 -> 56 px cells, 3 columns, 2 rows.
    expect([png.width, png.height]).toEqual([Math.max(480, 3 * 60 + 4), 24 + 2 * 74 + 4]);
  });

  it('draws curves from the JSONL log beside the model, and names a bad picture', () => {
    const log = [1, 2].map((epoch) => JSON.stringify({ epoch, loss: 1 / epoch, accuracy: 0.5 * epoch, seconds: 1, imagesPerSecond: 1, lr: 0.1 }));
    writeFileSync(path.join(dir, 'lenet5.log.jsonl'), log.join('\n') + '\n');
    run('show', 'curves', model);
    expect(decode(path.join(dir, 'lenet5-curves.png')).width).toBeGreaterThan(720);
    const r = spawnSync(process.execPath, [cli, 'show', 'filter', model], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown picture filter; did you mean filters\?/);
  });

  it('curves without a log names the file it looked for and what writes it', () => {
    const other = path.join(dir, 'untrained.striate');
    const r = spawnSync(process.execPath, [cli, 'show', 'curves', other], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`striate: show curves: ${path.join(dir, 'untrained.log.jsonl')} does not exist; \`striate train\` writes it beside the model it saves (${other})\n`);
  });
});

describe('striate predict on a JPEG', () => {
  it('classifies a colour JPEG of another size as forward does on the input resized to the model\'s H x W', async () => {
    const pre = { size: [32, 48] as [number, number], pad: 0, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const net = st.zoo.lenet5({ seed: 5, inputShape: [3, 32, 48] });
    const file = path.join(dir, 'colour.striate');
    const classes = Array.from({ length: 10 }, (_, k) => `class${k}`);
    net.save(file, { preprocessing: pre, classes });
    const jpeg = path.join(dir, 'photo.jpg');
    await sharp({ create: { width: 50, height: 40, channels: 3, background: { r: 200, g: 40, b: 90 } } }).jpeg().toFile(jpeg);
    const x = await imageInput(jpeg, pre);
    expect(x.shape).toEqual([1, 3, 32, 48]);
    expect(x.data[0]).toBeCloseTo((200 / 255 - 0.5) / 0.25, 1); // red plane
    expect(x.data[32 * 48]).toBeCloseTo((40 / 255 - 0.5) / 0.25, 1); // green plane
    const logits = net.forward(x).data;
    const best = logits.indexOf(Math.max(...logits));
    expect(run('predict', file, jpeg)).toMatch(new RegExp(`^.*photo\\.jpg\\n  class${best} +0\\.\\d{3}\\n`));
  });

  it('names the model file when its recorded preprocessing does not make its input shape', () => {
    const file = path.join(dir, 'mismatch.striate');
    st.zoo.lenet5({ seed: 5, inputShape: [3, 32, 32] }).save(file, { preprocessing: { size: 28, pad: 0, channels: 3, mean: 0, std: 1 } });
    const r = spawnSync(process.execPath, [cli, 'predict', file, 'any.jpg'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`striate: ${file}: its recorded preprocessing makes [3, 28, 28] inputs, but the model takes [3, 32, 32]\n`);
  });
});
