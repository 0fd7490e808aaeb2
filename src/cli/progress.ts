/**
 * A one-line progress bar on stderr: redrawn in place on a terminal, printed every
 * few seconds otherwise (CI logs, pipes).
 */
export class ProgressBar {
  private lastPrint = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly label: string, private readonly total: number) {}

  update(done: number, fields: Record<string, string>, etaSeconds: number): void {
    const now = Date.now();
    if (!this.tty && now - this.lastPrint < 5000 && done < this.total) return;
    this.lastPrint = now;
    const width = 30;
    const filled = Math.round((width * done) / this.total);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
    const info = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
    const line = `${this.label} [${bar}] ${String(done).padStart(String(this.total).length)}/${this.total}  ${info}  ETA ${formatSeconds(etaSeconds)}`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
