/**
 * Run records as bytes: JSON, with every typed array (weights, optimizer state, sample order) as
 * base64 of its little-endian bytes, and non-finite numbers as the strings "NaN", "Infinity",
 * "-Infinity" (JSON has none). A spring-loaded reader: what comes back from disk is checked field
 * by field (a stored file may be truncated or edited), and a bad one is an Error naming the field.
 */
import { LIMITS } from '../format/defaults';
import type { EpochPoint } from '../history';
import type { TrainerCheckpoint } from '../trainer';
import type { GradientPoint, RunRecord, RunSummary, Snapshot } from './record';
import type { RunSettings, SettingChange } from './settings';

export const RECORD_FORMAT = 'backprop-run';
export const RECORD_VERSION = 1;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(a: Float64Array | Int32Array): string {
  if (!LE) throw new Error('run records are stored little-endian; this machine is big-endian');
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function typed<T extends Float64Array | Int32Array>(text: unknown, where: string, size: number, make: (n: number) => T): T {
  const b = Buffer.from(str(text, where), 'base64');
  if (b.length % size !== 0) throw new Error(`${where}: ${b.length} bytes is not a whole number of ${size * 8}-bit values`);
  const out = make(b.length / size);
  new Uint8Array(out.buffer).set(b);
  return out;
}

const f64 = (text: unknown, where: string): Float64Array => typed(text, where, 8, (n) => new Float64Array(n));
const i32 = (text: unknown, where: string): Int32Array => typed(text, where, 4, (n) => new Int32Array(n));

const numOut = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

function num(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new Error(`${where}: expected a number`);
}

/** A recorded thread count: a whole number from 1 to LIMITS.maxThreads (a record is read from disk). */
function threadCount(v: unknown, where: string): number {
  const n = int(v, where);
  if (n < 1 || n > LIMITS.maxThreads) throw new Error(`${where}: must be from 1 to ${LIMITS.maxThreads}, got ${n}`);
  return n;
}

function int(v: unknown, where: string): number {
  const n = num(v, where);
  if (!Number.isInteger(n)) throw new Error(`${where}: expected a whole number`);
  return n;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Error(`${where}: expected a string`);
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${where}: expected true or false`);
  return v;
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: expected an object`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${where}: expected an array`);
  return v;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], where: string): T {
  const s = str(v, where);
  if (!(options as readonly string[]).includes(s)) throw new Error(`${where}: expected one of ${options.join(', ')}`);
  return s as T;
}

// ---- points ----

function pointOut(p: EpochPoint): Record<string, number | string> {
  const o: Record<string, number | string> = { epoch: p.epoch, loss: numOut(p.loss) };
  if (p.accuracy !== undefined) o.accuracy = numOut(p.accuracy);
  if (p.valLoss !== undefined) o.valLoss = numOut(p.valLoss);
  if (p.valAccuracy !== undefined) o.valAccuracy = numOut(p.valAccuracy);
  return o;
}

function pointIn(v: unknown, where: string): EpochPoint {
  const o = obj(v, where);
  const p: EpochPoint = { epoch: int(o.epoch, `${where}.epoch`), loss: num(o.loss, `${where}.loss`) };
  if (o.accuracy !== undefined) p.accuracy = num(o.accuracy, `${where}.accuracy`);
  if (o.valLoss !== undefined) p.valLoss = num(o.valLoss, `${where}.valLoss`);
  if (o.valAccuracy !== undefined) p.valAccuracy = num(o.valAccuracy, `${where}.valAccuracy`);
  return p;
}

// ---- summary ----

function changeIn(v: unknown, where: string): SettingChange {
  const o = obj(v, where);
  return { path: str(o.path, `${where}.path`), before: str(o.before, `${where}.before`), after: str(o.after, `${where}.after`) };
}

function settingsIn(v: unknown, where: string): RunSettings {
  const o = obj(v, where);
  const t = obj(o.training, `${where}.training`);
  return {
    seed: num(o.seed, `${where}.seed`),
    inputs: int(o.inputs, `${where}.inputs`),
    layers: arr(o.layers, `${where}.layers`).map((l, i) => {
      const x = obj(l, `${where}.layers[${i}]`);
      return { units: int(x.units, `${where}.layers[${i}].units`), activation: str(x.activation, `${where}.layers[${i}].activation`), init: str(x.init, `${where}.layers[${i}].init`) };
    }),
    loss: str(o.loss, `${where}.loss`),
    training: {
      optimizer: oneOf(t.optimizer, ['sgd', 'momentum', 'adam'] as const, `${where}.training.optimizer`),
      learningRate: num(t.learningRate, `${where}.training.learningRate`),
      epochs: int(t.epochs, `${where}.training.epochs`),
      ...(t.batchSize === undefined ? {} : { batchSize: int(t.batchSize, `${where}.training.batchSize`) }),
      momentum: num(t.momentum, `${where}.training.momentum`),
      beta1: num(t.beta1, `${where}.training.beta1`),
      beta2: num(t.beta2, `${where}.training.beta2`),
      epsilon: num(t.epsilon, `${where}.training.epsilon`),
      l2: num(t.l2, `${where}.training.l2`),
      shuffle: bool(t.shuffle, `${where}.training.shuffle`),
      precision: oneOf(t.precision, ['float64', 'float32'] as const, `${where}.training.precision`),
    },
    data: str(o.data, `${where}.data`),
    validation: str(o.validation, `${where}.validation`),
    weights: str(o.weights, `${where}.weights`),
  };
}

export function summaryOut(s: RunSummary): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: s.id, file: s.file, pinned: s.pinned, startedAt: s.startedAt, seconds: s.seconds, source: s.source, end: s.end,
    seed: s.seed, startEpoch: s.startEpoch, epochs: s.epochs, changes: s.changes, settings: s.settings, bytes: s.bytes,
  };
  if (s.label !== undefined) o.label = s.label;
  if (s.message !== undefined) o.message = s.message;
  if (s.final !== undefined) o.final = pointOut(s.final);
  if (s.previous !== undefined) o.previous = s.previous;
  return o;
}

export function summaryIn(v: unknown, where = 'run'): RunSummary {
  const o = obj(v, where);
  const s: RunSummary = {
    id: str(o.id, `${where}.id`),
    file: str(o.file, `${where}.file`),
    pinned: bool(o.pinned, `${where}.pinned`),
    startedAt: str(o.startedAt, `${where}.startedAt`),
    seconds: num(o.seconds, `${where}.seconds`),
    source: oneOf(o.source, ['cli', 'vscode', 'debugger'] as const, `${where}.source`),
    end: oneOf(o.end, ['done', 'stopped', 'diverged', 'error'] as const, `${where}.end`),
    seed: num(o.seed, `${where}.seed`),
    startEpoch: int(o.startEpoch, `${where}.startEpoch`),
    epochs: int(o.epochs, `${where}.epochs`),
    changes: arr(o.changes, `${where}.changes`).map((c, i) => changeIn(c, `${where}.changes[${i}]`)),
    settings: settingsIn(o.settings, `${where}.settings`),
    bytes: int(o.bytes, `${where}.bytes`),
  };
  if (!/^[0-9a-z-]+$/.test(s.id)) throw new Error(`${where}.id: not a run id`);
  if (o.label !== undefined) s.label = str(o.label, `${where}.label`);
  if (o.message !== undefined) s.message = str(o.message, `${where}.message`);
  if (o.final !== undefined) s.final = pointIn(o.final, `${where}.final`);
  if (o.previous !== undefined) s.previous = str(o.previous, `${where}.previous`);
  return s;
}

// ---- the whole record ----

function checkpointOut(c: TrainerCheckpoint): Record<string, unknown> {
  return {
    epoch: c.epoch,
    parameters: bytesOf(c.parameters),
    order: bytesOf(c.order),
    rng: [...c.rng.words],
    spareNormal: c.rng.spareNormal === undefined ? null : numOut(c.rng.spareNormal),
    optimizer: { steps: c.optimizer.steps, learningRate: c.optimizer.learningRate, sets: c.optimizer.sets.map(bytesOf) },
  };
}

function checkpointIn(v: unknown, where: string): TrainerCheckpoint {
  const o = obj(v, where);
  const words = arr(o.rng, `${where}.rng`).map((w, i) => int(w, `${where}.rng[${i}]`));
  if (words.length !== 4) throw new Error(`${where}.rng: expected 4 words`);
  const opt = obj(o.optimizer, `${where}.optimizer`);
  const parameters = f64(o.parameters, `${where}.parameters`);
  const sets = arr(opt.sets, `${where}.optimizer.sets`).map((s, i) => f64(s, `${where}.optimizer.sets[${i}]`));
  if (sets.some((s) => s.length !== parameters.length)) throw new Error(`${where}.optimizer.sets: not the size of the parameters`);
  return {
    epoch: int(o.epoch, `${where}.epoch`),
    parameters,
    order: i32(o.order, `${where}.order`),
    rng: { words: [words[0], words[1], words[2], words[3]], spareNormal: o.spareNormal === null ? undefined : num(o.spareNormal, `${where}.spareNormal`) },
    optimizer: { steps: int(opt.steps, `${where}.optimizer.steps`), learningRate: num(opt.learningRate, `${where}.optimizer.learningRate`), sets },
  };
}

function gradientOut(g: GradientPoint): Record<string, unknown> {
  return { epoch: g.epoch, norm: g.norm.map(numOut), ratio: g.ratio.map(numOut) };
}

function gradientIn(v: unknown, where: string): GradientPoint {
  const o = obj(v, where);
  return {
    epoch: int(o.epoch, `${where}.epoch`),
    norm: arr(o.norm, `${where}.norm`).map((x, i) => num(x, `${where}.norm[${i}]`)),
    ratio: arr(o.ratio, `${where}.ratio`).map((x, i) => num(x, `${where}.ratio[${i}]`)),
  };
}

/** The record as UTF-8 JSON (its `bytes` field is the length of this text, computed here). */
export function encodeRecord(r: RunRecord): Uint8Array {
  const body = (bytes: number): string =>
    JSON.stringify({
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      ...summaryOut({ ...r, bytes }),
      text: r.text,
      dataHash: r.dataHash,
      kernel: r.kernel,
      ...(r.threads !== undefined ? { threads: r.threads } : {}),
      learningRates: r.learningRates.map((c) => ({ epoch: c.epoch, learningRate: numOut(c.learningRate) })),
      curve: r.curve.map(pointOut),
      gradients: r.gradients.map(gradientOut),
      snapshots: r.snapshots.map((s) => ({ epoch: s.epoch, state: checkpointOut(s.state) })),
    });
  // the size is part of the text: settle it (the digits of the size change its length at most twice)
  let bytes = Buffer.byteLength(body(0));
  for (let i = 0; i < 3; i++) {
    const next = Buffer.byteLength(body(bytes));
    if (next === bytes) break;
    bytes = next;
  }
  r.bytes = bytes;
  return Buffer.from(body(bytes), 'utf8');
}

export function decodeRecord(bytes: Uint8Array, where = 'run record'): RunRecord {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const o = obj(v, where);
  if (o.format !== RECORD_FORMAT) throw new Error(`${where}: not a run record`);
  if (o.version !== RECORD_VERSION) throw new Error(`${where}: record version ${String(o.version)} is not ${RECORD_VERSION}`);
  const summary = summaryIn(o, where);
  return {
    ...summary,
    text: str(o.text, `${where}.text`),
    dataHash: str(o.dataHash, `${where}.dataHash`),
    kernel: str(o.kernel, `${where}.kernel`),
    ...(o.threads !== undefined ? { threads: threadCount(o.threads, `${where}.threads`) } : {}),
    learningRates: arr(o.learningRates, `${where}.learningRates`).map((c, i) => {
      const x = obj(c, `${where}.learningRates[${i}]`);
      return { epoch: int(x.epoch, `${where}.learningRates[${i}].epoch`), learningRate: num(x.learningRate, `${where}.learningRates[${i}].learningRate`) };
    }),
    curve: arr(o.curve, `${where}.curve`).map((p, i) => pointIn(p, `${where}.curve[${i}]`)),
    gradients: arr(o.gradients, `${where}.gradients`).map((g, i) => gradientIn(g, `${where}.gradients[${i}]`)),
    snapshots: arr(o.snapshots, `${where}.snapshots`).map((s, i): Snapshot => {
      const x = obj(s, `${where}.snapshots[${i}]`);
      return { epoch: int(x.epoch, `${where}.snapshots[${i}].epoch`), state: checkpointIn(x.state, `${where}.snapshots[${i}].state`) };
    }),
  };
}
