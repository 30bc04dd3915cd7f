/**
 * The one number formatter of the inspector, and the names of parameters and units.
 *
 * Every number on screen goes through `formatNumber` (6 significant digits, trailing zeros cut,
 * exponent form outside [1e-4, 1e6)); its full float64 value (`formatFull`, the shortest string
 * that reads back to the same double) goes into the tooltip/title beside it. `formatLatex` is the
 * same text typeset for KaTeX. Pure: no DOM, so it is unit-tested in plain Node.
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

/** `formatNumber` as KaTeX source: exponents as ×10^{n}, infinities as \infty. */
export function formatLatex(v: number): string {
  const s = formatNumber(v);
  if (s === 'NaN') return '\\text{NaN}';
  if (s === '∞') return '\\infty';
  if (s === '-∞') return '-\\infty';
  const e = s.indexOf('e');
  if (e < 0) return s;
  const mantissa = s.slice(0, e);
  const exp = s.slice(e + 1);
  return mantissa === '1' ? `10^{${exp}}` : mantissa === '-1' ? `-10^{${exp}}` : `${mantissa}\\times 10^{${exp}}`;
}

/** `formatLatex`, in parentheses when negative (for use as a factor in a product). */
export function latexFactor(v: number): string {
  const s = formatLatex(v);
  return s.startsWith('-') || s.includes('\\times') ? `(${s})` : s;
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * A parameter's name, exactly as the engine's gradient check writes it: `w^l_{j,k}` (the weight
 * from unit k of layer l-1 to unit j of layer l) or `b^l_{j}`, with 1-based unit numbers. `j` and
 * `k` are 0-based array indices. The KaTeX form drops the comma when both numbers have one digit.
 */
export interface ParamName {
  /** Plain text, e.g. "w^2_{1,3}" (the engine's name). */
  text: string;
  /** KaTeX source, e.g. "w^{2}_{13}". */
  latex: string;
  base: 'w' | 'b';
  /** Superscript and subscript as shown in the DOM: "2" and "1,3". */
  sup: string;
  sub: string;
}

export function paramName(layer: number, kind: 'w' | 'b', j: number, k?: number): ParamName {
  const parts = kind === 'w' ? [j + 1, (k ?? 0) + 1] : [j + 1];
  const sub = parts.join(',');
  const latexSub = parts.every((p) => p < 10) ? parts.join('') : sub;
  const sup = String(layer);
  return { text: `${kind}^${sup}_{${sub}}`, latex: `${kind}^{${sup}}_{${latexSub}}`, base: kind, sup, sub };
}
