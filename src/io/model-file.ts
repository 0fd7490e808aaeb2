/**
 * The model file: one file holding the topology as JSON and the weights as
 * little-endian float32, with a format version and a checksum.
 *
 *   offset  size  field
 *   0       8     magic "STRIATE\0"
 *   8       4     format version (u32 LE), now 1
 *   12      4     header length H in bytes (u32 LE)
 *   16      H     header: UTF-8 JSON { config, tensors: [{ name, shape, kind }], metadata }
 *   ...     0-3   zero padding to a multiple of 4
 *   ...     4·Σ   every tensor's values, float32 LE, in header order
 *   end-4   4     CRC-32 of every byte before it (u32 LE)
 *
 * Files are written atomically: to a temporary file beside the target, flushed,
 * then renamed over it, so a crash never leaves a half-written model.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Graph, GraphConfig } from '../models/graph.js';
import type { SequentialConfig } from '../models/sequential.js';

export const MAGIC = Buffer.from('STRIATE\0', 'latin1');
export const FORMAT_VERSION = 1;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Plain JSON saved beside the model, e.g. the preprocessing its inputs need. */
export type Metadata = Record<string, unknown>;

export interface Header {
  config: GraphConfig | SequentialConfig;
  tensors: { name: string; shape: number[]; kind: 'param' | 'buffer' }[];
  metadata: Metadata;
}

export function tensorsOf(model: Graph) {
  return [
    ...model.params().map((p) => ({ name: p.name, value: p.value, kind: 'param' as const })),
    ...model.buffers().map((b) => ({ name: b.name, value: b.value, kind: 'buffer' as const })),
  ];
}

/** Float32 values as little-endian bytes (a copy with bytes swapped on big-endian hosts). */
function leBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndian) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) for (let b = 0; b < 4; b++) out[i + b] = bytes[i + 3 - b];
  return out;
}

/** The file's bytes for `model`. */
export function encodeModel(model: Graph, metadata: Metadata = {}): Buffer {
  const tensors = tensorsOf(model);
  const header: Header = {
    config: model.config,
    tensors: tensors.map((t) => ({ name: t.name, shape: [...t.value.shape], kind: t.kind })),
    metadata,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padding = (4 - (json.length % 4)) % 4;
  const prefix = Buffer.alloc(16);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  const parts: Uint8Array[] = [prefix, json, Buffer.alloc(padding), ...tensors.map((t) => leBytes(t.value.data))];
  const body = Buffer.concat(parts);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}

/** Writes `bytes` to `file` atomically: a temporary file in the same folder, flushed, then renamed. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (err) {
    unlinkSync(temp);
    throw err;
  }
}

/**
 * Saves a model (topology, weights and batch-norm statistics) to one file, atomically,
 * with optional plain-JSON metadata.
 * @example st.save(model, 'lenet5.striate', { normalize: { mean: 0.1307, std: 0.3081 } });
 */
export function save(model: Graph, file: string, metadata: Metadata = {}): void {
  writeFileAtomic(file, encodeModel(model, metadata));
}
