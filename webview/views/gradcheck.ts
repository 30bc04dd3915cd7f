/**
 * The gradient check: every checked parameter's relative error |analytic − numeric| / max(...)
 * as a heatmap on the same layout as the weights (rows j, columns k, then the bias), coloured by
 * verdict (ok green, warn yellow, fail red, darker = larger error on a log scale), failures marked
 * ✕, kinks ◇ and parameters the differences cannot resolve ○ (with the reason in the tooltip); below it the worst entries with both gradients, each a link to the file.
 */
import type { GradCheckEntryView, GradCheckView, NetworkView } from '../../src/shared/protocol';
import { logPosition, mix, type RGB } from '../colors';
import { button, el, nameNode, replaceChildren, type Child } from '../dom';
import { formatFull, formatNumber, paramName } from '../format';
import type { Theme } from '../theme';
import { Heatmap, type CellMark } from './heatmap';
import { swatch } from './legend';
import { tipRow, type Tooltip } from './tooltip';
import { TabView } from './view';

/** Colour of an entry: its verdict's colour, stronger for a larger error (log scale 1e-12 .. 1). */
export function entryColor(e: GradCheckEntryView, theme: Theme): RGB {
  const t = logPosition(e.relativeError, 1e-12, 1);
  const strength = 0.35 + 0.65 * (Number.isNaN(t) ? 1 : t);
  const base = e.status === 'ok' ? theme.ok : e.status === 'warn' ? theme.warn : e.status === 'fail' ? theme.fail : theme.muted;
  return mix(theme.bg, base, strength);
}

export class GradCheckPanel extends TabView {
  readonly element: HTMLElement;
  readonly tab = 'gradcheck' as const;
  private readonly run: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private readonly maps: HTMLElement;
  private readonly worst: HTMLElement;
  private heatmaps: Heatmap[] = [];
  private report?: GradCheckView;
  private network?: NetworkView;
  private running = false;

  constructor(
    private readonly tooltip: Tooltip,
    theme: Theme,
    private readonly onRun: () => void,
    private readonly onReveal: (layer: number, kind: 'w' | 'b', j: number, k?: number) => void,
  ) {
    super(theme);
    this.run = button('Run gradient check', () => this.start(), { class: 'primary', testid: 'run-gradcheck' });
    this.summary = el('div', { class: 'gc-summary', testid: 'gradcheck-summary', attrs: { 'aria-live': 'polite' } });
    this.maps = el('div', { class: 'layers' });
    this.worst = el('div', { class: 'card', testid: 'gradcheck-worst' });
    this.element = el(
      'section',
      { class: 'gradcheck', testid: 'gradcheck-view' },
      el('div', { class: 'toolbar' }, this.run),
      el(
        'p',
        { class: 'explain' },
        'Checks backpropagation against the definition of the derivative: for every weight, the gradient from backprop (analytic) is compared with the centred difference (E(w + h) − E(w − h)) / 2h (numeric), on the whole training set at the current weights.',
      ),
      this.summary,
      this.maps,
      this.worst,
    );
    this.render();
  }

  setNetwork(n: NetworkView): void {
    if (this.network && this.network.sizes.join() !== n.sizes.join()) {
      // The file changed shape: the old report no longer fits the layers.
      this.report = undefined;
      this.heatmaps = [];
      this.run.textContent = 'Run gradient check';
      this.network = n;
      this.render();
      return;
    }
    const first = !this.network;
    this.network = n;
    if (first) this.render();
  }

  setReport(r: GradCheckView): void {
    this.report = r;
    this.running = false;
    this.run.disabled = false;
    this.run.textContent = 'Run again';
    this.render();
  }

  /** The host reported a problem: stop waiting. */
  failed(): void {
    if (!this.running) return;
    this.running = false;
    this.run.disabled = false;
    this.render();
  }

  private start(): void {
    this.running = true;
    this.run.disabled = true;
    this.onRun();
    this.render();
  }

  protected render(): void {
    const r = this.report;
    this.element.setAttribute('data-state', this.running ? 'running' : r ? (r.passed ? 'passed' : 'failed') : 'none');
    if (this.running) {
      replaceChildren(this.summary, el('p', { class: 'muted', text: 'Checking every parameter…' }));
    } else if (!r) {
      replaceChildren(this.summary, el('p', { class: 'muted', text: 'No check run yet.' }));
    } else {
      const fails = r.entries.filter((e) => e.status === 'fail').length;
      const kinks = r.entries.filter((e) => e.status === 'kink').length;
      const uncheckable = r.entries.filter((e) => e.status === 'cannot-check').length;
      replaceChildren(
        this.summary,
        el(
          'p',
          { class: 'gc-verdict' },
          el('span', { class: 'badge ' + (r.passed ? 'badge-ok' : 'badge-fail'), text: r.passed ? 'PASSED' : 'FAILED', testid: 'gradcheck-verdict' }),
          ` ${r.parameters} parameters checked in ${formatNumber(r.seconds)} s; largest relative error `,
          el('span', { class: 'num', text: formatNumber(r.maxRelativeError), title: formatFull(r.maxRelativeError), testid: 'gradcheck-max' }),
          fails > 0 ? `; ${fails} failed` : '',
          kinks > 0 ? `; ${kinks} at a kink (not counted)` : '',
          uncheckable > 0 ? `; ${uncheckable} cannot be checked by differences (not counted; the reason is in each one's tooltip)` : '',
          '.',
        ),
        el(
          'p',
          { class: 'legend' },
          swatch(this.theme.ok, `ok: below ${formatNumber(r.thresholds.pass)}`),
          swatch(this.theme.warn, `warn: up to ${formatNumber(r.thresholds.fail)}`, '•'),
          swatch(this.theme.fail, `fail: above ${formatNumber(r.thresholds.fail)}`, '✕'),
          swatch(this.theme.muted, 'kink: the step crossed a kink of relu; not comparable', '◇'),
          swatch(this.theme.muted, 'cannot check: the centred difference cannot resolve this gradient', '○'),
        ),
      );
    }
    if (!this.visible) return;
    this.renderMaps();
    this.renderWorst();
  }

  private renderMaps(): void {
    const r = this.report;
    const n = this.network;
    if (!r || !n) {
      replaceChildren(this.maps);
      this.heatmaps = [];
      return;
    }
    if (this.heatmaps.length !== n.layers.length) {
      this.heatmaps = n.layers.map((l) => new Heatmap(this.tooltip, `gc-heatmap-l${l.layer}`));
    }
    replaceChildren(
      this.maps,
      ...n.layers.map((layer, i) =>
        el('div', { class: 'card layer-card', testid: `gc-layer-${layer.layer}` }, el('h3', { text: `Layer ${layer.layer}: relative error of each parameter (rows: units of layer ${layer.layer}; columns: units of layer ${layer.layer - 1}, then the bias)` }), this.heatmaps[i].element),
      ),
    );
    n.layers.forEach((layer, i) => {
      const at = new Map<string, GradCheckEntryView>();
      for (const e of r.entries) if (e.layer === layer.layer) at.set(`${e.j},${e.kind === 'b' ? layer.inputs : e.k}`, e);
      const entry = (j: number, k: number): GradCheckEntryView | undefined => at.get(`${j},${k}`);
      const title = `Layer ${layer.layer}: relative errors`;
      this.heatmaps[i].set(
        {
          rows: layer.units,
          inputs: layer.inputs,
          value: (j, k) => entry(j, k)?.relativeError,
          color: (_v, j, k) => {
            const e = entry(j, k);
            return e ? entryColor(e, this.theme) : this.theme.bg;
          },
          mark: (j, k): CellMark | undefined => {
            const e = entry(j, k);
            return !e ? 'missing' : e.status === 'fail' ? 'fail' : e.status === 'kink' ? 'kink' : e.status === 'warn' ? 'warn' : e.status === 'cannot-check' ? 'uncheckable' : undefined;
          },
          describe: (j, k) => {
            const e = entry(j, k);
            const nm = paramName(layer.layer, k === layer.inputs ? 'b' : 'w', j, k === layer.inputs ? undefined : k);
            if (!e) return [el('div', { class: 'tip-title' }, nameNode(nm.base, nm.sup, nm.sub), ' not checked (sampled out)')];
            return entryTip(e);
          },
          speak: (j, k) => {
            const e = entry(j, k);
            return e ? `${e.name}: relative error ${formatNumber(e.relativeError)}, ${e.status}` : 'not checked';
          },
          onActivate: (j, k) => (k === layer.inputs ? this.onReveal(layer.layer, 'b', j) : this.onReveal(layer.layer, 'w', j, k)),
          label: title,
        },
        this.theme,
      );
    });
  }

  private renderWorst(): void {
    const r = this.report;
    if (!r) {
      replaceChildren(this.worst);
      this.worst.hidden = true;
      return;
    }
    this.worst.hidden = false;
    const rows = r.worst.map((e) =>
      el(
        'tr',
        { class: 'status-' + e.status, testid: 'gc-worst-row' },
        el('td', {}, revealButton(e, () => this.onReveal(e.layer, e.kind, e.j, e.k))),
        el('td', { class: 'num', text: formatNumber(e.analytic), title: formatFull(e.analytic) }),
        el('td', { class: 'num', text: formatNumber(e.numeric), title: formatFull(e.numeric) }),
        el('td', { class: 'num', text: formatNumber(e.relativeError), title: formatFull(e.relativeError) }),
        el('td', { text: e.status, title: e.reason ?? '' }),
      ),
    );
    replaceChildren(
      this.worst,
      el('h3', { text: 'Largest relative errors' }),
      el(
        'table',
        { class: 'grid-table' },
        el('thead', {}, el('tr', {}, ...['parameter', 'analytic (backprop)', 'numeric (differences)', 'relative error', 'verdict'].map((h) => el('th', { text: h })))),
        el('tbody', {}, ...rows),
      ),
    );
  }
}

function entryTip(e: GradCheckEntryView): Child[] {
  const nm = paramName(e.layer, e.kind, e.j, e.k);
  return [
    el('div', { class: 'tip-title' }, nameNode(nm.base, nm.sup, nm.sub), el('span', { class: 'muted', text: ` ${e.status}` })),
    tipRow('analytic', formatNumber(e.analytic), formatFull(e.analytic)),
    tipRow('numeric', formatNumber(e.numeric), formatFull(e.numeric)),
    tipRow('relative error', formatNumber(e.relativeError), formatFull(e.relativeError)),
    ...(e.reason !== undefined ? [el('div', { class: 'tip-reason', text: e.reason })] : []),
    el('div', { class: 'tip-hint', text: 'Click or press Enter to show it in the file' }),
  ];
}

/** The parameter's name as a link-styled button that reveals it in the file. */
function revealButton(e: GradCheckEntryView, onClick: () => void): HTMLButtonElement {
  const nm = paramName(e.layer, e.kind, e.j, e.k);
  const b = button('', onClick, { class: 'link-button', title: `${e.name}: show it in the file`, testid: 'gc-reveal', attrs: { 'aria-label': `${e.name}, show in the file` } });
  b.appendChild(nameNode(nm.base, nm.sup, nm.sub));
  return b;
}
