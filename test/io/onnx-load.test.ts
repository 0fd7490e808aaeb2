// st.onnx.load on real and hand-made files: an imported PyTorch Linear trains (fit lowers
// the loss) and an imported graph saves (model.save) and loads (st.load) as a striate model; models at opsets
// 9, 10 and 18 import with what each opset's operators mean; damaged or malformed files
// (truncated, bytes flipped, a wrong tensor length, a dangling input, a cycle) each give
// an Error naming the file, and the node where there is one, never a crash; one error
// lists every problem of a model striate cannot import.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { Rng } from '../../src/random.js';
import { floatTensor, int64Tensor, onnxModel, onnxNode } from './onnx-helpers.js';

const DATA = '/usr/share/libonnx-testdata/data';
const LINEAR = `${DATA}/pytorch-converted/test_Linear/model.onnx`;
const CONV = `${DATA}/pytorch-converted/test_Conv2d_padding/model.onnx`;
const dir = mkdtempSync(path.join(tmpdir(), 'striate-onnx-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const randomData = (n: number, seed: number) => st.randn([n], { seed }).data;
const exact = (a: st.Tensor, b: st.Tensor) => expect(Array.from(a.data)).toEqual(Array.from(b.data));

/** Sets a layer's parameters from arrays (its weight in striate's layout). */
function setParams(layer: st.nn.BaseLayer, values: Record<string, Float32Array>) {
  const l = layer as unknown as Record<string, { value?: st.Tensor; data?: Float32Array }>;
  for (const [name, data] of Object.entries(values)) (l[name].value ?? (l[name] as unknown as st.Tensor)).data.set(data);
}

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

  it('saves an imported graph with model.save, and st.load gives it back with the same outputs', () => {
    const g = st.onnx.load(CONV);
    const file = path.join(dir, 'conv.striate');
    g.save(file);
    const back = st.load(file);
    expect(back.layers.map((l) => l.type)).toEqual(g.layers.map((l) => l.type));
    const x = st.randn([2, ...g.inputShapes[0]], { seed: 6 });
    exact(back.predictSync(x), g.predictSync(x));
  });

  it('imports an opset 9 model: Conv, BatchNormalization, MaxPool, Flatten, Gemm (alpha, beta, B not transposed), Softmax, Dropout (ratio attribute)', () => {
    const [w, b, scale, bias, mean] = [randomData(18, 1), randomData(2, 2), randomData(2, 3), randomData(2, 4), randomData(2, 5)];
    const variance = Float32Array.of(0.5, 2);
    const gemmB = randomData(18 * 4, 6); // [18, 4]
    const gemmC = randomData(4, 7);
    const bytes = onnxModel({
      opset: 9, inputs: [['x', ['batch', 1, 6, 6]]], output: ['y', ['batch', 4]],
      initializers: [floatTensor('W', [2, 1, 3, 3], w), floatTensor('B', [2], b), floatTensor('scale', [2], scale), floatTensor('bias', [2], bias),
        floatTensor('mean', [2], mean), floatTensor('var', [2], variance), floatTensor('gemmB', [18, 4], gemmB), floatTensor('gemmC', [4], gemmC)],
      nodes: [
        onnxNode('Conv', ['x', 'W', 'B'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
        onnxNode('BatchNormalization', ['c', 'scale', 'bias', 'mean', 'var'], ['n'], { epsilon: { float: 1e-3 } }),
        onnxNode('Relu', ['n'], ['r']),
        onnxNode('MaxPool', ['r'], ['p'], { kernel_shape: [2, 2], strides: [2, 2] }),
        onnxNode('Flatten', ['p'], ['f'], { axis: 1 }),
        onnxNode('Gemm', ['f', 'gemmB', 'gemmC'], ['g'], { alpha: { float: 0.5 }, beta: { float: 2 } }),
        onnxNode('Softmax', ['g'], ['s'], { axis: 1 }),
        onnxNode('Dropout', ['s'], ['y'], { ratio: { float: 0.3 } }),
      ],
    });
    const g = st.onnx.load(bytes);
    expect(g.layers.map((l) => l.type)).toEqual(['conv2d', 'batchNorm2d', 'relu', 'maxPool2d', 'flatten', 'dense', 'softmax', 'dropout']);
    // epsilon arrives as float32 (0.0010000000474974513); the layer gets the decimal it stands for.
    expect(g.layers[1].config.eps).toBe(1e-3);
    // The same network built by hand: Gemm's alpha·B becomes the Dense weight (transposed), beta·C its bias.
    const conv = new st.nn.Conv2D({ filters: 2, kernelSize: 3, padding: 1 });
    const bn = new st.nn.BatchNorm2D({ eps: 1e-3 });
    const dense = new st.nn.Dense({ units: 4 });
    const want = new st.Sequential([conv, bn, new st.nn.ReLU(), new st.nn.MaxPool2D({ kernelSize: 2 }), new st.nn.Flatten(), dense, new st.nn.Softmax({ axis: 1 })], { inputShape: [1, 6, 6] });
    setParams(conv, { weight: w, bias: b });
    setParams(bn, { gamma: scale, beta: bias, runningMean: mean, runningVar: variance });
    const dw = new Float32Array(4 * 18);
    for (let u = 0; u < 4; u++) for (let k = 0; k < 18; k++) dw[u * 18 + k] = 0.5 * gemmB[k * 4 + u];
    setParams(dense, { weight: dw, bias: gemmC.map((v) => 2 * v) });
    const x = st.randn([3, 1, 6, 6], { seed: 8 });
    exact(g.predictSync(x), want.predictSync(x));
  });

  it('imports an opset 10 model: AveragePool (ceil_mode, count_include_pad), LRN, Reshape [0, -1], MatMul', () => {
    const m = randomData(48 * 5, 9); // [48, 5]
    const bytes = onnxModel({
      opset: 10, inputs: [['x', ['N', 3, 7, 7]]], output: ['y', ['N', 5]],
      initializers: [int64Tensor('shape', [0, -1]), floatTensor('M', [48, 5], m)],
      nodes: [
        onnxNode('AveragePool', ['x'], ['a'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }),
        onnxNode('LRN', ['a'], ['l'], { size: 3, alpha: { float: 1e-3 }, beta: { float: 0.75 }, bias: { float: 2 } }),
        onnxNode('Reshape', ['l', 'shape'], ['r']),
        onnxNode('MatMul', ['r', 'M'], ['y']),
      ],
    });
    const g = st.onnx.load(bytes);
    const dense = new st.nn.Dense({ units: 5, useBias: false });
    const want = new st.Sequential([
      new st.nn.AvgPool2D({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }),
      new st.nn.LocalResponseNorm({ size: 3, alpha: 1e-3, beta: 0.75, k: 2 }), new st.nn.Flatten(), dense,
    ], { inputShape: [3, 7, 7] });
    const dw = new Float32Array(5 * 48);
    for (let u = 0; u < 5; u++) for (let k = 0; k < 48; k++) dw[u * 48 + k] = m[k * 5 + u];
    setParams(dense, { weight: dw });
    const x = st.randn([2, 3, 7, 7], { seed: 10 });
    exact(g.predictSync(x), want.predictSync(x));
  });

  it('imports an opset 18 static-batch model: Conv and MaxPool with SAME_UPPER at stride 2, Reshape [1, -1] from a Constant, Gemm transB, Dropout, Identity', () => {
    const [w, gemmB, gemmC] = [randomData(4 * 2 * 9, 11), randomData(3 * 16, 12), randomData(3, 13)];
    const bytes = onnxModel({
      opset: 18, inputs: [['x', [1, 2, 8, 8]]], output: ['y', [1, 3]],
      initializers: [floatTensor('W', [4, 2, 3, 3], w), floatTensor('gemmB', [3, 16], gemmB), floatTensor('gemmC', [3], gemmC), floatTensor('ratio', [], Float32Array.of(0.2))],
      nodes: [
        onnxNode('Conv', ['x', 'W'], ['c'], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }),
        onnxNode('Relu', ['c'], ['r']),
        onnxNode('MaxPool', ['r'], ['p'], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }),
        { name: 'shape', opType: 'Constant', input: [], output: ['shape'], attribute: [{ name: 'value', type: 4, t: int64Tensor('', [1, -1]) }] },
        onnxNode('Reshape', ['p', 'shape'], ['f']),
        onnxNode('Gemm', ['f', 'gemmB', 'gemmC'], ['g'], { transB: 1 }),
        onnxNode('Dropout', ['g', 'ratio'], ['d']),
        onnxNode('Identity', ['d'], ['y']),
      ],
    });
    const g = st.onnx.load(bytes);
    expect(g.layers.map((l) => l.type)).toEqual(['conv2d', 'relu', 'maxPool2d', 'flatten', 'dense', 'dropout']);
    // SAME_UPPER pads [0, 1] on each axis: the conv takes them as they are; the pooling
    // (8x8 -> 4x4 -> 2x2) takes its begin padding and the ceil mode (checked against ONNX's definition below).
    const conv = new st.nn.Conv2D({ filters: 4, kernelSize: 3, stride: 2, padding: [0, 1, 0, 1], useBias: false });
    const dense = new st.nn.Dense({ units: 3 });
    const want = new st.Sequential([conv, new st.nn.ReLU(), new st.nn.MaxPool2D({ kernelSize: 3, stride: 2, ceilMode: true }), new st.nn.Flatten(), dense], { inputShape: [2, 8, 8] });
    setParams(conv, { weight: w });
    setParams(dense, { weight: gemmB, bias: gemmC });
    const x = st.randn([1, 2, 8, 8], { seed: 14 });
    exact(g.predictSync(x), want.predictSync(x));
    // The literal batch of the Reshape fixed nothing in the imported graph: it takes any batch.
    const two = st.randn([2, 2, 8, 8], { seed: 15 });
    exact(g.predictSync(two), want.predictSync(two));
  });

  it('imports MaxPool and AveragePool with SAME_UPPER / SAME_LOWER asymmetric padding as ONNX defines them, where a stride > 1 allows', () => {
    // ONNX's definition: output ceil(in / stride), pads split with the odd one at the end (UPPER) or the start (LOWER),
    // a max over the window's in-bounds values, an average over them (count_include_pad = 0).
    const reference = (x: Float32Array, size: number, k: number, s: number, begin: number, kind: 'max' | 'avg') => {
      const out = Math.ceil(size / s);
      const y: number[] = [];
      for (let oh = 0; oh < out; oh++)
        for (let ow = 0; ow < out; ow++) {
          const seen: number[] = [];
          for (let i = oh * s - begin; i < oh * s - begin + k; i++)
            for (let j = ow * s - begin; j < ow * s - begin + k; j++) if (i >= 0 && i < size && j >= 0 && j < size) seen.push(x[i * size + j]);
          y.push(kind === 'max' ? Math.max(...seen) : seen.reduce((a, b) => a + b, 0) / seen.length);
        }
      return y;
    };
    for (const [op, kind] of [['MaxPool', 'max'], ['AveragePool', 'avg']] as const)
      for (const [size, k, s, autoPad] of [[8, 3, 2, 'SAME_UPPER'], [7, 2, 2, 'SAME_UPPER'], [9, 4, 3, 'SAME_UPPER'], [8, 3, 2, 'SAME_LOWER'], [9, 4, 3, 'SAME_LOWER']] as const) {
        const total = (Math.ceil(size / s) - 1) * s + k - size;
        expect(total % 2, 'an odd total: the padding is asymmetric').toBe(1);
        const begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
        const out = Math.ceil(size / s);
        const g = st.onnx.load(onnxModel({
          opset: 13, inputs: [['x', ['N', 1, size, size]]], output: ['y', ['N', 1, out, out]],
          nodes: [onnxNode(op, ['x'], ['y'], { kernel_shape: [k, k], strides: [s, s], auto_pad: autoPad })],
        }));
        const x = st.randn([1, 1, size, size], { seed: size + k });
        const got = Array.from(g.predictSync(x).data);
        const want = reference(x.data, size, k, s, begin, kind);
        expect(got.length, `${op} ${autoPad} ${size}x${size} k=${k} s=${s}`).toBe(want.length);
        got.forEach((v, i) => expect(Math.abs(v - want[i]), `${op} ${autoPad} ${size}x${size} k=${k} s=${s} at ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]))));
      }
  });

  it('lists every problem of a model it cannot import in one error: operators, refused forms, input types', () => {
    const bytes = onnxModel({
      opset: 13, inputs: [['x', ['N', 3, 6, 6]], ['bytes', ['N', 108], 2]], output: ['y', ['N', 108]],
      initializers: [floatTensor('B', [108, 108], new Float32Array(108 * 108))],
      nodes: [
        onnxNode('MaxPool', ['x'], ['p'], { kernel_shape: [2, 2], pads: [2, 2, 2, 2] }, 'pool'),
        onnxNode('Flatten', ['x'], ['f'], { axis: 2 }, 'flat2'),
        onnxNode('Flatten', ['x'], ['f1'], {}, 'flat'),
        onnxNode('Gemm', ['f1', 'B'], ['g'], { transA: 1 }, 'fc'),
        onnxNode('HardSigmoid', ['x'], ['h'], {}, 'hs'),
        onnxNode('Relu', ['p'], ['pr'], {}, 'after_refused'),
        onnxNode('Sum', ['pr', 'f', 'g', 'h', 'bytes'], ['y'], {}, 'sum'),
      ],
    });
    let message = '';
    try {
      st.onnx.load(bytes, { name: 'many.onnx' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n').slice(0, 7)).toEqual([
      'many.onnx: 6 problem(s) striate cannot import:',
      "  input 'bytes' has element type 2; striate takes float32 (1)",
      "  MaxPool node 'pool' (opset 13): pads [[2,2],[2,2]]: striate pools with padding of at most half the window [2, 2]",
      "  Flatten node 'flat2' (opset 13): axis 2 of a 4-D tensor (striate flattens each sample: axis 1)",
      "  Gemm node 'fc' (opset 13): transA = 1: A is then [K, N], its batch along the second axis, and striate keeps the batch first",
      "  HardSigmoid node 'hs' (opset 13): operator not supported",
      "  Sum node 'sum' (opset 13): operator not supported",
    ]);
  });

  it('names every unsupported operator of a backend test model in one error', () => {
    const bytes = readFileSync(`${DATA}/node/test_hardsigmoid/model.onnx`);
    expect(() => st.onnx.load(bytes, { name: 'hs.onnx' })).toThrow(/^hs\.onnx: 1 problem\(s\) striate cannot import:\n {2}HardSigmoid node '.*' \(opset 6\): operator not supported\n/);
  });

  it('refuses a weight fed as a graph input, naming the node and the constants option', () => {
    expect(() => st.onnx.load(readFileSync(`${DATA}/node/test_basic_conv_with_padding/model.onnx`), { name: 'conv.onnx' }))
      .toThrow(/^conv\.onnx: 1 problem\(s\).*\n {2}Conv node .*: input 1 \('W', the weight\) is computed or a graph input; .*load's constants option/);
  });
});

describe('st.onnx.load: malformed files', () => {
  const relu = (name: string, input: string, output: string) => onnxNode('Relu', [input], [output], {}, name);

  it('a dangling input: names the file, the node and the value nothing provides', () => {
    const bytes = onnxModel({ opset: 13, inputs: [['x', ['N', 4]]], output: ['y', ['N', 4]], nodes: [relu('r1', 'x', 'a'), relu('r2', 'ghost', 'y')] });
    expect(() => st.onnx.load(bytes, { name: 'dangling.onnx' }))
      .toThrow("dangling.onnx: Relu node 'r2' (opset 13) reads 'ghost', which no node, input or initializer provides");
  });

  it('names from a damaged file are escaped and cut in the message (no raw control bytes)', () => {
    const messageOf = (nodes: ReturnType<typeof relu>[]) => {
      try {
        st.onnx.load(onnxModel({ opset: 13, inputs: [['x', ['N', 4]]], output: ['y', ['N', 4]], nodes }), { name: 'odd.onnx' });
      } catch (e) {
        return (e as Error).message;
      }
      return 'loaded';
    };
    expect(messageOf([relu('r\u0000\u001b[2J', 'ghost', 'y')])).toBe(
      "odd.onnx: Relu node 'r\\u0000\\u001b[2J' (opset 13) reads 'ghost', which no node, input or initializer provides",
    );
    expect(messageOf([relu('r2', 'x'.repeat(200), 'y')])).toBe(
      `odd.onnx: Relu node 'r2' (opset 13) reads '${'x'.repeat(80)}…', which no node, input or initializer provides`,
    );
  });

  it('bad arguments: a folder, constants and name of the wrong kind, a constant for no input', () => {
    const bytes = onnxModel({ opset: 13, inputs: [['x', ['N', 4]], ['w', [4, 3]]], output: ['y', ['N', 3]], nodes: [onnxNode('MatMul', ['x', 'w'], ['y'], {}, 'mm')] });
    expect(() => st.onnx.load(dir)).toThrow(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the ONNX file \\(EISDIR`));
    expect(() => st.onnx.load('')).toThrow(/^onnx\.load: source must be a file name or a Uint8Array, got an empty string/);
    expect(() => st.onnx.load(bytes, { constants: false as never })).toThrow(/^onnx\.load: constants must be an object of Tensors by input name, got false/);
    expect(() => st.onnx.load(bytes, { constants: new Map() as never })).toThrow(/^onnx\.load: constants must be/);
    expect(() => st.onnx.load(bytes, { name: null as never })).toThrow(/^onnx\.load: name must be a non-empty string, got null/);
    expect(() => st.onnx.load(bytes, { name: 'mm.onnx', constants: { W: st.ones([4, 3]) } }))
      .toThrow(/^onnx\.load: constants\.W names no input of mm\.onnx; its inputs are x, w/);
    expect(st.onnx.load(bytes, { constants: { w: st.ones([4, 3]) } }).predictSync(st.ones([2, 4])).data).toEqual(new Float32Array(6).fill(4));
  });

  it('a graph input nothing reads: names the file and the input', () => {
    const bytes = onnxModel({ opset: 13, inputs: [['x', ['N', 4]], ['unused', ['N', 4]]], output: ['y', ['N', 4]], nodes: [relu('r', 'x', 'y')] });
    expect(() => st.onnx.load(bytes, { name: 'extra.onnx' })).toThrow(/^extra\.onnx: .*does not depend on input unused/);
  });

  it('a cycle: names the file and the nodes on it', () => {
    const bytes = onnxModel({
      opset: 13, inputs: [['x', ['N', 4]]], output: ['y', ['N', 4]],
      nodes: [relu('first', 'x', 'a'), onnxNode('Add', ['a', 'c'], ['b'], {}, 'join'), relu('loop', 'b', 'c'), relu('out', 'b', 'y')],
    });
    expect(() => st.onnx.load(bytes, { name: 'cycle.onnx' }))
      .toThrow("cycle.onnx: the nodes form a cycle: Add node 'join' (opset 13), Relu node 'loop' (opset 13), Relu node 'out' (opset 13)");
  });

  it('a wrong tensor length: names the file and the initializer, or the Constant node holding it', () => {
    const short = { ...floatTensor('W', [2, 3], new Float32Array(6)), rawData: new Uint8Array(20) };
    const withInitializer = onnxModel({
      opset: 13, inputs: [['x', ['N', 3]]], output: ['y', ['N', 2]], initializers: [short], nodes: [onnxNode('Gemm', ['x', 'W'], ['y'], { transB: 1 })],
    });
    expect(() => st.onnx.load(withInitializer, { name: 'short.onnx' })).toThrow("short.onnx: initializer tensor 'W' 2x3 needs 24 bytes of raw_data, has 20");
    const withConstant = onnxModel({
      opset: 13, inputs: [['x', ['N', 3, 2]]], output: ['y', ['N', 6]],
      nodes: [
        { name: 'target', opType: 'Constant', input: [], output: ['shape'], attribute: [{ name: 'value', type: 4, t: { ...int64Tensor('s', [0, -1]), dims: [3] } }] },
        onnxNode('Reshape', ['x', 'shape'], ['y']),
      ],
    });
    expect(() => st.onnx.load(withConstant, { name: 'const.onnx' })).toThrow("const.onnx: 1 problem(s) striate cannot import:\n  Constant node 'target' (opset 13): tensor 's' 3 needs 3 values, has 2");
  });

  it('a tensor whose dims claim far more data than the file holds: refused before any allocation', () => {
    const huge = { ...floatTensor('W', [1 << 30], new Float32Array(2)) };
    const bytes = onnxModel({ opset: 13, inputs: [['x', ['N', 3]]], output: ['y', ['N', 3]], initializers: [huge], nodes: [relu('r', 'x', 'y')] });
    expect(() => st.onnx.load(bytes, { name: 'huge.onnx' })).toThrow("huge.onnx: initializer tensor 'W' 1073741824 needs 4294967296 bytes of raw_data, has 8");
    const beyond = { ...floatTensor('W', [1 << 20, 1 << 20], new Float32Array(2)) };
    const bytes2 = onnxModel({ opset: 13, inputs: [['x', ['N', 3]]], output: ['y', ['N', 3]], initializers: [beyond], nodes: [relu('r', 'x', 'y')] });
    expect(() => st.onnx.load(bytes2, { name: 'beyond.onnx' })).toThrow("beyond.onnx: initializer tensor 'W': 1048576x1048576 holds more than 2^31 values");
  });

  it('gives layers unique names made of safe characters, however often a name repeats', () => {
    const bytes = onnxModel({
      opset: 13, inputs: [['x', ['N', 4]]], output: ['y', ['N', 4]],
      nodes: [relu('a b', 'x', 'p'), relu('a b', 'p', 'q'), relu('a b', 'q', 'r'), relu('a_b', 'r', 'y')],
    });
    expect(st.onnx.load(bytes).layers.map((l) => l.name)).toEqual(['a_b', 'a_b_2', 'a_b_3', 'a_b_4']);
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
