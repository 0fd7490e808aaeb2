import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'striate-model-'));

function smallNet() {
  return new st.Sequential(
    [
      new st.nn.Conv2D({ filters: 4, kernelSize: 3, padding: 1 }),
      new st.nn.BatchNorm2D(),
      new st.nn.ReLU(),
      new st.nn.MaxPool2D({ kernelSize: 2 }),
      new st.nn.Flatten(),
      new st.nn.Dense({ units: 3 }),
    ],
    { inputShape: [2, 6, 6], seed: 11 },
  );
}

const bytesOf = (t: st.Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('save and load', () => {
  it('round-trips a model bit for bit: weights, batch-norm statistics, outputs', () => {
    const model = smallNet();
    const x = st.randn([5, 2, 6, 6], { seed: 1 });
    model.forward(x, { training: true }); // moves the running statistics off their start
    const file = path.join(dir, 'net.striate');
    model.save(file, { normalize: { mean: 0.5, std: 0.25 } });
    const { model: loaded, metadata } = st.loadWithMetadata(file);
    expect(metadata).toEqual({ normalize: { mean: 0.5, std: 0.25 } });
    expect(loaded).toBeInstanceOf(st.Sequential);
    expect(loaded.config).toEqual(model.config);
    const pairs = [...model.params(), ...model.buffers()].map((t, i) => [t, [...loaded.params(), ...loaded.buffers()][i]]);
    for (const [a, b] of pairs) {
      expect(b.name).toBe(a.name);
      expect(bytesOf(b.value).equals(bytesOf(a.value))).toBe(true);
    }
    expect(bytesOf(loaded.forward(x)).equals(bytesOf(model.forward(x)))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('round-trips a graph with a residual connection', () => {
    const g = new st.Graph({ seed: 2 });
    const x = g.input([3, 5, 5]);
    const a = g.add(new st.nn.Conv2D({ filters: 3, kernelSize: 3, padding: 1 }), x);
    g.output(g.add(new st.nn.ReLU(), g.add(new st.nn.Add(), a, x)));
    const file = path.join(dir, 'graph.striate');
    g.save(file);
    const loaded = st.load(file);
    const input = st.randn([2, 3, 5, 5], { seed: 3 });
    expect(bytesOf(loaded.forward(input)).equals(bytesOf(g.forward(input)))).toBe(true);
  });

  it('refuses damaged files with an error naming the file and the damage', () => {
    const file = path.join(dir, 'good.striate');
    smallNet().save(file);
    const good = readFileSync(file);
    const write = (name: string, bytes: Buffer) => {
      const p = path.join(dir, name);
      writeFileSync(p, bytes);
      return p;
    };
    const flipped = Buffer.from(good);
    flipped[good.length - 40] ^= 0x10;
    expect(() => st.load(write('flipped.striate', flipped))).toThrow(/flipped.striate: checksum mismatch/);
    expect(() => st.load(write('cut.striate', good.subarray(0, good.length - 100)))).toThrow(/cut.striate: checksum mismatch/);
    expect(() => st.load(write('png.striate', Buffer.from('\x89PNG\r\n\x1a\n........................')))).toThrow(/bad magic/);
    const future = Buffer.from(good);
    future.writeUInt32LE(99, 8);
    expect(() => st.load(write('future.striate', future))).toThrow(/format version 99 is not supported/);
    // A header that parses but disagrees with the weights, with a valid checksum.
    const header = good.readUInt32LE(12);
    const json = JSON.parse(good.toString('utf8', 16, 16 + header));
    json.tensors[0].shape = [4, 2, 3, 2];
    const text = Buffer.from(JSON.stringify(json).padEnd(header, ' '));
    const edited = Buffer.concat([good.subarray(0, 16), text, good.subarray(16 + header, good.length - 4)]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32(edited));
    expect(() => st.load(write('edited.striate', Buffer.concat([edited, crc])))).toThrow(/tensor 0 is .* \[4, 2, 3, 2\] in the file/);
    expect(() => st.load(path.join(dir, 'missing.striate'))).toThrow(/ENOENT/);
  });

  it('refuses a file that is not a path, naming it, before anything is written', () => {
    const before = readdirSync(dir).length;
    expect(() => smallNet().save(Symbol('f') as never)).toThrow(/^save: file must be a non-empty path, got Symbol\(f\)$/);
    expect(() => smallNet().save('')).toThrow(/^save: file must be a non-empty path, got an empty string$/);
    expect(() => smallNet().save(path.join(dir, 'm.striate'), { when: new Date(0) } as never)).toThrow(/^save: metadata\.when must be plain JSON/);
    expect(readdirSync(dir)).toHaveLength(before);
  });
});
