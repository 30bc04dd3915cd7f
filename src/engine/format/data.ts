/**
 * Loading the data of a validated `.net.json` file into memory (`Dataset`: one Float64Array per
 * sample): inline arrays, a CSV file (relative to the .net.json file) or a generator, then the
 * validation set (a seeded fraction held out of the data, or a second data object).
 * Problems found here (missing file, missing column, non-numeric cell, ...) point at the string
 * in the .net.json that named the file or column, and name the CSV line in their message.
 */
import * as path from 'node:path';
import type * as jsonc from 'jsonc-parser';
import { Rng } from '../rng';
import type { DataSpec, Dataset, NetSpec } from '../spec';
import { suggest } from './checker';
import { classOrder, parseCsv, parseNumber, type CsvTable } from './csv';
import { LIMITS } from './defaults';
import { ioReason, isOutside, readTextFile } from './files';
import { generateData } from './generators';
import type { ParsedNet } from './parse';
import type { Problem } from './problems';
import { plural } from './words';

export interface LoadedData {
  train?: Dataset;
  validation?: Dataset;
  problems: Problem[];
}

export type ReadFile = (absPath: string) => string;

/** The default reader: a regular file of at most `LIMITS.maxDataFileBytes`, as UTF-8. */
export const readDataFile: ReadFile = (p) => readTextFile(p, LIMITS.maxDataFileBytes);

export interface LoadOptions {
  /** Read CSV files outside the folder tree of the .net.json file (default: refused). */
  allowOutside?: boolean;
}

/**
 * Loads `spec.data` and the validation set. `baseDir` is the folder of the .net.json file;
 * `readFile` (default: UTF-8 from disk) is the only I/O. `train` is absent when the file has no
 * data or a problem prevented loading; problems are errors unless stated otherwise.
 */
export function loadData(spec: NetSpec, parsed: ParsedNet, baseDir: string, readFile: ReadFile = readDataFile, options: LoadOptions = {}): LoadedData {
  const problems: Problem[] = [];
  if (!spec.data) return { problems };
  const outputs = spec.layers[spec.layers.length - 1].units;
  let units = spec.inputs;
  for (const l of spec.layers) units += l.units;
  const ctx: Ctx = { spec, parsed, baseDir, readFile, problems, outputs, units, allowOutside: options.allowOutside === true };
  const train = loadOne(spec.data, ['data'], new Rng(spec.seed, 'data'), ctx);
  if (!train) return { problems };
  const v = spec.validation;
  if (!v) return { train, problems };
  if (v.kind === 'data') {
    const validation = loadOne(v.data, ['validation'], new Rng(spec.seed, 'validation-data'), ctx);
    return validation ? { train, validation, problems } : { problems };
  }
  const n = train.inputs.length;
  if (n < 2) {
    problems.push(parsed.problemAt(['validation'], 'error', 'too-few-samples', `"validation" holds out part of the data, but the data has ${plural(n, 'sample')}; at least 2 are needed`));
    return { problems };
  }
  const split = splitDataset(train, v.fraction, new Rng(spec.seed, 'validation'));
  return { train: split.train, validation: split.validation, problems };
}

/**
 * Holds out `round(fraction * n)` samples (at least 1, at most n - 1): the first ones of a
 * shuffled index order. Both parts keep the original order of the samples.
 */
export function splitDataset(data: Dataset, fraction: number, rng: Rng): { train: Dataset; validation: Dataset } {
  const n = data.inputs.length;
  const hold = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const held = order.slice(0, hold).sort((a, b) => a - b);
  const kept = order.slice(hold).sort((a, b) => a - b);
  return { train: subset(data, kept), validation: subset(data, held) };
}

/** The samples of `data` at `indices`, in that order (arrays are shared, not copied). */
export function subset(data: Dataset, indices: readonly number[]): Dataset {
  const out: Dataset = { inputs: indices.map((i) => data.inputs[i]), targets: indices.map((i) => data.targets[i]) };
  if (data.labels) out.labels = indices.map((i) => (data.labels as number[])[i]);
  if (data.classNames) out.classNames = data.classNames.slice();
  if (data.inputNames) out.inputNames = data.inputNames.slice();
  return out;
}

interface Ctx {
  spec: NetSpec;
  parsed: ParsedNet;
  baseDir: string;
  readFile: ReadFile;
  problems: Problem[];
  outputs: number;
  /** Units of all layers, inputs included (for the activation limit). */
  units: number;
  allowOutside: boolean;
}

/**
 * A problem when `samples` samples would need more activations (samples x units of all layers)
 * than `LIMITS.maxActivations`: checked before the data is generated or built.
 */
function tooManySamples(samples: number, at: jsonc.JSONPath, ctx: Ctx): boolean {
  if (samples * ctx.units <= LIMITS.maxActivations) return false;
  ctx.problems.push(
    ctx.parsed.problemAt(
      at,
      'error',
      'too-large',
      `${plural(samples, 'sample')} x ${ctx.units} units (all layers) = ${samples * ctx.units} activations for one pass over the data; the limit is ${LIMITS.maxActivations}: use fewer samples or a smaller network`,
    ),
  );
  return true;
}

function oneHot(label: number, k: number): Float64Array {
  const t = new Float64Array(k);
  t[label] = 1;
  return t;
}

function loadOne(d: DataSpec, at: jsonc.JSONPath, rng: Rng, ctx: Ctx): Dataset | undefined {
  switch (d.kind) {
    case 'inline': {
      if (tooManySamples(d.inputs.length, [...at, 'inputs'], ctx)) return undefined;
      const inputs = d.inputs.map((r) => Float64Array.from(r));
      if (d.labels) {
        const labels = d.labels.slice();
        return { inputs, targets: labels.map((c) => oneHot(c, ctx.outputs)), labels };
      }
      return { inputs, targets: (d.targets ?? []).map((r) => Float64Array.from(r)) };
    }
    case 'generator':
      if (tooManySamples(d.samples, [...at, 'samples'], ctx)) return undefined;
      return generateData(d.generator, d.samples, d.noise, d.classes, rng);
    case 'csv':
      return loadCsv(d, at, ctx);
  }
}

function loadCsv(d: Extract<DataSpec, { kind: 'csv' }>, at: jsonc.JSONPath, ctx: Ctx): Dataset | undefined {
  const { parsed, problems } = ctx;
  const fileAt = [...at, 'file'];
  const abs = path.resolve(ctx.baseDir, d.file);
  const shown = JSON.stringify(excerpt(d.file, 80));
  if (!ctx.allowOutside && isOutside(ctx.baseDir, abs)) {
    problems.push(
      parsed.problemAt(
        fileAt,
        'error',
        'outside-data',
        `${shown} is outside the folder of the .net.json file; data is read only from that folder and below unless allowed (--allow-outside-data on the command line, the setting backprop.data.allowOutsideFolder in a trusted workspace)`,
      ),
    );
    return undefined;
  }
  let text: string;
  try {
    text = ctx.readFile(abs);
  } catch (err) {
    problems.push(parsed.problemAt(fileAt, 'error', 'missing-file', `cannot read ${shown} (${abs}): ${ioReason(err)}`));
    return undefined;
  }
  let table: CsvTable;
  try {
    table = parseCsv(text);
  } catch (err) {
    problems.push(parsed.problemAt(fileAt, 'error', 'csv-syntax', `${shown} is not a valid CSV table: ${excerpt((err as Error).message, 160)}`));
    return undefined;
  }
  const before = problems.length;
  const column = (name: string, where: jsonc.JSONPath): number => {
    const idx = table.header.indexOf(name);
    if (idx < 0) {
      const guess = suggest(name, table.header);
      const r = parsed.locate(where);
      const fix = guess && r ? { kind: 'replace' as const, title: `Change to "${guess}"`, offset: r.offset, length: r.length, text: JSON.stringify(guess) } : undefined;
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      problems.push(parsed.problemAt(where, 'error', 'missing-column', `${shown} has no column "${excerpt(name, 40)}"${hint}; its columns are ${columnList(table.header)}`, fix));
    } else if (table.header.indexOf(name, idx + 1) >= 0) {
      problems.push(parsed.problemAt(where, 'error', 'ambiguous-column', `${shown} has more than one column named "${name}"`));
    }
    return idx;
  };
  const inputCols = d.inputs.map((name, i) => column(name, [...at, 'inputs', i]));
  const targetCols = (d.targets ?? []).map((name, i) => column(name, [...at, 'targets', i]));
  const labelCol = d.label !== undefined ? column(d.label, [...at, 'label']) : -1;
  if (problems.length > before) return undefined;
  if (tooManySamples(table.rows.length, fileAt, ctx)) return undefined;
  if (table.rows.length === 0) {
    problems.push(parsed.problemAt(fileAt, 'error', 'empty-data', `${shown} has a header row but no data rows; the data needs at least one sample`));
    return undefined;
  }

  const numericColumn = (col: number, name: string, where: jsonc.JSONPath): Float64Array | undefined => {
    const values = new Float64Array(table.rows.length);
    let bad = 0;
    let first = '';
    table.rows.forEach((row, r) => {
      const cell = row.cells[col] ?? '';
      const v = parseNumber(cell);
      if (v === undefined) {
        if (bad++ === 0) first = `${shown} line ${row.line}, column "${excerpt(name, 40)}": ${cell === '' ? 'the cell is empty' : `${JSON.stringify(excerpt(cell, 40))} is not a number`}`;
      } else values[r] = v;
    });
    if (bad === 0) return values;
    const more = bad > 1 ? ` (and ${plural(bad - 1, 'more row')} like it)` : '';
    problems.push(parsed.problemAt(where, 'error', 'not-a-number', `${first}${more}`));
    return undefined;
  };
  const inputVals = d.inputs.map((name, i) => numericColumn(inputCols[i], name, [...at, 'inputs', i]));
  const targetVals = (d.targets ?? []).map((name, i) => numericColumn(targetCols[i], name, [...at, 'targets', i]));

  let labels: number[] | undefined;
  let classNames: string[] | undefined;
  if (d.label !== undefined) {
    const cells = table.rows.map((row) => row.cells[labelCol] ?? '');
    const empty = cells.findIndex((c) => c === '');
    if (empty >= 0) {
      problems.push(parsed.problemAt([...at, 'label'], 'error', 'bad-label', `${shown} line ${table.rows[empty].line}, column "${d.label}": the class cell is empty`));
    } else {
      const order = classOrder(cells);
      if (order.names.length !== ctx.outputs) {
        const L = ctx.spec.layers.length;
        const list = order.names.length <= 10 ? ` (${columnList(order.names)})` : '';
        problems.push(
          parsed.problemAt([...at, 'label'], 'error', 'label-classes', `the class column "${d.label}" of ${shown} has ${plural(order.names.length, 'class', 'classes')}${list}, so the output layer (layer ${L}) must have ${plural(order.names.length, 'unit')}; it has ${ctx.outputs}`),
        );
      } else {
        labels = cells.map((c) => order.index.get(c) as number);
        classNames = order.names;
      }
    }
  }
  if (problems.length > before) return undefined;

  const n = table.rows.length;
  const inputs: Float64Array[] = [];
  const targets: Float64Array[] = [];
  for (let r = 0; r < n; r++) {
    inputs.push(Float64Array.from(inputVals, (col) => (col as Float64Array)[r]));
    targets.push(labels ? oneHot(labels[r], ctx.outputs) : Float64Array.from(targetVals, (col) => (col as Float64Array)[r]));
  }
  const out: Dataset = { inputs, targets, inputNames: d.inputs.slice() };
  if (labels && classNames) {
    out.labels = labels;
    out.classNames = classNames;
  }
  return out;
}

/**
 * At most `max` characters of a text from a data file, on one line: an error never echoes more
 * than a short excerpt of a file (a CSV named by an untrusted network could be any file).
 */
function excerpt(text: string, max: number): string {
  const one = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/** Column or class names for a message: at most 10, each shortened, 200 characters in all. */
function columnList(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((n) => excerpt(n, 24));
  const more = names.length > 10 ? ` and ${names.length - 10} more` : '';
  return excerpt(shown.join(", "), 120) + more;
}
