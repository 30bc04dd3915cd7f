/**
 * Time travel through a recorded run: the trainer's state at any epoch of it, from the nearest
 * snapshot at or before that epoch, by running the epochs in between again. Training is
 * bit-reproducible (seeded shuffles, the same kernel, the optimizer's state restored with the
 * weights), so a replayed epoch equals the live one bit for bit; the learning-rate changes made
 * during the run are applied at the epochs they were made.
 *
 * A Replayer keeps a small cache of states it computed, so moving a timeline slider back and
 * forth replays each stretch once.
 */
import * as path from 'node:path';
import { loadNet, networkFor } from '../load';
import type { NetSpec } from '../spec';
import { Trainer, type TrainerCheckpoint } from '../trainer';
import { dataHash, type RunRecord } from './record';

/** A trainer for the record's file as it was when the run started, or why there is none. */
export function trainerForRecord(
  record: Pick<RunRecord, 'text' | 'file' | 'dataHash' | 'kernel' | 'threads'>,
  readFile?: (absPath: string) => string,
): Trainer {
  return replaySetup(record, readFile).trainer;
}

/** trainerForRecord, with the file's spec as it was (for views of the replayed network). */
export function replaySetup(
  record: Pick<RunRecord, 'text' | 'file' | 'dataHash' | 'kernel' | 'threads'>,
  readFile?: (absPath: string) => string,
  /** As loadNet's: data files outside the file's folder may be read (the extension's trusted setting). */
  options: { allowOutside?: boolean } = {},
): { trainer: Trainer; spec: NetSpec } {
  const loaded = readFile ? loadNet(record.text, record.file, readFile, options) : loadNet(record.text, record.file, undefined, options);
  if (!loaded.spec) {
    const p = loaded.problems[0];
    throw new Error(`the run's file text no longer loads (${path.basename(record.file)}:${p?.line ?? 0}:${p?.column ?? 0}: ${p?.message ?? 'unknown problem'})`);
  }
  if (!loaded.train) throw new Error(`the run's file text has no data to replay the run with`);
  if (dataHash(loaded.train, loaded.validation) !== record.dataHash) {
    throw new Error(`the data of ${path.basename(record.file)} changed since the run (a CSV file edited?): it cannot be replayed`);
  }
  const net = networkFor(loaded.spec, 'train');
  if (net.kernel.name !== record.kernel) {
    throw new Error(`the run trained with the ${record.kernel} kernel, which is not available here (${net.kernel.name}): it cannot be replayed bit for bit`);
  }
  // a run split across threads is replayed with the same split, slice after slice in this thread (bit for bit the same)
  const split = { threads: record.threads ?? 1, split: { inThread: true } };
  return { trainer: new Trainer(net, loaded.train, loaded.spec.training, loaded.spec.seed, loaded.validation, split), spec: loaded.spec };
}

/** The last epoch the record's trainer state can be had for. */
export function lastEpoch(record: Pick<RunRecord, 'startEpoch' | 'epochs'>): number {
  return record.startEpoch + record.epochs;
}

export class Replayer {
  private readonly cache = new Map<number, TrainerCheckpoint>();
  /** Epochs replayed so far (for tests and the cost shown). */
  replayedEpochs = 0;

  constructor(
    readonly record: Pick<RunRecord, 'snapshots' | 'learningRates' | 'startEpoch' | 'epochs'>,
    /** A trainer for the record's network and data (trainerForRecord); replays run in it. */
    readonly trainer: Trainer,
    /** States kept besides the snapshots (least recently used dropped first). */
    private readonly cacheSize = 16,
  ) {}

  /**
   * The trainer's state after epoch `epoch` of the run (startEpoch <= epoch <= its last epoch).
   * Leaves `trainer` in that state.
   */
  stateAt(epoch: number): TrainerCheckpoint {
    const { record } = this;
    if (!Number.isInteger(epoch) || epoch < record.startEpoch || epoch > lastEpoch(record)) {
      throw new RangeError(`epoch ${epoch} is not in this run (epochs ${record.startEpoch}..${lastEpoch(record)})`);
    }
    const exact = record.snapshots.find((s) => s.epoch === epoch)?.state ?? this.cache.get(epoch);
    if (exact !== undefined) {
      this.trainer.restore(exact);
      return exact;
    }
    const from = this.nearest(epoch);
    if (from === undefined) throw new Error('the run has no snapshot to replay from');
    const t = this.trainer;
    t.restore(from);
    while (t.epoch < epoch) {
      const lr = this.learningRateAfter(t.epoch);
      if (lr !== undefined) t.setLearningRate(lr);
      t.runEpoch();
      this.replayedEpochs++;
    }
    const state = t.checkpoint();
    this.remember(epoch, state);
    return state;
  }

  /** The latest stored or cached state at or before `epoch`: where a replay to it starts. */
  nearest(epoch: number): TrainerCheckpoint | undefined {
    let from: TrainerCheckpoint | undefined;
    for (const s of this.record.snapshots) if (s.epoch <= epoch && (from === undefined || s.epoch > from.epoch)) from = s.state;
    for (const [e, c] of this.cache) if (e <= epoch && (from === undefined || e > from.epoch)) from = c;
    return from;
  }

  /** True when the state at `epoch` is a stored snapshot. */
  isSnapshot(epoch: number): boolean {
    return this.record.snapshots.some((s) => s.epoch === epoch);
  }

  /** The learning rate set after epoch `e` during the run (the last one set then), if any. */
  private learningRateAfter(e: number): number | undefined {
    let lr: number | undefined;
    for (const c of this.record.learningRates) if (c.epoch === e) lr = c.learningRate;
    return lr;
  }

  private remember(epoch: number, state: TrainerCheckpoint): void {
    this.cache.delete(epoch);
    this.cache.set(epoch, state);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

/** The parameters of a checkpoint per layer, shaped like Network.weights() (rows of W, then b). */
export function layersOf(state: TrainerCheckpoint, sizes: readonly number[]): { weights: number[][]; biases: number[] }[] {
  const out: { weights: number[][]; biases: number[] }[] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const units = sizes[l];
    const inputs = sizes[l - 1];
    const W: number[][] = [];
    for (let j = 0; j < units; j++) W.push(Array.from(state.parameters.subarray(at + j * inputs, at + (j + 1) * inputs)));
    at += units * inputs;
    out.push({ weights: W, biases: Array.from(state.parameters.subarray(at, at + units)) });
    at += units;
  }
  return out;
}
