/**
 * Terminal output of the CLI: a progress bar on a terminal (plain lines otherwise), aligned
 * tables, and the one number format used for people (JSON output uses full float64 instead).
 */
export function fmt(x: number | undefined, digits = 6): string {
  if (x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Progress of a long run on stderr: a redrawn bar on a terminal, a line per 10% otherwise. */
export class Progress {
  private lastDraw = 0;
  private lastTenth = -1;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  update(done: number, text: string): void {
    if (!this.enabled) return;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 80 && done < this.total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((done / this.total) * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${text}\x1b[K`);
    } else {
      const tenth = Math.floor((done / this.total) * 10);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      this.stream.write(`${done}/${this.total} ${text}\n`);
    }
  }

  finish(): void {
    if (this.enabled && this.stream.isTTY) this.stream.write('\n');
  }
}
