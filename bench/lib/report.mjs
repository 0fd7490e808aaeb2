// Tables of one run: a table per workload, the thread-scaling table, and the summary
// matrix of speed ratios that also feeds the chart and the README.
import { fmt, fmtMs, markdownTable } from './table.mjs';

const perUnit = (unit) => (unit === 'images/s' ? 'images/s' : unit);

/** Target text for a task from workloads.json's `targets`, or undefined. */
export function targetFor(task, targets) {
  if (task.kind === 'gemm') return `${targets.gemmGflops.value} GFLOP/s (${targets.gemmGflops.by})`;
  if (task.kind === 'conv-fwd' && targets.convForwardMs[task.name]) return `${targets.convForwardMs[task.name]} ms`;
  if (task.kind === 'conv-bwd' && targets.convBackwardMs[task.name]) return `${targets.convBackwardMs[task.name]} ms`;
  if (task.kind === 'lenet') return `${targets.lenetImagesPerSecond.value.toLocaleString('en-US')} images/s (${targets.lenetImagesPerSecond.by})`;
  if (task.kind === 'resnet') return `${targets.resnetImagesPerSecond[task.variant]} images/s (${targets.resnetImagesPerSecond.by})`;
  return undefined;
}

export function taskTable(result) {
  const rows = result.peers.map((p) => {
    if (p.status !== 'ok') return [p.name, p.why, '', '', '', '', ''];
    const spread = p.n > 1 ? `${fmtMs(p.min)}–${fmtMs(p.max)}` : 'one run';
    let err = 'reference';
    if (p.name !== 'striate') err = p.maxRelError === null ? 'unchecked (no striate output)' : `${p.maxRelError.toExponential(1)}${p.mismatch ? ' ⚠ MISMATCH' : ''}`;
    return [p.name, fmtMs(p.median), spread, String(p.n), fmt(p.throughput), p.name === 'striate' ? '1' : fmt(p.ratio), err];
  });
  const header = ['library', 'median ms', 'min–max ms', 'runs', perUnit(result.unit), 'striate speed ÷ peer', 'max rel err'];
  const lines = [`### ${result.title}`, '', markdownTable(header, rows, ['l'])];
  if (result.target) lines.push('', `Target (best measured on this machine class, 2 threads): ${result.target}`);
  return lines.join('\n');
}

export function scalingTable(rows, threadCounts) {
  const header = ['workload', 'library', ...threadCounts.map((t) => `${t} thr ms`), `speed-up ${threadCounts.at(-1)}/${threadCounts[0]}`];
  const body = rows.map((r) => {
    const ms = threadCounts.map((t) => (r.byThreads[t] ? fmtMs(r.byThreads[t]) : r.why ?? '–'));
    const first = r.byThreads[threadCounts[0]];
    const last = r.byThreads[threadCounts.at(-1)];
    return [r.workload, r.name, ...ms, first && last ? `${fmt(first / last)}×` : '–'];
  });
  return ['### Thread scaling (median ms per call)', '', markdownTable(header, body, ['l', 'l'])].join('\n');
}

/** Workloads × peers, each cell the striate/peer speed ratio (> 1: striate faster). */
export function summaryTable(results, peerNames) {
  const others = peerNames.filter((n) => n !== 'striate');
  const rows = results.map((r) => {
    const striate = r.peers.find((p) => p.name === 'striate');
    const cells = others.map((name) => {
      const p = r.peers.find((q) => q.name === name);
      if (!p || p.status !== 'ok') return 'n/a';
      return striate?.status === 'ok' ? `${fmt(p.ratio)}×${p.mismatch ? ' ⚠' : ''}` : 'n/a';
    });
    const own = striate?.status === 'ok' ? `${fmt(striate.throughput)} ${perUnit(r.unit)}` : striate?.why ?? 'n/a';
    return [r.short, own, ...cells];
  });
  const header = ['workload', 'striate', ...others.map((n) => `vs ${n}`)];
  return markdownTable(header, rows, ['l', 'l']);
}
