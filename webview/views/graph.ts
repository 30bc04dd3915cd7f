/**
 * The network as a graph, in the manner of TensorFlow Playground: one circle per unit, one line
 * per weight, coloured by sign (blue positive, orange negative) and as thick as its magnitude
 * (of the weight or of its gradient). Each unit is filled and labelled with its output for the
 * selected sample; a unit is a real focusable button: click or Enter selects it and shows its
 * net input, output and delta. The step-through uses the same drawing with one layer highlighted
 * and the values of its step (outputs going forward, Δ going back).
 */
import type { NetworkView, TraceView } from '../../src/shared/protocol';
import { css, divergingColor, symmetricRange } from '../colors';
import { clear, el, svg } from '../dom';
import { formatFull, formatNumber, paramName } from '../format';
import type { EdgeMode } from '../state';
import type { Theme } from '../theme';

export interface GraphOptions {
  edgeMode: EdgeMode;
  /** What each unit shows: its output a, its notes' delta Δ = -δ, or nothing. */
  nodeValue(layer: number, j: number): { value: number; label: string } | undefined;
  /** Scale node colours to the largest value shown (deltas) rather than to at least ±1 (outputs of squashing units). */
  autoScale?: boolean;
  highlightLayer?: number;
  selected?: { layer: number; unit: number };
  onSelect?(layer: number, unit: number): void;
}

const MIN_GAP = 26;

export class GraphView {
  readonly element: HTMLElement;
  private readonly root: SVGSVGElement;

  constructor(testid: string) {
    this.root = svg('svg', { class: 'graph-svg', role: 'group' });
    this.element = el('div', { class: 'graph', testid }, this.root);
  }

  draw(n: NetworkView, theme: Theme, opts: GraphOptions, names?: { inputs?: string[] }): void {
    const sizes = n.sizes;
    const L = sizes.length - 1;
    const maxUnits = sizes.reduce((m, n) => Math.max(m, n), 0);
    const width = Math.max(360, Math.min(900, this.element.clientWidth || 560));
    const gap = Math.max(MIN_GAP, Math.min(56, 360 / maxUnits));
    const r = Math.max(7, Math.min(15, gap * 0.32));
    const top = 40;
    const height = top + maxUnits * gap + 12;
    const left = 70;
    const right = 92;
    const colX = (l: number): number => left + ((width - left - right) * l) / L;
    const unitY = (l: number, j: number): number => top + (maxUnits - sizes[l]) * gap * 0.5 + j * gap + gap / 2;
    this.root.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.root.setAttribute('width', String(width));
    this.root.setAttribute('height', String(height));
    this.root.setAttribute('aria-label', `Network graph: ${sizes.join('-')} units`);
    this.element.setAttribute('data-units', sizes.join('-'));
    clear(this.root);

    // edges, scaled by the largest magnitude over the whole network
    const edgeValue = (l: number, i: number): number | undefined => {
      const layer = n.layers[l - 1];
      return opts.edgeMode === 'gradient' ? layer.dW?.[i] : layer.W[i];
    };
    const all: number[] = [];
    for (const layer of n.layers) for (let i = 0; i < layer.W.length; i++) {
      const v = edgeValue(layer.layer, i);
      if (v !== undefined) all.push(v);
    }
    const maxAbs = symmetricRange(all);
    const edges = svg('g', { class: 'edges' });
    for (const layer of n.layers) {
      const l = layer.layer;
      for (let j = 0; j < layer.units; j++) {
        for (let k = 0; k < layer.inputs; k++) {
          const v = edgeValue(l, j * layer.inputs + k);
          if (v === undefined) continue;
          const m = Math.min(1, Math.abs(v) / maxAbs);
          const color = v >= 0 ? theme.diverging.positive : theme.diverging.negative;
          const dim = opts.highlightLayer !== undefined && opts.highlightLayer !== l;
          const line = svg('line', {
            x1: colX(l - 1) + r,
            y1: unitY(l - 1, k),
            x2: colX(l) - r,
            y2: unitY(l, j),
            stroke: css(color),
            'stroke-width': (0.6 + 5 * m).toFixed(2),
            'stroke-opacity': (dim ? 0.12 : 0.25 + 0.75 * m).toFixed(2),
            class: 'edge',
          });
          const name = paramName(l, 'w', j, k).text;
          line.appendChild(svg('title', {}, `${name} (${opts.edgeMode === 'gradient' ? 'gradient ' : ''}${formatNumber(v)})`));
          edges.appendChild(line);
        }
      }
    }
    this.root.appendChild(edges);

    // layer headers
    for (let l = 0; l <= L; l++) {
      const label = l === 0 ? 'input' : l === L ? 'output' : `hidden ${l}`;
      const t = svg('text', { x: colX(l), y: 12, 'text-anchor': 'middle', class: 'graph-head' + (opts.highlightLayer === l ? ' graph-head-hl' : '') }, label);
      if (l > 0) t.appendChild(svg('tspan', { x: colX(l), dy: 13 }, n.layers[l - 1].activation));
      this.root.appendChild(t);
    }

    // units
    const nodes = svg('g', { class: 'nodes' });
    for (let l = 0; l <= L; l++) {
      const vals: number[] = [];
      for (let j = 0; j < sizes[l]; j++) {
        const nv = opts.nodeValue(l, j);
        if (nv) vals.push(nv.value);
      }
      const act = l === 0 ? 'input' : n.layers[l - 1].activation;
      const squashing = act === 'sigmoid' || act === 'tanh' || act === 'softmax';
      const range = squashing && !opts.autoScale ? Math.max(1, symmetricRange(vals)) : symmetricRange(vals);
      for (let j = 0; j < sizes[l]; j++) {
        const x = colX(l);
        const y = unitY(l, j);
        const nv = opts.nodeValue(l, j);
        const selected = opts.selected?.layer === l && opts.selected.unit === j;
        const fill = nv ? divergingColor(nv.value, range, theme.diverging) : theme.bg;
        const unitName = l === 0 ? (names?.inputs?.[j] ?? `x${j + 1}`) : `unit ${j + 1}`;
        const g = svg('g', {
          class: 'node' + (selected ? ' node-selected' : '') + (opts.highlightLayer === l ? ' node-hl' : ''),
          tabindex: opts.onSelect ? 0 : -1,
          role: opts.onSelect ? 'button' : 'img',
          'aria-label': `${l === 0 ? 'input' : `layer ${l}`} ${unitName}${nv ? `, ${nv.label} ${formatNumber(nv.value)}` : ''}`,
          'data-layer': l,
          'data-unit': j,
        });
        if (nv) g.setAttribute('data-value', formatFull(nv.value));
        g.appendChild(svg('circle', { cx: x, cy: y, r, fill: css(fill), stroke: css(theme.fg), 'stroke-width': selected ? 3 : 1.2, class: 'unit' }));
        if (l > 0) {
          const b = n.layers[l - 1].b[j];
          const bm = Math.min(1, Math.abs(b) / Math.max(maxAbs, 1e-300));
          g.appendChild(svg('rect', { x: x - r - 5, y: y + r - 5, width: 6, height: 6, fill: css(b >= 0 ? theme.diverging.positive : theme.diverging.negative), 'fill-opacity': (0.3 + 0.7 * bm).toFixed(2), class: 'bias' }, svg('title', {}, `${paramName(l, 'b', j).text} = ${formatNumber(b)}`)));
        }
        if (nv) {
          g.appendChild(svg('text', { x: x + r + 3, y: y - r + 1, class: 'node-value' }, formatNumber(nv.value)));
        }
        if (l === 0) g.appendChild(svg('text', { x: x - r - 6, y: y + 4, 'text-anchor': 'end', class: 'node-name' }, unitName));
        g.appendChild(svg('title', {}, `${l === 0 ? 'input' : `layer ${l}`} ${unitName}${nv ? `: ${nv.label} = ${formatFull(nv.value)}` : ''}`));
        if (opts.onSelect) {
          const select = opts.onSelect;
          g.addEventListener('click', () => select(l, j));
          g.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              select(l, j);
            }
          });
        }
        nodes.appendChild(g);
      }
    }
    this.root.appendChild(nodes);
  }

  /** Moves keyboard focus back to a unit after a redraw replaced the elements. */
  focusUnit(layer: number, unit: number): void {
    const g = this.root.querySelector(`g.node[data-layer="${layer}"][data-unit="${unit}"]`);
    if (g instanceof SVGGElement) g.focus();
  }
}

/** Output a of each unit for the sample of the trace (inputs: x). */
export function outputValues(trace: TraceView | undefined): GraphOptions['nodeValue'] {
  return (l, j) => {
    const v = trace?.out[l]?.[j];
    return v === undefined ? undefined : { value: v, label: l === 0 ? 'x' : 'output a' };
  };
}
