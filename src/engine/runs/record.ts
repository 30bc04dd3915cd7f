/**
 * The record of one training run, and the recorder that makes it while the run goes on.
 *
 * A record keeps what the run was (file, date, seed, settings and what changed in them since the
 * previous run of the file, how it ended, how long it took), what it did (the loss curve, bounded
 * by the engine's LossHistory; per layer the gradient norm and the update/weight ratio of every
 * epoch, bounded by thinning; the learning-rate changes made during it) and where it went: the
 * trainer's whole state (Trainer.checkpoint) at log-spaced epochs of the run — its start, the first
 * ten epochs, then 20, 40, 80, ... epochs in, and its last epoch. Any other epoch is found again by
 * replaying from the nearest checkpoint before it (replay.ts): runs are bit-reproducible.
 *
 * Nothing here reads or writes files; store.ts keeps records, codec.ts turns them into bytes.
 */
import { LossHistory, type EpochPoint } from '../history';
import type { Dataset, NetSpec } from '../spec';
import type { EpochStats, Trainer, TrainerCheckpoint } from '../trainer';
import { diffSettings, runSettings, type RunSettings, type SettingChange } from './settings';

export type RunSource = 'cli' | 'vscode' | 'debugger';
export type RunEndReason = 'done' | 'stopped' | 'diverged' | 'error';

/** What a list of runs shows (store.ts keeps these in its index, without the heavy parts). */
export interface RunSummary {
  id: string;
  /** The network file (absolute path). */
  file: string;
  /** A name the user gave the run. */
  label?: string;
  pinned: boolean;
  /** ISO 8601 date of the start. */
  startedAt: string;
  seconds: number;
  source: RunSource;
  end: RunEndReason;
  /** The end's message (divergence, error). */
  message?: string;
  seed: number;
  /** The trainer's epoch when the run started (0, or more when it went on from an earlier run). */
  startEpoch: number;
  /** Epochs completed by the run. */
  epochs: number;
  /** The figures of its last completed epoch. */
  final?: EpochPoint;
  /** The id of the previous run of the same file, which `changes` compare with. */
  previous?: string;
  changes: SettingChange[];
  settings: RunSettings;
  /** Size of the stored record in bytes (set by the store). */
  bytes: number;
}

/** Per layer, per epoch: the norm of the gradient and the ratio |update| / |weights|. */
export interface GradientPoint {
  epoch: number;
  /** Index l - 1: sqrt(Σ dW² + Σ db²) of the epoch's last batch. */
  norm: number[];
  /** Index l - 1: |u| / |w| over the layer's weights and biases, u the epoch's last update. */
  ratio: number[];
}

export interface Snapshot {
  /** The trainer's epoch (absolute, like the curve's). */
  epoch: number;
  state: TrainerCheckpoint;
}

export interface RunRecord extends RunSummary {
  /** The file's text when the run started: the run is replayed from it. */
  text: string;
  /** Fingerprint of the training and validation data (replay refuses other data). */
  dataHash: string;
  /** The kernel it trained with (replays use the same). */
  kernel: string;
  /**
   * Threads its batches were split across (kernels/threads.ts; absent: 1). A replay computes the
   * same split in one thread (`inThread`), which is bit for bit the threads' result.
   */
  threads?: number;
  /** Learning-rate changes made during the run: from epoch `epoch + 1` on, `learningRate`. */
  learningRates: { epoch: number; learningRate: number }[];
  curve: EpochPoint[];
  gradients: GradientPoint[];
  snapshots: Snapshot[];
}

/** Most curve points a record keeps (the engine's LossHistory rule). */
export const CURVE_POINTS = 1000;
/** Most gradient points a record keeps (every epoch, then every 2nd, 4th, ...). */
export const GRADIENT_POINTS = 512;

/** True for the offsets (epochs into the run) that get a snapshot: 0..10, then 20, 40, 80, ... */
export function isSnapshotOffset(k: number): boolean {
  if (k <= 10) return k >= 0;
  if (k % 10 !== 0) return false;
  const q = k / 10;
  return (q & (q - 1)) === 0 && Number.isInteger(q);
}

/**
 * Every epoch's point until there are `capacity`, then every other one is dropped and only every
 * 2nd epoch is taken, and so on: an even spread over the run, never more than `capacity` (+ the
 * newest point, always kept).
 */
export class ThinnedSeries<T extends { epoch: number }> {
  private points: T[] = [];
  private stride = 1;
  private last: T | undefined;

  constructor(
    readonly capacity: number,
    private readonly origin = 0,
  ) {}

  /** True when a point of `epoch` would be kept (so a caller can skip making the others). */
  accepts(epoch: number): boolean {
    return (epoch - this.origin) % this.stride === 0;
  }

  push(p: T): void {
    this.last = p;
    if (!this.accepts(p.epoch)) return;
    this.points.push(p);
    if (this.points.length > this.capacity) {
      this.stride *= 2;
      this.points = this.points.filter((q) => (q.epoch - this.origin) % this.stride === 0);
    }
  }

  values(): T[] {
    const out = [...this.points];
    if (this.last !== undefined && out[out.length - 1] !== this.last) out.push(this.last);
    return out;
  }
}

export interface RecorderOptions {
  /** Absolute path of the network file. */
  file: string;
  /** The file's text the trainer was loaded from. */
  text: string;
  spec: NetSpec;
  train: Dataset;
  validation?: Dataset;
  source: RunSource;
  /** Milliseconds since the epoch, for the id and date (default Date.now()). */
  now?: number;
  /** Monotonic clock in ms for the duration (default performance.now). */
  clock?: () => number;
}

/** What a recorder reads of the trainer it records (a Trainer, or the debugger's run at epoch ends). */
export type RecordedTrainer = Pick<Trainer, 'epoch' | 'threads' | 'net' | 'lastUpdate' | 'checkpoint'>;

/**
 * Records a run of `trainer`: construct it before the first epoch, call `epoch` after each, and
 * `learningRate` when the learning rate is changed between epochs; `finish` makes the record.
 */

export class RunRecorder {
  private readonly history = new LossHistory(CURVE_POINTS);
  private readonly gradients: ThinnedSeries<GradientPoint>;
  private readonly snapshots: Snapshot[] = [];
  private readonly learningRates: RunRecord['learningRates'] = [];
  private readonly startEpoch: number;
  private readonly started: number;
  private readonly startedAt: number;
  private readonly clock: () => number;
  /** (read at the start: the helper threads end with the run, before the record is made) */
  private readonly threads: number;
  private last: EpochPoint | undefined;

  constructor(
    readonly trainer: RecordedTrainer,
    private readonly options: RecorderOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.started = this.clock();
    this.startedAt = options.now ?? Date.now();
    this.startEpoch = trainer.epoch;
    this.threads = trainer.threads;
    this.gradients = new ThinnedSeries(GRADIENT_POINTS, this.startEpoch);
    this.snapshots.push({ epoch: this.startEpoch, state: trainer.checkpoint() });
  }

  /** After each completed epoch, with its statistics. */
  epoch(stats: EpochStats | EpochPoint): void {
    const p: EpochPoint = stats; // kept as it is (the codec writes only EpochPoint's fields)
    this.history.push(p);
    this.last = p;
    if (this.gradients.accepts(p.epoch)) this.gradients.push(gradientPoint(this.trainer, p.epoch));
    if (isSnapshotOffset(p.epoch - this.startEpoch)) this.snapshots.push({ epoch: p.epoch, state: this.trainer.checkpoint() });
  }

  /** The learning rate was set to `value` after the trainer's current epoch. */
  learningRate(value: number): void {
    this.learningRates.push({ epoch: this.trainer.epoch, learningRate: value });
  }

  /**
   * The record. `end` 'done' or 'stopped' means the trainer stands at an epoch's end (its state
   * is kept as the last snapshot); after a divergence or an error it may stand inside an epoch,
   * and the last epoch is found by replay.
   */
  finish(end: RunEndReason, message?: string): RunRecord {
    const { options, trainer } = this;
    const epochs = (this.last?.epoch ?? this.startEpoch) - this.startEpoch;
    const lastSnap = this.snapshots[this.snapshots.length - 1];
    const atEpochEnd = end === 'done' || end === 'stopped';
    if (atEpochEnd && trainer.epoch > lastSnap.epoch) this.snapshots.push({ epoch: trainer.epoch, state: trainer.checkpoint() });
    // the last epoch's gradients (when thinning skipped it), while the trainer still stands there
    if (atEpochEnd && this.last !== undefined && !this.gradients.accepts(this.last.epoch)) this.gradients.push(gradientPoint(trainer, this.last.epoch));
    const settings = runSettings(options.spec);
    const record: RunRecord = {
      id: runId(this.startedAt, options.file),
      file: options.file,
      pinned: false,
      startedAt: new Date(this.startedAt).toISOString(),
      seconds: (this.clock() - this.started) / 1000,
      source: options.source,
      end,
      seed: options.spec.seed,
      startEpoch: this.startEpoch,
      epochs,
      changes: [],
      settings,
      bytes: 0,
      text: options.text,
      dataHash: dataHash(options.train, options.validation),
      kernel: trainer.net.kernel.name,
      learningRates: [...this.learningRates],
      curve: this.history.points(),
      gradients: this.gradients.values(),
      snapshots: [...this.snapshots],
    };
    if (message !== undefined) record.message = message;
    if (this.last !== undefined) record.final = this.last;
    if (this.threads > 1) record.threads = this.threads;
    return record;
  }
}

/** Sets the record's `changes` (and `previous`) to what changed since `previous`, the file's last run. */
export function compareWith(record: RunRecord, previous: Pick<RunSummary, 'id' | 'settings'> | undefined): RunRecord {
  if (previous === undefined) {
    record.changes = [];
    delete record.previous;
  } else {
    record.changes = diffSettings(previous.settings, record.settings);
    record.previous = previous.id;
  }
  return record;
}

function norm(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** The gradient norm and update/weight ratio of each layer, as the trainer stands now. */
export function gradientPoint(trainer: Pick<Trainer, 'net' | 'lastUpdate'>, epoch: number): GradientPoint {
  const norms: number[] = [];
  const ratios: number[] = [];
  const net = trainer.net;
  for (let l = 1; l <= net.layers.length; l++) {
    const layer = net.layers[l - 1];
    const u = trainer.lastUpdate(l);
    norms.push(Math.sqrt(norm(layer.dW) + norm(layer.db)));
    const w = Math.sqrt(norm(layer.W) + norm(layer.b));
    ratios.push(w === 0 ? 0 : Math.sqrt(norm(u.W) + norm(u.b)) / w);
  }
  return { epoch, norm: norms, ratio: ratios };
}

/** A run's id: its start time in base 36 and a short hash of the file (sortable by date). */
export function runId(ms: number, file: string): string {
  return `${Math.floor(ms).toString(36).padStart(9, '0')}-${fnv(file).toString(36)}`;
}

function fnv(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a over the bits of every input and target (training, then validation). */
export function dataHash(train: Dataset, validation?: Dataset): string {
  let h = 0x811c9dc5;
  const words = (a: Float64Array): void => {
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
    for (let i = 0; i < u.length; i++) {
      h ^= u[i];
      h = Math.imul(h, 0x01000193);
    }
  };
  for (const set of validation ? [train, validation] : [train]) {
    h ^= set.inputs.length;
    h = Math.imul(h, 0x01000193);
    for (const x of set.inputs) words(x);
    for (const t of set.targets) words(t);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
