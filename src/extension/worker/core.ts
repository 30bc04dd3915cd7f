/**
 * The training worker's logic, apart from the thread it runs in: it owns one network file's
 * network, data and trainer, answers the host's requests and runs training in slices.
 *
 * `worker.ts` connects it to `parentPort`; unit tests drive it directly with a `post` function.
 * A run executes epochs for at most `SLICE_MS` at a time and then yields to the message loop
 * (`schedule`, setImmediate in the worker), so pause / stop / learning-rate notes and requests
 * such as `trace` are handled between epochs. Progress is posted at most every
 * `progressIntervalMs`, with its points reduced to `maxPointsPerMessage`. The same core also
 * answers `checkData` (the diagnostics' data check, see dataCheck.ts) and `export` (exportJob.ts)
 * without touching its network.
 */
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import {
  DivergenceError,
  Network,
  Trainer,
  checkNetwork,
  type Dataset,
  type NetSpec,
} from '../../engine';
import { loadNet, networkFor, noDataProblem } from '../../engine/load';
import type { EpochPoint, TrainingState } from '../../shared/protocol';
import { reducePoints } from '../../engine/history';
import { runExport } from './exportJob';
import { replyOf } from '../../shared/rpc';
import {
  DEFAULT_MAX_POINTS_PER_MESSAGE,
  DEFAULT_PROGRESS_INTERVAL_MS,
  type HostToWorker,
  type LoadResult,
  type NetSummary,
  type RequestMessage,
  type RequestResult,
  type RunEnd,
  type WorkerToHost,
} from './protocol';
import { checkDocument } from './dataCheck';
import { RunRecorder } from '../../engine/runs';
import { boundaryView, gradCheckView, snapshot, summarize, traceView } from './views';

/** Longest stretch of epochs before the worker returns to its message loop. */
export const SLICE_MS = 15;

interface Loaded {
  spec: NetSpec;
  /** The file's text it was loaded from (a run's record keeps it, to be replayed). */
  text: string;
  fileName: string;
  net: Network;
  trainer: Trainer;
  train: Dataset;
  validation?: Dataset;
  summary: NetSummary;
}

interface Run {
  id: number;
  target: number;
  startEpoch: number;
  startedAt: number;
  paused: boolean;
  stopRequested: boolean;
  last?: EpochPoint;
  scheduled: boolean;
  /** Records the run (engine/runs): its record goes back with the run's end. None with `record: false`. */
  recorder?: RunRecorder;
}

export type ReadFile = (absPath: string) => string;

export class WorkerCore {
  private loaded: Loaded | undefined;
  private run: Run | undefined;
  private state: TrainingState = 'idle';
  private progressIntervalMs = DEFAULT_PROGRESS_INTERVAL_MS;
  private maxPointsPerMessage = DEFAULT_MAX_POINTS_PER_MESSAGE;
  /** Threads that compute a batch during a run (`backprop.threads`); helper threads live only while a run does. */
  private threads = 1;
  private pendingPoints: EpochPoint[] = [];
  private lastProgressAt = 0;
  /** True once an optimizer update happened since the last load/reset (lastUpdate is meaningful). */
  private updated = false;
  /** Build run records at all (`backprop.runs.record`); false: no recorder, no snapshot taken. */
  private record = true;
  /**
   * The run of consecutive "Step epoch" clicks outside a run: it starts at the first and ends at
   * the next Train, Reset or reload, at a failed step, or at `endSteps`; its record goes to the host
   * as a `record` event.
   */
  private steps: RunRecorder | undefined;

  constructor(
    private readonly post: (m: WorkerToHost) => void,
    private readonly schedule: (fn: () => void) => void = (fn) => setImmediate(fn),
    private readonly readFile?: ReadFile,
    private readonly now: () => number = () => performance.now(),
  ) {}

  handle(m: HostToWorker): void {
    if (m.kind === 'note') {
      this.note(m);
      return;
    }
    // A train request replies when the run ends; everything else replies now.
    if (m.type === 'train') {
      this.startRun(m.id, m.params.epochs);
      return;
    }
    try {
      this.reply(m.id, this.answer(m));
    } catch (err) {
      this.fail(m.id, err);
    }
  }

  private note(m: Extract<HostToWorker, { kind: 'note' }>): void {
    switch (m.type) {
      case 'pause':
        if (this.run && !this.run.paused) {
          this.run.paused = true;
          this.flushProgress();
          this.setState('paused');
        }
        return;
      case 'resume':
        if (this.run && this.run.paused) {
          this.run.paused = false;
          this.setState('training');
          this.scheduleSlice();
        }
        return;
      case 'stop':
        if (this.run) {
          this.run.stopRequested = true;
          if (this.run.paused) this.finishRun('stopped');
        }
        return;
      case 'setLearningRate':
        // The optimizer holds the learning rate; the host checked the value where it came in.
        this.loaded?.trainer.setLearningRate(m.value);
        (this.run ? this.run.recorder : this.steps)?.learningRate(m.value);
        this.log('info', `learning rate set to ${m.value}`);
        return;
      case 'configure':
        this.progressIntervalMs = Math.max(1, m.progressIntervalMs);
        this.maxPointsPerMessage = Math.max(4, Math.floor(m.maxPointsPerMessage / 2) * 2);
        this.threads = Math.max(1, Math.floor(m.threads ?? 1)); // (used from the next run on)
        if (m.record !== undefined) this.record = m.record;
        if (!this.record) this.steps = undefined;
        return;
    }
  }

  private answer(m: Exclude<RequestMessage, { type: 'train' }>): RequestResult<typeof m.type> {
    switch (m.type) {
      case 'load':
        return this.load(m.params.text, m.params.fileName, m.params.allowOutside === true);
      case 'step':
        return this.step();
      case 'reset':
        return this.reset();
      case 'network': {
        const s = this.need();
        return snapshot({ ...s, updated: this.updated });
      }
      case 'weights':
        return this.need().net.weights();
      case 'trace': {
        const s = this.need();
        return traceView(s.net, s.train, m.params.sample, s.trainer.learningRate, s.spec.training.l2);
      }
      case 'gradCheck': {
        const s = this.need();
        const max = m.params.maxPerLayer;
        const report = checkNetwork(s.net, s.train, s.spec.training.l2, max > 0 ? { maxPerLayer: max, seed: s.spec.seed } : {});
        return gradCheckView(report);
      }
      case 'boundary': {
        const s = this.need();
        return boundaryView(s.net, s.train, m.params.size, s.summary.classification) ?? null;
      }
      case 'checkData':
        return { ...checkDocument(m.params.text, m.params.fileName, this.readFile, m.params), threadId };
      case 'export':
        return runExport(m.params, this.readFile);
      case 'endSteps':
        this.endSteps('done');
        return null;
    }
  }

  private need(): Loaded {
    if (!this.loaded) throw new Error('no network is loaded (the file has problems, or it was never loaded)');
    return this.loaded;
  }

  private load(text: string, fileName: string, allowOutside = false): LoadResult {
    if (this.run) throw new Error('cannot reload the file while training runs; stop it first');
    this.endSteps('done'); // (the steps were of the text loaded before)
    const result = loadNet(text, fileName, this.readFile, { allowOutside });
    if (!result.spec) {
      this.loaded = undefined;
      this.setState('idle');
      return { ok: false, problems: result.problems };
    }
    if (!result.train) {
      this.loaded = undefined;
      this.setState('idle');
      return { ok: false, problems: [noDataProblem(result.parsed)] };
    }
    const spec = result.spec;
    this.loaded = this.build(spec, text, fileName, networkFor(spec, 'train'), result.train, result.validation);
    this.setState('idle');
    return { ok: true, summary: this.loaded.summary, warnings: result.warnings };
  }

  private build(spec: NetSpec, text: string, fileName: string, net: Network, train: Dataset, validation: Dataset | undefined): Loaded {
    void this.loaded?.trainer.dispose(); // (helper threads of the trainer this one replaces)
    const trainer = new Trainer(net, train, spec.training, spec.seed, validation);
    this.updated = false;
    return { spec, text, fileName, net, trainer, train, validation, summary: summarize(spec, net, path.basename(fileName), train, validation) };
  }

  private reset(): RequestResult<'reset'> {
    const s = this.need();
    if (this.run) this.finishRun('stopped');
    this.endSteps('done');
    const fresh: NetSpec = {
      ...s.spec,
      layers: s.spec.layers.map(({ weights: _w, biases: _b, ...rest }) => rest),
    };
    const net = networkFor(fresh, 'train');
    const learningRate = s.trainer.learningRate; // a rate set from the inspector outlives a reset
    this.loaded = this.build(s.spec, s.text, s.fileName, net, s.train, s.validation);
    this.loaded.trainer.setLearningRate(learningRate);
    this.setState('idle');
    return net.weights();
  }

  private step(): RunEnd {
    const s = this.need();
    if (this.run && !this.run.paused) throw new Error('training is running; pause it before stepping');
    const started = this.now();
    const before = s.trainer.epoch;
    const end: RunEnd = { reason: 'done', epoch: before, epochsRun: 0, seconds: 0 };
    if (this.run === undefined && this.steps === undefined && this.record) this.steps = this.recorder(s);
    try {
      const p = this.epoch(s);
      end.epoch = p.epoch;
      end.epochsRun = 1;
      end.last = p;
      if (this.run) this.run.last = p;
      this.flushProgress();
    } catch (err) {
      this.flushProgress();
      Object.assign(end, this.failure(err));
      if (this.run) this.finishRun(end.reason === 'diverged' ? 'diverged' : 'error', end);
      else {
        this.endSteps(end.reason === 'diverged' ? 'diverged' : 'error', end.message);
        this.setState(end.reason === 'diverged' ? 'diverged' : 'error', end.message);
      }
    }
    end.seconds = (this.now() - started) / 1000;
    return end;
  }

  /** One epoch; its point goes to the pending progress. Throws DivergenceError. */
  private epoch(s: Loaded): EpochPoint {
    const stats = s.trainer.runEpoch();
    this.updated = true;
    (this.run ? this.run.recorder : this.steps)?.epoch(stats);
    const p: EpochPoint = { epoch: stats.epoch, loss: stats.loss };
    if (stats.accuracy !== undefined) p.accuracy = stats.accuracy;
    if (stats.valLoss !== undefined) p.valLoss = stats.valLoss;
    if (stats.valAccuracy !== undefined) p.valAccuracy = stats.valAccuracy;
    this.pendingPoints.push(p);
    return p;
  }

  private startRun(id: number, epochs: number | undefined): void {
    let s: Loaded;
    try {
      s = this.need();
      if (this.run) throw new Error('training is already running');
      this.endSteps('done'); // the steps before this run were a run of their own
      const n = epochs ?? s.spec.training.epochs;
      if (!Number.isInteger(n) || n < 1) throw new Error(`the number of epochs must be a whole number of at least 1, got ${n}`);
      s.trainer.setThreads(this.threads); // (before the recorder, which notes the count)
      this.run = {
        id,
        target: s.trainer.epoch + n,
        startEpoch: s.trainer.epoch,
        startedAt: this.now(),
        paused: false,
        stopRequested: false,
        scheduled: false,
        ...(this.record ? { recorder: this.recorder(s) } : {}),
      };
    } catch (err) {
      this.fail(id, err);
      return;
    }
    this.lastProgressAt = this.now();
    this.setState('training');
    this.log('info', `training ${s.summary.name}: epochs ${s.trainer.epoch + 1}..${this.run.target}`);
    this.scheduleSlice();
  }

  private scheduleSlice(): void {
    const run = this.run;
    if (!run || run.scheduled) return;
    run.scheduled = true;
    this.schedule(() => {
      run.scheduled = false;
      if (this.run === run) this.slice();
    });
  }

  private slice(): void {
    const run = this.run;
    const s = this.loaded;
    if (!run || !s) return;
    if (run.stopRequested) {
      this.finishRun('stopped');
      return;
    }
    if (run.paused) return;
    const sliceStart = this.now();
    try {
      // At least one epoch per slice, however slow an epoch is.
      do {
        run.last = this.epoch(s);
      } while (s.trainer.epoch < run.target && !run.stopRequested && this.now() - sliceStart < SLICE_MS);
    } catch (err) {
      const f = this.failure(err);
      this.finishRun(f.reason, f);
      return;
    }
    if (s.trainer.epoch >= run.target) {
      this.finishRun('done');
      return;
    }
    if (run.stopRequested) {
      this.finishRun('stopped');
      return;
    }
    if (this.now() - this.lastProgressAt >= this.progressIntervalMs) this.flushProgress();
    this.scheduleSlice();
  }

  private finishRun(reason: RunEnd['reason'], extra: Partial<RunEnd> = {}): void {
    const run = this.run;
    if (!run) return;
    const s = this.loaded;
    this.run = undefined;
    void s?.trainer.dispose(); // the helper threads end with the run
    const epoch = s?.trainer.epoch ?? 0;
    const end: RunEnd = {
      reason,
      epoch,
      epochsRun: epoch - run.startEpoch,
      seconds: (this.now() - run.startedAt) / 1000,
      ...extra,
    };
    if (run.last) end.last = run.last;
    if (run.recorder) end.record = run.recorder.finish(reason, end.message);
    const state: TrainingState = reason === 'done' ? 'done' : reason === 'stopped' ? 'idle' : reason;
    this.state = state;
    this.flushProgress();
    this.setState(state, end.message, true);
    this.log(reason === 'done' || reason === 'stopped' ? 'info' : 'error',
      `run ${reason} after ${end.epochsRun} epochs (epoch ${epoch}${end.last ? `, loss ${end.last.loss}` : ''})${end.message ? `: ${end.message}` : ''}`);
    this.reply(run.id, end);
  }

  private recorder(s: Loaded): RunRecorder {
    return new RunRecorder(s.trainer, { file: s.fileName, text: s.text, spec: s.spec, train: s.train, validation: s.validation, source: 'vscode' });
  }

  /** Ends the run of "Step epoch" clicks, if any: its record goes to the host. */
  private endSteps(reason: 'done' | 'diverged' | 'error', message?: string): void {
    const steps = this.steps;
    this.steps = undefined;
    if (steps === undefined) return;
    this.post({ kind: 'event', type: 'record', record: steps.finish(reason, message) });
  }

  private failure(err: unknown): Pick<RunEnd, 'reason' | 'message' | 'divergence'> {
    if (err instanceof DivergenceError) {
      return {
        reason: 'diverged',
        message: err.message,
        divergence: { epoch: err.epoch, batch: err.batch, layer: err.layer, what: err.what },
      };
    }
    return { reason: 'error', message: err instanceof Error ? err.message : String(err) };
  }

  private flushProgress(): void {
    this.lastProgressAt = this.now();
    if (this.pendingPoints.length === 0) return;
    const s = this.loaded;
    const points = reducePoints(this.pendingPoints, this.maxPointsPerMessage);
    this.pendingPoints = [];
    const epoch = s?.trainer.epoch ?? 0;
    this.post({
      kind: 'event',
      type: 'progress',
      points,
      epoch,
      totalEpochs: this.run?.target ?? epoch,
    });
  }

  private setState(state: TrainingState, message?: string, force = false): void {
    if (state === this.state && !force) return;
    this.state = state;
    this.post(message === undefined ? { kind: 'event', type: 'state', state } : { kind: 'event', type: 'state', state, message });
  }

  private reply(id: number, result: unknown): void {
    this.post(replyOf(id, { result }));
  }

  private fail(id: number, error: unknown): void {
    this.post(replyOf(id, { error }));
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ kind: 'event', type: 'log', level, message });
  }
}
