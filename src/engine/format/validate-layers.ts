/**
 * Validation of the `layers` array of a `.net.json` file: the input layer, units, activations,
 * per-layer init, the size limits (checked before any weights are looked at) and the shapes of
 * given `weights` (units x previous units) and `biases` (units).
 */
import type * as jsonc from 'jsonc-parser';
import { ACTIVATIONS, INITS, type ActivationName, type InitName, type LayerSpec } from '../spec';
import { Checker, Prop, describeValue, finiteNumber } from './checker';
import { LIMITS, defaultInit } from './defaults';
import type { ProblemFix } from './problems';
import { plural } from './words';

const LAYER_KEYS = ['units', 'activation', 'init', 'weights', 'biases'];

export interface LayersResult {
  /** Units of layer 0, when valid. */
  inputs?: number;
  /** Units of every layer of the file (index = file index), undefined where invalid. */
  units: (number | undefined)[];
  /** Activation of every layer (index 0 unused). */
  activations: (ActivationName | undefined)[];
  /** The resolved non-input layers, when every layer is valid. */
  layers?: LayerSpec[];
}

/** Validates `layers` (the property, or undefined when missing); `init` is the file-wide init. */
export function validateLayers(root: jsonc.Node, layersP: Prop | undefined, fileInit: InitName | undefined, c: Checker): LayersResult {
  const result: LayersResult = { units: [], activations: [] };
  if (!layersP) {
    c.error(root, 'missing-key', 'the file has no "layers": a network needs at least 2 layers, e.g. [{ "units": 2 }, { "units": 1, "activation": "sigmoid" }]');
    return result;
  }
  const arr = layersP.value;
  if (arr.type !== 'array') {
    c.error(arr, 'bad-value', `"layers" must be an array of at least 2 layers (the input layer first), not ${describeValue(arr, c)}`);
    return result;
  }
  const nodes = arr.children ?? [];
  if (nodes.length < 2) {
    c.error(arr, 'too-few-layers', `"layers" has ${plural(nodes.length, 'layer')}; a network needs at least 2: the input layer and an output layer`);
    return result;
  }
  const before = c.errorCount;
  const L = nodes.length - 1;
  const props: (Map<string, Prop> | undefined)[] = [];
  const inits: (InitName | undefined)[] = [];

  // Pass 1: units, activations, init.
  nodes.forEach((node, l) => {
    if (node.type !== 'object') {
      const example = l === 0 ? '{ "units": 2 }' : '{ "units": 3, "activation": "sigmoid" }';
      c.error(node, 'bad-value', `layer ${l} must be an object such as ${example}, not ${describeValue(node, c)}`);
      props.push(undefined);
      result.units.push(undefined);
      result.activations.push(undefined);
      inits.push(undefined);
      return;
    }
    const p = c.props(node);
    props.push(p);
    c.unknownKeys(p, LAYER_KEYS, `layer ${l}`);
    const name = l === 0 ? 'layer 0 (the input layer)' : `layer ${l}`;
    const unitsP = p.get('units');
    let units: number | undefined;
    if (!unitsP) {
      c.error(node, 'missing-key', l === 0 ? `${name} has no "units": give the number of inputs, a whole number of 1 or more` : `${name} has no "units": give its number of units, a whole number of 1 or more`);
    } else {
      units = c.integer(unitsP.value, `the "units" of ${name}`, 1, Infinity);
      if (units !== undefined && units > LIMITS.maxUnits) {
        c.error(unitsP.value, 'too-large', `${name} has ${units} units; the limit is ${LIMITS.maxUnits} units per layer`);
        units = undefined;
      }
    }
    result.units.push(units);
    if (l === 0) {
      for (const k of ['activation', 'init', 'weights', 'biases']) {
        const kp = p.get(k);
        if (kp) c.error(kp.key, 'input-layer-key', `layer 0 is the input layer: it has only "units", no "${k}"`, c.removeFix(kp, `Remove "${k}" from the input layer`));
      }
      result.activations.push(undefined);
      inits.push(undefined);
      return;
    }
    const actP = p.get('activation');
    let activation: ActivationName | undefined;
    if (!actP) {
      c.error(node, 'missing-key', `${name} has no "activation": choose one of ${ACTIVATIONS.map((a) => `"${a}"`).join(', ')}`);
    } else {
      activation = c.oneOf(actP.value, ACTIVATIONS, 'activation', `the "activation" of ${name}`);
      if (activation === 'softmax' && l < L) {
        c.error(actP.value, 'softmax-hidden', `softmax is only allowed on the output layer (layer ${L}); layer ${l} is a hidden layer`);
      } else if (activation === 'softmax' && units === 1) {
        c.warn(actP.value, 'softmax-one-unit', 'softmax over a single unit always outputs 1, so this layer cannot learn; use sigmoid for one output, or give the layer 2 or more units');
      }
    }
    result.activations.push(activation);
    const initP = p.get('init');
    inits.push(initP ? c.oneOf(initP.value, INITS, 'init', `the "init" of ${name}`) : undefined);
    if (initP && p.get('weights') && p.get('biases')) {
      c.warn(initP.key, 'unused-init', `layer ${l} gives its "weights" and "biases", so its "init" is not used`);
    }
  });
  result.inputs = result.units[0];

  // The size limit, before any weights are read.
  if (result.units.every((u) => u !== undefined)) {
    const u = result.units as number[];
    let params = 0;
    for (let l = 1; l <= L; l++) params += u[l] * (u[l - 1] + 1);
    if (params > LIMITS.maxParameters) {
      c.error(arr, 'too-large', `the network has ${params} parameters (weights and biases); the limit is ${LIMITS.maxParameters}`);
      return result;
    }
  }

  // Pass 2: weights and biases.
  const specs: LayerSpec[] = [];
  for (let l = 1; l <= L; l++) {
    const p = props[l];
    const units = result.units[l];
    const prev = result.units[l - 1];
    if (!p || units === undefined) continue;
    const fix: ProblemFix = { kind: 'regenerate-weights', title: `Regenerate the weights and biases of layer ${l}`, layer: l };
    const wP = p.get('weights');
    const bP = p.get('biases');
    const weights = wP && prev !== undefined ? weightMatrix(wP.value, l, units, prev, c, fix) : undefined;
    const biases = bP ? biasVector(bP.value, l, units, c, fix) : undefined;
    const activation = result.activations[l];
    if (activation === undefined) continue;
    const spec: LayerSpec = { units, activation, init: inits[l] ?? fileInit ?? defaultInit(activation) };
    if (weights) spec.weights = weights;
    if (biases) spec.biases = biases;
    specs.push(spec);
  }
  if (c.errorCount === before) result.layers = specs;
  return result;
}

function weightMatrix(node: jsonc.Node, l: number, units: number, prev: number, c: Checker, fix: ProblemFix): number[][] | undefined {
  const rule = `layer ${l} has ${plural(units, 'unit')} and layer ${l - 1} has ${prev}, so "weights" must be ${plural(units, 'row')} of ${plural(prev, 'number')}`;
  if (node.type !== 'array') {
    c.error(node, 'wrong-shape', `${rule}; it is ${describeValue(node, c)}`, fix);
    return undefined;
  }
  const rows = node.children ?? [];
  if (rows.length !== units) {
    c.error(node, 'wrong-shape', `${rule}; it has ${plural(rows.length, 'row')}`, fix);
    return undefined;
  }
  const out: number[][] = [];
  let ok = true;
  rows.forEach((row, j) => {
    if (row.type !== 'array') {
      c.error(row, 'wrong-shape', `${rule}; row ${j} is ${describeValue(row, c)}`, fix);
      ok = false;
      return;
    }
    const cells = row.children ?? [];
    if (cells.length !== prev) {
      c.error(row, 'wrong-shape', `${rule}; row ${j} has ${plural(cells.length, 'number')}`, fix);
      ok = false;
      return;
    }
    const values = numbers(cells, c, (k) => `"weights" row ${j}, column ${k} of layer ${l}`);
    if (values) out.push(values);
    else ok = false;
  });
  return ok ? out : undefined;
}

function biasVector(node: jsonc.Node, l: number, units: number, c: Checker, fix: ProblemFix): number[] | undefined {
  const rule = `layer ${l} has ${plural(units, 'unit')}, so "biases" must be ${plural(units, 'number')}`;
  if (node.type !== 'array') {
    c.error(node, 'wrong-shape', `${rule}; it is ${describeValue(node, c)}`, fix);
    return undefined;
  }
  const cells = node.children ?? [];
  if (cells.length !== units) {
    c.error(node, 'wrong-shape', `${rule}; it has ${plural(cells.length, 'number')}`, fix);
    return undefined;
  }
  return numbers(cells, c, (j) => `"biases" entry ${j} of layer ${l}`);
}

/** The values of number nodes, or undefined (with errors at the non-numbers). */
function numbers(cells: jsonc.Node[], c: Checker, name: (i: number) => string): number[] | undefined {
  const out: number[] = [];
  let ok = true;
  cells.forEach((cell, i) => {
    const v = finiteNumber(cell);
    if (v === undefined) {
      if (cell.type !== 'number') c.error(cell, 'not-a-number', `${name(i)} must be a number, not ${describeValue(cell, c)}`);
      ok = false;
    } else out.push(v);
  });
  return ok ? out : undefined;
}
