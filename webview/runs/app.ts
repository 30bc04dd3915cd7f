/**
 * The inspector's Runs tab: the file's runs in a table (tick to overlay, pin, rename, delete,
 * CSV), the picked runs' loss curves on one chart (legend by run, with what changed), a timeline
 * slider for the last picked run (the decision boundary, the weight heatmaps and the network
 * graph at that epoch, and "Restore these weights into the file"), and per layer the gradient
 * norm and update/weight ratio over the run. Every number shown comes from the host.
 *
 * Test hooks: data-testid on the parts; the chart publishes `data-series` (its labels) and the
 * boundary `data-epoch`.
 */
import { Chart, type ChartDataset, type Plugin } from '../chart';
import type { ImageFormat } from '../../src/shared/protocol';
import type { FromRuns, RunCurves, RunFrame, RunRow, ToRuns } from '../../src/shared/runsProtocol';
import { classColor, css } from '../colors';
import { button, el, replaceChildren } from '../dom';
import { formatNumber } from '../format';
import { readTheme, watchTheme, type Theme } from '../theme';
import { BoundaryPanel } from '../views/boundary';
import { GraphView } from '../views/graph';
import { Tooltip } from '../views/tooltip';
import { WeightsView } from '../views/weights';
import { canvasPng, chartSvg, type SvgSeries } from '../export';

type XY = { x: number; y: number };

export interface RunsHost {
  post(m: FromRuns): void;
  /** An image to save (the inspector's exportImage, from the Runs tab). */
  exportImage(what: 'chart' | 'boundary', format: ImageFormat, data: string): void;
  /** The host asked for the Runs tab to be shown. */
  show(): void;
}

const fmtDate = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
};

export class RunsApp {
  private theme: Theme = readTheme();
  private runs: RunRow[] = [];
  private readonly picked: string[] = [];
  private readonly curves = new Map<string, RunCurves>();
  private scrubRun: string | undefined;
  private scrubEpoch: number | undefined;
  private frame: RunFrame | undefined;
  private logScale = true;
  private chart?: Chart<'line', XY[]>;
  private gradCharts: Chart<'line', XY[]>[] = [];
  private scrubTimer?: ReturnType<typeof setTimeout>;

  private readonly title = el('h2', { class: 'runs-title', testid: 'runs-title' });
  private readonly message = el('div', { class: 'runs-message', testid: 'runs-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly tableHead = el('thead');
  private readonly tableBody = el('tbody');
  private readonly table = el('table', { class: 'runs-table', testid: 'runs-table' });
  private readonly canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Loss per epoch of the picked runs' } });
  private readonly chartBox = el('div', { class: 'chart-box runs-chart', testid: 'runs-chart' }, this.canvas);
  private readonly chartEmpty = el('p', { class: 'muted', text: 'Tick runs in the table to overlay their loss curves.' });
  private readonly slider = el('input', { testid: 'timeline', attrs: { type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Epoch of the run shown below' } });
  private readonly sliderLabel = el('span', { class: 'timeline-label', testid: 'timeline-label' });
  private readonly restoreButton: HTMLButtonElement;
  private readonly timeline: HTMLElement;
  private readonly tooltip = new Tooltip();
  private readonly boundary: BoundaryPanel;
  private readonly weights: WeightsView;
  private readonly graph = new GraphView('runs-graph');
  private readonly gradients = el('div', { class: 'runs-gradients', testid: 'runs-gradients' });

  /** The tab's content. */
  readonly element: HTMLElement;
  private visible = false;

  constructor(private readonly host: RunsHost) {
    this.boundary = new BoundaryPanel(this.theme);
    this.weights = new WeightsView(this.tooltip, this.theme, 'value', () => undefined, () => undefined);
    this.restoreButton = button('Restore these weights into the file', () => this.restore(), { testid: 'restore-weights', class: 'primary' });
    this.slider.addEventListener('input', () => this.onSlide());
    this.table.appendChild(this.tableHead);
    this.table.appendChild(this.tableBody);
    const chartBar = el(
      'div',
      { class: 'toolbar' },
      button('Log scale', () => this.toggleLog(), { testid: 'runs-log', attrs: { 'aria-pressed': 'true' } }),
      button('Chart as PNG', () => this.exportChart('png'), { testid: 'runs-export-chart-png' }),
      button('Chart as SVG', () => this.exportChart('svg'), { testid: 'runs-export-chart-svg' }),
    );
    this.timeline = el(
      'section',
      { class: 'card timeline', testid: 'timeline-card', attrs: { hidden: true } },
      el('div', { class: 'timeline-row' }, this.slider, this.sliderLabel),
      el(
        'div',
        { class: 'toolbar' },
        this.restoreButton,
        button('Boundary as PNG', () => this.exportBoundary('png'), { testid: 'runs-export-boundary-png' }),
        button('Boundary as SVG', () => this.exportBoundary('svg'), { testid: 'runs-export-boundary-svg' }),
      ),
      el('div', { class: 'runs-frame' }, this.boundary.element, this.graph.element),
      this.weights.element,
    );
    this.element = el(
      'div',
      { class: 'runs-app', testid: 'runs-view' },
      this.title,
      this.message,
      el('div', { class: 'runs-table-box' }, this.table),
      el('section', { class: 'card' }, el('h3', { text: 'Loss of the picked runs' }), chartBar, this.chartEmpty, this.chartBox),
      this.timeline,
      el('section', { class: 'card' }, el('h3', { text: 'Gradients over time' }), el('p', { class: 'explain', text: 'Per layer, for the run under the timeline: the norm of the gradient (weights and biases) of the epoch’s last batch, and the ratio |update| / |weights|. Vanishing gradients fall away to zero, exploding ones shoot up.' }), this.gradients),
    );
    watchTheme(() => {
      this.theme = readTheme();
      this.boundary.setTheme(this.theme);
      this.weights.setTheme(this.theme);
      this.drawChart();
      this.drawGradients();
      this.drawGraph();
    });
  }

  /** The tab was shown or hidden: its views draw only while shown. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.boundary.setVisible(visible);
    this.weights.setVisible(visible);
    if (visible) this.drawGraph();
  }

  receive(m: ToRuns): void {
    switch (m.type) {
      case 'show':
        this.host.show();
        return;
      case 'runs':
        this.setRuns(m.file, m.runs, m.picked);
        return;
      case 'curves':
        this.curves.set(m.curves.id, m.curves);
        if (!this.picked.includes(m.curves.id)) this.picked.push(m.curves.id);
        this.scrubRun = m.curves.id;
        this.renderTable();
        this.drawChart();
        this.setupTimeline();
        return;
      case 'frame':
        if (m.frame.id !== this.scrubRun) return;
        this.frame = m.frame;
        this.showFrame();
        return;
      case 'problem':
        this.say(m.message, true);
        return;
      case 'note':
        this.say(m.message, false);
        return;
    }
  }

  private say(text: string, problem: boolean): void {
    this.message.textContent = text;
    this.message.className = problem ? 'runs-message problem' : 'runs-message';
  }

  private setRuns(file: string, runs: RunRow[], picked: string[]): void {
    this.title.textContent = `Runs of ${file}`;
    this.runs = runs;
    const known = new Set(runs.map((r) => r.id));
    for (let i = this.picked.length - 1; i >= 0; i--) if (!known.has(this.picked[i]) || !picked.includes(this.picked[i])) this.picked.splice(i, 1);
    for (const id of [...this.curves.keys()]) if (!known.has(id)) this.curves.delete(id);
    if (this.scrubRun !== undefined && !known.has(this.scrubRun)) this.scrubRun = this.picked[this.picked.length - 1];
    this.renderTable();
    this.drawChart();
    this.setupTimeline();
  }

  /** Run number (1 = the oldest) and its name for legends. */
  private nameOf(r: RunRow): string {
    return r.label ?? `run ${this.runs.indexOf(r) + 1}`;
  }

  private colorOf(id: string): string {
    return css(classColor(this.runs.findIndex((r) => r.id === id)));
  }

  private renderTable(): void {
    const accuracy = this.runs.some((r) => r.final?.accuracy !== undefined || r.final?.valAccuracy !== undefined);
    const heads = ['', 'date', 'run (what changed)', 'final loss', ...(accuracy ? ['accuracy'] : []), 'epochs', 'time'];
    replaceChildren(this.tableHead, el('tr', {}, ...heads.map((h) => el('th', { text: h }))));
    const rows = [...this.runs].reverse().map((r) => {
      const on = this.picked.includes(r.id);
      const box = el('input', { testid: 'run-pick', attrs: { type: 'checkbox', 'aria-label': `Overlay ${this.nameOf(r)}`, ...(on ? { checked: true } : {}) } });
      box.addEventListener('change', () => {
        if (box.checked) this.host.post({ type: 'pick', id: r.id, on: true });
        else this.unpick(r.id);
      });
      const swatch = el('span', { class: 'run-swatch' });
      swatch.style.background = this.colorOf(r.id);
      const final = r.final;
      const acc = final?.valAccuracy ?? final?.accuracy;
      return el(
        'tr',
        { testid: 'run-row', attrs: { 'data-id': r.id, 'data-picked': String(on), 'aria-selected': String(r.id === this.scrubRun) } },
        el('td', {}, box, swatch),
        el('td', { text: fmtDate(r.startedAt), title: r.startedAt }),
        el(
          'td',
          {},
          el('strong', { text: `${this.nameOf(r)}${r.pinned ? ' (pinned)' : ''}` }),
          ' ',
          el('span', { class: 'muted', text: r.changes }),
          r.end === 'done' ? null : el('span', { class: `badge ${r.end}`, text: r.end }),
          el(
            'div',
            { class: 'actions' },
            button(r.pinned ? 'Unpin' : 'Pin', () => this.host.post({ type: 'pin', id: r.id, pinned: !r.pinned }), { testid: 'run-pin' }),
            button('Rename', () => this.host.post({ type: 'rename', id: r.id }), { testid: 'run-rename' }),
            button('CSV', () => this.host.post({ type: 'exportCsv', id: r.id }), { testid: 'run-csv', title: 'Export the loss history as CSV' }),
            button('Delete', () => this.host.post({ type: 'remove', id: r.id }), { testid: 'run-delete' }),
          ),
        ),
        el('td', { class: 'num', text: final ? formatNumber(final.loss) : '—' }),
        accuracy ? el('td', { class: 'num', text: acc === undefined ? '—' : `${formatNumber(acc * 100)}%` }) : null,
        el('td', { class: 'num', text: String(r.epochs) }),
        el('td', { class: 'num', text: `${r.seconds.toFixed(2)} s` }),
      );
    });
    replaceChildren(this.tableBody, ...rows);
    if (rows.length === 0) this.tableBody.appendChild(el('tr', {}, el('td', { attrs: { colspan: heads.length }, class: 'muted', text: 'No recorded run yet: train the file (every run is recorded).' })));
  }

  private unpick(id: string): void {
    const i = this.picked.indexOf(id);
    if (i >= 0) this.picked.splice(i, 1);
    this.host.post({ type: 'pick', id, on: false });
    if (this.scrubRun === id) {
      this.scrubRun = this.picked[this.picked.length - 1];
      this.frame = undefined;
    }
    this.renderTable();
    this.drawChart();
    this.setupTimeline();
  }

  private toggleLog(): void {
    this.logScale = !this.logScale;
    this.chartBox.parentElement?.querySelector('[data-testid="runs-log"]')?.setAttribute('aria-pressed', String(this.logScale));
    this.chart?.destroy();
    this.chart = undefined;
    this.drawChart();
    this.drawGradients();
  }

  /** The overlay's series: per picked run its training loss (and validation loss, dashed). */
  private series(): SvgSeries[] {
    const out: SvgSeries[] = [];
    for (const r of this.runs) {
      const id = r.id;
      const c = this.curves.get(id);
      if (c === undefined || !this.picked.includes(id)) continue;
      const label = `${this.nameOf(r)}: ${r.changes}`;
      const color = this.colorOf(id);
      out.push({ label, color, dash: false, points: c.curve.map((p) => ({ x: p.epoch, y: p.loss })) });
      if (c.curve.some((p) => p.valLoss !== undefined)) {
        out.push({ label: `${this.nameOf(r)} (validation)`, color, dash: true, points: c.curve.filter((p) => p.valLoss !== undefined).map((p) => ({ x: p.epoch, y: p.valLoss ?? NaN })) });
      }
    }
    return out;
  }

  private drawChart(): void {
    const series = this.series();
    this.chartBox.setAttribute('data-series', JSON.stringify(series.filter((s) => !s.dash).map((s) => s.label)));
    this.chartEmpty.hidden = series.length > 0;
    this.chartBox.hidden = series.length === 0; // no empty axes
    const positive = (v: number): number => (this.logScale && !(v > 0) ? NaN : v);
    const datasets: ChartDataset<'line', XY[]>[] = series.map((s) => ({
      label: s.label,
      data: s.points.map((p) => ({ x: p.x, y: positive(p.y) })),
      borderColor: s.color,
      backgroundColor: s.color,
      borderWidth: 1.75,
      borderDash: s.dash ? [5, 3] : [],
      pointRadius: 0,
      pointHoverRadius: 3,
      spanGaps: false,
    }));
    if (this.chart === undefined) {
      const t = this.theme;
      const font = { family: t.fontFamily, size: 11 };
      const grid = css(t.border, 0.5);
      const marker: Plugin<'line'> = {
        id: 'epochMarker',
        afterDatasetsDraw: (chart) => {
          if (this.scrubEpoch === undefined) return;
          const x = chart.scales.x.getPixelForValue(this.scrubEpoch);
          const { top, bottom } = chart.chartArea;
          const ctx = chart.ctx;
          ctx.save();
          ctx.strokeStyle = css(this.theme.focus);
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, bottom);
          ctx.stroke();
          ctx.restore();
        },
      };
      this.chart = new Chart<'line', XY[]>(this.canvas, {
        type: 'line',
        data: { datasets },
        plugins: [marker],
        options: {
          animation: false,
          parsing: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          scales: {
            x: { type: 'linear', title: { display: true, text: 'epoch', color: css(t.muted), font }, ticks: { color: css(t.muted), font, precision: 0 }, grid: { color: grid } },
            y: {
              type: this.logScale ? 'logarithmic' : 'linear',
              title: { display: true, text: this.logScale ? 'loss (log scale)' : 'loss', color: css(t.muted), font },
              ticks: { color: css(t.muted), font, callback: (v) => formatNumber(Number(v)) },
              grid: { color: grid },
            },
          },
          plugins: {
            legend: { labels: { color: css(t.fg), font, boxWidth: 18, boxHeight: 2 } },
            tooltip: { callbacks: { title: (items) => `epoch ${items[0]?.parsed.x ?? ''}`, label: (item) => `${item.dataset.label}: ${formatNumber(item.parsed.y ?? NaN)}` } },
          },
        },
      });
    } else {
      this.chart.data.datasets = datasets;
      this.chart.update('none');
    }
  }

  private setupTimeline(): void {
    const id = this.scrubRun;
    const r = this.runs.find((x) => x.id === id);
    const c = id === undefined ? undefined : this.curves.get(id);
    this.timeline.hidden = r === undefined || c === undefined;
    this.drawGradients();
    if (r === undefined || c === undefined || id === undefined) return;
    const min = r.startEpoch;
    const max = r.startEpoch + r.epochs;
    const same = this.slider.getAttribute('data-run') === id;
    this.slider.setAttribute('data-run', id);
    this.slider.min = String(min);
    this.slider.max = String(max);
    if (!same) {
      this.slider.value = String(max);
      this.requestFrame(max);
    }
  }

  private onSlide(): void {
    const epoch = Number(this.slider.value);
    this.sliderLabel.textContent = `epoch ${epoch} …`;
    if (this.scrubTimer !== undefined) clearTimeout(this.scrubTimer);
    this.scrubTimer = setTimeout(() => this.requestFrame(epoch), 60);
  }

  private requestFrame(epoch: number): void {
    if (this.scrubRun === undefined) return;
    this.scrubEpoch = epoch;
    this.sliderLabel.textContent = `epoch ${epoch} …`;
    this.chart?.update('none');
    this.host.post({ type: 'scrub', id: this.scrubRun, epoch });
  }

  private showFrame(): void {
    const f = this.frame;
    if (f === undefined) return;
    const r = this.runs.find((x) => x.id === f.id);
    this.sliderLabel.textContent = `${r ? this.nameOf(r) : 'run'} at epoch ${f.epoch} (${f.fromSnapshot ? 'a stored snapshot' : `replayed ${f.replayed} epoch${f.replayed === 1 ? '' : 's'} from the nearest snapshot`})`;
    this.boundary.element.setAttribute('data-epoch', String(f.epoch));
    if (f.boundary) {
      this.boundary.setClassNames(f.network.classNames);
      this.boundary.set(f.boundary);
    } else this.boundary.unavailable();
    this.weights.setNetwork(f.network);
    this.drawGraph();
  }

  private drawGraph(): void {
    const f = this.frame;
    if (f === undefined || !this.visible) return;
    this.graph.draw(f.network, this.theme, { edgeMode: 'weight', nodeValue: () => undefined }, { inputs: f.network.inputNames });
  }

  private drawGradients(): void {
    for (const c of this.gradCharts) c.destroy();
    this.gradCharts = [];
    const c = this.scrubRun === undefined ? undefined : this.curves.get(this.scrubRun);
    if (c === undefined || c.gradients.length === 0) {
      replaceChildren(this.gradients, el('p', { class: 'muted', text: 'Tick a run to see its gradients over time.' }));
      return;
    }
    const layers = c.gradients[0].norm.length;
    const t = this.theme;
    const font = { family: t.fontFamily, size: 10 };
    const cards: HTMLElement[] = [];
    for (let l = 0; l < layers; l++) {
      for (const [what, pick, color] of [
        ['gradient norm', (g: RunCurves['gradients'][number]) => g.norm[l], t.series.loss],
        ['|update| / |weights|', (g: RunCurves['gradients'][number]) => g.ratio[l], t.series.accuracy],
      ] as const) {
        const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': `layer ${l + 1}: ${what} per epoch` } });
        cards.push(el('div', { class: 'grad-card', testid: 'grad-chart' }, el('div', { class: 'grad-title', text: `layer ${l + 1}: ${what}` }), el('div', { class: 'grad-box' }, canvas)));
        const data = c.gradients.map((g) => ({ x: g.epoch, y: pick(g) })).map((p) => ({ x: p.x, y: p.y > 0 ? p.y : NaN }));
        this.gradCharts.push(
          new Chart<'line', XY[]>(canvas, {
            type: 'line',
            data: { datasets: [{ label: what, data, borderColor: css(color), backgroundColor: css(color), borderWidth: 1.5, pointRadius: 0 }] },
            options: {
              animation: false,
              parsing: false,
              responsive: true,
              maintainAspectRatio: false,
              scales: {
                x: { type: 'linear', ticks: { color: css(t.muted), font, precision: 0, maxTicksLimit: 4 }, grid: { display: false } },
                y: { type: 'logarithmic', ticks: { color: css(t.muted), font, maxTicksLimit: 4, callback: (v) => formatNumber(Number(v)) }, grid: { color: css(t.border, 0.4) } },
              },
              plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => `epoch ${items[0]?.parsed.x ?? ''}`, label: (item) => `${what}: ${formatNumber(item.parsed.y ?? NaN)}` } } },
            },
          }),
        );
      }
    }
    replaceChildren(this.gradients, ...cards);
  }

  private restore(): void {
    const f = this.frame;
    if (f === undefined) return;
    this.host.post({ type: 'restore', id: f.id, epoch: f.epoch });
  }

  private exportChart(format: 'png' | 'svg'): void {
    if (this.chart === undefined || this.series().length === 0) {
      this.say('Tick a run first: there is no curve to export.', true);
      return;
    }
    const t = this.theme;
    const data = format === 'png' ? canvasPng(this.canvas, css(t.bg)) : chartSvg(this.series(), { logY: this.logScale, title: this.title.textContent ?? 'Runs', fg: css(t.fg), muted: css(t.muted), bg: css(t.bg) });
    this.host.exportImage('chart', format, data);
  }

  private exportBoundary(format: 'png' | 'svg'): void {
    const data = this.frame?.boundary === undefined ? undefined : this.boundary.image(format);
    if (data === undefined) {
      this.say('This network has no decision boundary to export (it needs two inputs).', true);
      return;
    }
    this.host.exportImage('boundary', format, data);
  }
}
