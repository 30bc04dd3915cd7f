/**
 * A matrix drawn on a canvas, one cell per parameter: rows are the units j of a layer, columns the
 * units k of the layer before, plus a last column for the biases (or, `noBias`, any matrix). Hover or keyboard focus shows
 * the cell's name and exact values in the tooltip; click, Enter or Space activates it (reveal in
 * the file). Arrow keys move the focused cell; Home/End go to the first column / the bias column
 * (with Ctrl: the first / last cell), PageUp/PageDown to the first / last row. Used for the weight views and for the
 * gradient check's relative errors.
 */
import type { RGB } from '../colors';
import { css, luminance } from '../colors';
import { el, type Child } from '../dom';
import type { Theme } from '../theme';
import { Tooltip } from './tooltip';

export type CellMark = 'fail' | 'kink' | 'warn' | 'uncheckable' | 'missing';

export interface HeatmapSpec {
  /** Units of the layer. */
  rows: number;
  /** Units of the previous layer (the bias column comes after these). */
  inputs: number;
  /** Value of cell (row j, column k); column k === inputs is the bias. NaN is drawn in the NaN colour. */
  value(j: number, k: number): number | undefined;
  /** Fill colour of a cell with value v at (j, k). */
  color(v: number, j: number, k: number): RGB;
  mark?(j: number, k: number): CellMark | undefined;
  /** Tooltip content for a cell. */
  describe(j: number, k: number): Child[];
  /** Screen-reader text for a cell (one line). */
  speak(j: number, k: number): string;
  onActivate?(j: number, k: number): void;
  /** Accessible name of the whole matrix. */
  label: string;
  /** A plain matrix of `inputs` columns, with no bias column (the debugger's matrices). */
  noBias?: boolean;
}

const LEFT = 30;
const TOP = 18;
const GAP = 4; // gap before the bias column

export class Heatmap {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly live: HTMLElement;
  private spec?: HeatmapSpec;
  private theme?: Theme;
  private cell = 20;
  private hover?: [number, number];
  private focus: [number, number] = [0, 0];
  private focused = false;

  constructor(private readonly tooltip: Tooltip, testid: string) {
    this.canvas = el('canvas', { class: 'heatmap-canvas', attrs: { tabindex: 0, role: 'img' } });
    this.live = el('div', { class: 'sr-only', attrs: { 'aria-live': 'polite' } });
    this.element = el('div', { class: 'heatmap', testid }, this.canvas, this.live);
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = undefined;
      this.tooltip.hide();
      this.draw();
    });
    this.canvas.addEventListener('mousedown', (e) => {
      const c = this.cellAt(e);
      if (c) this.focus = c; // keyboard navigation continues from the clicked cell
    });
    this.canvas.addEventListener('click', (e) => {
      const c = this.cellAt(e);
      if (c && this.spec?.onActivate) this.spec.onActivate(c[0], c[1]);
    });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('focus', () => {
      this.focused = true;
      this.showFocus();
    });
    this.canvas.addEventListener('blur', () => {
      this.focused = false;
      this.tooltip.hide();
      this.draw();
    });
  }

  set(spec: HeatmapSpec, theme: Theme): void {
    this.spec = spec;
    this.theme = theme;
    this.focus = [Math.min(this.focus[0], spec.rows - 1), Math.min(this.focus[1], this.lastColumn)];
    this.canvas.setAttribute('aria-label', `${spec.label}. Arrow keys move between cells, Enter shows the number in the file.`);
    this.element.setAttribute('data-rows', String(spec.rows));
    this.element.setAttribute('data-cols', String(spec.inputs));
    this.publishGeometry();
    this.draw();
  }

  /** Cell size for the available width: between 10 and 44 CSS pixels. */
  private layout(): void {
    const spec = this.spec;
    if (!spec) return;
    const avail = Math.max(120, (this.element.parentElement?.clientWidth ?? 400) - LEFT - GAP - 8);
    this.cell = Math.max(10, Math.min(44, Math.floor(avail / (spec.inputs + (spec.noBias ? 0 : 1)))));
  }

  /** The last column's index: the bias column, or the matrix's last column when it has none. */
  private get lastColumn(): number {
    const spec = this.spec;
    return spec === undefined ? 0 : spec.noBias ? spec.inputs - 1 : spec.inputs;
  }

  draw(): void {
    const spec = this.spec;
    const theme = this.theme;
    if (!spec || !theme) return;
    this.layout();
    this.publishGeometry();
    const c = this.cell;
    const w = LEFT + (spec.inputs + (spec.noBias ? 0 : 1)) * c + (spec.noBias ? 0 : GAP) + 2;
    const h = TOP + spec.rows * c + 2;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = `10px ${theme.fontFamily}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = css(theme.muted);
    const labelEvery = c >= 16 ? 1 : Math.ceil(16 / c);
    for (let k = 0; k <= this.lastColumn; k++) {
      if (k < spec.inputs && k % labelEvery !== 0 && k !== spec.inputs - 1) continue;
      ctx.fillText(k === spec.inputs ? 'b' : String(k + 1), this.x(k) + c / 2, TOP / 2);
    }
    ctx.textAlign = 'right';
    for (let j = 0; j < spec.rows; j++) {
      if (j % labelEvery !== 0 && j !== spec.rows - 1) continue;
      ctx.fillText(String(j + 1), LEFT - 6, TOP + j * c + c / 2);
    }
    for (let j = 0; j < spec.rows; j++) {
      for (let k = 0; k <= this.lastColumn; k++) {
        const v = spec.value(j, k);
        const x = this.x(k);
        const y = TOP + j * c;
        if (v === undefined) {
          ctx.strokeStyle = css(theme.border);
          ctx.lineWidth = 1;
          ctx.strokeRect(x + 1.5, y + 1.5, c - 3, c - 3);
          continue;
        }
        const col = spec.color(v, j, k);
        ctx.fillStyle = css(col);
        ctx.fillRect(x + 0.5, y + 0.5, c - 1, c - 1);
        const mark = spec.mark?.(j, k);
        if (mark && mark !== 'missing') this.drawMark(ctx, mark, x, y, c, col, theme);
      }
    }
    // cell borders: a faint frame so neutral (zero) cells remain visible on the background
    ctx.strokeStyle = css(theme.border, 0.6);
    ctx.lineWidth = 1;
    ctx.strokeRect(LEFT + 0.5, TOP + 0.5, spec.inputs * c - 1, spec.rows * c - 1);
    if (!spec.noBias) ctx.strokeRect(this.x(spec.inputs) + 0.5, TOP + 0.5, c - 1, spec.rows * c - 1);
    const outline = (cell: [number, number] | undefined, color: RGB, width: number): void => {
      if (!cell) return;
      ctx.strokeStyle = css(color);
      ctx.lineWidth = width;
      ctx.strokeRect(this.x(cell[1]) + 1, TOP + cell[0] * c + 1, c - 2, c - 2);
    };
    outline(this.hover, theme.fg, 1.5);
    if (this.focused) outline(this.focus, theme.focus, 2.5);
  }

  /** Cell geometry in CSS pixels, for tests: cell (j, k) is at left + k·cell (+ gap for the bias), top + j·cell. */
  private publishGeometry(): void {
    this.element.setAttribute('data-cell', String(this.cell));
    this.element.setAttribute('data-left', String(LEFT));
    this.element.setAttribute('data-top', String(TOP));
    this.element.setAttribute('data-bias-gap', String(GAP));
  }

  private drawMark(ctx: CanvasRenderingContext2D, mark: CellMark, x: number, y: number, c: number, under: RGB, theme: Theme): void {
    const ink = luminance(under) > 0.4 ? [0, 0, 0] as const : [255, 255, 255] as const;
    ctx.strokeStyle = css(ink);
    ctx.fillStyle = css(ink);
    ctx.lineWidth = Math.max(1.5, c / 10);
    const m = c * 0.28;
    if (mark === 'fail') {
      ctx.beginPath();
      ctx.moveTo(x + m, y + m);
      ctx.lineTo(x + c - m, y + c - m);
      ctx.moveTo(x + c - m, y + m);
      ctx.lineTo(x + m, y + c - m);
      ctx.stroke();
    } else if (mark === 'kink') {
      ctx.beginPath();
      ctx.moveTo(x + c / 2, y + m);
      ctx.lineTo(x + c - m, y + c / 2);
      ctx.lineTo(x + c / 2, y + c - m);
      ctx.lineTo(x + m, y + c / 2);
      ctx.closePath();
      ctx.stroke();
    } else if (mark === 'warn') {
      ctx.beginPath();
      ctx.arc(x + c / 2, y + c / 2, Math.max(1.5, c / 8), 0, 2 * Math.PI);
      ctx.fill();
    } else if (mark === 'uncheckable') {
      ctx.beginPath();
      ctx.arc(x + c / 2, y + c / 2, c / 2 - m, 0, 2 * Math.PI);
      ctx.stroke();
    }
    void theme;
  }

  private x(k: number): number {
    const spec = this.spec;
    return LEFT + k * this.cell + (spec && k >= spec.inputs ? GAP : 0);
  }

  private cellAt(e: MouseEvent): [number, number] | undefined {
    const spec = this.spec;
    if (!spec) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    const j = Math.floor((py - TOP) / this.cell);
    if (j < 0 || j >= spec.rows) return undefined;
    if (px >= LEFT && px < LEFT + spec.inputs * this.cell) return [j, Math.floor((px - LEFT) / this.cell)];
    if (spec.noBias) return undefined;
    const bx = this.x(spec.inputs);
    if (px >= bx && px < bx + this.cell) return [j, spec.inputs];
    return undefined;
  }

  private onMove(e: MouseEvent): void {
    const spec = this.spec;
    const cell = this.cellAt(e);
    const same = cell && this.hover && cell[0] === this.hover[0] && cell[1] === this.hover[1];
    this.hover = cell;
    this.canvas.style.cursor = cell && spec?.onActivate ? 'pointer' : 'default';
    if (!cell || !spec) {
      this.tooltip.hide();
      if (!same) this.draw();
      return;
    }
    this.tooltip.show(spec.describe(cell[0], cell[1]), e.clientX, e.clientY);
    if (!same) this.draw();
  }

  private onKey(e: KeyboardEvent): void {
    const spec = this.spec;
    if (!spec) return;
    let [j, k] = this.focus;
    switch (e.key) {
      case 'ArrowUp': j = Math.max(0, j - 1); break;
      case 'ArrowDown': j = Math.min(spec.rows - 1, j + 1); break;
      case 'ArrowLeft': k = Math.max(0, k - 1); break;
      case 'ArrowRight': k = Math.min(this.lastColumn, k + 1); break;
      case 'Home':
        k = 0;
        if (e.ctrlKey || e.metaKey) j = 0;
        break;
      case 'End':
        k = this.lastColumn;
        if (e.ctrlKey || e.metaKey) j = spec.rows - 1;
        break;
      case 'PageUp': j = 0; break;
      case 'PageDown': j = spec.rows - 1; break;
      case 'Enter':
      case ' ':
        spec.onActivate?.(j, k);
        e.preventDefault();
        return;
      case 'Escape':
        this.tooltip.hide();
        return;
      default:
        return;
    }
    e.preventDefault();
    this.focus = [j, k];
    this.showFocus();
  }

  private showFocus(): void {
    const spec = this.spec;
    if (!spec) return;
    const [j, k] = this.focus;
    this.draw();
    const r = this.canvas.getBoundingClientRect();
    this.tooltip.show(spec.describe(j, k), r.left + this.x(k) + this.cell, r.top + TOP + j * this.cell);
    this.live.textContent = spec.speak(j, k);
  }
}
