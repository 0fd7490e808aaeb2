/**
 * Reading the model file (format in model-file.ts): every field is checked, and a
 * damaged file is refused with an error naming the file and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { formatShape } from '../errors.js';
import { Graph } from '../models/graph.js';
import { Sequential } from '../models/sequential.js';
import { FORMAT_VERSION, MAGIC, tensorsOf, type Header, type Metadata } from './model-file.js';

/** Rebuilds a model from the file's bytes; `name` labels errors. */
export function decodeModel(file: Buffer, name: string): { model: Graph; metadata: Metadata } {
  const fail = (why: string): never => {
    throw new Error(`${name}: ${why}`);
  };
  if (file.length < 20 || !file.subarray(0, 8).equals(MAGIC)) fail('not a striate model file (bad magic)');
  const version = file.readUInt32LE(8);
  if (version !== FORMAT_VERSION) fail(`format version ${version} is not supported (this striate reads version ${FORMAT_VERSION})`);
  if (crc32(file.subarray(0, file.length - 4)) !== file.readUInt32LE(file.length - 4))
    fail('checksum mismatch: the file is damaged or truncated');
  const headerLength = file.readUInt32LE(12);
  if (16 + headerLength > file.length - 4) fail('header length runs past the end of the file');
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', 16, 16 + headerLength)) as Header;
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message})`);
  }
  const model = header.config.type === 'sequential' ? Sequential.fromConfig(header.config) : Graph.fromConfig(header.config);
  const tensors = tensorsOf(model);
  if (tensors.length !== header.tensors.length)
    fail(`the topology has ${tensors.length} tensors but the file stores ${header.tensors.length}`);
  let offset = 16 + headerLength + ((4 - (headerLength % 4)) % 4);
  tensors.forEach((t, i) => {
    const saved = header.tensors[i];
    if (saved.name !== t.name || saved.shape.length !== t.value.rank || saved.shape.some((d, k) => d !== t.value.shape[k]))
      fail(`tensor ${i} is ${saved.name} ${formatShape(saved.shape)} in the file, ${t.name} ${formatShape(t.value.shape)} in the topology`);
    const bytes = t.value.size * 4;
    if (offset + bytes > file.length - 4) fail(`the weights of ${t.name} run past the end of the file`);
    const view = new DataView(file.buffer, file.byteOffset + offset, bytes);
    for (let k = 0; k < t.value.size; k++) t.value.data[k] = view.getFloat32(k * 4, true);
    offset += bytes;
  });
  if (offset !== file.length - 4) fail(`${file.length - 4 - offset} unexpected bytes after the weights`);
  return { model, metadata: header.metadata ?? {} };
}

/**
 * Loads a model saved by `save` / `model.save`; the round trip is bit-exact.
 * @example const model = st.load('lenet5.striate');
 */
export function load(file: string): Graph {
  return loadWithMetadata(file).model;
}

/** Loads a model and the metadata saved with it. */
export function loadWithMetadata(file: string): { model: Graph; metadata: Metadata } {
  return decodeModel(readFileSync(file), file);
}
