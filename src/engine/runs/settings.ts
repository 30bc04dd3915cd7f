/**
 * What a run was trained with, in a form small enough to keep with every run, and the readable
 * difference between two of them ("what changed in the file since the previous run").
 *
 * The settings are the file's architecture (layer sizes, activations, initialisations), loss,
 * seed, training settings and a description of its data; not the weights, which change with every
 * run (whether the file's starting weights changed is one more line, from a fingerprint).
 */
import type { DataSpec, NetSpec, TrainingSpec, ValidationSpec } from '../spec';

export interface RunSettings {
  seed: number;
  inputs: number;
  /** Layers 1..L: "8 tanh (xavier)". */
  layers: { units: number; activation: string; init: string }[];
  loss: string;
  training: TrainingSpec;
  /** One line: "inline, 4 samples", "csv iris.csv", "generator spiral 300 samples, noise 0.1, 3 classes". */
  data: string;
  validation: string;
  /** Fingerprint of the starting weights given in the file ('' when the file gives none). */
  weights: string;
}

/** One changed setting: `path` names it ("training.learningRate", "layer 2"), text says it all. */
export interface SettingChange {
  path: string;
  before: string;
  after: string;
}

export function runSettings(spec: NetSpec): RunSettings {
  return {
    seed: spec.seed,
    inputs: spec.inputs,
    layers: spec.layers.map((l) => ({ units: l.units, activation: l.activation, init: l.init })),
    loss: spec.loss,
    training: { ...spec.training },
    data: describeData(spec.data),
    validation: describeValidation(spec.validation),
    weights: weightsFingerprint(spec),
  };
}

function describeData(d: DataSpec | undefined): string {
  if (d === undefined) return 'none';
  switch (d.kind) {
    case 'inline':
      return `inline, ${d.inputs.length} samples`;
    case 'csv':
      return `csv ${d.file} (${d.inputs.join(', ')} -> ${d.targets?.join(', ') ?? d.label ?? '?'})`;
    case 'generator':
      return `${d.generator}, ${d.samples} samples, noise ${d.noise}, ${d.classes} classes`;
  }
}

function describeValidation(v: ValidationSpec | undefined): string {
  if (v === undefined) return 'none';
  return v.kind === 'fraction' ? `fraction ${v.fraction}` : `data: ${describeData(v.data)}`;
}

/** FNV-1a over the bits of every weight and bias the file gives (per layer, in order). */
function weightsFingerprint(spec: NetSpec): string {
  let h = 0x811c9dc5;
  let any = false;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const mix = (x: number): void => {
    bits[0] = x;
    for (const w of words) {
      h ^= w;
      h = Math.imul(h, 0x01000193);
    }
  };
  spec.layers.forEach((l, i) => {
    mix(i);
    for (const row of l.weights ?? []) for (const w of row) (mix(w), (any = true));
    for (const b of l.biases ?? []) (mix(b), (any = true));
  });
  return any ? (h >>> 0).toString(16).padStart(8, '0') : '';
}

const layerText = (l: RunSettings['layers'][number] | undefined): string =>
  l === undefined ? '(none)' : `${l.units} ${l.activation} (${l.init})`;

/** What changed from `before` to `after`, in file order (architecture, then training, then data). */
export function diffSettings(before: RunSettings, after: RunSettings): SettingChange[] {
  const out: SettingChange[] = [];
  const add = (path: string, a: string, b: string): void => {
    if (a !== b) out.push({ path, before: a, after: b });
  };
  add('seed', String(before.seed), String(after.seed));
  add('inputs', String(before.inputs), String(after.inputs));
  const depth = Math.max(before.layers.length, after.layers.length);
  for (let i = 0; i < depth; i++) add(`layer ${i + 1}`, layerText(before.layers[i]), layerText(after.layers[i]));
  add('loss', before.loss, after.loss);
  const keys = new Set([...Object.keys(before.training), ...Object.keys(after.training)] as (keyof TrainingSpec)[]);
  for (const k of keys) add(`training.${k}`, String(before.training[k] ?? 'all'), String(after.training[k] ?? 'all'));
  add('data', before.data, after.data);
  add('validation', before.validation, after.validation);
  if (before.weights !== after.weights) {
    out.push({
      path: 'weights',
      before: before.weights === '' ? 'from the seed' : 'from the file',
      after: after.weights === '' ? 'from the seed' : before.weights === '' ? 'from the file' : 'edited in the file',
    });
  }
  return out;
}

/** "training.learningRate 0.5 → 0.1" */
export function changeText(c: SettingChange): string {
  return `${c.path} ${c.before} → ${c.after}`;
}

/** The changes as one short label ("learningRate 0.5 → 0.1, layer 1 3 sigmoid (xavier) → 8 …"), or `none`. */
export function changesLabel(changes: readonly SettingChange[], none = 'no change'): string {
  if (changes.length === 0) return none;
  return changes.map((c) => changeText({ ...c, path: c.path.replace(/^training\./, '') })).join(', ');
}
