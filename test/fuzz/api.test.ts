/**
 * API fuzzing: every public function, layer and model method of striate is called
 * with generated bad arguments (fast-check, seeded: FUZZ_SEED; FUZZ_RUNS bad calls per
 * entry, fewer for the entries that start worker threads). Each call must throw a
 * TypeError or RangeError naming the argument (see harness.ts); the tally is printed.
 * A last test walks the `st` namespace: every export, and every method of every
 * exported class, has an entry here or a reason on the exempt lists below.
 *
 * Reproduce one entry: FUZZ_SEED=<seed> npx vitest run test/fuzz/api.test.ts -t 'ops.conv2d'
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as st from '../../src/index.js';
import { emptyTally, fuzzEntry, type Entry } from './harness.js';
import { dir } from './slots.js';
import { data } from './surface-data.js';
import { optim, signal, top } from './surface-misc.js';
import { gradcheck, models, onnx, viz, writeCheckpoint, zoo } from './surface-models.js';
import { nn } from './surface-nn.js';
import { ops } from './surface-ops.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261206);
const runs = Number(process.env.FUZZ_RUNS ?? 64);

const prefixed = (prefix: string, entries: Record<string, Entry>) =>
  Object.fromEntries(Object.entries(entries).map(([k, e]) => [`${prefix}${k}`, e]));

/** Every entry, keyed by its path in `st` (`ops.conv2d`, `nn.Conv2D.backward`, `Graph.fit`). */
const surface: Record<string, Entry> = {
  ...top, ...models, ...gradcheck,
  ...prefixed('ops.', ops), ...prefixed('nn.', nn), ...prefixed('data.', data), ...prefixed('optim.', optim),
  ...prefixed('signal.', signal), ...prefixed('onnx.', onnx), ...prefixed('zoo.', zoo), ...prefixed('viz.', viz),
};

/** Exports with no entry, and why. */
const exemptExports: Record<string, string> = {
  getNumThreads: 'takes no arguments',
  backendInfo: 'takes no arguments',
  memoryStats: 'takes no arguments',
  GraphNode: 'made only by Graph.input and Graph.add (its constructor is internal)',
  GradcheckError: 'thrown by gradcheck with its report, not called with user arguments',
  'nn.BaseLayer': 'abstract; its constructor checks (name) are fuzzed through every layer',
  'nn.Layer': 'abstract; fuzzed through every single-input layer',
  'nn.MergeLayer': 'abstract; fuzzed through Add and Concat',
  'nn.layerTypes': 'takes no arguments',
  'nn.init.INITIALIZERS': 'a constant',
  'data.CIFAR10_CLASSES': 'a constant',
  'data.IMAGE_EXTENSIONS': 'a constant',
  'data.mnistDataDir': 'takes no arguments',
  'optim.Optimizer': 'abstract; fuzzed through SGD, RMSProp, Adam and AdamW',
  'optim.Schedule': 'abstract; fuzzed through StepLR, ExponentialLR, CosineAnnealingLR and LinearWarmup',
  'onnx.OPERATORS': 'a constant',
  'onnx.operatorTable': 'takes no arguments',
  'zoo.models': 'a constant: the builders by name, each fuzzed as zoo.<name>',
};

/** Methods (by name, on any class) with no entry of their own, and why. */
const exemptMethods: Record<string, string> = {
  params: 'takes no arguments', buffers: 'takes no arguments', zeroGrad: 'takes no arguments', countParams: 'takes no arguments',
  summary: 'takes no arguments', state: 'takes no arguments', clone: 'takes no arguments', toArray: 'takes no arguments',
  toString: 'takes no arguments', uniform: 'takes no arguments', normal: 'takes no arguments', nextUint32: 'takes no arguments',
  invalidatePlan: 'takes no arguments (internal)', currentPlan: 'private', topology: 'private', run: 'protected or private',
  buildFor: 'protected', named: 'private', prepare: 'private', defaultName: 'private', claimName: 'private', outputEntry: 'private',
  summaryRows: 'protected', requireBuilt: 'private', dependencies: 'private', forwardHeads: 'private', auxiliaryGrads: 'private',
  makeConfig: 'protected', buildFrom: 'the graph-facing form of build (fuzzed through Graph.add)',
  outputShapeFrom: 'the graph-facing form of outputShape (fuzzed through Graph.add)',
  forwardFrom: 'the graph-facing form of forward (fuzzed through Graph.forward)',
  backwardTo: 'the graph-facing form of backward (fuzzed through Graph.backward)',
  accumulateParamGrads: 'the graph-facing form of backward for first layers (fuzzed through Graph.backward)',
  outputSize: 'protected', single: 'private', begin: 'protected', end: 'protected', saved: 'protected', apply: 'protected',
  grad: 'protected', split: 'private', sampleOutputShape: 'protected', gradInput: 'protected', gradWeight: 'protected',
  convConfig: 'protected', create: 'protected', kernelShape: 'protected', opOptions: 'protected', weightShape: 'private',
  poolOptions: 'protected', poolConfig: 'protected', avgOptions: 'protected', checkTargets: 'private', update: 'protected',
  adamUpdate: 'protected', updateOne: 'private', checkStep: 'protected', normalize: 'private',
  reluPairs: 'private', activeFusions: 'private', inferenceStatistics: 'takes no arguments',
};
/** Methods of particular classes with no entry, and why. */
const exemptClassMethods: Record<string, string> = {
  'optim.Optimizer.step': 'takes no arguments',
  'nn.Layer.build': 'abstract; fuzzed as nn.<Layer>.build for every layer',
  'nn.EuclideanLoss.backward': 'takes no arguments',
  'nn.SoftmaxCrossEntropy.backward': 'takes no arguments',
  'nn.BinaryCrossEntropy.backward': 'takes no arguments',
};

const tally = emptyTally();

describe(`API fuzzing (FUZZ_SEED=${seed}, ${runs} bad calls per entry)`, () => {
  beforeAll(writeCheckpoint);
  afterAll(() => {
    const clear = tally.typeErrors + tally.rangeErrors + tally.fileErrors;
    console.log(
      `api fuzz: ${tally.bad} calls, ${clear} clear errors (${tally.typeErrors} TypeError, ${tally.rangeErrors} RangeError, ` +
        `${tally.fileErrors} Error naming the file), ${tally.other} other (+${tally.valid} valid calls; seed ${seed})`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, entry] of Object.entries(surface)) {
    it(label, async () => {
      const before = tally.failures.length;
      await fuzzEntry(label, entry, runs, seed, tally);
      expect(tally.failures.slice(before)).toEqual([]);
    });
  }

  it('every public export and method has a fuzz entry or a reason', () => {
    const missing: string[] = [];
    const classPaths = new Map<unknown, string>();
    const leaves: [string, unknown][] = [];
    const walk = (ns: object, prefix: string) => {
      for (const [key, value] of Object.entries(ns)) {
        if (value && typeof value === 'object' && Object.prototype.toString.call(value) === '[object Module]') walk(value, `${prefix}${key}.`);
        else leaves.push([`${prefix}${key}`, value]);
      }
    };
    walk(st, '');
    const isClass = (v: unknown): v is new () => object => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
    for (const [p, v] of leaves) if (isClass(v)) classPaths.set(v, p);
    const covered = new Set(Object.keys(surface));
    for (const [key, entry] of Object.entries(surface)) for (const m of entry.covers ?? []) covered.add(`${key}.${m}`);
    for (const [p, v] of leaves) {
      if (!covered.has(p) && !(p in exemptExports)) missing.push(`${p}: no entry and no reason`);
      if (!isClass(v)) continue;
      // A method is fuzzed where it is declared: on an exported ancestor (Optimizer.loadState), or on the class itself.
      const declared = new Map<string, string>();
      for (let proto = v.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto))
        for (const name of Object.getOwnPropertyNames(proto)) {
          const d = Object.getOwnPropertyDescriptor(proto, name)!;
          if (name !== 'constructor' && typeof d.value === 'function' && !declared.has(name))
            declared.set(name, classPaths.get(proto.constructor) ?? p);
        }
      for (const name of Object.getOwnPropertyNames(v))
        if (typeof (v as unknown as Record<string, unknown>)[name] === 'function') declared.set(name, p);
      for (const [m, owner] of declared)
        if (!(m in exemptMethods) && !covered.has(`${p}.${m}`) && !covered.has(`${owner}.${m}`) && !(`${owner}.${m}` in exemptClassMethods))
          missing.push(`${p}.${m}: no entry and no reason`);
    }
    expect(missing).toEqual([]);
  });
});
