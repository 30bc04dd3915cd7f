/**
 * The live loss chart (chart.js): training and validation loss per epoch, accuracy on a second
 * axis for classification, a log-scale toggle. Points go into the engine's bounded LossHistory
 * (flat memory; the same rule and limit as the session's history);
 * the chart is redrawn at most 10 times a second with `update('none')` however fast they arrive.
 * The element publishes `data-points`, `data-last-epoch` and `data-redraws` for tests.
 */
import { Chart, type ChartDataset } from '../chart';
import type { EpochPoint, NetworkView } from '../../src/shared/protocol';
import { css } from '../colors';
import { el } from '../dom';
import { canvasPng, chartSvg, type SvgSeries } from '../export';
import { LossHistory } from '../../src/engine/history';
import { formatNumber } from '../format';
import type { Theme } from '../theme';
import { TabView } from './view';

/** Shortest time between two redraws. */
export const REDRAW_MS = 100;

type XY = { x: number; y: number };

export class LossChart extends TabView {
  readonly element: HTMLElement;
  readonly tab = 'training' as const;
  private history = new LossHistory();
  private readonly canvas: HTMLCanvasElement;
  private readonly empty: HTMLElement;
  private chart?: Chart<'line', XY[]>;
  private timer?: ReturnType<typeof setTimeout>;
  private lastDraw = 0;
  private redraws = 0;
  private classification = false;

  constructor(
    theme: Theme,
    private logScale: boolean,
  ) {
    super(theme, true);
    this.canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Loss per epoch' } });
    this.empty = el('div', { class: 'chart-empty', text: 'No training yet. Press Train or Step epoch to see the loss fall.' });
    this.element = el('div', { class: 'chart-box', testid: 'loss-chart' }, this.canvas, this.empty);
    this.publish();
  }

  setNetwork(n: NetworkView): void {
    this.setClassification(n.classification);
  }

  setClassification(c: boolean): void {
    if (c === this.classification) return;
    this.classification = c;
    this.rebuild();
  }

  setLogScale(on: boolean): void {
    this.logScale = on;
    this.rebuild();
  }

  /** A new theme rebuilds the chart (its colours are set at creation). */
  override setTheme(theme: Theme): void {
    this.theme = theme;
    this.rebuild();
  }

  /** Drawing is rate-limited: at most every REDRAW_MS, and not while hidden. */
  protected render(): void {
    this.schedule();
  }

  /** Appends streamed points; returns true when they started a new run (old history dropped). */
  append(points: readonly EpochPoint[]): boolean {
    const restarted = this.history.append(points);
    this.schedule();
    return restarted;
  }

  replace(points: readonly EpochPoint[]): void {
    this.history.replace(points);
    this.schedule();
  }

  /** The session's history limit (sent with `init`); the points held are kept. */
  setCapacity(capacity: number): void {
    if (capacity === this.history.capacity) return;
    const points = this.history.points();
    this.history = new LossHistory(capacity);
    this.history.replace(points);
    this.schedule();
  }

  /** The points held, in epoch order. */
  points(): EpochPoint[] {
    return this.history.points();
  }

  /** The newest epoch held, 0 when empty. */
  get lastEpoch(): number {
    return this.history.lastEpoch;
  }

  private schedule(): void {
    this.publish();
    if (this.timer !== undefined || !this.visible) return;
    const wait = Math.max(0, this.lastDraw + REDRAW_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  private publish(): void {
    const held = this.history.points().length;
    this.element.setAttribute('data-points', String(held));
    this.element.setAttribute('data-last-epoch', String(this.history.lastEpoch));
    this.element.setAttribute('data-redraws', String(this.redraws));
    this.empty.hidden = held > 0;
  }

  /**
   * The chart as drawn (PNG, a data URL), or its loss curves (SVG: training and validation loss;
   * the accuracy's second axis is in the PNG only); undefined before the first point.
   */
  image(format: 'png' | 'svg', title: string): string | undefined {
    if (this.history.points().length === 0) return undefined;
    const t = this.theme;
    if (format === 'png') {
      if (!this.chart) this.draw();
      return this.chart ? canvasPng(this.canvas, css(t.bg)) : undefined;
    }
    const s = this.series();
    const series: SvgSeries[] = [{ label: 'training loss', color: css(t.series.loss), dash: false, points: s.loss }];
    if (s.valLoss.length > 0) series.push({ label: 'validation loss', color: css(t.series.valLoss), dash: true, points: s.valLoss });
    return chartSvg(series, { logY: this.logScale, title, fg: css(t.fg), muted: css(t.muted), bg: css(t.bg) });
  }

  private series(): { loss: XY[]; valLoss: XY[]; accuracy: XY[]; valAccuracy: XY[] } {
    const s = { loss: [] as XY[], valLoss: [] as XY[], accuracy: [] as XY[], valAccuracy: [] as XY[] };
    const positive = (v: number): number => (this.logScale && !(v > 0) ? NaN : v);
    for (const p of this.history.points()) {
      s.loss.push({ x: p.epoch, y: positive(p.loss) });
      if (p.valLoss !== undefined) s.valLoss.push({ x: p.epoch, y: positive(p.valLoss) });
      if (p.accuracy !== undefined) s.accuracy.push({ x: p.epoch, y: p.accuracy });
      if (p.valAccuracy !== undefined) s.valAccuracy.push({ x: p.epoch, y: p.valAccuracy });
    }
    return s;
  }

  private draw(): void {
    this.lastDraw = performance.now();
    if (!this.chart) this.rebuild();
    const chart = this.chart;
    if (!chart) return;
    const s = this.series();
    const data = [s.loss, s.valLoss, s.accuracy, s.valAccuracy];
    chart.data.datasets.forEach((d, i) => {
      d.data = data[i];
      d.hidden = data[i].length === 0;
    });
    chart.update('none');
    this.redraws++;
    this.publish();
  }

  private rebuild(): void {
    this.chart?.destroy();
    const t = this.theme;
    const grid = css(t.border, 0.5);
    const font = { family: t.fontFamily, size: 11 };
    const dataset = (label: string, color: string, axis: string, dash: number[] = []): ChartDataset<'line', XY[]> => ({
      label,
      data: [],
      borderColor: color,
      backgroundColor: color,
      yAxisID: axis,
      borderWidth: 1.75,
      borderDash: dash,
      pointRadius: 0,
      pointHoverRadius: 3,
      spanGaps: false,
    });
    this.chart = new Chart<'line', XY[]>(this.canvas, {
      type: 'line',
      data: {
        datasets: [
          // (the training figures are the epoch's batches' as trained on, the validation ones exact at its end)
          dataset('training loss (mean over the epoch\'s batches)', css(t.series.loss), 'y'),
          dataset('validation loss (end of epoch)', css(t.series.valLoss), 'y', [5, 3]),
          dataset('training accuracy (over the epoch\'s batches)', css(t.series.accuracy), 'acc'),
          dataset('validation accuracy (end of epoch)', css(t.series.valAccuracy), 'acc', [5, 3]),
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'epoch', color: css(t.muted), font },
            ticks: { color: css(t.muted), font, precision: 0 },
            grid: { color: grid },
          },
          y: {
            type: this.logScale ? 'logarithmic' : 'linear',
            title: { display: true, text: this.logScale ? 'loss (log scale)' : 'loss', color: css(t.muted), font },
            ticks: { color: css(t.muted), font, callback: (v) => formatNumber(Number(v)) },
            grid: { color: grid },
            ...(this.logScale ? {} : { beginAtZero: true }),
          },
          acc: {
            type: 'linear',
            display: this.classification,
            position: 'right',
            min: 0,
            max: 1,
            title: { display: true, text: 'accuracy', color: css(t.muted), font },
            ticks: { color: css(t.muted), font },
            grid: { drawOnChartArea: false },
          },
        },
        plugins: {
          legend: { labels: { color: css(t.fg), font, boxWidth: 18, boxHeight: 2, filter: (item, data) => (data.datasets[item.datasetIndex ?? 0]?.data.length ?? 0) > 0 } },
          tooltip: {
            callbacks: {
              title: (items) => `epoch ${items[0]?.parsed.x ?? ''}`,
              label: (item) => `${item.dataset.label}: ${formatNumber(item.parsed.y ?? NaN)}`,
            },
          },
        },
      },
    });
    this.draw();
  }
}
