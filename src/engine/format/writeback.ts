/**
 * Writing trained weights back into a `.net.json` text without disturbing anything else:
 * comments, key order and formatting outside the `weights`/`biases` values stay byte-identical.
 * Existing values are replaced through jsonc-parser's `modify`; a layer that has no `weights` or
 * `biases` gets them appended after its last property, in the layer's own style (one line or
 * one property per line). Numbers are written with `String(x)`, the shortest text that reads
 * back to the same float64 (and `-0` for negative zero), so a round trip is bit-exact.
 */
import * as jsonc from 'jsonc-parser';
import { Checker, checkTree } from './checker';
import { LIMITS } from './defaults';
import { LineIndex, formatProblem } from './problems';
import { limitProblem } from './scan';
import { JSONC_OPTIONS, maskBom, syntaxProblems } from './syntax';

export interface LayerValues {
  /** units x previous units; row j = w^l_j*. */
  weights: number[][];
  biases: number[];
}

export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

export interface WriteOptions {
  /** Significant digits (1..17); default: full round-trip precision. */
  precision?: number;
}

/**
 * Why `layers` cannot be written into `text`, or undefined when it can: the text must parse,
 * have a `layers` array of objects with one more entry than `layers` (the input layer), every
 * given value must be finite, and shapes must agree with the `units` the text declares.
 */
export function checkWriteBack(text: string, layers: readonly LayerValues[]): string | undefined {
  return prepare(text, layers).refusal;
}

/** `checkWriteBack`'s answer, and the tree it parsed (reused by `writeWeights`: one parse, not two). */
function prepare(text: string, layers: readonly LayerValues[]): { refusal?: string; root?: jsonc.Node; lines?: LineIndex } {
  const refusal = (r: string | undefined): { refusal?: string } => ({ refusal: r });
  const lines = new LineIndex(text);
  const tooBig = limitProblem(maskBom(text), lines);
  const errors: jsonc.ParseError[] = [];
  const root = tooBig ? undefined : jsonc.parseTree(maskBom(text), errors, JSONC_OPTIONS);
  const syntax = tooBig ? [tooBig] : errors.length > 0 || !root ? syntaxProblems(text, lines) : [];
  if (syntax.length > 0) return refusal(`the file does not parse: ${formatProblem('file', syntax[0]).replace(/^file:/, 'line ')}`);
  if (root) {
    // A duplicate key anywhere: the validator would refuse the file, so writing into one copy is refused too.
    const c = new Checker(maskBom(text), lines);
    checkTree(root, c);
    const dup = c.problems.find((p) => p.code === 'duplicate-key');
    if (dup) return refusal(formatProblem('file', dup).replace(/^file:/, 'line ').replace(': error: ', ': '));
  }
  let count = 0;
  for (const l of layers) count += (Array.isArray(l.weights) ? l.weights.reduce((n, r) => n + (Array.isArray(r) ? r.length : 0), 0) : 0) + (Array.isArray(l.biases) ? l.biases.length : 0);
  if (count > LIMITS.maxValues) {
    return refusal(`the network has ${count} weights and biases; a .net.json file holds at most ${LIMITS.maxValues} values, so it could not be read back`);
  }
  const arr = root && root.type === 'object' ? jsonc.findNodeAtLocation(root, ['layers']) : undefined;
  if (!arr || arr.type !== 'array') return refusal('the file has no "layers" array');
  const nodes = arr.children ?? [];
  if (nodes.length !== layers.length + 1) {
    return refusal(`the file has ${nodes.length - 1} non-input layers but ${layers.length} were given`);
  }
  if (nodes.some((n) => n.type !== 'object')) return refusal('every entry of "layers" must be an object');
  const units = nodes.map((n) => {
    const u = jsonc.findNodeAtLocation(n, ['units']);
    return u && typeof u.value === 'number' ? (u.value as number) : undefined;
  });
  for (let i = 0; i < layers.length; i++) {
    const { weights, biases } = layers[i];
    const l = i + 1;
    if (!Array.isArray(weights) || !Array.isArray(biases)) return refusal(`layer ${l}: weights and biases must be arrays`);
    const u = units[l];
    const prev = units[l - 1];
    if (u !== undefined && (weights.length !== u || biases.length !== u)) {
      return refusal(`layer ${l} has ${u} units in the file but ${weights.length} weight rows and ${biases.length} biases were given`);
    }
    for (let j = 0; j < weights.length; j++) {
      if (prev !== undefined && weights[j].length !== prev) return refusal(`layer ${l}, row ${j}: ${weights[j].length} weights given, layer ${l - 1} has ${prev} units`);
      if (!weights[j].every((x) => typeof x === 'number' && Number.isFinite(x))) return refusal(`layer ${l}, row ${j}: a weight is not a finite number`);
    }
    if (!biases.every((x) => typeof x === 'number' && Number.isFinite(x))) return refusal(`layer ${l}: a bias is not a finite number`);
  }
  return { root, lines };
}

/**
 * Writes the weights and biases of every non-input layer (in order) into `text`. Returns the new
 * text and the edits (offsets in the original text, sorted, non-overlapping). Throws when
 * `checkWriteBack` refuses, e.g. a non-finite number or a text that does not parse.
 */
export function writeWeights(original: string, layers: readonly LayerValues[], options: WriteOptions = {}): { text: string; edits: TextEdit[] } {
  let prepared: { refusal?: string; root?: jsonc.Node; lines?: LineIndex } | undefined = prepare(original, layers);
  if (prepared.refusal || !prepared.root || !prepared.lines) throw new Error(`cannot write the weights: ${prepared.refusal ?? 'the file does not parse'}`);
  const p = options.precision;
  if (p !== undefined && !(Number.isInteger(p) && p >= 1 && p <= 17)) throw new Error('precision must be a whole number from 1 to 17');
  const num = (x: number): string => {
    const v = p === undefined ? x : Number(x.toPrecision(p));
    return Object.is(v, -0) ? '-0' : String(v);
  };
  // Offsets are computed on the BOM-masked text (same length) and applied to the original.
  const edits = weightEdits(maskBom(original), prepared.root, prepared.lines, layers, num);
  prepared = undefined; // the tree can be large: let it go before the result is parsed again
  edits.sort((a, b) => a.offset - b.offset);
  const out = jsonc.applyEdits(original, edits);
  verify(maskBom(out), layers, num);
  return { text: out, edits };
}

/** The edits that put `layers` into `text` (parsed as `root`). */
function weightEdits(text: string, root: jsonc.Node, lines: LineIndex, layers: readonly LayerValues[], num: (x: number) => string): TextEdit[] {
  // Offsets are computed on the BOM-masked text (same length) and applied to the original.
  const layerNodes = (jsonc.findNodeAtLocation(root, ['layers']) as jsonc.Node).children as jsonc.Node[];
  const eol = lineEnd(text);
  const unit = indentUnit(text);
  const edits: TextEdit[] = [];

  layers.forEach((values, i) => {
    const l = i + 1;
    const obj = layerNodes[l];
    const missing: string[] = [];
    for (const key of ['weights', 'biases'] as const) {
      const existing = jsonc.findNodeAtLocation(obj, [key]);
      if (!existing) {
        missing.push(key);
        continue;
      }
      const keyIndent = lines.indentAt((existing.parent as jsonc.Node).offset);
      const content = key === 'weights' ? matrixText(values.weights, num, keyIndent, unit, eol) : vectorText(values.biases, num);
      // The value's exact range (what jsonc-parser's modify() would replace), without parsing again.
      edits.push({ offset: existing.offset, length: existing.length, content });
    }
    if (missing.length > 0) edits.push(...insertion(text, lines, obj, missing, values, num, unit, eol));
  });

  return edits;
}

/** Edits that append the missing properties after the last property of a layer object. */
function insertion(text: string, lines: LineIndex, obj: jsonc.Node, missing: string[], values: LayerValues, num: (x: number) => string, unit: string, eol: string): TextEdit[] {
  const props = obj.children ?? [];
  const last = props[props.length - 1];
  // A one-line layer stays one line unless a weight matrix of several rows joins it; then the new
  // properties start on lines of their own, one indent step in (as in the format's examples).
  const multiline = /[\r\n]/.test(text.slice(obj.offset, obj.offset + obj.length)) || (missing.includes('weights') && values.weights.length > 1);
  const indent = last && /[\r\n]/.test(text.slice(obj.offset, obj.offset + obj.length)) ? lines.indentAt(last.offset) : lines.indentAt(obj.offset) + unit;
  const body = (key: string): string =>
    `"${key}": ${key === 'weights' ? matrixText(values.weights, num, indent, unit, eol) : vectorText(values.biases, num)}`;
  if (!last) {
    const inner = missing.map(body).join(multiline ? `,${eol}${indent}` : ', ');
    return [{ offset: obj.offset + 1, length: 0, content: multiline ? `${eol}${indent}${inner}` : ` ${inner} ` }];
  }
  const sep = multiline ? `${eol}${indent}` : ' ';
  const added = missing.map(body).join(`,${sep}`);
  const end = last.offset + last.length;
  // What follows the last property on its line: a trailing comma, comments, the line break.
  const scanner = jsonc.createScanner(text, false);
  scanner.setPosition(end);
  let kind: number = scanner.scan();
  while (kind === 15 /* Trivia */) kind = scanner.scan();
  if (kind === 5 /* Comma */) {
    // A trailing comma: the new properties go after it, and keep one of their own.
    return [{ offset: scanner.getTokenOffset() + 1, length: 0, content: `${sep}${added},` }];
  }
  if (multiline && (kind === 12 /* LineComment */ || kind === 13 /* BlockComment */)) {
    // Keep a comment on the last property's line with that property: comma here, text after the line.
    let k: number = kind;
    while (k === 12 || k === 13 || k === 15) k = scanner.scan();
    if (k === 14 /* LineBreak */) {
      return [
        { offset: end, length: 0, content: ',' },
        { offset: scanner.getTokenOffset(), length: 0, content: `${sep}${added}` },
      ];
    }
  }
  return [{ offset: end, length: 0, content: `,${sep}${added}` }];
}

/** `[[a, b]]` for one row; otherwise one row per line, indented one unit past the key's line. */
function matrixText(m: readonly (readonly number[])[], num: (x: number) => string, keyIndent: string, unit: string, eol: string): string {
  const rows = m.map((r) => vectorText(r, num));
  if (rows.length <= 1) return `[${rows.join('')}]`;
  return `[${eol}${rows.map((r) => keyIndent + unit + r).join(`,${eol}`)}${eol}${keyIndent}]`;
}

function vectorText(v: readonly number[], num: (x: number) => string): string {
  return `[${v.map(num).join(', ')}]`;
}

/** The file's line end: CRLF when it has one, else a lone CR when it has one and no LF, else LF. */
function lineEnd(text: string): string {
  if (text.includes('\r\n')) return '\r\n';
  return text.includes('\r') && !text.includes('\n') ? '\r' : '\n';
}

/** The file's indentation step: a tab, or the smallest run of leading spaces (default 2). */
function indentUnit(text: string): string {
  let best = 0;
  for (const m of text.matchAll(/(?:^|[\r\n])([ \t]+)\S/g)) {
    if (m[1].startsWith('\t')) return '\t';
    if (best === 0 || m[1].length < best) best = m[1].length;
  }
  return ' '.repeat(best || 2);
}

/** Re-reads the written text and checks every value, so a bug here can never corrupt a file silently. */
function verify(out: string, layers: readonly LayerValues[], num: (x: number) => string): void {
  const errors: jsonc.ParseError[] = [];
  // Plain values, not a node tree: a fraction of the memory for a big network.
  const doc = jsonc.parse(out, errors, JSONC_OPTIONS) as { layers?: unknown[] } | undefined;
  if (errors.length > 0 || !doc || !Array.isArray(doc.layers)) throw new Error('internal error: writing the weights produced text that does not parse');
  const fileLayers = doc.layers;
  layers.forEach((values, i) => {
    const got = fileLayers[i + 1] as LayerValues | undefined;
    const same = (a: number, b: number): boolean => Object.is(a, Number(num(b)));
    const ok =
      got !== undefined &&
      Array.isArray(got.weights) &&
      Array.isArray(got.biases) &&
      got.weights.length === values.weights.length &&
      got.weights.every((r, j) => Array.isArray(r) && r.length === values.weights[j].length && r.every((x, k) => same(x, values.weights[j][k]))) &&
      got.biases.length === values.biases.length &&
      got.biases.every((x, j) => same(x, values.biases[j]));
    if (!ok) throw new Error(`internal error: layer ${i + 1} does not read back as written`);
  });
}

/**
 * Removes the `weights` and `biases` of layer `layer` (index in the file's `layers`, 1..L), so
 * the layer is initialised from the seed again: the first step of the `regenerate-weights` quick
 * fix (parse the result, initialise, then `writeWeights`). Only those two properties change; the
 * change is returned as one edit of the original text (none when there was nothing to remove).
 */
export function removeLayerWeights(original: string, layer: number): { text: string; edits: TextEdit[] } {
  const text = maskBom(original);
  let out = text;
  for (const key of ['weights', 'biases']) {
    const root = jsonc.parseTree(out, [], JSONC_OPTIONS);
    if (!root || !jsonc.findNodeAtLocation(root, ['layers', layer, key])) continue;
    out = jsonc.applyEdits(out, jsonc.modify(out, ['layers', layer, key], undefined, {}));
  }
  if (out === text) return { text: original, edits: [] };
  let start = 0;
  while (start < text.length && start < out.length && text[start] === out[start]) start++;
  let end = 0;
  while (end < text.length - start && end < out.length - start && text[text.length - 1 - end] === out[out.length - 1 - end]) end++;
  const edit = { offset: start, length: text.length - start - end, content: out.slice(start, out.length - end) };
  return { text: original.slice(0, start) + edit.content + original.slice(start + edit.length), edits: [edit] };
}
