/**
 * "Backprop step by step": one sample's forward and backward pass as the notes write it, one step
 * at a time (previous / next, or jump from the outline), each formula typeset with KaTeX and
 * filled in with the engine's numbers (see stepModel.ts). The graph beside it highlights the
 * layer of the step: outputs going forward, the notes' Δ going backward.
 *
 * The pass shown is pinned: it stays as computed (at the epoch it says) until the user picks
 * another sample or asks to recompute, so numbers do not move while training runs.
 */
import katex from 'katex';
import type { NetworkView, TraceView } from '../../src/shared/protocol';
import { button, el, replaceChildren } from '../dom';
import { formatFull } from '../format';
import { stepsOf, type Step, type StepLine } from '../stepModel';
import type { Theme } from '../theme';
import { GraphView } from './graph';
import { SamplePicker } from './samplePicker';
import { TabView } from './view';

/** Lines shown before "show all". */
const FIRST_LINES = 10;

function tex(target: HTMLElement, source: string, display: boolean): HTMLElement {
  katex.render(source, target, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' });
  return target;
}

export class Stepper extends TabView {
  readonly element: HTMLElement;
  readonly tab = 'step' as const;
  readonly picker: SamplePicker;
  private readonly outline: HTMLOListElement;
  private readonly body: HTMLElement;
  private readonly position: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly stale: HTMLElement;
  private readonly graph = new GraphView('step-graph');
  private network?: NetworkView;
  private trace?: TraceView;
  private traceEpoch = 0;
  /** Counts network updates; the trace remembers the count it was computed at. */
  private version = 0;
  private traceVersion = -1;
  private steps: Step[] = [];
  private showAll = false;

  constructor(
    theme: Theme,
    private index: number,
    sample: number,
    onSample: (s: number) => void,
    private readonly onStep: (i: number) => void,
    private readonly onRecompute: () => void,
  ) {
    super(theme);
    this.picker = new SamplePicker(sample, onSample, 'step-sample');
    this.prev = button('◀ Previous', () => this.go(this.index - 1), { testid: 'step-prev' });
    this.next = button('Next ▶', () => this.go(this.index + 1), { testid: 'step-next' });
    this.position = el('span', { class: 'step-position', testid: 'step-position', attrs: { 'aria-live': 'polite' } });
    this.outline = el('ol', { class: 'step-outline', attrs: { 'aria-label': 'Steps of the algorithm' } });
    this.body = el('div', { class: 'step-body', testid: 'step-body' });
    this.stale = el('div', { class: 'notice', attrs: { hidden: true } });
    this.element = el(
      'section',
      { class: 'stepper', testid: 'stepper' },
      el('div', { class: 'toolbar' }, this.picker.element),
      this.stale,
      el('nav', { class: 'step-nav' }, this.prev, this.position, this.next),
      this.outline,
      el('div', { class: 'step-main' }, this.body, el('div', { class: 'card step-graph-card' }, this.graph.element)),
    );
    this.element.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT') return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') {
        this.go(this.index + 1);
        e.preventDefault();
      } else if (e.key === 'ArrowLeft' || e.key === 'PageUp') {
        this.go(this.index - 1);
        e.preventDefault();
      }
    });
    this.render();
  }

  /** The pass shown is the one of this trace (for the sample picked), computed at `epoch`. */
  setTrace(t: TraceView, epoch: number): void {
    if (t.sample !== this.picker.value) return;
    this.trace = t;
    this.traceEpoch = epoch;
    this.traceVersion = this.version;
    this.picker.showTrace(t);
    this.rebuild();
  }

  get hasTrace(): boolean {
    return this.trace !== undefined && this.trace.sample === this.picker.value;
  }

  /** The weights changed since the pass shown was computed. */
  get isStale(): boolean {
    return this.trace !== undefined && this.traceVersion !== this.version;
  }

  setNetwork(n: NetworkView): void {
    const reshape = this.network?.sizes.join() !== n.sizes.join();
    this.network = n;
    this.version++;
    this.picker.setCount(n.samples);
    if (reshape) {
      this.trace = undefined;
      this.rebuild();
    }
    this.updateStale();
  }

  private rebuild(): void {
    const n = this.network;
    const t = this.trace;
    this.steps = [];
    if (n && t && t.net.length === n.sizes.length) {
      this.steps = stepsOf(n, t);
    }
    this.index = Math.min(this.index, Math.max(0, this.steps.length - 1));
    this.updateStale();
    this.render();
  }

  private updateStale(): void {
    const n = this.network;
    const changed = n !== undefined && this.isStale;
    this.stale.hidden = !changed;
    if (changed) {
      replaceChildren(
        this.stale,
        `This pass was computed with the weights of epoch ${this.traceEpoch}; the weights have changed since (now epoch ${n.epoch}). `,
        button('Recompute with the current weights', () => this.onRecompute(), { testid: 'step-recompute' }),
      );
    }
  }

  private go(i: number): void {
    if (this.steps.length === 0) return;
    const j = Math.max(0, Math.min(this.steps.length - 1, i));
    if (j === this.index) return;
    this.index = j;
    this.showAll = false;
    this.onStep(j);
    this.render();
  }

  protected render(): void {
    if (!this.visible) return;
    const steps = this.steps;
    if (steps.length === 0) {
      this.position.textContent = '';
      this.prev.disabled = true;
      this.next.disabled = true;
      replaceChildren(this.outline);
      replaceChildren(this.body, el('p', { class: 'muted', text: this.network ? 'Computing the pass of this sample…' : 'Waiting for the network…' }));
      return;
    }
    const step = steps[this.index];
    this.prev.disabled = this.index === 0;
    this.next.disabled = this.index === steps.length - 1;
    this.position.textContent = `Step ${this.index + 1} of ${steps.length}`;
    this.element.setAttribute('data-step', step.id);
    replaceChildren(
      this.outline,
      ...steps.map((s, i) =>
        el(
          'li',
          {},
          button(`${i + 1}. ${shortTitle(s)}`, () => this.go(i), {
            class: 'outline-item phase-' + s.phase,
            attrs: { 'aria-current': i === this.index ? 'step' : undefined },
          }),
        ),
      ),
    );
    const lines = this.showAll ? step.lines : step.lines.slice(0, FIRST_LINES);
    replaceChildren(
      this.body,
      el('h3', { text: step.title, testid: 'step-title' }),
      ...step.text.map((p) => el('p', { text: p })),
      ...step.general.map((g) => tex(el('div', { class: 'formula-general' }), g, true)),
      el('div', { class: 'step-lines' }, ...lines.map((l) => this.lineElement(l))),
      step.lines.length > lines.length
        ? button(`Show all ${step.lines.length} lines`, () => {
            this.showAll = true;
            this.render();
          }, { class: 'link-button' })
        : null,
    );
    this.drawGraph(step);
  }

  private lineElement(line: StepLine): HTMLElement {
    const result = line.shown[line.shown.length - 1];
    const e = el('div', {
      class: 'step-line',
      testid: 'step-line',
      title: line.shown.map((s) => `${s.quantity}${s.layer ? ` (layer ${s.layer}, unit ${s.unit + 1}${s.k !== undefined ? `, from ${s.k + 1}` : ''})` : ''}: ${s.full}`).join('\n'),
      attrs: {
        'data-q': result?.quantity,
        'data-l': result?.layer,
        'data-j': result?.unit,
        'data-k': result?.k,
        'data-value': result ? formatFull(result.value) : undefined,
      },
    });
    tex(e, line.latex, false);
    return e;
  }

  private drawGraph(step: Step): void {
    const n = this.network;
    const t = this.trace;
    if (!n || !t) return;
    const L = n.sizes.length - 1;
    const forward = step.phase === 'start' || step.phase === 'forward' || step.phase === 'loss';
    this.graph.draw(
      n,
      this.theme,
      {
        edgeMode: 'weight',
        autoScale: !forward,
        highlightLayer: step.phase === 'loss' ? L : step.layer,
        nodeValue: (l, j) => {
          if (forward) {
            if (l > step.layer) return undefined;
            return { value: t.out[l][j], label: l === 0 ? 'x' : 'output a' };
          }
          // backward and update: the Δ of every layer already reached (from L down to the step's layer)
          if (l === 0 || l < step.layer) return undefined;
          return { value: -t.delta[l][j], label: 'Δ' };
        },
      },
      { inputs: n.inputNames },
    );
    this.graph.element.setAttribute('data-shows', forward ? 'outputs' : 'Delta');
  }
}

function shortTitle(s: Step): string {
  switch (s.phase) {
    case 'start':
      return 'Input';
    case 'forward':
      return `Forward L${s.layer}`;
    case 'loss':
      return 'Loss';
    case 'backward':
      return s.id === 'output-delta' ? `Δ output L${s.layer}` : `Δ hidden L${s.layer}`;
    case 'update':
      return `Update L${s.layer}`;
  }
}

