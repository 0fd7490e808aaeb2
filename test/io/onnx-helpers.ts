// Test-side access to the ONNX schema: decoding TensorProto files (.pb) of any element
// type the backend tests use, and writing small models with the project's own encoder.
import protobuf from 'protobufjs';
import { decodeModelProto, encodeModelProto, floatTensor, tensorValues, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../../src/io/onnx/proto.js';
import { ModelProto } from '../../src/io/onnx/schema.js';

const Tensor = (ModelProto.root as protobuf.Root).lookupType('onnx.TensorProto');

export const decodeModel = decodeModelProto;

/**
 * A .pb tensor's dims and values as float32, whatever its element type: UINT8, INT8 and
 * BOOL too, so a backend test feeding them reaches st.onnx.load (which refuses them).
 */
export function decodeTensorFile(bytes: Uint8Array): { dims: number[]; data: Float32Array } {
  const t = Tensor.toObject(Tensor.decode(bytes), { longs: Number, arrays: true }) as OnnxTensor;
  const UINT8 = 2, INT8 = 3, BOOL = 9;
  if (t.dataType === UINT8 || t.dataType === INT8 || t.dataType === BOOL) {
    const raw = t.rawData && t.rawData.length ? t.rawData : Uint8Array.from(t.int32Data ?? []);
    const bytesAs = t.dataType === INT8 ? new Int8Array(raw.buffer, raw.byteOffset, raw.length) : raw;
    return { dims: t.dims ?? [], data: Float32Array.from(bytesAs) };
  }
  const { dims, values } = tensorValues(t);
  return { dims, data: Float32Array.from(values) };
}

type Attr = number | number[] | string | { float: number };

/** A node; attributes as numbers (INT), arrays (INTS), strings (STRING) or { float }. */
export function onnxNode(opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}, name = output[0]): OnnxNode {
  const attribute: OnnxAttribute[] = Object.entries(attrs).map(([n, v]) =>
    typeof v === 'number' ? { name: n, type: 2, i: v }
      : Array.isArray(v) ? { name: n, type: 7, ints: v }
      : typeof v === 'string' ? { name: n, type: 3, s: new TextEncoder().encode(v) }
      : { name: n, type: 1, f: v.float });
  return { name, opType, input, output, attribute };
}

/** An INT64 initializer (a shape or axes). */
export function int64Tensor(name: string, values: number[]): OnnxTensor {
  return { name, dims: [values.length], dataType: 7, int64Data: values };
}

export { floatTensor };

/** A value's declaration (float32 unless elemType says otherwise): dims with strings for symbols. */
function valueInfo(name: string, dims: (number | string)[], elemType = 1) {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** A model's bytes from its parts, through the encoder st.onnx.save uses. */
export function onnxModel(parts: {
  opset: number; inputs: [string, (number | string)[], number?][]; output: [string, (number | string)[]]; nodes: OnnxNode[]; initializers?: OnnxTensor[];
}): Uint8Array {
  return encodeModelProto({
    irVersion: 7,
    opsetImport: [{ domain: '', version: parts.opset }],
    graph: {
      name: 'test', node: parts.nodes, initializer: parts.initializers ?? [],
      input: parts.inputs.map(([n, d, type]) => valueInfo(n, d, type)), output: [valueInfo(...parts.output)],
    },
  });
}
