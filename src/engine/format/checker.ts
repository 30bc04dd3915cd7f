/**
 * The toolkit the validators share: problem collection at tree nodes, property lookup with
 * duplicate detection, unknown-key warnings with "did you mean" suggestions and quick fixes,
 * and plain-English descriptions of JSON values for messages.
 */
import * as jsonc from 'jsonc-parser';
import { LineIndex, Problem, ProblemFix, Severity, makeProblem } from './problems';

export interface Prop {
  /** The property node (key and value). */
  prop: jsonc.Node;
  /** The key string node. */
  key: jsonc.Node;
  /** The value node. */
  value: jsonc.Node;
  /** The index of `prop` among its object's properties. */
  index: number;
}

export class Checker {
  readonly problems: Problem[] = [];
  private errors = 0;

  constructor(
    readonly text: string,
    readonly lines: LineIndex,
  ) {}

  report(severity: Severity, node: jsonc.Node | { offset: number; length: number }, code: string, message: string, fix?: ProblemFix): void {
    this.problems.push(makeProblem(this.lines, severity, code, node.offset, node.length, message, fix));
    if (severity === 'error') this.errors++;
  }

  error(node: jsonc.Node | { offset: number; length: number }, code: string, message: string, fix?: ProblemFix): void {
    this.report('error', node, code, message, fix);
  }

  warn(node: jsonc.Node | { offset: number; length: number }, code: string, message: string, fix?: ProblemFix): void {
    this.report('warning', node, code, message, fix);
  }

  get errorCount(): number {
    return this.errors;
  }

  /** The source text of a node, shortened for messages. */
  source(node: jsonc.Node): string {
    const s = this.text.slice(node.offset, node.offset + Math.min(node.length, 200)).replace(/\s+/g, ' ');
    return s.length > 40 ? `${s.slice(0, 37)}...` : s;
  }

  /**
   * The properties of an object node by key. A key that appears twice is an error reported once
   * for the whole tree by `checkTree` (so no spec is made); here the first one is kept.
   */
  props(obj: jsonc.Node): Map<string, Prop> {
    const map = new Map<string, Prop>();
    (obj.children ?? []).forEach((prop, index) => {
      const [key, value] = prop.children ?? [];
      if (!key || !value) return; // a property the parser could not finish (syntax error reported)
      const name = String(key.value);
      if (!map.has(name)) map.set(name, { prop, key, value, index });
    });
    return map;
  }

  /**
   * Warns about every key not in `allowed`, suggesting the closest allowed key when it is near,
   * with a quick fix that renames the key (or removes the property when nothing is near).
   */
  unknownKeys(props: Map<string, Prop>, allowed: readonly string[], where: string): void {
    for (const [name, p] of props) {
      if (allowed.includes(name)) continue;
      const guess = suggest(name, allowed);
      const shown = shortKey(name);
      if (guess) {
        this.warn(p.key, 'unknown-key', `unknown key "${shown}" in ${where} (did you mean "${guess}"?); it is ignored`, {
          kind: 'replace',
          title: `Change to "${guess}"`,
          offset: p.key.offset,
          length: p.key.length,
          text: JSON.stringify(guess),
        });
      } else {
        this.warn(p.key, 'unknown-key', `unknown key "${shown}" in ${where}; it is ignored. Known keys: ${allowed.join(', ')}`, this.removeFix(p, `Remove "${shown}"`));
      }
    }
  }

  /** A fix that deletes a property (and its comma). */
  removeFix(p: Prop, title: string): ProblemFix | undefined {
    const e = removalEdit(p.prop, p.index);
    return e ? { kind: 'replace', title, ...e, text: '' } : undefined;
  }

  /**
   * The value of a string node that must be one of `values`; otherwise an error at the node
   * (code `unknown-<what>`) naming the allowed values, with a "did you mean" fix when one is near.
   */
  oneOf<T extends string>(node: jsonc.Node, values: readonly T[], what: string, context: string): T | undefined {
    if (node.type === 'string' && (values as readonly string[]).includes(node.value as string)) return node.value as T;
    const list = values.map((v) => `"${v}"`).join(', ');
    const code = `unknown-${what.replace(/\s+/g, '-')}`;
    if (node.type !== 'string') {
      this.error(node, code, `${context} must be one of ${list}, not ${describeValue(node, this)}`);
      return undefined;
    }
    const guess = suggest(String(node.value), values);
    const hint = guess ? ` (did you mean "${guess}"?)` : '';
    const fix = guess ? this.replaceFix(node, JSON.stringify(guess), `Change to "${guess}"`) : undefined;
    this.error(node, code, `unknown ${what} "${node.value}"${hint}; ${context} must be one of ${list}`, fix);
    return undefined;
  }

  /** A whole number in [min, max], or an error at the node; non-finite numbers are already reported. */
  integer(node: jsonc.Node, context: string, min: number, max: number, code = 'bad-value'): number | undefined {
    if (node.type === 'number' && !Number.isFinite(node.value)) return undefined;
    const v = finiteNumber(node);
    const range = max === Infinity ? `${min} or more` : `from ${min} to ${max}`;
    if (v === undefined) {
      this.error(node, code, `${context} must be a whole number ${range}, not ${describeValue(node, this)}`);
      return undefined;
    }
    if (!Number.isInteger(v)) {
      this.error(node, code, `${context} must be a whole number ${range}; ${this.source(node)} has a fractional part`);
      return undefined;
    }
    if (v < min || v > max) {
      this.error(node, code, `${context} must be a whole number ${range}; it is ${this.source(node)}`);
      return undefined;
    }
    return v;
  }

  /** A finite number, checked by `ok` (which returns a complaint or undefined), or an error. */
  number(node: jsonc.Node, context: string, rule: string, ok: (v: number) => boolean, code = 'bad-value'): number | undefined {
    if (node.type === 'number' && !Number.isFinite(node.value)) return undefined;
    const v = finiteNumber(node);
    if (v === undefined) {
      this.error(node, code, `${context} must be a number ${rule}, not ${describeValue(node, this)}`);
      return undefined;
    }
    if (!ok(v)) {
      this.error(node, code, `${context} must be a number ${rule}; it is ${this.source(node)}`);
      return undefined;
    }
    return v;
  }

  /** A boolean, or an error. */
  boolean(node: jsonc.Node, context: string): boolean | undefined {
    if (node.type === 'boolean') return node.value as boolean;
    this.error(node, 'bad-value', `${context} must be true or false, not ${describeValue(node, this)}`);
    return undefined;
  }

  /** A string, or an error. */
  string(node: jsonc.Node, context: string, nonEmpty = false): string | undefined {
    if (node.type === 'string' && (!nonEmpty || String(node.value).length > 0)) return node.value as string;
    this.error(node, 'bad-value', `${context} must be a ${nonEmpty ? 'non-empty ' : ''}string, not ${node.type === 'string' ? 'an empty string' : describeValue(node, this)}`);
    return undefined;
  }

  /** A fix that replaces a node's text. */
  replaceFix(node: jsonc.Node, text: string, title: string): ProblemFix {
    return { kind: 'replace', title, offset: node.offset, length: node.length, text };
  }
}

/** "a string", "an array", "the number 3", ... for messages. */
export function describeValue(node: jsonc.Node, c: Checker): string {
  switch (node.type) {
    case 'string':
      return `the string ${c.source(node)}`;
    case 'number':
      return `the number ${c.source(node)}`;
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'array':
      return node.children?.length ? `an array of ${node.children.length} item${node.children.length === 1 ? '' : 's'}` : 'an empty array';
    case 'object':
      return 'an object';
    default:
      return c.source(node);
  }
}

/** The numeric value of a number node when it is finite (non-finite numbers are reported once, elsewhere). */
export function finiteNumber(node: jsonc.Node): number | undefined {
  return node.type === 'number' && typeof node.value === 'number' && Number.isFinite(node.value) ? node.value : undefined;
}

/**
 * One walk over the whole tree (depth is bounded by the scan in `parse.ts`): every number literal
 * that overflowed to ±Infinity (e.g. `1e999`), and every key that appears twice in one object
 * (anywhere in the file: the validator and the write-back must never read different copies),
 * with a quick fix that removes the later one.
 */
export function checkTree(root: jsonc.Node, c: Checker): void {
  const stack: jsonc.Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as jsonc.Node;
    if (n.type === 'number' && typeof n.value === 'number' && !Number.isFinite(n.value)) {
      c.error(n, 'non-finite', `${c.source(n)} is too large for a float64 number (it overflows to ${n.value}); every number in a .net.json file must be finite`);
    }
    if (n.type === 'object') duplicateKeys(n, c);
    const children = n.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

function duplicateKeys(obj: jsonc.Node, c: Checker): void {
  const first = new Map<string, jsonc.Node>();
  const props = obj.children ?? [];
  for (let i = 0; i < props.length; i++) {
    const prop = props[i];
    const key = prop.children?.[0];
    if (!key) continue;
    const name = String(key.value);
    const earlier = first.get(name);
    if (!earlier) {
      first.set(name, key);
      continue;
    }
    const at = c.lines.positionAt(earlier.offset);
    const e = removalEdit(prop, i);
    c.error(key, 'duplicate-key', `duplicate key \`${shortKey(name)}\` (first at ${at.line}:${at.column}); a key may appear only once in an object`, e ? { kind: 'replace', title: `Remove this "${shortKey(name)}"`, ...e, text: '' } : undefined);
  }
}

function shortKey(name: string): string {
  return name.length > 40 ? `${name.slice(0, 37)}...` : name;
}

/**
 * The range that deletes a property and one comma next to it, as jsonc-parser's `modify` does
 * (from the end of the previous property; for the first one, up to the start of the next), but
 * for this very node, without parsing the text again: constant time per property.
 */
export function removalEdit(prop: jsonc.Node, i: number): { offset: number; length: number } | undefined {
  const parent = prop.parent;
  if (!parent || parent.type !== 'object') return undefined;
  const siblings = parent.children ?? [];
  if (siblings[i] !== prop) return undefined;
  let begin: number;
  let end = prop.offset + prop.length;
  if (i > 0) {
    const prev = siblings[i - 1];
    begin = prev.offset + prev.length;
  } else {
    begin = parent.offset + 1;
    if (siblings.length > 1) end = siblings[1].offset;
  }
  return { offset: begin, length: end - begin };
}

/** The closest candidate to `word` when it is close enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const cand of candidates) {
    const cl = cand.toLowerCase();
    const d = cl === lower ? 0 : editDistance(lower, cl);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, best.length) / 3)));
  return bestD <= limit ? best : undefined;
}

/** Damerau-Levenshtein distance (optimal string alignment: adjacent swaps cost 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Far apart in length: the distance is at least the difference (no m x n table for a huge key).
  if (Math.abs(m - n) > 8) return Math.abs(m - n);
  const d: number[][] = [];
  for (let i = 0; i <= m; i++) d.push(new Array<number>(n + 1).fill(0));
  for (let i = 0; i <= m; i++) d[i][0] = i;
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}
