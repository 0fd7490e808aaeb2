// A minimal ONNX writer: enough protobuf to serialise a ModelProto with float32
// initializers and Conv/Relu/Add/MaxPool/GlobalAveragePool/Flatten/Gemm/MatMul nodes,
// so ONNX Runtime runs graphs with exactly the weights striate holds, without torch.
// Field numbers are those of onnx.proto (IR version 8, default opset 13).

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** Appends protobuf fields to a growing list of byte chunks. */
class Writer {
  constructor() {
    this.chunks = [];
  }

  varint(value) {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      bytes.push(byte);
    } while (v);
    this.chunks.push(Uint8Array.from(bytes));
    return this;
  }

  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }

  int(field, value) {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  float(field, value) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.tag(field, WIRE_FIXED32).chunks.push(bytes);
    return this;
  }

  bytes(field, data) {
    this.tag(field, WIRE_BYTES).varint(data.length).chunks.push(data);
    return this;
  }

  string(field, text) {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field, build) {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish() {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const FLOAT = 1; // TensorProto.DataType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function attribute(w, name, value) {
  w.string(1, name);
  if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, ATTR_INTS);
  } else if (Number.isInteger(value)) {
    w.int(3, value).int(20, ATTR_INT);
  } else {
    w.float(2, value).int(20, ATTR_FLOAT);
  }
}

function valueInfo(w, { name, shape }) {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, FLOAT);
      tensor.message(2, (dims) => shape.forEach((d) => dims.message(1, (dim) => dim.int(1, d))));
    }),
  );
}

/**
 * Serialises a graph: `inputs`/`outputs` [{name, shape}], `initializers`
 * [{name, dims, data: Float32Array}], `nodes` [{op, inputs, outputs, attrs}].
 */
export function onnxModel({ name, inputs, outputs, initializers = [], nodes, opset = 13 }) {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'striate-bench'); // producer_name
  w.message(7, (g) => {
    nodes.forEach((node, i) =>
      g.message(1, (n) => {
        node.inputs.forEach((x) => n.string(1, x));
        node.outputs.forEach((y) => n.string(2, y));
        n.string(3, `${node.op}_${i}`);
        n.string(4, node.op);
        for (const [key, value] of Object.entries(node.attrs ?? {})) n.message(5, (a) => attribute(a, key, value));
      }),
    );
    g.string(2, name);
    for (const init of initializers)
      g.message(5, (t) => {
        init.dims.forEach((d) => t.int(1, d));
        t.int(2, FLOAT);
        t.string(8, init.name);
        t.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
      });
    inputs.forEach((v) => g.message(11, (m) => valueInfo(m, v)));
    outputs.forEach((v) => g.message(12, (m) => valueInfo(m, v)));
  });
  w.message(8, (op) => op.string(1, '').int(2, opset)); // opset_import
  return w.finish();
}
