/**
 * Validation of a parsed `.net.json` tree against the format contract (version 1), producing the
 * resolved `NetSpec` with every default applied. Problems are reported at the exact node: the
 * offending value, the key of an unknown key, or the object that lacks a required key.
 * Layers are checked in `validate-layers.ts`, data objects in `validate-data.ts`.
 */
import type * as jsonc from 'jsonc-parser';
import { INITS, LOSSES, OPTIMIZERS, PRECISIONS, isLearningRate, type ActivationName, type LossName, type NetSpec, type TrainingSpec, type ValidationSpec } from '../spec';
import { Checker, Prop, checkTree, describeValue } from './checker';
import { DEFAULT_SEED, DEFAULT_TRAINING, FORMAT_VERSION, LIMITS, defaultLoss } from './defaults';
import { validateData, type DataShape } from './validate-data';
import { validateLayers } from './validate-layers';

export const TOP_KEYS = ['$schema', 'version', 'name', 'seed', 'layers', 'init', 'loss', 'training', 'data', 'validation'];
export const TRAINING_KEYS = ['optimizer', 'learningRate', 'epochs', 'batchSize', 'momentum', 'beta1', 'beta2', 'epsilon', 'l2', 'shuffle', 'precision'];

/** Validates the whole file; the spec is returned only when there is no error. */
export function validateNet(root: jsonc.Node, c: Checker): NetSpec | undefined {
  checkTree(root, c);
  if (root.type !== 'object') {
    c.error(root, 'not-object', `a .net.json file holds one JSON object, not ${describeValue(root, c)}`);
    return undefined;
  }
  const props = c.props(root);
  c.unknownKeys(props, TOP_KEYS, 'the file');

  const schemaP = props.get('$schema');
  if (schemaP) c.string(schemaP.value, '"$schema"');
  const versionP = props.get('version');
  if (versionP && !(versionP.value.type === 'number' && versionP.value.value === FORMAT_VERSION)) {
    c.error(versionP.value, 'unsupported-version', `this program reads format version ${FORMAT_VERSION}; "version" must be ${FORMAT_VERSION} (or left out), not ${c.source(versionP.value)}`);
  }
  const nameP = props.get('name');
  const name = nameP ? c.string(nameP.value, '"name"') : undefined;
  const seedP = props.get('seed');
  const seed = seedP ? c.integer(seedP.value, '"seed"', 0, LIMITS.maxSeed) : DEFAULT_SEED;
  const initP = props.get('init');
  const fileInit = initP ? c.oneOf(initP.value, INITS, 'init', '"init"') : undefined;

  const lr = validateLayers(root, props.get('layers'), fileInit, c);
  const L = lr.units.length - 1;
  const outputActivation = L >= 1 ? lr.activations[L] : undefined;

  const loss = validateLoss(props.get('loss'), outputActivation, L, c);
  const training = validateTraining(props.get('training'), c);

  const shape: DataShape = { inputs: lr.inputs, outputs: L >= 1 ? lr.units[L] : undefined, outputLayer: L >= 1 ? L : undefined };
  const dataP = props.get('data');
  const data = dataP ? validateData(dataP.value, c, 'data', shape) : undefined;
  const validation = validateValidation(props.get('validation'), !!dataP, shape, c);

  if (c.errorCount > 0 || !lr.layers || lr.inputs === undefined || seed === undefined || !loss || !training) return undefined;
  const spec: NetSpec = { seed, inputs: lr.inputs, layers: lr.layers, loss, training };
  if (name !== undefined) spec.name = name;
  if (data) spec.data = data;
  if (validation) spec.validation = validation;
  return spec;
}

function validateLoss(p: Prop | undefined, output: ActivationName | undefined, L: number, c: Checker): LossName | undefined {
  if (!p) return output === undefined ? undefined : defaultLoss(output);
  const loss = c.oneOf(p.value, LOSSES, 'loss', '"loss"');
  if (!loss || output === undefined) return loss;
  const outName = `the output layer (layer ${L}) is ${output}`;
  if (loss === 'cross-entropy' && output !== 'softmax') {
    const fix = output === 'sigmoid' ? c.replaceFix(p.value, '"binary-cross-entropy"', 'Change to "binary-cross-entropy"') : undefined;
    c.error(p.value, 'loss-output-mismatch', `cross-entropy needs a softmax output layer, and ${outName}; use "binary-cross-entropy" with a sigmoid output, or make the output softmax`, fix);
    return undefined;
  }
  if (loss === 'binary-cross-entropy' && output !== 'sigmoid') {
    const fix = output === 'softmax' ? c.replaceFix(p.value, '"cross-entropy"', 'Change to "cross-entropy"') : undefined;
    c.error(p.value, 'loss-output-mismatch', `binary-cross-entropy needs a sigmoid output layer, and ${outName}; use "cross-entropy" with a softmax output, or make the output sigmoid`, fix);
    return undefined;
  }
  return loss;
}

function validateTraining(p: Prop | undefined, c: Checker): TrainingSpec | undefined {
  const t: TrainingSpec = { ...DEFAULT_TRAINING };
  if (!p) return t;
  if (p.value.type !== 'object') {
    c.error(p.value, 'bad-value', `"training" must be an object such as { "optimizer": "sgd", "learningRate": 0.1, "epochs": 100 }, not ${describeValue(p.value, c)}`);
    return undefined;
  }
  const props = c.props(p.value);
  c.unknownKeys(props, TRAINING_KEYS, '"training"');
  const before = c.errorCount;
  const get = (k: string): jsonc.Node | undefined => props.get(k)?.value;
  const set = <K extends keyof TrainingSpec>(k: K, v: TrainingSpec[K] | undefined): void => {
    if (v !== undefined) t[k] = v;
  };
  let n: jsonc.Node | undefined;
  if ((n = get('optimizer'))) set('optimizer', c.oneOf(n, OPTIMIZERS, 'optimizer', '"optimizer"'));
  if ((n = get('learningRate'))) set('learningRate', c.number(n, '"learningRate"', 'greater than 0', isLearningRate));
  if ((n = get('epochs'))) set('epochs', c.integer(n, '"epochs"', 1, LIMITS.maxEpochs));
  if ((n = get('batchSize'))) set('batchSize', c.integer(n, '"batchSize"', 1, Number.MAX_SAFE_INTEGER));
  if ((n = get('momentum'))) set('momentum', c.number(n, '"momentum"', 'from 0 up to (not including) 1', (v) => v >= 0 && v < 1));
  if ((n = get('beta1'))) set('beta1', c.number(n, '"beta1"', 'from 0 up to (not including) 1', (v) => v >= 0 && v < 1));
  if ((n = get('beta2'))) set('beta2', c.number(n, '"beta2"', 'from 0 up to (not including) 1', (v) => v >= 0 && v < 1));
  if ((n = get('epsilon'))) set('epsilon', c.number(n, '"epsilon"', 'greater than 0', (v) => v > 0));
  if ((n = get('l2'))) set('l2', c.number(n, '"l2"', '0 or more', (v) => v >= 0));
  if ((n = get('shuffle'))) set('shuffle', c.boolean(n, '"shuffle"'));
  if ((n = get('precision'))) set('precision', c.oneOf(n, PRECISIONS, 'precision', '"precision"'));
  return c.errorCount > before ? undefined : t;
}

function validateValidation(p: Prop | undefined, hasData: boolean, shape: DataShape, c: Checker): ValidationSpec | undefined {
  if (!p) return undefined;
  const v = p.value;
  if (v.type === 'number') {
    const fraction = c.number(v, '"validation" as a fraction of "data"', 'strictly between 0 and 1, such as 0.2', (x) => x > 0 && x < 1, 'bad-fraction');
    if (fraction === undefined) return undefined;
    if (!hasData) c.warn(p.key, 'unused-validation', '"validation" holds out part of "data", but the file has no "data"; it is not used');
    return { kind: 'fraction', fraction };
  }
  if (v.type === 'object') {
    const data = validateData(v, c, 'validation', shape);
    if (data && !hasData) c.warn(p.key, 'unused-validation', 'the file has "validation" data but no "data" to train on');
    return data ? { kind: 'data', data } : undefined;
  }
  c.error(v, 'bad-value', `"validation" must be a fraction strictly between 0 and 1 (the share of "data" held out) or a data object, not ${describeValue(v, c)}`);
  return undefined;
}
