/**
 * Per-layer heatmaps of the weight matrices (rows: units j of layer l; columns: units k of layer
 * l-1, then the bias), switchable between the value, the gradient, the last update and the
 * update-to-weight ratio, on a diverging scale symmetric around 0 per layer. A cell's tooltip
 * gives its name w^l_{j,k} and every exact number known for it; clicking reveals it in the file.
 */
import type { LayerView, NetworkView } from '../../src/shared/protocol';
import { divergingColor, symmetricRange } from '../colors';
import { button, el, nameNode, replaceChildren, type Child } from '../dom';
import { formatFull, formatNumber, paramName } from '../format';
import type { HeatmapMode } from '../state';
import type { Theme } from '../theme';
import { Heatmap } from './heatmap';
import { divergingLegend } from './legend';
import { tipRow, type Tooltip } from './tooltip';
import { TabView } from './view';

const MODES: { mode: HeatmapMode; label: string; explain: string }[] = [
  { mode: 'value', label: 'Value', explain: 'The weights and biases as they are now.' },
  { mode: 'gradient', label: 'Gradient', explain: 'The gradient ∂E/∂w of the loss over the whole training set at the current weights: the direction that would increase the loss.' },
  { mode: 'update', label: 'Last update', explain: 'The change the optimizer made to each parameter in its last step.' },
  { mode: 'ratio', label: 'Update / weight', explain: 'The last update divided by the weight: around 1e-3 is healthy; much larger means the learning rate is too high, much smaller that the layer barely learns.' },
];

/** The value of one cell in a mode; column k === inputs is the bias. Undefined when not known. */
export function cellValue(layer: LayerView, mode: HeatmapMode, j: number, k: number): number | undefined {
  const bias = k === layer.inputs;
  const i = j * layer.inputs + k;
  const w = bias ? layer.b[j] : layer.W[i];
  const g = bias ? layer.db?.[j] : layer.dW?.[i];
  const u = bias ? layer.ub?.[j] : layer.uW?.[i];
  switch (mode) {
    case 'value':
      return w;
    case 'gradient':
      return g;
    case 'update':
      return u;
    case 'ratio':
      return u === undefined || w === 0 ? undefined : u / w;
  }
}

interface LayerCard {
  title: HTMLElement;
  axis: HTMLElement;
  note: HTMLElement;
  legend: HTMLElement;
}

export class WeightsView extends TabView {
  readonly element: HTMLElement;
  readonly tab = 'weights' as const;
  private readonly modeBar: HTMLElement;
  private readonly explain: HTMLElement;
  private readonly layersBox: HTMLElement;
  private heatmaps: Heatmap[] = [];
  private cards: LayerCard[] = [];
  private network?: NetworkView;

  constructor(
    private readonly tooltip: Tooltip,
    theme: Theme,
    private mode: HeatmapMode,
    private readonly onMode: (m: HeatmapMode) => void,
    private readonly onReveal: (layer: number, kind: 'w' | 'b', j: number, k?: number) => void,
  ) {
    super(theme);
    this.modeBar = el('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'What the heatmaps show' } });
    for (const m of MODES) {
      const b = button(m.label, () => this.setMode(m.mode), { testid: `heatmap-mode-${m.mode}`, attrs: { 'aria-pressed': String(m.mode === mode) } });
      this.modeBar.appendChild(b);
    }
    this.explain = el('p', { class: 'explain' });
    this.layersBox = el('div', { class: 'layers' });
    this.element = el(
      'section',
      { class: 'weights', testid: 'weights-view' },
      el('div', { class: 'toolbar' }, el('span', { class: 'toolbar-group' }, el('span', { class: 'toolbar-label', text: 'Show' }), this.modeBar)),
      this.explain,
      this.layersBox,
    );
    this.updateExplain();
  }

  setNetwork(n: NetworkView): void {
    const reshape = !this.network || this.network.sizes.join() !== n.sizes.join();
    this.network = n;
    if (reshape) this.heatmaps = [];
    if (this.visible) this.render();
  }

  private setMode(m: HeatmapMode): void {
    this.mode = m;
    for (const b of Array.from(this.modeBar.children)) b.setAttribute('aria-pressed', String(b.getAttribute('data-testid') === `heatmap-mode-${m}`));
    this.updateExplain();
    this.onMode(m);
    this.render();
  }

  private updateExplain(): void {
    this.explain.textContent = MODES.find((m) => m.mode === this.mode)?.explain ?? '';
  }

  protected render(): void {
    const n = this.network;
    if (!n) {
      replaceChildren(this.layersBox, el('p', { class: 'muted', text: 'Waiting for the network…' }));
      return;
    }
    if (this.heatmaps.length !== n.layers.length) {
      replaceChildren(this.layersBox);
      this.heatmaps = n.layers.map((l) => new Heatmap(this.tooltip, `heatmap-l${l.layer}`));
      this.cards = n.layers.map((layer, i) => {
        const c: LayerCard = {
          title: el('h3'),
          axis: el('div', { class: 'axis-note' }),
          note: el('p', { class: 'muted', attrs: { hidden: true } }),
          legend: el('div'),
        };
        this.layersBox.appendChild(
          el('div', { class: 'card layer-card', testid: `layer-card-${layer.layer}` }, el('div', { class: 'layer-head' }, c.title, c.axis), c.note, this.heatmaps[i].element, c.legend),
        );
        return c;
      });
    }
    n.layers.forEach((layer, i) => this.renderLayer(layer, i, n));
  }

  private renderLayer(layer: LayerView, i: number, n: NetworkView): void {
    const card = this.cards[i];
    const hm = this.heatmaps[i];
    const mode = this.mode;
    const values: number[] = [];
    let missing = false;
    for (let j = 0; j < layer.units; j++) {
      for (let k = 0; k <= layer.inputs; k++) {
        const v = cellValue(layer, mode, j, k);
        if (v === undefined) missing = true;
        else values.push(v);
      }
    }
    const range = symmetricRange(values);
    const last = n.layers.length;
    const title = `Layer ${layer.layer} (${layer.layer === last ? 'output' : 'hidden'}, ${layer.activation}): ${layer.units} × ${layer.inputs} weights + ${layer.units} biases`;
    card.title.textContent = title;
    card.axis.textContent = `rows: unit j of layer ${layer.layer} · columns: unit k of layer ${layer.layer - 1}, then the bias b`;
    card.note.hidden = !(missing && values.length === 0);
    card.note.textContent = mode === 'gradient' ? 'No gradient yet: press Step epoch or Train.' : 'No update yet: press Step epoch or Train.';
    replaceChildren(card.legend, divergingLegend(range, this.theme, MODES.find((m) => m.mode === mode)?.label ?? ''));
    hm.set(
      {
        rows: layer.units,
        inputs: layer.inputs,
        value: (j, k) => cellValue(layer, mode, j, k),
        color: (v) => divergingColor(v, range, this.theme.diverging),
        describe: (j, k) => this.describe(layer, j, k),
        speak: (j, k) => {
          const bias = k === layer.inputs;
          const name = paramName(layer.layer, bias ? 'b' : 'w', j, bias ? undefined : k).text;
          const v = cellValue(layer, mode, j, k);
          return `${name}: ${v === undefined ? 'not known yet' : formatNumber(v)}`;
        },
        onActivate: (j, k) => (k === layer.inputs ? this.onReveal(layer.layer, 'b', j) : this.onReveal(layer.layer, 'w', j, k)),
        label: title,
      },
      this.theme,
    );
  }

  private describe(layer: LayerView, j: number, k: number): Child[] {
    const bias = k === layer.inputs;
    const name = paramName(layer.layer, bias ? 'b' : 'w', j, bias ? undefined : k);
    const where = bias ? `bias of unit ${j + 1} of layer ${layer.layer}` : `from unit ${k + 1} of layer ${layer.layer - 1} to unit ${j + 1} of layer ${layer.layer}`;
    const rows: Child[] = [el('div', { class: 'tip-title' }, nameNode(name.base, name.sup, name.sub), el('span', { class: 'muted', text: ` ${where}` }))];
    for (const m of MODES) {
      const v = cellValue(layer, m.mode, j, k);
      if (v === undefined) continue;
      const r = tipRow(m.label, formatNumber(v), formatFull(v));
      if (m.mode === this.mode) r.classList.add('tip-current');
      rows.push(r);
    }
    rows.push(el('div', { class: 'tip-hint', text: 'Click or press Enter to show it in the file' }));
    return rows;
  }
}
