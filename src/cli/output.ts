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

/** The largest |x| of an array (a loop: spreading a big array into Math.max overflows the stack). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m || Number.isNaN(a)) m = a;
    if (Number.isNaN(m)) break;
  }
  return m;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], (r[i] ?? '').length);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `1h02m`, `3m05s` or `42s`: a duration for people. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Progress of a long run on stderr, with the time left (from the pace so far), from its first
 * second on: a redrawn bar on a terminal; otherwise a line per 10% and at least one every 5 seconds.
 */
export class Progress {
  private lastDraw = 0;
  private lastLine = 0;
  private lastTenth = -1;
  private readonly started = Date.now();
  private hinted = false;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
    private readonly enabled: boolean,
    /** Said once when the time left passes a minute (e.g. how to make the run shorter). */
    private readonly hint?: string,
  ) {}

  update(done: number, text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    const elapsed = (now - this.started) / 1000;
    // A run that ends within a second needs no progress (and prints none).
    if (elapsed < 1) return;
    const left = done > 0 && elapsed >= 1 && done < this.total ? (elapsed / done) * (this.total - done) : undefined;
    const eta = left === undefined ? '' : `, ETA ${duration(left)}`;
    if (left !== undefined && left > 60 && this.hint && !this.hinted) {
      this.hinted = true;
      this.stream.write(`${this.stream.isTTY ? '\n' : ''}${this.hint}\n`);
    }
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 80 && done < this.total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((done / this.total) * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${text}${eta}\x1b[K`);
    } else {
      const tenth = Math.floor((done / this.total) * 10);
      if (tenth === this.lastTenth && now - this.lastLine < 5000) return;
      this.lastTenth = tenth;
      this.lastLine = now;
      this.stream.write(`${done}/${this.total} ${text}${eta}\n`);
    }
  }

  finish(): void {
    if (this.enabled && this.stream.isTTY && this.lastDraw > 0) this.stream.write('\n');
  }
}
