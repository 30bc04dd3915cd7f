/**
 * The one floating tooltip of the inspector (heatmap cells, graph units, boundary): built from DOM
 * nodes, positioned with the CSS object model (the CSP forbids inline style attributes, not
 * element.style), kept inside the window.
 */
import { clear, el, type Child, append } from '../dom';

export class Tooltip {
  readonly element = el('div', { class: 'tooltip', testid: 'tooltip', attrs: { role: 'tooltip', hidden: true } });

  constructor() {
    document.body.appendChild(this.element);
  }

  /** Shows `content` with its top-left near (x, y) in client coordinates. */
  show(content: Child[], x: number, y: number): void {
    clear(this.element);
    append(this.element, content);
    this.element.hidden = false;
    const r = this.element.getBoundingClientRect();
    const left = Math.max(4, Math.min(x + 14, window.innerWidth - r.width - 4));
    const top = y + 16 + r.height > window.innerHeight ? Math.max(4, y - r.height - 8) : y + 16;
    this.element.style.left = `${left}px`;
    this.element.style.top = `${top}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}

/** A "label: value" row for a tooltip, with the full float64 value in its title. */
export function tipRow(label: Child, value: string, full?: string): HTMLElement {
  return el('div', { class: 'tip-row' }, el('span', { class: 'tip-label' }, label), el('span', { class: 'tip-value num', text: value, title: full }), full && full !== value ? el('span', { class: 'tip-full num', text: full }) : null);
}
