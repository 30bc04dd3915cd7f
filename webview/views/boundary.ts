/**
 * The decision boundary of a network with two inputs: the plane coloured by the predicted class
 * (its confidence as the strength of the colour) or, for regression, by the output on the
 * diverging scale; the training points on top in their class colours. The host sends a new grid
 * at a bounded rate while training runs. Publishes `data-size` and `data-points` for tests.
 */
import type { BoundaryView, NetworkView } from '../../src/shared/protocol';
import { classColor, css, divergingColor, mix, symmetricRange, type RGB } from '../colors';
import { el, replaceChildren } from '../dom';
import { boundarySvg, canvasPng } from '../export';
import { formatNumber } from '../format';
import type { Theme } from '../theme';
import { swatch } from './legend';
import { TabView } from './view';

const SIZE = 300;
const PAD = 52;

export class BoundaryPanel extends TabView {
  readonly element: HTMLElement;
  readonly tab = 'training' as const;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;
  private readonly head: HTMLElement;
  private boundary?: BoundaryView;
  private classNames?: string[];

  constructor(theme: Theme) {
    super(theme);
    this.canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Decision boundary: the input plane coloured by the prediction, with the training points' } });
    this.legend = el('div', { class: 'legend' });
    this.head = el('div', { class: 'card-head' }, el('h3', { text: 'Decision boundary' }));
    this.element = el('div', { class: 'card boundary-card', testid: 'boundary', attrs: { hidden: true } }, this.head, this.canvas, this.legend);
  }

  /** Puts `actions` (export buttons) in the card's head. */
  addActions(actions: HTMLElement): void {
    this.head.appendChild(actions);
  }

  /** The boundary as drawn: PNG (a data URL) or SVG (its text); undefined when none is shown. */
  image(format: 'png' | 'svg'): string | undefined {
    const b = this.boundary;
    if (b === undefined || this.element.hidden || this.canvas.width === 0) return undefined;
    return format === 'png' ? canvasPng(this.canvas, css(this.theme.bg)) : boundarySvg(b, this.canvas, { x: PAD, y: 4, size: SIZE }, css(this.theme.fg));
  }

  setNetwork(n: NetworkView): void {
    this.setClassNames(n.classNames);
  }

  setClassNames(names: string[] | undefined): void {
    this.classNames = names;
  }

  set(b: BoundaryView): void {
    this.boundary = b;
    this.element.hidden = false;
    this.element.setAttribute('data-size', String(b.size));
    this.element.setAttribute('data-points', String(b.points.length));
    this.render();
  }

  /** The network does not have two inputs: no boundary to show. */
  unavailable(): void {
    this.boundary = undefined;
    this.element.hidden = true;
  }

  protected render(): void {
    const b = this.boundary;
    if (!b || !this.visible) return;
    const t = this.theme;
    const dpr = window.devicePixelRatio || 1;
    const W = SIZE + PAD + 8;
    const H = SIZE + PAD + 8;
    this.canvas.width = Math.round(W * dpr);
    this.canvas.height = Math.round(H * dpr);
    this.canvas.style.width = `${W}px`;
    this.canvas.style.height = `${H}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const x0 = PAD;
    const y0 = 4;
    const regression = b.confidence === undefined;
    // Regression: outputs all in [0, 1] (a sigmoid output) are centred on 0.5, the usual threshold;
    // anything else on 0. Points take the colour of their target on the same scale.
    const unit = regression && b.values.every((v) => v >= 0 && v <= 1) && b.points.every((p) => p.label >= 0 && p.label <= 1);
    const centre = unit ? 0.5 : 0;
    const range = regression ? (unit ? 0.5 : symmetricRange(b.values)) : 1;
    const outputColor = (v: number): RGB => divergingColor(v - centre, range, t.diverging);
    // One pixel per grid cell, scaled up smoothly (no seams between cells).
    const grid = document.createElement('canvas');
    grid.width = b.size;
    grid.height = b.size;
    const gctx = grid.getContext('2d');
    if (gctx) {
      const img = gctx.createImageData(b.size, b.size);
      for (let i = 0; i < b.size * b.size; i++) {
        const v = b.values[i];
        const color = regression
          ? outputColor(v)
          : mix(t.bg, classColor(v), 0.12 + 0.6 * Math.max(0, Math.min(1, ((b.confidence?.[i] ?? 1) - 1 / Math.max(2, b.classes)) / (1 - 1 / Math.max(2, b.classes)))));
        img.data[4 * i] = color[0];
        img.data[4 * i + 1] = color[1];
        img.data[4 * i + 2] = color[2];
        img.data[4 * i + 3] = 255;
      }
      gctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(grid, x0, y0, SIZE, SIZE);
    }
    const px = (x: number): number => x0 + ((x - b.xMin) / (b.xMax - b.xMin)) * SIZE;
    const py = (y: number): number => y0 + ((b.yMax - y) / (b.yMax - b.yMin)) * SIZE;
    for (const p of b.points) {
      const color = regression ? outputColor(p.label) : classColor(p.label);
      ctx.beginPath();
      ctx.arc(px(p.x), py(p.y), b.points.length > 100 ? 3.5 : 5, 0, 2 * Math.PI);
      ctx.fillStyle = css(color);
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = t.kind === 'light' ? 'rgba(0,0,0,0.85)' : 'rgba(255,255,255,0.9)';
      ctx.stroke();
    }
    ctx.strokeStyle = css(t.border);
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, SIZE - 1, SIZE - 1);
    ctx.fillStyle = css(t.muted);
    ctx.font = `10px ${t.fontFamily}`;
    ctx.textAlign = 'left';
    ctx.fillText(formatNumber(b.xMin), x0, y0 + SIZE + 14);
    ctx.textAlign = 'right';
    ctx.fillText(formatNumber(b.xMax), x0 + SIZE, y0 + SIZE + 14);
    ctx.textAlign = 'center';
    ctx.fillText('x₁', x0 + SIZE / 2, y0 + SIZE + 14);
    ctx.save();
    ctx.translate(PAD - 8, y0 + SIZE / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('x₂', 0, 0);
    ctx.restore();
    ctx.textAlign = 'right';
    ctx.fillText(formatNumber(b.yMax), PAD - 3, y0 + 8);
    ctx.fillText(formatNumber(b.yMin), PAD - 3, y0 + SIZE);
    if (regression) {
      const lo = formatNumber(centre - range);
      const hi = formatNumber(centre + range);
      replaceChildren(
        this.legend,
        swatch(t.diverging.negative, lo),
        swatch(t.diverging.positive, hi),
        el('span', { class: 'muted', text: ` · plane: the network's output; points: their targets (${lo} … ${formatNumber(centre)} … ${hi})` }),
      );
    } else {
      const items = [];
      for (let c = 0; c < Math.max(2, b.classes); c++) items.push(swatch(classColor(c), this.classNames?.[c] ?? `class ${c}`));
      replaceChildren(this.legend, ...items, el('span', { class: 'muted', text: ' · stronger colour = more confident' }));
    }
  }
}
