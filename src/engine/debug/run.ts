/**
 * Training, one stage at a time, for the debugger: the same epochs, batches and updates as
 * `Trainer`, bit for bit, cut into the stages of the notes:
 *
 *   epoch e > batch b > forward layer 1 .. L, loss, backward layer L .. 1, update
 *
 * - forward l:   Z_l = O_{l-1} · W_lᵀ + b_l,  O_l = f(Z_l)          (Network.forward(rows, l, _, l))
 * - loss:        E = mean over the batch of E(y, t) + (l2/2) Σ w²     (Network.batchLoss, l2Term)
 * - backward l:  Δ_l (output: dE/dY ⊙ f'; hidden: Δ_{l+1} W_{l+1} ⊙ f'), then dW_l and db_l
 * - update:      one optimizer step (the Trainer's optimizer, `createOptimizer`)
 *
 * An epoch starts by shuffling the order (when `shuffle`; one `Rng(seed, 'shuffle')` stream for the
 * run) and ends, after its last update, with the Trainer's epoch figures (its default
 * 'batch-mean': the mean of the batches' losses as they were computed, weighted by their rows, and
 * the accuracy of those same forward passes; the validation set's exact loss and accuracy), as
 * `Trainer.runEpoch` does. The run never throws on NaN or Infinity: the
 * debugger stops on them (see checks.ts) and the user decides.
 *
 * Everything is seeded: a run made again from the same spec and data, with the same learning
 * rate changes at the same positions, passes through the same states bit for bit (time travel
 * replays on that, see timeline.ts).
 */
import { predictedClass, type Network } from '../network';
import { createOptimizer, type Optimizer, type OptimizerState } from '../optimizers';
import { Rng } from '../rng';
import { parameterValues, type TrainerCheckpoint } from '../trainer';
import { isLearningRate, type Dataset, type TrainingSpec } from '../spec';

export type Stage =
  | { kind: 'forward'; layer: number }
  | { kind: 'loss' }
  | { kind: 'backward'; layer: number }
  | { kind: 'update' };

/** Where the run is: the stage of (epoch, batch) that ran last. epoch 0 = nothing ran yet. */
export interface Position {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based batch within the epoch. */
  batch: number;
  stage: Stage;
  /** Stages run since the start (the run's clock; 0 before the first). */
  tick: number;
}

export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** The batch the run is on: its rows and which samples (0-based indices into the training data). */
export interface BatchInfo {
  rows: number;
  samples: Int32Array;
  /** The mean batch loss plus the l2 term, once the loss stage ran (NaN before). */
  loss: number;
}

export interface RunSnapshot {
  readonly pos: Position;
  readonly started: boolean;
  readonly batchStart: number;
  readonly batchRows: number;
  readonly batchLoss: number;
  readonly lossSum: number;
  readonly correct: number;
  /** How many epoch results there were (the results before a snapshot never change, so they are not copied). */
  readonly epochCount: number;
  readonly params: readonly Float64Array[];
  readonly optimizer: OptimizerState;
  readonly order: Int32Array;
}

export function stageName(stage: Stage): string {
  switch (stage.kind) {
    case 'forward':
      return `forward layer ${stage.layer}`;
    case 'backward':
      return `backward layer ${stage.layer}`;
    default:
      return stage.kind;
  }
}

export class DebugRun {
  private readonly order: Int32Array;
  private rng: Rng;
  readonly optimizer: Optimizer;
  private pos: Position = { epoch: 0, batch: 0, stage: { kind: 'update' }, tick: 0 };
  private started = false;
  private batchStart = 0;
  private batchRows = 0;
  private batchLoss = Number.NaN;
  /** The epoch so far: Σ batch loss · rows, and the samples classified correctly (Trainer's 'batch-mean'). */
  private lossSum = 0;
  private correct = 0;
  /**
   * Results of the finished epochs: the first `epochsDone`. After a step back the later ones stay
   * (a snapshot further on may need them; a changed future overwrites them in turn).
   */
  private readonly epochs: EpochResult[] = [];
  private epochsDone = 0;
  /** Called after an epoch's last update with its results (before the next stage is asked for). */
  onEpoch: ((r: EpochResult) => void) | undefined;
  private readonly seed: number;

  constructor(
    readonly net: Network,
    readonly train: Dataset,
    readonly training: TrainingSpec,
    seed: number,
    readonly validation?: Dataset,
  ) {
    if (train.inputs.length === 0 || train.targets.length !== train.inputs.length) throw new Error('the training data needs as many targets as inputs, at least one');
    this.order = Int32Array.from(train.inputs, (_, i) => i); // the Trainer's order: 0..N-1, shuffled per epoch
    this.rng = new Rng(seed, 'shuffle');
    this.seed = seed;
    this.optimizer = createOptimizer(training, net.parameters(), net.kernel);
    this.batches = Math.ceil(train.inputs.length / this.batchSize);
    this.forwardStages = net.layers.map((_, i): Stage => ({ kind: 'forward', layer: i + 1 }));
    this.backwardStages = net.layers.map((_, i): Stage => ({ kind: 'backward', layer: i + 1 }));
    const v = net.batch(0);
    this.live = { net: v.net, out: v.out, delta: v.delta, targets: net.batchTargets() };
  }

  get position(): Readonly<Position> {
    return this.pos;
  }

  get batchSize(): number {
    const N = this.order.length;
    return Math.max(1, Math.min(this.training.batchSize ?? N, N));
  }

  private readonly batches: number;

  get batchesPerEpoch(): number {
    return this.batches;
  }

  /** True when the last stage run was the update of an epoch's last batch (or nothing ran yet). */
  get atEpochEnd(): boolean {
    return this.pos.stage.kind === 'update' && (this.pos.epoch === 0 || this.pos.batch === this.batchesPerEpoch);
  }

  /** True when the last stage run was an update (a batch boundary), or nothing ran yet. */
  get atBatchEnd(): boolean {
    return this.pos.stage.kind === 'update';
  }

  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  setLearningRate(lr: number): void {
    if (!isLearningRate(lr)) throw new Error(`the learning rate must be a positive finite number, not ${lr}`);
    this.optimizer.learningRate = lr;
  }

  /** Results of every finished epoch, in order. */
  get epochResults(): readonly EpochResult[] {
    return this.epochs.length === this.epochsDone ? this.epochs : this.epochs.slice(0, this.epochsDone);
  }

  get currentBatch(): BatchInfo {
    return { rows: this.batchRows, samples: this.order.subarray(this.batchStart, this.batchStart + this.batchRows), loss: this.batchLoss };
  }

  /** The 0-based training-set index of row r of the current batch. */
  sampleOf(row: number): number {
    return this.order[this.batchStart + row];
  }

  /** False when the last update made some weight or bias non-finite (tryStep checked every w + u). */
  updateFinite = true;

  /** Rows of the current batch. */
  get rows(): number {
    return this.batchRows;
  }

  // the stages, made once (a run allocates nothing per stage but its position)
  private readonly forwardStages: Stage[];
  private readonly backwardStages: Stage[];
  private static readonly LOSS: Stage = { kind: 'loss' };
  private static readonly UPDATE: Stage = { kind: 'update' };

  /** The stage that `step()` will run next. */
  nextStage(): Stage {
    const s = this.pos.stage;
    const L = this.net.depth;
    if (!this.started) return this.forwardStages[0];
    switch (s.kind) {
      case 'forward':
        return s.layer < L ? this.forwardStages[s.layer] : DebugRun.LOSS;
      case 'loss':
        return this.backwardStages[L - 1];
      case 'backward':
        return s.layer > 1 ? this.backwardStages[s.layer - 2] : DebugRun.UPDATE;
      case 'update':
        return this.forwardStages[0];
    }
  }

  /** Runs the next stage and returns the new position. */
  step(): Readonly<Position> {
    const next = this.nextStage();
    const { net, train, training } = this;
    let { epoch, batch } = this.pos;
    if (next.kind === 'forward' && next.layer === 1) {
      // a new batch (and maybe a new epoch)
      if (!this.started || batch === this.batchesPerEpoch) {
        epoch++;
        batch = 0;
        this.lossSum = 0;
        this.correct = 0;
        if (training.shuffle) this.rng.shuffle(this.order);
      }
      this.started = true;
      batch++;
      const size = this.batchSize;
      this.batchStart = (batch - 1) * size;
      this.batchRows = Math.min(size, this.order.length - this.batchStart);
      this.batchLoss = Number.NaN;
      net.loadBatch(train.inputs, train.targets, this.order.subarray(this.batchStart, this.batchStart + this.batchRows));
    }
    const rows = this.batchRows;
    switch (next.kind) {
      case 'forward':
        net.forward(rows, next.layer, undefined, next.layer);
        break;
      case 'loss': {
        this.batchLoss = net.batchLoss(rows, 0) / rows + net.l2Term(training.l2);
        // the epoch's figures as the Trainer sums them: Σ batch loss · rows, and the correct classes
        this.lossSum += this.batchLoss * rows;
        const labels = train.labels;
        if (labels !== undefined) {
          const L = net.depth;
          const K = net.sizes[L];
          const Y = net.batch(rows).out[L];
          for (let r = 0; r < rows; r++) if (predictedClass(Y, r * K, K) === labels[this.order[this.batchStart + r]]) this.correct++;
        }
        break;
      }
      case 'backward':
        net.backward(rows, next.layer, next.layer);
        net.accumulateGradients(rows, training.l2, next.layer, next.layer);
        break;
      case 'update':
        // the Trainer's update; when it would make a value non-finite it is applied all the same
        // (the debugger stops on it, see checks.ts, rather than undo it)
        this.updateFinite = this.optimizer.tryStep() === undefined;
        if (!this.updateFinite) this.optimizer.step();
        break;
    }
    this.pos = { epoch, batch, stage: next, tick: this.pos.tick + 1 };
    if (next.kind === 'update' && batch === this.batchesPerEpoch) this.finishEpoch(epoch);
    return this.pos;
  }

  /** Runs stages until the end of the current batch (or of the next one, when at a batch end). */
  stepBatch(): void {
    do this.step();
    while (!this.atBatchEnd);
  }

  /** Runs whole epochs (the fast path of tests and replays). */
  runEpochs(n: number): void {
    const target = this.pos.epoch + (this.atEpochEnd ? n : n - 1);
    while (!(this.atEpochEnd && this.pos.epoch >= target)) this.step();
  }

  /**
   * The whole state at a batch boundary (after an update), to `restore` later: parameters,
   * optimizer state and learning rate, sample order, position and the epochs' results. (The
   * shuffle stream is not copied: restoring replays its draws, which never depend on the order.)
   */
  snapshot(): RunSnapshot {
    if (!this.atBatchEnd) throw new Error('a snapshot is taken at a batch boundary');
    return {
      pos: { ...this.pos },
      started: this.started,
      batchStart: this.batchStart,
      batchRows: this.batchRows,
      batchLoss: this.batchLoss,
      lossSum: this.lossSum,
      correct: this.correct,
      epochCount: this.epochsDone,
      params: this.net.parameters().map((p) => p.value.slice()),
      optimizer: this.optimizer.saveState(),
      order: this.order.slice(),
    };
  }

  /**
   * The state at an epoch's end as the Trainer's own checkpoint (Trainer.checkpoint) of the same
   * run would hold it: the epochs done, the parameters, the order, the shuffle stream and the
   * optimizer. A Trainer restored from it goes on bit for bit as this run does (the Runs store
   * replays recorded debugger runs with it).
   */
  checkpoint(): TrainerCheckpoint {
    if (!this.atEpochEnd) throw new Error('a checkpoint is taken at an epoch\'s end');
    return { epoch: this.epochsDone, parameters: parameterValues(this.net), order: this.order.slice(), rng: this.rng.saveState(), optimizer: this.optimizer.saveState() };
  }

  restore(s: RunSnapshot): void {
    this.pos = { ...s.pos };
    this.started = s.started;
    this.batchStart = s.batchStart;
    this.batchRows = s.batchRows;
    this.batchLoss = s.batchLoss;
    this.lossSum = s.lossSum;
    this.correct = s.correct;
    if (s.epochCount > this.epochs.length) throw new Error('a snapshot of another run cannot be restored');
    this.epochsDone = s.epochCount;
    this.net.parameters().forEach((p, i) => p.value.set(s.params[i]));
    this.optimizer.restoreState(s.optimizer);
    this.order.set(s.order);
    this.rng = new Rng(this.seed, 'shuffle');
    if (this.training.shuffle) {
      const scratch = new Int32Array(this.order.length);
      for (let e = 0; e < s.pos.epoch; e++) this.rng.shuffle(scratch);
    }
    this.kept = undefined;
  }

  private finishEpoch(epoch: number): void {
    const { net, training } = this;
    const N = this.order.length;
    const r: EpochResult = { epoch, loss: this.lossSum / N };
    if (this.train.labels !== undefined) r.accuracy = this.correct / N;
    if (this.validation !== undefined && this.validation.inputs.length > 0) {
      // the validation pass overwrites the batch buffers: keep the batch's for display
      this.keepBatchBuffers();
      const v = net.evaluate(this.validation, training.l2);
      r.valLoss = v.loss;
      if (v.accuracy !== undefined) r.valAccuracy = v.accuracy;
    }
    this.epochs[this.epochsDone++] = r;
    this.onEpoch?.(r);
  }

  private kept: { net: Float64Array[]; out: Float64Array[]; delta: Float64Array[]; targets: Float64Array } | undefined;

  private keepBatchBuffers(): void {
    const view = this.net.batch(this.batchRows);
    const n = (l: number): number => this.batchRows * this.net.sizes[l];
    this.kept = {
      net: view.net.map((a, l) => a.slice(0, l === 0 ? 0 : n(l))),
      out: view.out.map((a, l) => a.slice(0, n(l))),
      delta: view.delta.map((a, l) => a.slice(0, l === 0 ? 0 : n(l))),
      targets: this.net.batchTargets().slice(0, n(this.net.depth)),
    };
  }

  /**
   * The current batch's buffers (rows x units per layer; layer 0's out = the inputs): the
   * network's live ones, or after an epoch's last update the copies taken before its evaluation.
   */
  batchBuffers(): { net: readonly Float64Array[]; out: readonly Float64Array[]; delta: readonly Float64Array[]; targets: Float64Array } {
    if (this.atEpochEnd && this.kept !== undefined) return this.kept;
    this.live.targets = this.net.batchTargets(); // (replaced when the network's buffers grow; the lists are not)
    return this.live;
  }

  private readonly live: { net: readonly Float64Array[]; out: readonly Float64Array[]; delta: readonly Float64Array[]; targets: Float64Array };
}
