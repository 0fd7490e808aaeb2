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
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describeType, describeValue, isPlainObject } from '../errors.js';
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

/**
 * Writes `bytes` to `file` atomically: a new temporary file in the same folder (so the
 * rename stays on one file system), written, flushed, renamed over `file`, then the
 * folder flushed so that the rename itself is on disk. A crash at any point leaves the
 * previous file or the new one, never a mix; a crash may leave the temporary file,
 * `.<name>.<pid>.<random>.tmp`, which nothing reads. A failure (full disk, read-only
 * file or file system) throws an Error naming `file` and the cause, with the previous
 * file unchanged and the temporary file removed. A new file keeps the mode of the one
 * it replaces. `op` names the caller in the error for a `file` that is not a path.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, op = 'save'): void {
  if (typeof file !== 'string' || file === '')
    throw new TypeError(`${op}: file must be a non-empty path, got ${file === '' ? 'an empty string' : describeValue(file)}`);
  const fail = (err: unknown): never => {
    throw new Error(`${file}: not written (${(err as Error).message}); any previous file there is unchanged`, { cause: err });
  };
  let mode = 0o666;
  try {
    mode = statSync(file).mode & 0o777;
    // rename needs only the folder's permission: without this check a read-only file would be replaced.
    accessSync(file, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail(err);
  }
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    fd = openSync(temp, 'wx', mode);
    created = true;
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (err) {
    // Cleanup errors are dropped so that the error thrown is the cause.
    if (fd !== undefined) ignoreErrors(() => closeSync(fd!));
    if (created) ignoreErrors(() => unlinkSync(temp));
    fail(err);
  }
  // The file is in place whatever happens now. Windows cannot open a folder, and some
  // file systems refuse to flush one; the save has not failed then, it is only less durable.
  if (process.platform !== 'win32')
    ignoreErrors(() => {
      const dirFd = openSync(dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    });
}

function ignoreErrors(f: () => void): void {
  try {
    f();
  } catch {
    // see the callers
  }
}

/**
 * Saves a model (topology, weights and batch-norm statistics) to one file, atomically,
 * with optional plain-JSON metadata.
 * @example st.save(model, 'lenet5.striate', { normalize: { mean: 0.1307, std: 0.3081 } });
 */
export function save(model: Graph, file: string, metadata: Metadata = {}): void {
  checkMetadata('save', 'metadata', metadata);
  writeFileAtomic(file, encodeModel(model, metadata));
}

/** Throws unless `metadata` is a plain JSON object that survives JSON unchanged (see checkJson). */
export function checkMetadata(op: string, name: string, metadata: unknown): asserts metadata is Metadata {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
    throw new TypeError(`${op}: ${name} must be a plain JSON object, got ${describeType(metadata)}`);
  checkJson(op, metadata, name, []);
}

/**
 * Throws unless `value` survives JSON unchanged: null, booleans, finite numbers, strings,
 * arrays and plain objects of them, without cycles. JSON.stringify would throw on a cycle
 * or a BigInt without saying where, and quietly drop or change the rest (undefined,
 * functions, NaN, a Date), so the file would not hold what was saved.
 */
function checkJson(op: string, value: unknown, at: string, parents: object[]): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${op}: ${at} must be a finite number to survive JSON, got ${value}`);
    return;
  }
  if (!Array.isArray(value) && !isPlainObject(value)) throw new TypeError(`${op}: ${at} must be plain JSON (null, boolean, number, string, array or plain object), got ${describeType(value)}`);
  if (parents.includes(value as object)) throw new TypeError(`${op}: ${at} refers back to itself (a cycle); metadata must be plain JSON`);
  parents.push(value as object);
  for (const [key, item] of Object.entries(value as object)) checkJson(op, item, Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`, parents);
  parents.pop();
}
