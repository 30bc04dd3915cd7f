/**
 * The "Network" tab: the graph of the network for one sample (units show their outputs, edges
 * their weights or gradients) and, for a clicked unit, its net input, output, slope and delta as
 * the engine computed them for that sample.
 */
import type { NetworkView, TraceView } from '../../src/shared/protocol';
import { button, el, replaceChildren } from '../dom';
import { formatFull, formatNumber } from '../format';
import type { EdgeMode } from '../state';
import type { Theme } from '../theme';
import { GraphView, outputValues } from './graph';
import { SamplePicker } from './samplePicker';
import { TabView } from './view';

export class NetworkTab extends TabView {
  readonly element: HTMLElement;
  readonly tab = 'network' as const;
  readonly picker: SamplePicker;
  private readonly graph = new GraphView('network-graph');
  private readonly details: HTMLElement;
  private readonly edgeBar: HTMLElement;
  private network?: NetworkView;
  private trace?: TraceView;
  private selected?: { layer: number; unit: number };

  constructor(
    theme: Theme,
    private edgeMode: EdgeMode,
    sample: number,
    onSample: (s: number) => void,
    private readonly onEdgeMode: (m: EdgeMode) => void,
  ) {
    super(theme);
    this.picker = new SamplePicker(sample, onSample, 'network-sample');
    this.edgeBar = el('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Line thickness shows' } });
    for (const [m, label] of [['weight', 'Weights'], ['gradient', 'Gradients']] as const) {
      this.edgeBar.appendChild(button(label, () => this.setEdgeMode(m), { testid: `edge-mode-${m}`, attrs: { 'aria-pressed': String(m === edgeMode) } }));
    }
    this.details = el('div', { class: 'card unit-details', testid: 'unit-details', attrs: { 'aria-live': 'polite' } });
    this.element = el(
      'section',
      { class: 'network-tab' },
      el('div', { class: 'toolbar' }, this.picker.element, el('span', { class: 'toolbar-group' }, el('span', { class: 'toolbar-label', text: 'Lines show' }), this.edgeBar)),
      el(
        'p',
        { class: 'explain' },
        'Each circle is a unit, filled and labelled with its output for this sample. Lines are weights: blue positive, orange negative, thicker = larger. Click a unit (or Tab to it and press Enter) to see its numbers.',
      ),
      el('div', { class: 'graph-row' }, el('div', { class: 'card graph-card' }, this.graph.element), this.details),
    );
    this.renderDetails();
  }

  setNetwork(n: NetworkView): void {
    this.network = n;
    this.picker.setCount(n.samples);
    if (this.visible) this.render();
  }

  setTrace(t: TraceView): void {
    this.trace = t;
    this.picker.showTrace(t);
    if (this.visible) this.render();
  }

  private setEdgeMode(m: EdgeMode): void {
    this.edgeMode = m;
    for (const b of Array.from(this.edgeBar.children)) b.setAttribute('aria-pressed', String(b.getAttribute('data-testid') === `edge-mode-${m}`));
    this.onEdgeMode(m);
    this.render();
  }

  protected render(): void {
    const n = this.network;
    if (!n) return;
    const trace = this.trace && this.trace.sample === this.picker.value ? this.trace : undefined;
    this.graph.draw(
      n,
      this.theme,
      {
        edgeMode: this.edgeMode,
        nodeValue: outputValues(trace),
        selected: this.selected,
        onSelect: (layer, unit) => {
          this.selected = { layer, unit };
          this.render();
          this.graph.focusUnit(layer, unit);
        },
      },
      { inputs: n.inputNames },
    );
    this.renderDetails();
  }

  private renderDetails(): void {
    const s = this.selected;
    const n = this.network;
    const t = this.trace && this.trace.sample === this.picker.value ? this.trace : undefined;
    if (!s || !n) {
      replaceChildren(this.details, el('h3', { text: 'Unit details' }), el('p', { class: 'muted', text: 'Click a unit in the graph.' }));
      return;
    }
    const L = n.sizes.length - 1;
    const what = s.layer === 0 ? 'Input' : s.layer === L ? 'Output unit' : 'Hidden unit';
    const act = s.layer === 0 ? '' : ` (${n.layers[s.layer - 1].activation})`;
    const title = s.layer === 0 ? `${what} ${n.inputNames?.[s.unit] ?? `x${s.unit + 1}`}` : `${what} ${s.unit + 1} of layer ${s.layer}${act}`;
    const rows: HTMLElement[] = [];
    const row = (label: string, symbol: string, v: number | undefined, testid: string): void => {
      if (v === undefined) return;
      rows.push(el('tr', { testid, attrs: { 'data-value': formatFull(v) } }, el('th', { text: label }), el('td', { class: 'sym', text: symbol }), el('td', { class: 'num', text: formatNumber(v), title: formatFull(v) })));
    };
    if (t) {
      const l = s.layer;
      const j = s.unit;
      if (l === 0) {
        row('input value', 'x', t.x[j], 'unit-x');
      } else {
        row('net input', 'in = Σ w·a + b', t.net[l][j], 'unit-net');
        row('output', 'a = g(in)', t.out[l][j], 'unit-out');
        row('slope of g', "g'(in)", t.fprime[l][j], 'unit-fprime');
        if (l < L) row('backpropagated sum', 'Σₖ wₖⱼ δₖ', t.backSum[l][j], 'unit-backsum');
        row('delta (engine)', 'δ = ∂E/∂in', t.delta[l][j], 'unit-delta');
        row("delta (notes' sign)", 'Δ = −δ', -t.delta[l][j], 'unit-Delta');
        row('bias', 'b', n.layers[l - 1].b[j], 'unit-bias');
      }
    }
    replaceChildren(
      this.details,
      el('h3', { text: title }),
      t ? el('p', { class: 'muted', text: `for sample ${t.sample + 1}` }) : el('p', { class: 'muted', text: 'Waiting for the pass of this sample…' }),
      el('table', { class: 'kv' }, el('tbody', {}, ...rows)),
    );
  }
}
