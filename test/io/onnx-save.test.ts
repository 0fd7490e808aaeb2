// st.onnx.save / encodeOnnx: what the file holds (opset and its IR version, symbolic or
// fixed batch, weights as little-endian raw_data), and export -> import of every layer
// type the registry knows, each giving the original's outputs bit for bit: a layer type
// added to src/nn/registry.ts without an ONNX form (and a case here) fails this file.
import { describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { decodeModelProto, encodeModelProto } from '../../src/io/onnx/proto.js';

type Make = () => st.Graph;

/** A one-layer graph (plus whatever the layer needs around it) on a sample of `shape`. */
function around(shape: number[], ...layers: st.nn.Layer[]): st.Graph {
  const g = new st.Graph({ seed: 3 });
  let x = g.input(shape);
  for (const layer of layers) x = g.add(layer, x);
  return g.output(x);
}

/** Running statistics away from their initial 0 and 1, so exporting them matters. */
function withStatistics(g: st.Graph): st.Graph {
  for (const layer of g.layers) {
    const l = layer as unknown as { runningMean?: st.Tensor; runningVar?: st.Tensor; gamma?: st.Param; beta?: st.Param };
    if (!l.runningMean) continue;
    l.runningMean.data.set(st.randn([l.runningMean.size], { seed: 8 }).data);
    l.runningVar!.data.set(st.rand([l.runningVar!.size], { seed: 9 }).data.map((v) => 0.5 + v));
    l.beta!.value.data.set(st.randn([l.beta!.value.size], { seed: 10 }).data);
  }
  return g;
}

/** One model per registered layer type, and the striate type the layer imports as when it differs. */
const CASES: Record<string, { make: Make; importsAs?: string }> = {
  conv2d: { make: () => around([4, 9, 9], new st.nn.Conv2D({ filters: 6, kernelSize: 3, stride: 2, padding: 'same', groups: 2, dilation: [1, 2] })) },
  conv1d: { make: () => around([2, 10], new st.nn.Conv1D({ filters: 3, kernelSize: 3, padding: 1, stride: 2 })) },
  maxPool2d: { make: () => around([2, 9, 8], new st.nn.MaxPool2D({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true })) },
  avgPool2d: { make: () => around([2, 9, 8], new st.nn.AvgPool2D({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false })) },
  stochasticPool2d: { make: () => around([2, 9, 8], new st.nn.StochasticPool2D({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true })) },
  globalAvgPool2d: { make: () => around([3, 5, 4], new st.nn.GlobalAvgPool2D()), importsAs: 'adaptiveAvgPool2d' },
  adaptiveAvgPool2d: { make: () => around([3, 4, 6], new st.nn.AdaptiveAvgPool2D({ outputSize: [2, 3] })), importsAs: 'avgPool2d' },
  dense: { make: () => around([7], new st.nn.Dense({ units: 5 })) },
  flatten: { make: () => around([2, 3, 4], new st.nn.Flatten()) },
  relu: { make: () => around([2, 3, 4], new st.nn.ReLU()) },
  leakyRelu: { make: () => around([2, 3, 4], new st.nn.LeakyReLU({ alpha: 0.2 })) },
  elu: { make: () => around([2, 3, 4], new st.nn.ELU({ alpha: 0.7 })) },
  sigmoid: { make: () => around([2, 3, 4], new st.nn.Sigmoid()) },
  tanh: { make: () => around([2, 3, 4], new st.nn.Tanh()) },
  softmax: { make: () => around([3, 4], new st.nn.Softmax({ axis: 1 })) },
  dropout: { make: () => around([6], new st.nn.Dropout({ rate: 0.3 })) },
  batchNorm2d: { make: () => withStatistics(around([3, 4, 4], new st.nn.BatchNorm2D({ eps: 1e-3 }))) },
  batchNorm1d: { make: () => withStatistics(around([6], new st.nn.BatchNorm1D())) },
  localResponseNorm: { make: () => around([7, 3, 3], new st.nn.LocalResponseNorm({ size: 3, alpha: 1e-3, beta: 0.8, k: 2 })) },
  add: {
    make: () => {
      const g = new st.Graph({ seed: 3 });
      const x = g.input([3, 4, 4]);
      return g.output(g.add(new st.nn.Add(), g.add(new st.nn.Conv2D({ filters: 3, kernelSize: 1 }), x), x));
    },
  },
  concat: {
    make: () => {
      const g = new st.Graph({ seed: 3 });
      const x = g.input([3, 4, 4]);
      return g.output(g.add(new st.nn.Concat({ axis: 1 }), g.add(new st.nn.Conv2D({ filters: 2, kernelSize: 1 }), x), x));
    },
  },
};

const typesOf = (g: st.Graph) => g.layers.map((l) => l.type);

describe('st.onnx export -> import of every layer type', () => {
  it('has a case for every type in the layer registry', () => {
    expect(st.nn.layerTypes().filter((t) => !(t in CASES))).toEqual([]);
  });

  for (const [type, { make, importsAs }] of Object.entries(CASES)) {
    it(`${type}: the imported graph holds ${importsAs ?? type} and gives the same outputs bit for bit`, () => {
      const model = make();
      expect(typesOf(model)).toContain(type);
      const imported = st.onnx.load(st.onnx.encodeOnnx(model));
      expect(typesOf(imported)).toContain(importsAs ?? type);
      const x = st.randn([3, ...model.inputShapes[0]], { seed: 4 });
      expect(Array.from(imported.predictSync(x).data)).toEqual(Array.from(model.predictSync(x).data));
    });
  }

  it('stochasticPool2d exports its inference form: Σa₊²/Σa₊ per window, 0 for a window of no positive value', () => {
    const model = around([1, 2, 4], new st.nn.StochasticPool2D({ kernelSize: 2, name: 'sp' }));
    const x = new st.Tensor(Float32Array.of(1, 3, 0, -2, 2, -1, -5, 0), [1, 1, 2, 4]);
    const imported = st.onnx.load(st.onnx.encodeOnnx(model));
    expect(Array.from(imported.predictSync(x).data)).toEqual([Math.fround((1 + 9 + 4) / 6), 0]);
    const ops = decodeModelProto(st.onnx.encodeOnnx(model)).graph!.node!.map((n) => n.opType);
    expect(ops).toEqual(['Relu', 'Mul', 'AveragePool', 'AveragePool', 'Max', 'Div']);
    expect(imported.layers.map((l) => l.name)).toEqual(['sp']);
  });

  // VGG and AlexNet at small inputs pool 1x1 or 2x2 maps up to 7x7 or 6x6.
  for (const [plane, outputSize] of [[[5, 5], [2, 2]], [[1, 1], [7, 7]], [[7, 5], [3, 4]], [[2, 3], [6, 6]]] as const) {
    it(`adaptiveAvgPool2d ${plane.join('x')} to ${outputSize.join('x')} (windows of unequal sizes) exports as A_h·X·A_wᵀ, two MatMuls, and imports as one layer`, () => {
      const model = around([3, ...plane], new st.nn.AdaptiveAvgPool2D({ outputSize: [...outputSize], name: 'ap' }));
      const bytes = st.onnx.encodeOnnx(model);
      const graph = decodeModelProto(bytes).graph!;
      expect(graph.node!.map((n) => n.opType)).toEqual(['MatMul', 'MatMul']);
      const imported = st.onnx.load(bytes);
      expect(imported.layers.map((l) => [l.type, l.name])).toEqual([['adaptiveAvgPool2d', 'ap']]);
      const x = st.randn([2, 3, ...plane], { seed: 6 });
      const y = model.predictSync(x).data;
      expect(Array.from(imported.predictSync(x).data)).toEqual(Array.from(y));
      // What an ONNX runtime computes from the file: the two MatMuls, in float64.
      const matrix = (name: string) => {
        const t = graph.initializer!.find((i) => i.name === name)!;
        const raw = t.rawData!;
        return { dims: t.dims!.map(Number), values: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) };
      };
      const [rows, columns] = [matrix('ap.rows'), matrix('ap.columns')];
      const [h, w] = plane;
      const [oh, ow] = outputSize;
      expect([rows.dims, columns.dims]).toEqual([[oh, h], [w, ow]]);
      for (let plane0 = 0; plane0 < 6; plane0++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            let sum = 0;
            for (let a = 0; a < h; a++)
              for (let b = 0; b < w; b++) sum += rows.values[i * h + a] * x.data[plane0 * h * w + a * w + b] * columns.values[b * ow + j];
            expect(y[plane0 * oh * ow + i * ow + j]).toBeCloseTo(sum, 6);
          }
    });
  }

  it('two MatMuls by matrices that do not average are not taken for adaptive pooling', () => {
    const model = around([3, 5, 5], new st.nn.AdaptiveAvgPool2D({ outputSize: 2, name: 'ap' }));
    const proto = decodeModelProto(st.onnx.encodeOnnx(model));
    const rows = proto.graph!.initializer!.find((t) => t.name === 'ap.rows')!;
    new DataView(rows.rawData!.buffer, rows.rawData!.byteOffset).setFloat32(0, 0.25, true);
    const bytes = encodeModelProto(proto);
    expect(() => st.onnx.load(bytes, { name: 'edited.onnx' })).toThrow(/^edited\.onnx: 1 problem.*MatMul node 'ap\.across' .*MatMul of \[N, 3, 5, 5\] by a constant 5x2/s);
  });
});

describe('st.onnx.save: the file', () => {
  const lenet = () => st.zoo.lenet5({ seed: 1 });

  it('writes opset 17 (IR 8) by default, and each opset 13-18 with its IR version', () => {
    const model = lenet();
    const header = (opset?: number) => {
      const m = decodeModelProto(st.onnx.encodeOnnx(model, opset === undefined ? {} : { opset }));
      return [m.opsetImport!.map((o) => [o.domain ?? '', o.version]), m.irVersion];
    };
    expect(header()).toEqual([[['', 17]], 8]);
    expect([13, 14, 15, 16, 17, 18].map((o) => header(o)[1])).toEqual([7, 7, 8, 8, 8, 8]);
    expect(() => st.onnx.encodeOnnx(model, { opset: 12 })).toThrow('onnx.save: opset must be an integer in 13..18, got 12');
  });

  it("writes the batch as the symbol 'N' by default and as 1 with dynamicBatch: false", () => {
    const model = lenet();
    const batchOf = (bytes: Uint8Array) => {
      const g = decodeModelProto(bytes).graph!;
      return [...g.input!, ...g.output!].map((v) => v.type!.tensorType!.shape!.dim![0]);
    };
    expect(batchOf(st.onnx.encodeOnnx(model))).toEqual([{ dimParam: 'N' }, { dimParam: 'N' }]);
    expect(batchOf(st.onnx.encodeOnnx(model, { dynamicBatch: false }))).toEqual([{ dimValue: 1 }, { dimValue: 1 }]);
    const fixed = st.onnx.load(st.onnx.encodeOnnx(model, { dynamicBatch: false }));
    const x = st.randn([1, 1, 32, 32], { seed: 5 });
    expect(Array.from(fixed.predictSync(x).data)).toEqual(Array.from(model.predictSync(x).data));
  });

  it('writes every weight as float32 raw_data, little-endian', () => {
    const model = lenet();
    const initializers = decodeModelProto(st.onnx.encodeOnnx(model)).graph!.initializer!;
    const conv = model.layers.find((l) => l.type === 'conv2d')! as unknown as { name: string; weight: st.Param };
    const w = initializers.find((t) => t.name === `${conv.name}.weight`)!;
    expect(w.dataType).toBe(1);
    expect(w.floatData ?? []).toEqual([]);
    expect(w.dims).toEqual([...conv.weight.value.shape]);
    const bytes = w.rawData!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const data = conv.weight.value.data;
    expect(bytes.length).toBe(4 * data.length);
    // Byte by byte: the first weight's float32 bits, least significant byte first.
    const bits = new Uint32Array(Float32Array.of(data[0]).buffer)[0];
    expect(Array.from(bytes.subarray(0, 4))).toEqual([bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, bits >>> 24]);
    expect(Array.from({ length: data.length }, (_, i) => view.getFloat32(4 * i, true))).toEqual(Array.from(data));
  });

  it('explains that a Sequential without an input shape has nothing to write yet', () => {
    const model = new st.Sequential([new st.nn.Flatten(), new st.nn.Dense({ units: 2 })]);
    expect(() => st.onnx.encodeOnnx(model)).toThrow(/onnx\.save: the Sequential has no input shape yet.*inputShape/);
  });

  it('leaves out training-only auxiliary heads: the file holds what the output depends on', () => {
    const g = new st.Graph({ seed: 4 });
    const x = g.input([3, 6, 6]);
    const trunk = g.add(new st.nn.ReLU(), g.add(new st.nn.Conv2D({ filters: 4, kernelSize: 3 }), x));
    const head = g.add(new st.nn.Dense({ units: 5 }), g.add(new st.nn.Flatten(), trunk));
    const aux = g.add(new st.nn.Dense({ units: 5 }), g.add(new st.nn.Flatten(), g.add(new st.nn.MaxPool2D({ kernelSize: 2 }), trunk)));
    g.output(head, { auxiliary: [{ node: aux, weight: 0.3 }] });
    const proto = decodeModelProto(st.onnx.encodeOnnx(g));
    expect(proto.graph!.node!.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'Flatten', 'Gemm']);
    const imported = st.onnx.load(st.onnx.encodeOnnx(g));
    const input = st.randn([2, 3, 6, 6], { seed: 5 });
    expect(imported.predictSync(input).data).toEqual(g.predictSync(input).data);
  });

  it('refuses a model that is not a Graph and options of the wrong type', () => {
    expect(() => st.onnx.encodeOnnx({} as st.Graph)).toThrow('onnx.save: model must be a Graph or Sequential, got Object');
    expect(() => st.onnx.encodeOnnx({ layers: [] } as unknown as st.Graph)).toThrow('onnx.save: model must be a Graph or Sequential, got Object');
    expect(() => st.onnx.save(lenet(), Symbol('f') as never)).toThrow(/^onnx\.save: file must be a non-empty path, got Symbol\(f\)/);
    expect(() => st.onnx.encodeOnnx(lenet(), { dynamicBatch: 'no' as unknown as boolean })).toThrow('onnx.save: dynamicBatch must be a boolean, got string');
  });

  it('refuses a layer type with no ONNX form by name', () => {
    class Square extends st.nn.ReLU {
      override readonly type = 'square' as 'relu';
    }
    expect(() => st.onnx.encodeOnnx(around([4], new Square({ name: 'sq' })))).toThrow("onnx.save: layer 'sq' (Square, type 'square') has no ONNX form");
  });
});
