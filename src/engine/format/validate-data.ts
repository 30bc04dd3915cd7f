/**
 * Validation of a `data` object (or a `validation` data object) of a `.net.json` file: which of
 * the three forms it is (inline, CSV, generated), and every rule that can be checked without
 * reading a CSV file: widths against the network's input and output units, counts, labels in
 * range, generator settings. CSV contents are checked when the data is loaded (`data.ts`).
 */
import type * as jsonc from 'jsonc-parser';
import { GENERATORS, type DataSpec } from '../spec';
import { Checker, Prop, describeValue, finiteNumber } from './checker';
import { DEFAULT_GENERATOR, LIMITS, TWO_CLASS_GENERATORS } from './defaults';
import { plural } from './words';

/** What the network expects of its data; a field is undefined when the layers were invalid. */
export interface DataShape {
  /** Units of layer 0. */
  inputs?: number;
  /** Units of the output layer. */
  outputs?: number;
  /** Index of the output layer in the file's `layers`. */
  outputLayer?: number;
}

const INLINE_KEYS = ['inputs', 'targets', 'labels'];
const CSV_KEYS = ['file', 'inputs', 'targets', 'label'];
const GENERATOR_KEYS = ['generator', 'samples', 'noise', 'classes'];

/** Validates a data object at `node`; `key` is "data" or "validation" (for messages). */
export function validateData(node: jsonc.Node, c: Checker, key: string, shape: DataShape): DataSpec | undefined {
  if (node.type !== 'object') {
    c.error(
      node,
      'bad-value',
      `"${key}" must be an object: inline { "inputs", "targets" or "labels" }, a CSV file { "file", "inputs", "targets" or "label" }, or generated { "generator", "samples", "noise", "classes" }; not ${describeValue(node, c)}`,
    );
    return undefined;
  }
  const props = c.props(node);
  const gen = props.get('generator');
  const file = props.get('file');
  if (gen && file) {
    c.error(file.key, 'mixed-data-forms', `"${key}" has both "generator" and "file"; give one form of data only`);
    return undefined;
  }
  if (gen) return generated(props, c, key, shape);
  if (file) return csv(node, props, c, key, shape);
  return inline(node, props, c, key, shape);
}

function outputLayerName(shape: DataShape): string {
  return shape.outputLayer === undefined ? 'the output layer' : `the output layer (layer ${shape.outputLayer})`;
}

function inline(node: jsonc.Node, props: Map<string, Prop>, c: Checker, key: string, shape: DataShape): DataSpec | undefined {
  c.unknownKeys(props, INLINE_KEYS, `inline "${key}"`);
  const before = c.errorCount;
  const inputsP = props.get('inputs');
  if (!inputsP) {
    c.error(node, 'missing-key', `"${key}" has no "inputs": inline data needs "inputs" (one array of numbers per sample), a CSV data object needs "file", generated data needs "generator"`);
    return undefined;
  }
  const inputs = matrix(inputsP.value, c, 'input', shape.inputs, (n) =>
    `layer 0 has ${plural(n, 'unit')}, so every input must be ${plural(n, 'number')}`,
  );
  if (inputs && inputs.length === 0) c.error(inputsP.value, 'empty-data', `"inputs" is empty; the data needs at least one sample`);
  const targetsP = props.get('targets');
  const labelsP = props.get('labels');
  if (targetsP && labelsP) {
    c.error(labelsP.key, 'mixed-data-forms', 'give either "targets" or "labels", not both');
    return undefined;
  }
  if (!targetsP && !labelsP) {
    c.error(node, 'missing-key', `inline data needs "targets" (one array of numbers per input) or "labels" (one class index per input)`);
    return undefined;
  }
  let targets: number[][] | undefined;
  let labels: number[] | undefined;
  if (targetsP) {
    targets = matrix(targetsP.value, c, 'target', shape.outputs, (n) =>
      `${outputLayerName(shape)} has ${plural(n, 'unit')}, so every target must be ${plural(n, 'number')}`,
    );
    if (targets && inputs && targets.length !== inputs.length) {
      c.error(targetsP.value, 'count-mismatch', `there are ${plural(inputs.length, 'input')} but ${plural(targets.length, 'target')}; give one target per input`);
    }
  } else if (labelsP) {
    labels = labelList(labelsP, c, shape);
    if (labels && inputs && labels.length !== inputs.length) {
      c.error(labelsP.value, 'count-mismatch', `there are ${plural(inputs.length, 'input')} but ${plural(labels.length, 'label')}; give one label per input`);
    }
  }
  if (c.errorCount > before || !inputs) return undefined;
  return targets ? { kind: 'inline', inputs, targets } : { kind: 'inline', inputs, labels };
}

/** An array of rows of `width` numbers (width unknown: rows only checked for numbers). */
function matrix(node: jsonc.Node, c: Checker, what: string, width: number | undefined, rule: (w: number) => string): number[][] | undefined {
  if (node.type !== 'array') {
    c.error(node, 'bad-value', `"${what}s" must be an array with one array of numbers per sample, not ${describeValue(node, c)}`);
    return undefined;
  }
  const rows: number[][] = [];
  let ok = true;
  (node.children ?? []).forEach((rowNode, i) => {
    if (rowNode.type !== 'array') {
      c.error(rowNode, 'wrong-width', width === undefined ? `${what} ${i} must be an array of numbers, not ${describeValue(rowNode, c)}` : `${rule(width)}; ${what} ${i} is ${describeValue(rowNode, c)}`);
      ok = false;
      return;
    }
    const cells = rowNode.children ?? [];
    if (width !== undefined && cells.length !== width) {
      c.error(rowNode, 'wrong-width', `${rule(width)}; ${what} ${i} has ${plural(cells.length, 'number')}`);
      ok = false;
      return;
    }
    const row: number[] = [];
    cells.forEach((cell, j) => {
      const v = finiteNumber(cell);
      if (v === undefined) {
        if (cell.type !== 'number') c.error(cell, 'not-a-number', `${what} ${i}, value ${j} must be a number, not ${describeValue(cell, c)}`);
        ok = false;
      } else row.push(v);
    });
    rows.push(row);
  });
  return ok ? rows : undefined;
}

function labelsNeedClasses(p: Prop, c: Checker, shape: DataShape, what: string): boolean {
  if (shape.outputs !== undefined && shape.outputs < 2) {
    c.error(
      p.key,
      'labels-need-classes',
      `${what} become one-hot targets over the output units, so ${outputLayerName(shape)} needs 2 or more units; it has ${plural(shape.outputs, 'unit')}. Give "targets" instead`,
    );
    return false;
  }
  return true;
}

function labelList(p: Prop, c: Checker, shape: DataShape): number[] | undefined {
  if (p.value.type !== 'array') {
    c.error(p.value, 'bad-value', `"labels" must be an array with one class index (a whole number) per input, not ${describeValue(p.value, c)}`);
    return undefined;
  }
  if (!labelsNeedClasses(p, c, shape, 'labels')) return undefined;
  const labels: number[] = [];
  let ok = true;
  const K = shape.outputs;
  (p.value.children ?? []).forEach((n, i) => {
    const v = finiteNumber(n);
    if (v === undefined || !Number.isInteger(v)) {
      if (n.type !== 'number' || v !== undefined) c.error(n, 'bad-label', `label ${i} must be a class index (a whole number), not ${describeValue(n, c)}`);
      ok = false;
    } else if (v < 0 || (K !== undefined && v >= K)) {
      c.error(n, 'label-out-of-range', `label ${i} is ${c.source(n)}, out of range: ${outputLayerName(shape)} has ${plural(K ?? 0, 'unit')}, so class indices go from 0 to ${(K ?? 1) - 1}`);
      ok = false;
    } else labels.push(v);
  });
  return ok ? labels : undefined;
}

function columnList(p: Prop, c: Checker, what: string, width: number | undefined, rule: string): string[] | undefined {
  const node = p.value;
  if (node.type !== 'array' || (node.children ?? []).some((n) => n.type !== 'string')) {
    c.error(node, 'bad-value', `"${what}" must be an array of CSV column names (strings), not ${describeValue(node, c)}`);
    return undefined;
  }
  const names = (node.children ?? []).map((n) => String(n.value));
  if (width !== undefined && names.length !== width) {
    c.error(node, 'wrong-width', `${rule}, so "${what}" must name ${plural(width, 'column')}; it names ${names.length}`);
    return undefined;
  }
  return names;
}

function csv(node: jsonc.Node, props: Map<string, Prop>, c: Checker, key: string, shape: DataShape): DataSpec | undefined {
  c.unknownKeys(props, CSV_KEYS, `CSV "${key}"`);
  const before = c.errorCount;
  const file = c.string(props.get('file')!.value, '"file" (a CSV path relative to the .net.json file)', true);
  const inputsP = props.get('inputs');
  let inputs: string[] | undefined;
  if (!inputsP) c.error(node, 'missing-key', `CSV data needs "inputs": the names of the input columns`);
  else if (shape.inputs !== undefined) inputs = columnList(inputsP, c, 'inputs', shape.inputs, `layer 0 has ${plural(shape.inputs, 'unit')}`);
  else inputs = columnList(inputsP, c, 'inputs', undefined, '');
  const targetsP = props.get('targets');
  const labelP = props.get('label');
  let targets: string[] | undefined;
  let label: string | undefined;
  if (targetsP && labelP) {
    c.error(labelP.key, 'mixed-data-forms', 'give either "targets" or "label", not both');
  } else if (!targetsP && !labelP) {
    c.error(node, 'missing-key', `CSV data needs "targets" (column names, one per output unit) or "label" (one class column)`);
  } else if (targetsP) {
    const rule = shape.outputs === undefined ? '' : `${outputLayerName(shape)} has ${plural(shape.outputs, 'unit')}`;
    targets = columnList(targetsP, c, 'targets', shape.outputs, rule);
  } else if (labelP && labelsNeedClasses(labelP, c, shape, 'the classes of a "label" column')) {
    label = c.string(labelP.value, '"label" (the name of the class column)', true);
  }
  if (c.errorCount > before || file === undefined || !inputs) return undefined;
  if (targets) return { kind: 'csv', file, inputs, targets };
  if (label !== undefined) return { kind: 'csv', file, inputs, label };
  return undefined;
}

function generated(props: Map<string, Prop>, c: Checker, key: string, shape: DataShape): DataSpec | undefined {
  c.unknownKeys(props, GENERATOR_KEYS, `generated "${key}"`);
  const before = c.errorCount;
  const genP = props.get('generator')!;
  const generator = c.oneOf(genP.value, GENERATORS, 'generator', '"generator"');
  const samplesP = props.get('samples');
  const noiseP = props.get('noise');
  const classesP = props.get('classes');
  const samples = samplesP ? c.integer(samplesP.value, '"samples"', 1, LIMITS.maxSamples) : DEFAULT_GENERATOR.samples;
  const noise = noiseP ? c.number(noiseP.value, '"noise"', '0 or more (the standard deviation of the noise added to each coordinate)', (v) => v >= 0) : DEFAULT_GENERATOR.noise;
  let classes: number | undefined;
  if (classesP) classes = c.integer(classesP.value, '"classes"', 2, LIMITS.maxClasses);
  else if (generator && TWO_CLASS_GENERATORS.includes(generator)) classes = 2;
  else classes = shape.outputs !== undefined && shape.outputs >= 2 ? Math.min(shape.outputs, LIMITS.maxClasses) : DEFAULT_GENERATOR.classes;
  if (generator === undefined) return undefined;
  if (classesP && classes !== undefined && classes !== 2 && TWO_CLASS_GENERATORS.includes(generator)) {
    c.error(classesP.value, 'bad-classes', `the ${generator} generator makes exactly 2 classes; "classes" must be 2`);
    classes = undefined;
  }
  if (shape.inputs !== undefined && shape.inputs !== 2) {
    c.error(genP.value, 'generator-inputs', `the ${generator} generator makes 2-D points, so layer 0 must have 2 units; it has ${shape.inputs}`);
  }
  if (classes !== undefined && shape.outputs !== undefined && shape.outputs !== classes) {
    c.error(
      classesP ? classesP.value : genP.value,
      'generator-classes',
      `the ${generator} generator makes ${classes} classes, one-hot over the output units, so ${outputLayerName(shape)} must have ${plural(classes, 'unit')}; it has ${shape.outputs}`,
    );
  }
  if (c.errorCount > before || samples === undefined || noise === undefined || classes === undefined) return undefined;
  return { kind: 'generator', generator, samples, noise, classes };
}
