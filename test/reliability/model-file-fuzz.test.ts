// Model files as an attacker or a failing disk would write them: truncated, bytes
// flipped, lengths corrupted, oversized or hostile headers (with the checksum fixed up,
// so the parser behind it is reached). Each variant is written to its own file and
// loaded: it is refused with an Error whose message starts with the file's name, or it
// loads and predicts. Every load is held to an allocation bound (ArrayBuffer bytes
// grown while it ran), and the whole run to a peak-RSS bound, so a config that makes
// the loader allocate before it checks (a 400-byte file declaring a layer of 2^26
// units allocated ~2.7 GB of weights and gradients) fails here. Seeded; the counts are
// printed for the README's reliability section.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { configValues } from '../../src/io/model-load.js';
import { ModelProto } from '../../src/io/onnx/schema.js';
import { Rng } from '../../src/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'striate-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1 << 20;
/** The loader reads the file (1x) and builds weights and gradients no larger than it (2x). */
const STRIATE_BOUND = (bytes: number) => 3 * bytes + MiB;
/** ONNX adds the initializers decoded to float64 (2x the float32 bytes) before the weights are copied. */
const ONNX_BOUND = (bytes: number) => 6 * bytes + 4 * MiB;
/** Peak RSS may grow this much over a whole run (JIT, heap growth); one runaway allocation is 1 GB. */
const RSS_SLACK = 256 * MiB;

function smallNet(): st.Graph {
  return new st.Sequential(
    [
      new st.nn.Conv2D({ filters: 4, kernelSize: 3, padding: 1 }), new st.nn.BatchNorm2D(), new st.nn.ReLU(),
      new st.nn.MaxPool2D({ kernelSize: 2 }), new st.nn.Flatten(), new st.nn.Dense({ units: 3 }),
    ],
    { inputShape: [2, 6, 6], seed: 11 },
  );
}

function residual(): st.Graph {
  const g = new st.Graph({ seed: 2 });
  const x = g.input([3, 5, 5]);
  const a = g.add(new st.nn.Conv2D({ filters: 3, kernelSize: [3, 1], padding: [1, 0], groups: 3 }), x);
  return g.output(g.add(new st.nn.ReLU(), g.add(new st.nn.Add(), a, x)));
}

function signalNet(): st.Graph {
  return new st.Sequential(
    [
      new st.nn.Conv1D({ filters: 4, kernelSize: 3 }), new st.nn.BatchNorm1D(), new st.nn.Tanh(),
      new st.nn.Flatten(), new st.nn.Dense({ units: 2, useBias: false }),
    ],
    { inputShape: [2, 10], seed: 5 },
  );
}

const MODELS: [string, () => st.Graph][] = [
  ['small', smallNet],
  ['residual', residual],
  ['signal', signalNet],
  ['resnet20', () => st.zoo.resnet20({ numClasses: 4, inputShape: [3, 8, 8], seed: 1 })],
];

const valuesOf = (model: st.Graph) =>
  [...model.params(), ...model.buffers()].reduce((a, t) => a + t.value.size, 0);

/** Outcome counts and the failures (with what reproduces them), for one assertion at the end. */
class Tally {
  readonly outcomes = new Map<string, number>();
  readonly failures: string[] = [];
  tried = 0;
  count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }
}

/**
 * Writes `bytes` to `file`, loads it with `load` and checks the outcome: refused with an
 * Error naming the file, or loaded (then a prediction on 2 random samples). The error's
 * first words after the file name are the outcome counted.
 */
function tryVariant(
  tally: Tally, file: string, bytes: Uint8Array, what: string, load: (file: string) => st.Graph, bound: number,
): void {
  writeFileSync(file, bytes);
  tally.tried++;
  const before = process.memoryUsage().arrayBuffers;
  let model: st.Graph | undefined;
  try {
    model = load(file);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof Error) || !message.startsWith(`${file}: `)) tally.failures.push(`${what}: ${explain(err)}`);
    else tally.count(`refused: ${message.slice(file.length + 2).replace(/\d+/g, 'N').split(/[ (:]/).slice(0, 4).join(' ')}`);
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  if (grown > bound) tally.failures.push(`${what}: ArrayBuffers grew ${grown} bytes while loading a ${bytes.length}-byte file`);
  rmSync(file);
  if (!model) return;
  const shape = model.inputShapes[0];
  if (shape.reduce((a, d) => a * d, 2) > 1e6) return tally.count('loaded (input too large to predict)');
  try {
    const y = model.predictSync(st.randn([2, ...shape], { seed: 1 }));
    if (y.shape[0] !== 2) tally.failures.push(`${what}: predicted ${JSON.stringify(y.shape)} for 2 samples`);
    else tally.count('loaded and predicted');
  } catch (err) {
    tally.failures.push(`${what}: loaded, then predict threw ${explain(err)}`);
  }
}

const explain = (err: unknown) => (err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 300)}` : String(err));

function report(label: string, tally: Tally): void {
  const lines = [...tally.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`);
  console.log(`${label}: ${tally.tried} variants\n${lines.join('\n')}`);
}

// ---------------------------------------------------------------- .striate

interface Parts {
  header: Record<string, unknown>;
  data: Buffer;
}

function split(file: Buffer): Parts {
  const length = file.readUInt32LE(12);
  const start = 16 + length + ((4 - (length % 4)) % 4);
  return { header: JSON.parse(file.toString('utf8', 16, 16 + length)), data: file.subarray(start, file.length - 4) };
}

/** A well-formed file (length, padding, checksum) around any header text and data. */
function assemble(headerText: string, data: Uint8Array): Buffer {
  const json = Buffer.from(headerText, 'utf8');
  const prefix = Buffer.alloc(16);
  Buffer.from('STRIATE\0', 'latin1').copy(prefix);
  prefix.writeUInt32LE(1, 8);
  prefix.writeUInt32LE(json.length, 12);
  return withCrc(Buffer.concat([prefix, json, Buffer.alloc((4 - (json.length % 4)) % 4), data, Buffer.alloc(4)]));
}

function withCrc(file: Buffer): Buffer {
  const out = Buffer.from(file);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** Every path to a value inside `v` (objects and arrays), the root excluded. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof v === 'object' && v !== null)
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(child, p, out);
    }
  return out;
}

function setAt(root: unknown, p: (string | number)[], value: unknown, remove: boolean): void {
  let o = root as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = p[p.length - 1];
  if (remove) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else o[last] = value;
}

const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
const HOSTILE: unknown[] = [
  null, true, false, -1, 0, 0.5, 1e-300, 2 ** 20, 2 ** 26, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 1e308, -1e308, 'x', '', '__proto__',
  [], {}, [2 ** 20, 2 ** 20], [0], [-1, 3], { type: 'dense', units: 2 ** 26 }, { type: 'conv2d' }, { type: 'nope' },
  deep(2000), 'A'.repeat(10_000),
];

/** Byte-level damage: the checksum catches it unless `fixCrc`, then the parser must. */
function damage(good: Buffer, kind: string, rng: Rng): Buffer {
  switch (kind) {
    case 'truncated':
      return good.subarray(0, rng.int(good.length));
    case 'flipped':
    case 'flipped, checksum fixed': {
      const out = Buffer.from(good);
      for (let n = 1 + rng.int(8); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return kind === 'flipped' ? out : withCrc(out);
    }
    case 'header length corrupted':
    case 'header length corrupted, checksum fixed': {
      const out = Buffer.from(good);
      const length = out.readUInt32LE(12);
      const choices = [0, 1, length - 1, length + 1, length + 4, out.length, 0x7fffffff, 0xffffffff, rng.nextUint32()];
      out.writeUInt32LE(choices[rng.int(choices.length)], 12);
      return kind === 'header length corrupted' ? out : withCrc(out);
    }
    case 'oversized header': {
      // A header far larger than the model: whitespace, a huge string or a long array in the metadata.
      const { header, data } = split(good);
      const filler = [' '.repeat(1 << 20), JSON.stringify({ ...header, metadata: { pad: 'x'.repeat(1 << 20) } }),
        JSON.stringify({ ...header, metadata: { list: new Array(100_000).fill(2 ** 30) } })];
      const pick = rng.int(filler.length);
      return assemble(pick === 0 ? JSON.stringify(header) + filler[0] : filler[pick], data);
    }
    case 'header edited, checksum fixed': {
      const { header, data } = split(good);
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const all = paths(header);
        if (all.length > 0) setAt(header, all[rng.int(all.length)], structuredClone(HOSTILE[rng.int(HOSTILE.length)]), rng.uniform() < 0.2);
      }
      return assemble(JSON.stringify(header), data);
    }
    default:
      throw new Error(`unknown damage ${kind}`);
  }
}
const KINDS = ['truncated', 'flipped', 'flipped, checksum fixed', 'header length corrupted', 'header length corrupted, checksum fixed',
  'oversized header', 'header edited, checksum fixed'];

/** Hand-made hostile headers with valid checksums: what a fuzzer might take long to find. */
function crafted(good: Buffer): [string, Buffer][] {
  const { header, data } = split(good);
  const edit = (f: (h: any) => unknown): Buffer => {
    const h = JSON.parse(JSON.stringify(header));
    const replaced = f(h);
    return assemble(JSON.stringify(replaced === undefined ? h : replaced), data);
  };
  const layers = (h: any): any[] => (h.config.layers ?? h.config.nodes.map((n: any) => n.layer));
  const sized = (h: any) => layers(h).filter((l: any) => ['dense', 'conv2d', 'conv1d', 'batchNorm2d', 'batchNorm1d'].includes(l.type));
  return [
    ['header null', edit(() => null)],
    ['header an array', edit(() => [1, 2])],
    ['config null', edit((h) => void (h.config = null))],
    ['tensors missing', edit((h) => void delete h.tensors)],
    ['tensors an object', edit((h) => void (h.tensors = {}))],
    ['a shape not an array', edit((h) => void (h.tensors[0].shape = 'x'))],
    ['a shape of 2^53', edit((h) => void (h.tensors[0].shape = [2 ** 53, 2 ** 53]))],
    ['metadata a number', edit((h) => void (h.metadata = 5))],
    ['first sized layer x 2^26', edit((h) => {
      const l = sized(h)[0];
      for (const k of ['units', 'filters', 'channels']) if (k in l) l[k] = 2 ** 26;
    })],
    ['every size x 4096', edit((h) => {
      for (const l of sized(h))
        for (const k of ['units', 'filters', 'channels', 'inFeatures', 'inChannels']) if (typeof l[k] === 'number') l[k] *= 4096;
    })],
    ['a kernel of 2^12 x 2^12', edit((h) => {
      const conv = layers(h).find((l: any) => l.type === 'conv2d');
      if (conv) conv.kernelSize = [4096, 4096];
    })],
    ['input size dropped, input shape huge', edit((h) => {
      for (const l of sized(h)) delete l.inFeatures, delete l.inChannels, delete l.channels;
      if (h.config.inputShape) h.config.inputShape = [2 ** 15, 2 ** 15];
      else h.config.inputs[0].shape = [2 ** 15, 2 ** 15, 1];
    })],
  ];
}

describe('.striate files, damaged and hostile', () => {
  it('the size check reads exactly what building allocates, for every model here', () => {
    for (const [name, make] of MODELS) {
      const model = make();
      expect(configValues(model.config, (why) => { throw new Error(why); }), name).toBe(valuesOf(model));
    }
  });

  it('the size check knows every registered layer type that holds tensors', () => {
    // One small instance of each type: a new layer type with weights fails here until
    // model-load.ts can size it from its config.
    const image: number[] = [4, 6, 6];
    const samples: Record<string, [Record<string, unknown>, number[][]]> = {
      conv2d: [{ filters: 2, kernelSize: [3, 2], groups: 2 }, [image]], conv1d: [{ filters: 3, kernelSize: 3 }, [[2, 7]]],
      dense: [{ units: 3, useBias: false }, [[5]]], batchNorm2d: [{}, [image]], batchNorm1d: [{}, [[3, 4]]],
      maxPool2d: [{ kernelSize: 2 }, [image]], avgPool2d: [{ kernelSize: 2 }, [image]], stochasticPool2d: [{ kernelSize: 2 }, [image]],
      globalAvgPool2d: [{}, [image]], adaptiveAvgPool2d: [{ outputSize: 2 }, [image]], localResponseNorm: [{ size: 3 }, [image]],
      flatten: [{}, [image]], relu: [{}, [image]], leakyRelu: [{}, [image]], elu: [{}, [image]], sigmoid: [{}, [image]],
      tanh: [{}, [image]], softmax: [{}, [[5]]], dropout: [{ rate: 0.5 }, [image]], add: [{}, [image, image]],
      concat: [{}, [image, image]],
    };
    for (const type of st.nn.layerTypes()) {
      expect(samples[type], `a sample config for layer type '${type}'`).toBeDefined();
      const [options, shapes] = samples[type];
      const g = new st.Graph();
      const inputs = shapes.map((shape) => g.input(shape));
      g.output(g.add(st.nn.layerFromConfig({ type, ...options }), ...inputs));
      expect(configValues(g.config, (why) => { throw new Error(why); }), type).toBe(valuesOf(g));
    }
  });

  it('reads only regular files: a device is refused, not read without end', () => {
    expect(() => st.load(devNull)).toThrow(`${devNull}: not a regular file`);
    expect(() => st.load(3 as unknown as string)).toThrow('load: file must be a path, got number');
  });

  it('refuses the audit file (a layer of 2^26 units in 400 bytes) before allocating', () => {
    const file = path.join(dir, 'audit.striate');
    new st.Sequential([new st.nn.Dense({ units: 2 })], { inputShape: [4] }).save(file);
    const { header, data } = split(readFileSync(file));
    (header.config as { layers: { units: number }[] }).layers[0].units = 2 ** 26;
    const bytes = assemble(JSON.stringify(header), data);
    expect(bytes.length).toBeLessThan(500);
    writeFileSync(file, bytes);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => st.load(file)).toThrow(`${file}: the topology's layers hold ${5 * 2 ** 26} values, more than the 10 the file stores`);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(STRIATE_BOUND(bytes.length));
  });

  it('1,000 seeded variants of 4 models each give an error naming the file, or load and predict, within the allocation bound', () => {
    const tally = new Tally();
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    MODELS.forEach(([name, make], m) => {
      const model = make();
      const source = path.join(dir, `${name}.striate`);
      model.save(source, { note: 'fuzz', mean: [0.5, 0.25] });
      const good = readFileSync(source);
      tryVariant(tally, source, good, `${name} unchanged`, st.load, STRIATE_BOUND(good.length));
      for (const [what, bytes] of crafted(good))
        tryVariant(tally, path.join(dir, `${name}-${what.replaceAll(' ', '-')}.striate`), bytes, `${name}: ${what}`, st.load,
          STRIATE_BOUND(bytes.length));
      const rng = new Rng(1000 + m);
      for (let i = 0; i < 250; i++) {
        const kind = KINDS[i % KINDS.length];
        const bytes = damage(good, kind, rng);
        tryVariant(tally, path.join(dir, `${name}-${i}.striate`), bytes, `${name} #${i} (${kind}, seed ${1000 + m})`, st.load,
          STRIATE_BOUND(bytes.length));
      }
    });
    report('.striate', tally);
    expect(tally.failures).toEqual([]);
    expect(tally.tried).toBeGreaterThanOrEqual(1000);
    expect(tally.outcomes.get('loaded and predicted') ?? 0).toBeGreaterThan(10);
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(RSS_SLACK);
  });
});

// ---------------------------------------------------------------- ONNX

interface PbField {
  at: number;
  size: number;
  value: number;
  wire: 0 | 2;
}

function readVarint(b: Uint8Array, p: number, end: number): [number, number] | undefined {
  let value = 0;
  for (let shift = 1, i = 0; i < 10 && p < end; i++, shift *= 128) {
    const byte = b[p++];
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return [value, p];
  }
  return undefined;
}

/** The varint and length fields of a protobuf message, nested messages included (a bytes field that parses as one counts as one). */
function fieldsOf(b: Uint8Array, start: number, end: number, depth: number, out: PbField[]): boolean {
  for (let p = start; p < end; ) {
    const key = readVarint(b, p, end);
    if (!key || key[0] < 8) return false;
    const wire = key[0] % 8;
    p = key[1];
    if (wire === 1 || wire === 5) p += wire === 1 ? 8 : 4;
    else if (wire === 0 || wire === 2) {
      const v = readVarint(b, p, end);
      if (!v || (wire === 2 && v[1] + v[0] > end)) return false;
      out.push({ at: p, size: v[1] - p, value: v[0], wire });
      p = v[1];
      if (wire === 2) {
        const inner: PbField[] = [];
        if (depth < 8 && fieldsOf(b, p, p + v[0], depth + 1, inner)) out.push(...inner);
        p += v[0];
      }
    } else return false;
    if (p > end) return false;
  }
  return true;
}

function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const low = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? low | 0x80 : low);
  } while (x > 0n);
  return out;
}

function replaceField(b: Uint8Array, f: PbField, value: bigint): Uint8Array {
  return Buffer.concat([b.subarray(0, f.at), Buffer.from(varint(value)), b.subarray(f.at + f.size)]);
}

function damageOnnx(good: Uint8Array, fields: PbField[], kind: string, rng: Rng): Uint8Array {
  const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)];
  switch (kind) {
    case 'truncated':
      return good.subarray(0, rng.int(good.length));
    case 'flipped': {
      const out = Buffer.from(good);
      for (let n = 1 + rng.int(8); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return out;
    }
    case 'length corrupted': {
      const f = pick(fields.filter((x) => x.wire === 2));
      const v = BigInt(f.value);
      return replaceField(good, f, pick([0n, v - 1n, v + 1n, v + 7n, 2n ** 31n - 1n, 2n ** 32n + v, 2n ** 63n]));
    }
    case 'varint corrupted': {
      // dims, data types, attribute values, opset versions: sizes a loader must not trust
      const f = pick(fields.filter((x) => x.wire === 0));
      return replaceField(good, f, pick([0n, -1n, 3n, 2n ** 20n, 2n ** 26n, 2n ** 28n, 2n ** 31n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 62n]));
    }
    case 'spliced': {
      // A run of bytes copied over another place, as a torn or misordered write leaves.
      const out = Buffer.from(good);
      const length = 1 + rng.int(256);
      const from = rng.int(Math.max(1, out.length - length));
      Buffer.from(good.subarray(from, from + length)).copy(out, rng.int(out.length));
      return out;
    }
    default:
      throw new Error(`unknown damage ${kind}`);
  }
}
const ONNX_KINDS = ['truncated', 'flipped', 'length corrupted', 'varint corrupted', 'varint corrupted', 'spliced'];

/** Hand-made hostile ONNX files: sizes in the protobuf that do not match the data. */
function craftedOnnx(good: Uint8Array): [string, Uint8Array][] {
  const edit = (f: (m: any) => void): Uint8Array => {
    const m = ModelProto.decode(good) as any;
    f(m);
    return ModelProto.encode(m).finish();
  };
  const largest = (m: any) => [...m.graph.initializer].sort((a: any, b: any) => b.rawData.length - a.rawData.length)[0];
  return [
    ['an initializer of 2^26 x 4 values', edit((m) => void (largest(m).dims = [2 ** 26, 4]))],
    ['an initializer of 2^28 values, no data', edit((m) => {
      const t = largest(m);
      t.dims = [2 ** 28];
      t.rawData = new Uint8Array(0);
    })],
    ['an initializer of 2^53 x 2^53 values', edit((m) => void (largest(m).dims = [2 ** 53, 2 ** 53]))],
    ['an input of 2^30 features', edit((m) => void (m.graph.input[0].type.tensorType.shape.dim[1].dimValue = 2 ** 30))],
    ['a kernel of 4096 x 4096', edit((m) => {
      for (const n of m.graph.node) for (const a of n.attribute) if (a.name === 'kernel_shape') a.ints = [4096, 4096];
    })],
    ['opset 2^31 - 1', edit((m) => void (m.opsetImport[0].version = 2 ** 31 - 1))],
    ['no graph', edit((m) => void (m.graph = null))],
  ];
}

const ONNX_MODELS: [string, () => st.Graph][] = [
  ['small', smallNet],
  ['residual', residual],
  ['lenet5', () => st.zoo.lenet5({ seed: 1 })],
];

describe('ONNX files, damaged', () => {
  it('1,000 seeded variants of 3 exported models each give an error naming the file, or load and predict, within the allocation bound', () => {
    const tally = new Tally();
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    ONNX_MODELS.forEach(([name, make], m) => {
      const good = st.onnx.encodeOnnx(make());
      const fields: PbField[] = [];
      expect(fieldsOf(good, 0, good.length, 0, fields)).toBe(true);
      tryVariant(tally, path.join(dir, `${name}.onnx`), good, `${name} unchanged`, st.onnx.load, ONNX_BOUND(good.length));
      for (const [what, bytes] of craftedOnnx(good))
        tryVariant(tally, path.join(dir, `${name}-${what.replaceAll(' ', '-')}.onnx`), bytes, `${name}: ${what}`, st.onnx.load,
          ONNX_BOUND(bytes.length));
      const rng = new Rng(2000 + m);
      for (let i = 0; i < 340; i++) {
        const kind = ONNX_KINDS[i % ONNX_KINDS.length];
        const bytes = damageOnnx(good, fields, kind, rng);
        tryVariant(tally, path.join(dir, `${name}-${i}.onnx`), bytes, `${name} #${i} (${kind}, seed ${2000 + m})`, st.onnx.load,
          ONNX_BOUND(bytes.length));
      }
    });
    report('ONNX', tally);
    expect(tally.failures).toEqual([]);
    expect(tally.tried).toBeGreaterThanOrEqual(1000);
    expect(tally.outcomes.get('loaded and predicted') ?? 0).toBeGreaterThan(10);
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(RSS_SLACK);
  });
});
