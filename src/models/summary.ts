/**
 * The text table of `model.summary()`: one row per layer with its output shape
 * and parameter count, then the totals.
 */
import type { Shape } from '../tensor.js';

export interface SummaryRow {
  name: string;
  type: string;
  /** Per-sample output shape; printed with the batch dimension as N. */
  outputShape: Shape;
  params: number;
  /** Names of the input nodes (graph models only). */
  inputs?: readonly string[];
}

/** Thousands separated by commas, whatever the locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatSummary(title: string, rows: readonly SummaryRow[], withInputs: boolean): string {
  const header = ['Layer (type)', 'Output shape', 'Param #', ...(withInputs ? ['Connected to'] : [])];
  const cells = rows.map((r) => [
    `${r.name} (${r.type})`,
    `[N, ${r.outputShape.join(', ')}]`,
    formatCount(r.params),
    ...(withInputs ? [(r.inputs ?? []).join(', ')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 2 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const total = rows.reduce((a, r) => a + r.params, 0);
  return [title, rule, line(header), rule, ...cells.map(line), rule, `Total params: ${formatCount(total)}`].join('\n');
}
