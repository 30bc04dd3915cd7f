/**
 * Mini-batch training of a Network with an optimizer, epoch by epoch.
 *
 * One epoch: shuffle the sample order (when `shuffle`; one `new Rng(seed, 'shuffle')` stream for
 * the whole run, shuffling the previous epoch's order in place), cut it into batches of
 * `batchSize` (the last may be smaller; undefined = all samples), and for each batch compute the
 * gradient of the mean batch loss (+ l2 term) and apply one optimizer update.
 *
 * The epoch's loss and accuracy (EpochStats), two ways (`epochLoss`):
 * - 'batch-mean' (default; what Keras and PyTorch users see): the mean over the epoch's samples of
 *   the loss each batch had when it was computed, before its update (each batch's mean loss plus
 *   the l2 term, weighted by its rows), and the share of samples classified correctly by those
 *   same forward passes. Free: the training pass computes them anyway. A true number, but of
 *   weights that changed during the epoch, not of the weights at its end.
 * - 'exact': loss and accuracy of the weights at the end of the epoch over the whole training set
 *   (Network.evaluate: one more forward pass over the data, a third to a half of an epoch's work).
 * The validation figures are always exact, at the end of the epoch. `evaluate()` gives the exact
 * training figures of the current weights whenever they are wanted.
 *
 * Divergence: after every batch the trainer checks, in this order, that the batch's activations,
 * the batch loss, the gradient, and the new weights and biases are finite (the optimizer's
 * `tryStep` checks w + u before applying it, and the gradient is scanned only when that fails).
 * If not, it never applies that batch's update (the network and the optimizer state are
 * bit-for-bit as before the failing batch), leaves the epoch counter where it was, and throws a
 * DivergenceError. With 'exact', the epoch's last batch is applied with an undoable `step` and
 * checked after, and when the end-of-epoch loss over the whole training set is not finite its
 * update is undone and the error names that batch. The caller may lower the learning rate and
 * call runEpoch again (which starts that epoch afresh, on a new shuffle).
 *
 * Fast path: with plain sgd, batches of one row and a network that kernels/fastpath.ts covers,
 * each batch (with 'exact': but the epoch's last) runs as one generated step (`fusedSgd`:
 * gradient, update, the checks above and w <- w + u in one pass), bit for bit the general path; a
 * row that fails any check changes nothing there and is run again on the general path, which
 * throws as described. `new Trainer(…, { fused: false })` turns it off (the tests compare both).
 *
 * Threads: with `threads` > 1, batches large enough (kernels/threads.ts) are split across that
 * many threads: the same gradient summed slice by slice in a fixed order, so a run is
 * bit-reproducible for a given thread count (and differs from one thread in the last bits).
 * `dispose()` terminates the helper threads.
 */
import { DivergenceError } from './errors';
import { type Network, predictedClass } from './network';
import { type FusedSgd, fusedSgd } from './kernels/fastpath';
import { BatchSplit, type SplitOptions } from './kernels/threads';
import { createOptimizer, type Optimizer, type OptimizerState } from './optimizers';
import { Rng, type RngState } from './rng';
import type { Dataset, TrainingSpec } from './spec';

export interface EpochStats {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  /**
   * Training loss including the l2 term: with 'batch-mean' (the default) the mean of the losses
   * of the epoch's batches as they were computed, with 'exact' the loss over the whole training
   * set at the end of the epoch (see the header).
   */
  loss: number;
  /** Training accuracy (when the data set has labels), the same way as `loss`; see Network.evaluate. */
  accuracy?: number;
  /** The same for the validation set (loss including the l2 term, for comparability). */
  valLoss?: number;
  valAccuracy?: number;
}

/** What EpochStats' training loss and accuracy are (see the header). */
export type EpochLoss = 'batch-mean' | 'exact';

/** A Trainer's whole state between epochs (see Trainer.checkpoint). */
export interface TrainerCheckpoint {
  epoch: number;
  /** The values of net.parameters() in order (W1, b1, W2, b2, ...). */
  parameters: Float64Array;
  order: Int32Array;
  rng: RngState;
  optimizer: OptimizerState;
}

export class Trainer {
  private epochsDone = 0;
  private readonly order: Int32Array;
  private readonly rng: Rng;
  private readonly optimizer: Optimizer;
  private readonly fused: FusedSgd | undefined;
  private split: BatchSplit | undefined;
  private readonly splitOptions: Pick<SplitOptions, 'inThread' | 'minSliceWork'>;
  readonly epochLoss: EpochLoss;

  constructor(
    readonly net: Network,
    readonly train: Dataset,
    readonly training: TrainingSpec,
    seed: number,
    readonly validation?: Dataset,
    options: { fused?: boolean; epochLoss?: EpochLoss; threads?: number; split?: Pick<SplitOptions, 'inThread' | 'minSliceWork'> } = {},
  ) {
    if (train.inputs.length === 0) throw new Error('the training data has no samples');
    if (train.targets.length !== train.inputs.length) throw new Error(`the training data has ${train.inputs.length} inputs but ${train.targets.length} targets`);
    this.order = new Int32Array(train.inputs.length);
    for (let i = 0; i < this.order.length; i++) this.order[i] = i;
    this.rng = new Rng(seed, 'shuffle');
    this.optimizer = createOptimizer(training, net.parameters(), net.kernel);
    this.fused = options.fused === false ? undefined : fusedSgd(net, this.optimizer);
    this.epochLoss = options.epochLoss ?? 'batch-mean';
    this.splitOptions = options.split ?? {};
    this.setThreads(options.threads ?? 1);
  }

  /**
   * Splits the next batches across `threads` threads (1: none), starting or ending helper threads
   * as needed; no change when the split already has that many.
   */
  setThreads(threads: number): void {
    if (this.split !== undefined && this.split.threads === threads) return;
    void this.split?.dispose();
    const maxRows = Math.min(this.training.batchSize ?? this.order.length, this.order.length);
    this.split = BatchSplit.create(this.net, { threads, maxRows, ...this.splitOptions });
  }

  /** Threads that compute a batch (1 when batches are not split). */
  get threads(): number {
    return this.split?.threads ?? 1;
  }

  /** Terminates the helper threads, if any: training goes on in the calling thread, unsplit, until `setThreads`. */
  dispose(): Promise<void> {
    const split = this.split;
    this.split = undefined;
    return split?.dispose() ?? Promise.resolve();
  }

  /** Number of epochs completed. */
  get epoch(): number {
    return this.epochsDone;
  }

  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  /** Changes the learning rate from the next batch on (the optimizer state is kept). */
  setLearningRate(lr: number): void {
    this.optimizer.learningRate = lr;
  }

  /** The last update applied to layer l (1-based); zeros before the first batch. */
  lastUpdate(l: number): { W: Float64Array; b: Float64Array } {
    return this.optimizer.lastUpdate(l);
  }

  /**
   * Everything that decides how training goes on from here, copied: the epoch count, the parameter
   * values, the sample order, the shuffle stream and the optimizer state. `restore` puts it back
   * (into this Trainer or a new one for the same file), and the epochs after it run bit for bit as
   * they ran after the checkpoint (runs/replay.ts).
   */
  checkpoint(): TrainerCheckpoint {
    return { epoch: this.epochsDone, parameters: parameterValues(this.net), order: this.order.slice(), rng: this.rng.saveState(), optimizer: this.optimizer.saveState() };
  }

  restore(c: TrainerCheckpoint): void {
    const params = this.net.parameters();
    const total = params.reduce((n, p) => n + p.value.length, 0);
    if (c.parameters.length !== total || c.order.length !== this.order.length) {
      throw new Error(`the checkpoint (${c.parameters.length} parameters, ${c.order.length} samples) does not fit this network (${total}, ${this.order.length})`);
    }
    this.optimizer.restoreState(c.optimizer);
    let at = 0;
    for (const p of params) {
      p.value.set(c.parameters.subarray(at, at + p.value.length));
      at += p.value.length;
    }
    this.order.set(c.order);
    this.rng.restoreState(c.rng);
    this.epochsDone = c.epoch;
  }

  /** Runs one epoch and returns its statistics; throws DivergenceError (see the header). */
  runEpoch(): EpochStats {
    const epoch = this.epochsDone + 1;
    const { net, train, training } = this;
    const N = this.order.length;
    const batchSize = Math.max(1, Math.min(training.batchSize ?? N, N));
    const exact = this.epochLoss === 'exact';
    if (training.shuffle) this.rng.shuffle(this.order);
    const fused = batchSize === 1 ? this.fused : undefined;
    const labels = train.labels;
    const L = net.depth;
    const K = net.sizes[L];
    const out = net.batch(1).out; // the network's live list of output buffers
    let batch = 0;
    let lossSum = 0; // Σ over batches of (batch loss · rows), added in batch order
    let correct = 0;
    for (let start = 0; start < N; start += batchSize) {
      batch++;
      const end = Math.min(start + batchSize, N);
      const last = end === N;
      if (fused !== undefined && !(exact && last)) {
        const i = this.order[start];
        const loss = fused(train.inputs[i], train.targets[i], training.l2);
        if (loss === loss) {
          lossSum += loss;
          if (labels !== undefined && predictedClass(out[L], 0, K) === labels[i]) correct++;
          continue;
        } // NaN: nothing was applied, and the general path names the failure
      }
      const indices = this.order.subarray(start, end);
      const rows = indices.length;
      const loss = this.split !== undefined
        ? this.split.lossAndGradient(train.inputs, train.targets, training.l2, indices)
        : net.lossAndGradient(train.inputs, train.targets, training.l2, indices);
      this.checkBatch(epoch, batch, rows, loss);
      lossSum += loss * rows;
      if (labels !== undefined) {
        for (let r = 0; r < rows; r++) if (predictedClass(out[L], r * K, K) === labels[indices[r]]) correct++;
      }
      if (exact && last) {
        this.checkGradient(epoch, batch);
        // the epoch's last batch stays undoable until the end-of-epoch loss is known
        this.optimizer.step();
        const bad = firstNonFiniteParameter(net, 'value');
        if (bad !== undefined) {
          this.optimizer.undo(); // weights, optimizer state and last update as before this batch
          throw new DivergenceError(epoch, batch, bad.layer, 'weight', bad.value, this.learningRate, bad.parameter);
        }
      } else {
        // checks the new weights before applying them: a failing batch changes nothing. A
        // non-finite gradient always makes some w + u non-finite (u = -lr·g, momentum and adam
        // alike), so the gradient is scanned only then, to name it rather than the weight.
        const bad = this.optimizer.tryStep();
        if (bad !== undefined) {
          this.checkGradient(epoch, batch);
          throw new DivergenceError(epoch, batch, bad.param.layer, 'weight', bad.value, this.learningRate, bad.param.kind === 'w' ? 'weights' : 'biases');
        }
      }
    }
    const stats: EpochStats = { epoch, loss: lossSum / N };
    if (labels !== undefined) stats.accuracy = correct / N;
    if (exact) {
      const evaluation = net.evaluate(train, training.l2);
      if (!Number.isFinite(evaluation.loss)) {
        // the last batch's update left finite weights whose loss over the data set is not finite
        this.optimizer.undo();
        throw new DivergenceError(epoch, batch, 0, 'loss', evaluation.loss, this.learningRate);
      }
      stats.loss = evaluation.loss;
      if (evaluation.accuracy !== undefined) stats.accuracy = evaluation.accuracy;
    }
    if (this.validation !== undefined && this.validation.inputs.length > 0) {
      const v = net.evaluate(this.validation, training.l2);
      stats.valLoss = v.loss;
      if (v.accuracy !== undefined) stats.valAccuracy = v.accuracy;
    }
    this.epochsDone = epoch;
    return stats;
  }

  /** The exact training loss (l2 term included) and accuracy of the current weights over the whole training set. */
  evaluate(): { loss: number; accuracy?: number } {
    return this.net.evaluate(this.train, this.training.l2);
  }

  /** Runs `epochs` epochs (default: up to training.epochs), calling onEpoch after each. */
  run(epochs = this.training.epochs - this.epochsDone, onEpoch?: (stats: EpochStats) => void): EpochStats[] {
    const all: EpochStats[] = [];
    for (let e = 0; e < epochs; e++) {
      const stats = this.runEpoch();
      all.push(stats);
      onEpoch?.(stats);
    }
    return all;
  }

  /** Activations and loss of the batch just computed must be finite. */
  private checkBatch(epoch: number, batch: number, rows: number, loss: number): void {
    const { net } = this;
    const view = net.batch(rows);
    for (let l = 1; l <= net.depth; l++) {
      const i = firstNonFinite(view.out[l], rows * net.sizes[l]);
      if (i >= 0) throw new DivergenceError(epoch, batch, l, 'activation', view.out[l][i], this.learningRate);
    }
    if (!Number.isFinite(loss)) throw new DivergenceError(epoch, batch, 0, 'loss', loss, this.learningRate);
  }

  /** The gradient of the batch just computed must be finite. */
  private checkGradient(epoch: number, batch: number): void {
    const bad = firstNonFiniteParameter(this.net, 'grad');
    if (bad !== undefined) throw new DivergenceError(epoch, batch, bad.layer, 'gradient', bad.value, this.learningRate, bad.parameter);
  }
}

/** The values of net.parameters() in order (W1, b1, W2, b2, ...), copied into one array (a checkpoint's `parameters`). */
export function parameterValues(net: Network): Float64Array {
  const values = net.parameters().map((p) => p.value);
  const parameters = new Float64Array(values.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of values) {
    parameters.set(v, at);
    at += v.length;
  }
  return parameters;
}

/** Index of the first NaN or ±Infinity among the first `count` entries, or -1. */
export function firstNonFinite(a: Float64Array, count = a.length): number {
  for (let i = 0; i < count; i++) {
    const x = a[i];
    if (x - x !== 0) return i; // NaN - NaN and ∞ - ∞ are NaN; finite x - x is 0
  }
  return -1;
}

function firstNonFiniteParameter(
  net: Network,
  field: 'value' | 'grad',
): { layer: number; value: number; parameter: 'weights' | 'biases' } | undefined {
  for (const p of net.parameters()) {
    const a = p[field];
    const i = firstNonFinite(a);
    if (i >= 0) return { layer: p.layer, value: a[i], parameter: p.kind === 'w' ? 'weights' : 'biases' };
  }
  return undefined;
}
