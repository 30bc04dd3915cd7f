/**
 * Colour legends: a diverging bar from -m through 0 to +m with its numbers, and swatch lists.
 * The bar's gradient is set through the CSS object model (allowed by the CSP).
 */
import { css, divergingColor, type RGB } from '../colors';
import { el } from '../dom';
import { formatFull, formatNumber } from '../format';
import type { Theme } from '../theme';

export function divergingLegend(maxAbs: number, theme: Theme, caption: string): HTMLElement {
  const bar = el('span', { class: 'legend-bar' });
  const stops = [-1, -0.5, 0, 0.5, 1].map((t) => css(divergingColor(t * maxAbs, maxAbs, theme.diverging)));
  bar.style.background = `linear-gradient(to right, ${stops.join(', ')})`;
  return el(
    'div',
    { class: 'legend', attrs: { 'data-range': formatFull(maxAbs) } },
    el('span', { class: 'legend-caption', text: caption }),
    el('span', { class: 'num', text: formatNumber(-maxAbs), title: formatFull(-maxAbs) }),
    bar,
    el('span', { class: 'num', text: formatNumber(maxAbs), title: formatFull(maxAbs) }),
    el('span', { class: 'legend-note', text: `(0 = background; ${maxAbs === 1 ? 'all zero' : 'scale = largest magnitude in this layer'})` }),
  );
}

export function swatch(color: RGB, label: string, mark?: string): HTMLElement {
  const s = el('span', { class: 'swatch', text: mark ?? '' });
  s.style.background = css(color);
  return el('span', { class: 'swatch-item' }, s, label);
}
