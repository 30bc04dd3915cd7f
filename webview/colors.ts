/**
 * Colour scales of the inspector, pure (no DOM) so they are unit-tested in plain Node.
 *
 * - diverging: symmetric around 0 — 0 is the neutral colour (the panel's background, so a zero
 *   weight "disappears"), -m and +m the two end colours at equal distance, values beyond ±m clamp
 *   to the ends, NaN gets its own colour so a diverged value is never mistaken for a number.
 * - sequential on a log axis, for relative errors of the gradient check (1e-12 .. 1).
 * - categorical, for classes in the decision boundary.
 */

export type RGB = readonly [number, number, number];

export interface DivergingPalette {
  negative: RGB;
  neutral: RGB;
  positive: RGB;
  nan: RGB;
}

/** Position of v on a scale symmetric around 0 with half-range `maxAbs`: in [-1, 1], NaN for NaN. */
export function divergingPosition(v: number, maxAbs: number): number {
  if (Number.isNaN(v)) return NaN;
  if (v === 0) return 0;
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return v > 0 ? 1 : -1;
  const t = v / maxAbs;
  return t > 1 ? 1 : t < -1 ? -1 : t;
}

/** The colour of v: neutral at 0, the positive colour at +maxAbs and beyond, negative at -maxAbs and below. */
export function divergingColor(v: number, maxAbs: number, p: DivergingPalette): RGB {
  const t = divergingPosition(v, maxAbs);
  if (Number.isNaN(t)) return p.nan;
  return t >= 0 ? mix(p.neutral, p.positive, t) : mix(p.neutral, p.negative, -t);
}

/**
 * The half-range of a symmetric scale for these values: the largest finite |v| (so every finite
 * value is on the scale), or 1 when all are 0 or non-finite.
 */
export function symmetricRange(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (Number.isFinite(a) && a > m) m = a;
  }
  return m > 0 ? m : 1;
}

/** Linear mix: a at t = 0, b at t = 1 (t clamped to [0, 1]), rounded to integer channels. */
export function mix(a: RGB, b: RGB, t: number): RGB {
  const u = t < 0 ? 0 : t > 1 ? 1 : t;
  return [
    Math.round(a[0] + (b[0] - a[0]) * u),
    Math.round(a[1] + (b[1] - a[1]) * u),
    Math.round(a[2] + (b[2] - a[2]) * u),
  ];
}

/** Position of a positive value on a log10 axis from lo to hi, clamped to [0, 1]; 0 (and below lo) -> 0. */
export function logPosition(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return NaN;
  if (!(v > lo)) return 0;
  if (v >= hi) return 1;
  return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
}

/** Classes of the decision boundary and data points: distinct hues, class 0 blue, 1 orange, 2 green, ... */
export const CLASS_COLORS: readonly RGB[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

export function classColor(c: number): RGB {
  const n = CLASS_COLORS.length;
  return CLASS_COLORS[((Math.trunc(c) % n) + n) % n];
}

/** Parses `#rgb`, `#rrggbb`, `#rrggbbaa` and `rgb(a)(r, g, b[, a])`; undefined for anything else. */
export function parseColor(s: string): RGB | undefined {
  const t = s.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(t);
  if (m) {
    const [r, g, b] = m[1].split('').map((c) => parseInt(c + c, 16));
    return [r, g, b];
  }
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(t);
  if (m) {
    const h = m[1];
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  m = /^rgba?\(\s*(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)/i.exec(t);
  if (m) return [Math.round(Number(m[1])), Math.round(Number(m[2])), Math.round(Number(m[3]))];
  return undefined;
}

export function css(c: RGB, alpha = 1): string {
  return alpha >= 1 ? `rgb(${c[0]}, ${c[1]}, ${c[2]})` : `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;
}

/** Relative luminance (sRGB, 0..1), to choose a readable text colour on a filled cell. */
export function luminance(c: RGB): number {
  const lin = (x: number): number => {
    const s = x / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}
