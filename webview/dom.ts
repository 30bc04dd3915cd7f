/**
 * Building the inspector's DOM without HTML strings: elements are created, attributes set one by
 * one and text is always `textContent`, so text from the file (a network's name, column names)
 * can never become markup. No `innerHTML` anywhere in the webview.
 */

export type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  testid?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;
}

/** An HTML element with properties and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  applyProps(e, props);
  append(e, children);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element (createElementNS); attributes set with setAttribute. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  append(e, children);
  return e;
}

function applyProps(e: Element, p: Props): void {
  if (p.class) e.setAttribute('class', p.class);
  if (p.text !== undefined) e.textContent = p.text;
  if (p.title !== undefined) e.setAttribute('title', p.title);
  if (p.testid !== undefined) e.setAttribute('data-testid', p.testid);
  if (p.attrs) {
    for (const [k, v] of Object.entries(p.attrs)) {
      if (v === undefined || v === false) continue;
      e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (p.on) {
    for (const [k, f] of Object.entries(p.on)) if (f) e.addEventListener(k, f as EventListener);
  }
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Removes every child. */
export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Replaces the children of `node`. */
export function replaceChildren(node: Node, ...children: Child[]): void {
  clear(node);
  append(node, children);
}

/** A parameter name as DOM: w<sup>2</sup><sub>1,3</sub>. */
export function nameNode(base: string, sup: string, sub: string): HTMLElement {
  return el('span', { class: 'pname' }, base, el('sup', { text: sup }), el('sub', { text: sub }));
}

/** A button with a visible label (and an accessible title). */
export function button(label: string, onClick: () => void, props: Props = {}): HTMLButtonElement {
  const b = el('button', { ...props, text: label });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
