/**
 * The one number formatter: every number shown to people (inspector, lenses, hovers, status bar,
 * messages) is written by a function of this file. Pure, no DOM and no `vscode`.
 *
 * - `formatNumber`: the inspector's form, 6 significant digits, trailing zeros cut, exponent
 *   form outside [1e-4, 1e6).
 * - `formatShort`: the editor's short form for lenses and the status bar, 4 significant digits
 *   in [1e-3, 1e5), else 3 in exponent form.
 * - `formatFull`: the exact value, the shortest decimal that reads back to the same float64.
 */

/** Significant digits shown. */
export const DIGITS = 6;

/** The short form of a float64 for display: 6 significant digits. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '-∞';
  if (v === 0) return '0'; // also -0
  const a = Math.abs(v);
  // Rounding to 6 digits can carry into the next power of ten (999999.7 -> 1e6): decide on the rounded value.
  const rounded = Number(a.toPrecision(DIGITS));
  if (rounded >= 1e-4 && rounded < 1e6) {
    return (v < 0 ? '-' : '') + trimZeros(a.toPrecision(DIGITS));
  }
  const [mantissa, exp] = a.toExponential(DIGITS - 1).split('e');
  return (v < 0 ? '-' : '') + trimZeros(mantissa) + 'e' + String(Number(exp));
}

/** The exact value: the shortest decimal that reads back to the same float64. */
export function formatFull(v: number): string {
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** The editor's short form (lenses, status bar, messages). */
export function formatShort(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(2);
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * A matrix in one line, as the debugger's Variables show it: its shape, norm, minimum and maximum
 * (over the entries that are not NaN, in the inspector's 6 digits) and the count of NaN, e.g.
 * `3x2 ‖·‖ 1.53615 min -0.604895 max 0.898502`.
 */
export function formatSummary(s: { rows: number; cols: number; norm: number; min: number; max: number; nan: number }): string {
  const range = s.rows * s.cols === s.nan ? '' : ` min ${formatNumber(s.min)} max ${formatNumber(s.max)}`;
  return `${s.rows}x${s.cols} ‖·‖ ${formatNumber(s.norm)}${range}${s.nan > 0 ? ` NaN ${s.nan}` : ''}`;
}

/** A row of exact values: `[0.1, -0.25]`. */
export function formatRow(values: ArrayLike<number>): string {
  return `[${Array.from(values, formatFull).join(', ')}]`;
}
