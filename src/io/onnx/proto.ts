/**
 * ONNX messages as plain objects (what protobufjs decodes into with numbers for int64),
 * and the conversions between TensorProto and typed arrays. Weights are float32,
 * written to `raw_data` little-endian; reading also accepts `float_data`, and int64 /
 * int32 tensors (shapes, axes) from either field.
 */
import { quoted } from '../../errors.js';
import { DataType, ModelProto } from './schema.js';

export interface OnnxTensor {
  name?: string;
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  rawData?: Uint8Array;
  dataLocation?: number;
}

export interface OnnxAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxDim {
  dimValue?: number;
  dimParam?: string;
}

export interface OnnxValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDim[] } } };
}

export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensor[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  graph?: OnnxGraph;
  docString?: string;
}

/** Parses a model's bytes; throws protobufjs's error on malformed input (the caller adds the file name). */
export function decodeModelProto(bytes: Uint8Array): OnnxModel {
  const message = ModelProto.decode(bytes);
  return ModelProto.toObject(message, { longs: Number, arrays: true }) as OnnxModel;
}

/** A model's bytes. */
export function encodeModelProto(model: OnnxModel): Uint8Array {
  const error = ModelProto.verify(model);
  if (error) throw new Error(`onnx: internal error, the model does not fit the schema: ${error}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** A float32 tensor with its values in raw_data, little-endian. */
export function floatTensor(name: string, dims: readonly number[], data: Float32Array): OnnxTensor {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: bytes };
}

/** The element count of `dims`, or an error message when they are not a valid shape. */
export function checkDims(dims: readonly number[]): number | string {
  let size = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) return `dimension ${d} is not a non-negative integer`;
    size *= d;
    if (size > 2 ** 31) return `${dims.join('x')} holds more than 2^31 values`;
  }
  return size;
}

/**
 * The values of a FLOAT, DOUBLE, INT32 or INT64 tensor as float64 numbers; throws a
 * message (no file name: the caller adds it) when the data does not match the dims.
 * The data's length is checked against the dims before anything is allocated, so a
 * damaged dims field cannot reserve more memory than the file holds.
 */
export function tensorValues(t: OnnxTensor): { dims: number[]; values: Float64Array } {
  const dims = t.dims ?? [];
  const name = `tensor ${quoted(t.name)}`;
  const size = checkDims(dims);
  if (typeof size === 'string') throw new Error(`${name}: ${size}`);
  if (t.dataLocation === 1) throw new Error(`${name} keeps its data in an external file, which striate does not read`);
  const type = t.dataType ?? 0;
  const width = type === DataType.FLOAT || type === DataType.INT32 ? 4 : type === DataType.INT64 || type === DataType.DOUBLE ? 8 : 0;
  if (width === 0) throw new Error(`${name} has data type ${type}; striate reads FLOAT (1), INT32 (6), INT64 (7) and DOUBLE (11)`);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== size * width) throw new Error(`${name} ${dims.join('x')} needs ${size * width} bytes of raw_data, has ${raw.length}`);
    const values = new Float64Array(size);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < size; i++)
      values[i] = type === DataType.FLOAT ? view.getFloat32(i * 4, true)
        : type === DataType.INT32 ? view.getInt32(i * 4, true)
        : type === DataType.DOUBLE ? view.getFloat64(i * 8, true)
        : Number(view.getBigInt64(i * 8, true));
    return { dims, values };
  }
  const data = (type === DataType.FLOAT ? t.floatData : type === DataType.INT32 ? t.int32Data : type === DataType.DOUBLE ? t.doubleData : t.int64Data) ?? [];
  if (data.length !== size) throw new Error(`${name} ${dims.join('x')} needs ${size} values, has ${data.length}`);
  return { dims, values: Float64Array.from(data) };
}
