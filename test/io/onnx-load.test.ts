// st.onnx.load on real files: an imported PyTorch Linear trains (fit lowers the loss) and
// saves; damaged files (truncated, bytes flipped, seeded) each give an Error naming the
// file, never a crash; one error lists every unsupported operator.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { Rng } from '../../src/random.js';

const DATA = '/usr/share/libonnx-testdata/data';
const LINEAR = `${DATA}/pytorch-converted/test_Linear/model.onnx`;
const CONV = `${DATA}/pytorch-converted/test_Conv2d_padding/model.onnx`;

describe('st.onnx.load', () => {
  it('imports a PyTorch Linear as a Graph that fit trains and summary prints', async () => {
    const g = st.onnx.load(LINEAR);
    expect(g.inputShapes).toEqual([[10]]);
    expect(g.outputShape).toEqual([8]);
    expect(g.summary()).toContain('dense');
    const x = st.randn([64, 10], { seed: 3 });
    const targets = st.randn([64, 8], { seed: 4 });
    const history = await g.fit({ images: x, targets }, { epochs: 4, batchSize: 16, loss: 'euclidean', optimizer: { type: 'sgd', lr: 0.05 } });
    const losses = history.epochs.map((e) => e.loss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it('names every unsupported operator in one error', () => {
    const bytes = readFileSync(`${DATA}/node/test_hardsigmoid/model.onnx`);
    expect(() => st.onnx.load(bytes, { name: 'hs.onnx' })).toThrow(/hs\.onnx: 1 node\(s\) striate cannot import:\n {2}HardSigmoid node '.*' \(opset 6\)/);
  });

  it('refuses a dangling input with the file and node named', () => {
    expect(() => st.onnx.load(readFileSync(`${DATA}/node/test_basic_conv_with_padding/model.onnx`), { name: 'conv.onnx' }))
      .toThrow(/conv\.onnx: Conv node .*input 1 \('W', the weight\) is computed or a graph input/);
  });

  it('gives a clear Error, never a crash, for 300 truncated or byte-flipped files (seed 11)', () => {
    const good = readFileSync(CONV);
    const rng = new Rng(11);
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = new Uint8Array(good);
      const damaged = trial % 2 === 0
        ? bytes.subarray(0, Math.floor(rng.uniform() * bytes.length))
        : bytes.map((b) => (rng.uniform() < 0.01 ? Math.floor(rng.uniform() * 256) : b));
      try {
        st.onnx.load(damaged, { name: `fuzz-${trial}.onnx` });
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(new RegExp(`^fuzz-${trial}\\.onnx: `));
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(150);
  });
});
