// Test-side access to the ONNX schema: decoding a TensorProto file (.pb) and a model.
import protobuf from 'protobufjs';
import { decodeModelProto, type OnnxTensor } from '../../src/io/onnx/proto.js';
import { ModelProto } from '../../src/io/onnx/schema.js';

const Tensor = (ModelProto.root as protobuf.Root).lookupType('onnx.TensorProto');

export const TensorProtoType = {
  decodeObject: (bytes: Uint8Array): OnnxTensor => Tensor.toObject(Tensor.decode(bytes), { longs: Number, arrays: true }) as OnnxTensor,
  decodeModel: decodeModelProto,
};
