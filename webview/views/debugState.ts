/**
 * The debugger's state in the inspector, above the tabs: a banner saying where a debug session of
 * this file stands ("Debugger: stopped in epoch 3 of 40 (2 done), batch 2 of 4, layer 2 — backward · these are the
 * debugger's values, not the file's"; "running"), and the matrices opened from the Variables view
 * with "Open as Heatmap" (the heatmap view of the Weights tab, one cell per entry, the exact
 * float64 in the tooltip), each titled with its name, shape and where the debugger stood when it
 * was read; marked when the debugger runs again (stale) or the session ended.
 */
import type { DebugMatrixView, DebugMessage } from '../../src/shared/protocol';
import { divergingColor, symmetricRange } from '../colors';
import { button, el, replaceChildren } from '../dom';
import { formatFull, formatNumber } from '../format';
import type { Theme } from '../theme';
import { Heatmap } from './heatmap';
import { divergingLegend } from './legend';
import { tipRow, type Tooltip } from './tooltip';

const STATUS_TEXT: Record<DebugMatrixView['status'], (m: DebugMatrixView) => string> = {
  current: (m) => `at ${m.at}`,
  running: (m) => `stale: the debugger is running; these are the values at ${m.at}`,
  ended: (m) => `the debug session ended; these were the values at ${m.at}`,
  unavailable: (m) => m.note ?? 'not available at this stop',
};

export class DebugStateView {
  readonly element: HTMLElement;
  private readonly banner = el('div', { class: 'debug-banner', testid: 'debug-banner', attrs: { role: 'status' } });
  private readonly detail = el('div', { class: 'debug-detail muted', testid: 'debug-detail' });
  private readonly bannerBox = el('div', { class: 'debug-box' }, this.banner, this.detail);
  private readonly maps = el('div', { class: 'debug-heatmaps', testid: 'debug-heatmaps' });
  private message?: DebugMessage;
  private readonly heatmaps = new Map<number, Heatmap>();

  constructor(
    private theme: Theme,
    private readonly tooltip: Tooltip,
    private readonly onClose: (id: number) => void,
  ) {
    this.element = el('section', { class: 'debug-state', testid: 'debug-state', attrs: { 'aria-label': 'Debugger' } }, this.bannerBox, this.maps);
    this.element.hidden = true;
  }

  /** True while a debug session of the file is stopped or running (the views show its state). */
  get following(): boolean {
    return this.message !== undefined && this.message.state !== 'ended';
  }

  set(m: DebugMessage): void {
    this.message = m;
    this.render();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.render();
  }

  private render(): void {
    const m = this.message;
    const active = m !== undefined && m.state !== 'ended';
    this.bannerBox.hidden = !active;
    this.element.setAttribute('data-debug-state', m?.state ?? 'none');
    document.body.setAttribute('data-debug-state', m?.state ?? 'none');
    if (active) {
      this.banner.textContent = m.banner;
      this.detail.textContent = m.detail ?? '';
      this.detail.hidden = m.detail === undefined || m.detail === '';
    }
    const list = m?.heatmaps ?? [];
    const cards: HTMLElement[] = [];
    const kept = new Set<number>();
    for (const h of list) {
      kept.add(h.id);
      cards.push(this.card(h));
    }
    for (const id of [...this.heatmaps.keys()]) if (!kept.has(id)) this.heatmaps.delete(id);
    replaceChildren(this.maps, ...cards);
    this.maps.hidden = cards.length === 0;
    this.element.hidden = !active && cards.length === 0;
  }

  private card(h: DebugMatrixView): HTMLElement {
    let hm = this.heatmaps.get(h.id);
    if (hm === undefined) {
      hm = new Heatmap(this.tooltip, `debug-heatmap-${h.id}`);
      this.heatmaps.set(h.id, hm);
    }
    const shape = h.rows > 0 ? `${h.rows} × ${h.cols}` : '';
    const title = el('h3', { class: 'debug-heatmap-title', testid: 'debug-heatmap-title', text: [h.name, shape].filter((x) => x !== '').join(' · ') });
    const status = el('div', { class: `debug-heatmap-status status-${h.status}`, testid: 'debug-heatmap-status', text: STATUS_TEXT[h.status](h) });
    const close = button('Close', () => this.onClose(h.id), { class: 'link-button', title: 'Close this heatmap (it is no longer read at each stop)' });
    const legend = el('div', { class: 'legend-box' });
    const card = el(
      'div',
      { class: `card debug-heatmap${h.status === 'current' ? '' : ' stale'}`, testid: 'debug-heatmap', attrs: { 'data-status': h.status, 'data-name': h.name } },
      el('div', { class: 'card-head' }, title, close),
      status,
    );
    if (h.rows > 0 && h.values.length === h.rows * h.cols) {
      const range = symmetricRange(h.values);
      legend.appendChild(divergingLegend(range, this.theme, 'value'));
      card.append(legend, el('div', { class: 'debug-heatmap-scroll' }, hm.element));
      const value = (j: number, k: number): number => h.values[j * h.cols + k];
      const name = (j: number, k: number): string => `${h.name.replace(/ \(.*\)$/, '')}[${j + 1}][${k + 1}]`;
      hm.set(
        {
          rows: h.rows,
          inputs: h.cols,
          noBias: true,
          value,
          color: (v) => divergingColor(v, range, this.theme.diverging),
          describe: (j, k) => [el('div', { class: 'tip-title', text: name(j, k) }), tipRow('value', formatNumber(value(j, k)), formatFull(value(j, k))), el('div', { class: 'muted', text: STATUS_TEXT[h.status](h) })],
          speak: (j, k) => `${name(j, k)}: ${formatFull(value(j, k))}`,
          label: `${h.name}, ${h.rows} by ${h.cols}, ${STATUS_TEXT[h.status](h)}`,
        },
        this.theme,
      );
    }
    return card;
  }
}
