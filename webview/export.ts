/**
 * The one exporter of the inspector's pictures (the Training tab and the Runs tab alike): PNG as a
 * data URL of the canvas as drawn, on the theme's background (a chart's canvas is transparent);
 * SVG built as DOM (no markup strings) and serialised: the loss chart from its series (polylines on
 * linear or log axes, a legend), and the decision boundary from the pixels of its drawn canvas
 * (one rectangle per grid cell, in the colour drawn, and the training points). The host saves them
 * (src/extension/runs/exports.ts).
 */
import type { BoundaryView } from '../src/shared/protocol';
import { svg } from './dom';
import { formatNumber } from './format';

/** The canvas as a PNG data URL, painted over `background` (what the user saw, also outside the webview). */
export function canvasPng(canvas: HTMLCanvasElement, background: string): string {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d');
  if (!ctx) return canvas.toDataURL('image/png');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  return out.toDataURL('image/png');
}

export interface SvgSeries {
  label: string;
  color: string;
  dash: boolean;
  points: { x: number; y: number }[];
}

const serialise = (root: SVGSVGElement): string => new XMLSerializer().serializeToString(root);

export function chartSvg(series: readonly SvgSeries[], opts: { logY: boolean; title: string; fg: string; muted: string; bg: string }): string {
  const W = 760;
  const H = 420;
  const pad = { l: 64, r: 16, t: 36, b: 44 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y) && (!opts.logY || p.y > 0));
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => (opts.logY ? Math.log10(p.y) : p.y));
  let x0 = Math.min(...xs, 0);
  let x1 = Math.max(...xs, 1);
  let y0 = opts.logY ? Math.min(...ys) : Math.min(0, ...ys);
  let y1 = Math.max(...ys);
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1];
  if (y1 === y0) y1 = y0 + 1;
  if (x1 === x0) x1 = x0 + 1;
  const px = (x: number): number => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const py = (y: number): number => H - pad.b - (((opts.logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  const root = svg('svg', { xmlns: 'http://www.w3.org/2000/svg', width: W, height: H, viewBox: `0 0 ${W} ${H}`, 'font-family': 'sans-serif', 'font-size': 11 });
  root.appendChild(svg('rect', { x: 0, y: 0, width: W, height: H, fill: opts.bg }));
  root.appendChild(svg('text', { x: pad.l, y: 16, fill: opts.fg, 'font-size': 13 }, opts.title));
  root.appendChild(svg('rect', { x: pad.l, y: pad.t, width: W - pad.l - pad.r, height: H - pad.t - pad.b, fill: 'none', stroke: opts.muted, 'stroke-width': 0.5 }));
  const yLabel = (v: number): string => formatNumber(opts.logY ? 10 ** v : v);
  root.appendChild(svg('text', { x: pad.l - 6, y: pad.t + 4, fill: opts.muted, 'text-anchor': 'end' }, yLabel(y1)));
  root.appendChild(svg('text', { x: pad.l - 6, y: H - pad.b, fill: opts.muted, 'text-anchor': 'end' }, yLabel(y0)));
  root.appendChild(svg('text', { x: pad.l, y: H - pad.b + 16, fill: opts.muted }, formatNumber(x0)));
  root.appendChild(svg('text', { x: W - pad.r, y: H - pad.b + 16, fill: opts.muted, 'text-anchor': 'end' }, formatNumber(x1)));
  root.appendChild(svg('text', { x: (W + pad.l) / 2, y: H - 10, fill: opts.muted, 'text-anchor': 'middle' }, 'epoch'));
  root.appendChild(svg('text', { x: 14, y: (H - pad.b + pad.t) / 2, fill: opts.muted, transform: `rotate(-90 14 ${(H - pad.b + pad.t) / 2})`, 'text-anchor': 'middle' }, opts.logY ? 'loss (log scale)' : 'loss'));
  series.forEach((s, i) => {
    const good = s.points.filter((p) => Number.isFinite(p.y) && (!opts.logY || p.y > 0));
    if (good.length > 0) {
      const d = good.map((p) => `${px(p.x).toFixed(2)},${py(p.y).toFixed(2)}`).join(' ');
      root.appendChild(svg('polyline', { points: d, fill: 'none', stroke: s.color, 'stroke-width': 1.75, ...(s.dash ? { 'stroke-dasharray': '5 3' } : {}) }));
    }
    const ly = pad.t + 14 + i * 15;
    root.appendChild(svg('line', { x1: W - pad.r - 250, y1: ly - 4, x2: W - pad.r - 228, y2: ly - 4, stroke: s.color, 'stroke-width': 2, ...(s.dash ? { 'stroke-dasharray': '5 3' } : {}) }));
    root.appendChild(svg('text', { x: W - pad.r - 222, y: ly, fill: opts.fg }, s.label));
  });
  return serialise(root);
}

/** The boundary as drawn on `canvas` (cells sampled at their centres) with its points. */
export function boundarySvg(b: BoundaryView, canvas: HTMLCanvasElement, area: { x: number; y: number; size: number }, fg: string): string {
  const ctx = canvas.getContext('2d');
  const scale = canvas.width / (canvas.clientWidth || canvas.width);
  const S = 300;
  const cell = S / b.size;
  const root = svg('svg', { xmlns: 'http://www.w3.org/2000/svg', width: S + 60, height: S + 40, viewBox: `0 0 ${S + 60} ${S + 40}`, 'font-family': 'sans-serif', 'font-size': 10 });
  const g = svg('g', { transform: 'translate(50 4)', 'shape-rendering': 'crispEdges' });
  const colorAt = (x: number, y: number): string => {
    if (!ctx) return 'none';
    const d = ctx.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
    return `rgb(${d[0]}, ${d[1]}, ${d[2]})`;
  };
  for (let r = 0; r < b.size; r++) {
    for (let c = 0; c < b.size; c++) {
      const cx = area.x + ((c + 0.5) / b.size) * area.size;
      const cy = area.y + ((r + 0.5) / b.size) * area.size;
      g.appendChild(svg('rect', { x: (c * cell).toFixed(3), y: (r * cell).toFixed(3), width: cell.toFixed(3), height: cell.toFixed(3), fill: colorAt(cx, cy) }));
    }
  }
  root.appendChild(g);
  // points: the class colour is read where the panel drew each point's centre
  const pts = svg('g', { transform: 'translate(50 4)' });
  for (const p of b.points) {
    const fx = (p.x - b.xMin) / (b.xMax - b.xMin);
    const fy = (b.yMax - p.y) / (b.yMax - b.yMin);
    pts.appendChild(svg('circle', { cx: (fx * S).toFixed(2), cy: (fy * S).toFixed(2), r: b.points.length > 100 ? 3.5 : 5, fill: colorAt(area.x + fx * area.size, area.y + fy * area.size), stroke: fg, 'stroke-width': 1 }));
  }
  root.appendChild(pts);
  root.appendChild(svg('text', { x: 50, y: S + 20, fill: fg }, formatNumber(b.xMin)));
  root.appendChild(svg('text', { x: 50 + S, y: S + 20, fill: fg, 'text-anchor': 'end' }, formatNumber(b.xMax)));
  root.appendChild(svg('text', { x: 46, y: 12, fill: fg, 'text-anchor': 'end' }, formatNumber(b.yMax)));
  root.appendChild(svg('text', { x: 46, y: S + 4, fill: fg, 'text-anchor': 'end' }, formatNumber(b.yMin)));
  return serialise(root);
}
