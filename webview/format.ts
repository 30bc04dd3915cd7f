/**
 * The inspector's typesetting of numbers and parameter names.
 *
 * Every number on screen goes through `formatNumber` (src/shared/format.ts, the one number
 * formatter); its full float64 value (`formatFull`) goes into the tooltip/title beside it.
 * `formatLatex` is the same text typeset for KaTeX. Pure: no DOM, so it is unit-tested in plain Node.
 */
import { parameterName } from '../src/engine/spec';

export { DIGITS, formatFull, formatNumber } from '../src/shared/format';
import { formatNumber } from '../src/shared/format';

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
  return { text: parameterName(layer, j, kind === 'w' ? k ?? 0 : undefined), latex: `${kind}^{${sup}}_{${latexSub}}`, base: kind, sup, sub };
}
