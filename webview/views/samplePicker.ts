/**
 * Picks the sample (1-based on screen, 0-based in messages) whose forward and backward pass the
 * network graph and the step-through show, and shows its inputs and targets.
 */
import type { TraceView } from '../../src/shared/protocol';
import { button, el, replaceChildren } from '../dom';
import { formatFull, formatNumber } from '../format';

export class SamplePicker {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly count: HTMLElement;
  private readonly values: HTMLElement;
  private samples = 0;

  constructor(
    private sample: number,
    private readonly onPick: (sample: number) => void,
    testid: string,
  ) {
    this.input = el('input', { class: 'sample-input', attrs: { type: 'number', min: 1, step: 1, 'aria-label': 'Sample number' } });
    this.input.value = String(sample + 1);
    this.input.addEventListener('change', () => this.pick(Number(this.input.value) - 1));
    this.count = el('span', { class: 'muted' });
    this.values = el('span', { class: 'sample-values' });
    this.element = el(
      'div',
      { class: 'sample-picker', testid },
      el('label', { text: 'Sample ' }, this.input),
      this.count,
      button('◀', () => this.pick(this.sample - 1), { title: 'Previous sample', attrs: { 'aria-label': 'Previous sample' } }),
      button('▶', () => this.pick(this.sample + 1), { title: 'Next sample', attrs: { 'aria-label': 'Next sample' } }),
      this.values,
    );
  }

  get value(): number {
    return this.sample;
  }

  setCount(n: number): void {
    this.samples = n;
    this.count.textContent = ` of ${n}`;
    this.input.max = String(Math.max(1, n));
    if (n > 0 && this.sample >= n) this.pick(n - 1);
  }

  /** Sets the sample without notifying (e.g. when the other picker changed it). */
  set(sample: number): void {
    this.sample = sample;
    this.input.value = String(sample + 1);
  }

  showTrace(t: TraceView | undefined): void {
    if (!t || t.sample !== this.sample) {
      replaceChildren(this.values);
      return;
    }
    const vec = (label: string, v: number[]): HTMLElement =>
      el('span', { class: 'vec' }, `${label} = (`, ...v.flatMap((x, i) => [i > 0 ? ', ' : '', el('span', { class: 'num', text: formatNumber(x), title: formatFull(x) })]), ')');
    replaceChildren(this.values, vec('input x', t.x), '  ', vec('target y', t.t));
  }

  private pick(s: number): void {
    const max = Math.max(0, this.samples - 1);
    const v = Number.isInteger(s) ? Math.max(0, Math.min(max, s)) : this.sample;
    this.input.value = String(v + 1);
    if (v === this.sample) return;
    this.sample = v;
    this.onPick(v);
  }
}
