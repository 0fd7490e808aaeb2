/** A model's weights and state, copied out of (or back into) its tensors, in model order. */
import { tensorsOf } from '../io/model-file.js';
import type { Graph } from '../models/graph.js';
import type { ModelSnapshot } from './protocol.js';

/** Copies of every param and buffer value (copies may be transferred to another thread). */
export function snapshotValues(model: Graph): Float32Array[] {
  return tensorsOf(model).map((s) => s.value.data.slice());
}

export function snapshot(model: Graph): ModelSnapshot {
  const all = tensorsOf(model);
  return { config: model.config, names: all.map((s) => s.name), values: all.map((s) => s.value.data.slice()) };
}

/** Writes values from `snapshotValues` back into the model's own tensors. */
export function restoreValues(model: Graph, values: readonly Float32Array[]): void {
  const all = tensorsOf(model);
  if (all.length !== values.length) throw new Error(`restoreValues: model has ${all.length} tensors, got ${values.length} values`);
  all.forEach((s, i) => s.value.data.set(values[i]));
  model.invalidatePlan();
}
