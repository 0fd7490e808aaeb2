/**
 * Reading the model file (format in model-file.ts): every field is checked, and a
 * damaged or crafted file is refused with an error naming the file and what is wrong.
 *
 * Memory is bounded before anything is built: the layers a config describes must not
 * hold more values than the file stores, so a load allocates at most the file's bytes
 * plus twice its weights (values and gradients); a 400-byte file cannot claim a layer
 * of 2^26 units. Nothing in a file is run: the config names layer types of the registry.
 */
import { readFileSync, statSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describeType, formatShape, quoted } from '../errors.js';
import { Graph } from '../models/graph.js';
import { Sequential } from '../models/sequential.js';
import { FORMAT_VERSION, MAGIC, tensorsOf, type Header, type Metadata } from './model-file.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws (through `fail`) unless the parsed header has the fields and types the format defines. */
function checkHeader(header: unknown, fail: (why: string) => never): Header {
  if (!isObject(header)) return fail(`header must be a JSON object, got ${describeType(header)}`);
  if (!isObject(header.config)) fail(`header.config must be an object, got ${describeType(header.config)}`);
  if (header.metadata !== undefined && !isObject(header.metadata))
    fail(`header.metadata must be an object, got ${describeType(header.metadata)}`);
  if (!Array.isArray(header.tensors)) fail(`header.tensors must be an array, got ${describeType(header.tensors)}`);
  (header.tensors as unknown[]).forEach((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string' || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`header.tensors[${i}] must be { name, shape: [non-negative integers] }, got ${JSON.stringify(t)?.slice(0, 200)}`);
  });
  return header as unknown as Header;
}

// The sizing options of the built-in layers that hold tensors. A size the layer
// constructor would refuse counts as 1: the constructor then reports it.
const dim = (v: unknown): number => (Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : 1);
const SIZED: Record<string, { size: string; values: (c: Record<string, unknown>) => number }> = {
  dense: { size: 'inFeatures', values: (c) => dim(c.units) * dim(c.inFeatures) + (c.useBias === false ? 0 : dim(c.units)) },
  conv2d: { size: 'inChannels', values: (c) => convValues(c, 2) },
  conv1d: { size: 'inChannels', values: (c) => convValues(c, 1) },
  batchNorm2d: { size: 'channels', values: (c) => 4 * dim(c.channels) },
  batchNorm1d: { size: 'channels', values: (c) => 4 * dim(c.channels) },
};

/** A conv2d kernel is kernelSize or [kH, kW], a conv1d one kernelSize. */
function convValues(c: Record<string, unknown>, rank: number): number {
  const kernel = Array.isArray(c.kernelSize) ? c.kernelSize.reduce((a: number, k) => a * dim(k), 1) : dim(c.kernelSize) ** rank;
  return dim(c.filters) * Math.ceil(dim(c.inChannels) / dim(c.groups)) * kernel + (c.useBias === false ? 0 : dim(c.filters));
}

/**
 * The float32 values the built-in layers of `config` create when the model is built
 * (weights, biases, batch-norm statistics), read from the config alone so that a file
 * can be refused before they are allocated. A layer of a built model must record its
 * input size (as `save` always writes it), or it would be sized from the input shape.
 * Types the program registered itself count 0: their code is the program's own.
 */
export function configValues(config: Header['config'], fail: (why: string) => never): number {
  const sequential = config.type === 'sequential';
  const layers: unknown[] = sequential
    ? (Array.isArray(config.layers) ? config.layers : [])
    : (Array.isArray((config as { nodes?: unknown }).nodes) ? (config as { nodes: unknown[] }).nodes : [])
      .map((n) => (isObject(n) ? n.layer : undefined));
  const built = !sequential || (config as { inputShape?: unknown }).inputShape !== undefined;
  let total = 0;
  layers.forEach((c, i) => {
    if (!isObject(c) || typeof c.type !== 'string' || !Object.hasOwn(SIZED, c.type)) return;
    const { size, values } = SIZED[c.type];
    if (built && c[size] === undefined)
      fail(`layer ${i} (${c.type}${typeof c.name === 'string' ? ` ${quoted(c.name)}` : ''}) does not record ${size}; save writes it for every built layer`);
    total += values(c);
  });
  return total;
}

/** Rebuilds a model from the file's bytes; `name` labels errors. */
export function decodeModel(file: Buffer, name: string): { model: Graph; metadata: Metadata } {
  const fail = (why: string, cause?: unknown): never => {
    throw new Error(`${name}: ${why}`, cause === undefined ? undefined : { cause });
  };
  if (file.length < 20 || !file.subarray(0, 8).equals(MAGIC)) fail('not a striate model file (bad magic)');
  const version = file.readUInt32LE(8);
  if (version !== FORMAT_VERSION) fail(`format version ${version} is not supported (this striate reads version ${FORMAT_VERSION})`);
  if (crc32(file.subarray(0, file.length - 4)) !== file.readUInt32LE(file.length - 4))
    fail('checksum mismatch: the file is damaged or truncated');
  const headerLength = file.readUInt32LE(12);
  if (16 + headerLength > file.length - 4) fail('header length runs past the end of the file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.toString('utf8', 16, 16 + headerLength));
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message})`);
  }
  const header = checkHeader(parsed, fail);
  let offset = 16 + headerLength + ((4 - (headerLength % 4)) % 4);
  const stored = Math.max(0, Math.floor((file.length - 4 - offset) / 4));
  const needed = configValues(header.config, fail);
  if (needed > stored)
    fail(`the topology's layers hold ${needed} values, more than the ${stored} the file stores; refused before allocating them`);
  let model: Graph;
  try {
    model = header.config.type === 'sequential' ? Sequential.fromConfig(header.config) : Graph.fromConfig(header.config);
  } catch (err) {
    return fail(`the topology cannot be built: ${(err as Error).message}`, err);
  }
  const tensors = tensorsOf(model);
  if (tensors.length !== header.tensors.length)
    fail(`the topology has ${tensors.length} tensors but the file stores ${header.tensors.length}`);
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
  if (typeof file !== 'string') throw new TypeError(`load: file must be a path, got ${describeType(file)}`);
  // A device or a pipe (/dev/zero, a FIFO) would be read without end.
  if (!statSync(file).isFile()) throw new Error(`${file}: not a regular file`);
  return decodeModel(readFileSync(file), file);
}
