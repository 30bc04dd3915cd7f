/**
 * One network file's training session: the worker thread that holds its network, the loss
 * history, and what the editor shows about it (state, progress, last run, gradient check,
 * per-layer statistics). Implements `TrainingSessionApi` for the inspector.
 *
 * The document is the source of truth: when idle, the worker is (re)loaded from the document's
 * current text (unsaved edits included) before anything is computed. While a run goes on, edits
 * are not loaded; the write-back at the end checks the version. Every computation happens in the
 * worker; these methods only send and await messages.
 */
import * as vscode from 'vscode';
import type { EpochPoint, GradCheckView, NetworkView, TraceView, BoundaryView, TrainingState } from '../../shared/protocol';
import type { SessionProgress, TrainingSessionApi } from '../sessionApi';
import { fileLabel, settings } from '../config';
import { LossHistory } from '../../engine/history';
import { spawnWorkerClient, type WorkerClient } from './workerClient';
import type { LayerStatsView, LayerWeights, LoadResult, NetSummary, RunEnd } from '../worker/protocol';
import type { RunRecord } from '../../engine/runs';
import { allowOutsideData } from '../trust';

export interface SessionHost {
  log: vscode.LogOutputChannel;
  /** Absolute path of dist/worker.js. */
  workerPath: string;
  /**
   * Called when a run ends, whoever started it, before `train()` resolves: the write-back and
   * the messages. `baseVersion` is the document version the run started from. Resolves true
   * when the weights were written into the document.
   */
  afterRun(session: TrainingSession, end: RunEnd, baseVersion: number): Promise<boolean>;
  /**
   * Keeps a run's record that does not go through `afterRun`: a run of "Step epoch" clicks, a run
   * stopped by Reset or by closing (docs/runs.md).
   */
  keepRecord?(session: TrainingSession, record: RunRecord): void | Promise<unknown>;
}

/** A file that cannot be trained: its problems (errors first). */
export class NetProblemsError extends Error {
  constructor(readonly uri: vscode.Uri, readonly result: Extract<LoadResult, { ok: false }>) {
    const errors = result.problems.filter((p) => p.severity === 'error');
    const first = errors[0] ?? result.problems[0];
    const where = first ? `${fileLabel(uri)}:${first.line}:${first.column}: ${first.message}` : fileLabel(uri);
    super(`${fileLabel(uri)} has ${errors.length === 1 ? '1 problem' : `${errors.length} problems`} (see the Problems panel). First: ${where}`);
    this.name = 'NetProblemsError';
  }
}

export interface TrainOutcome {
  end: RunEnd;
  written: boolean;
}

export class TrainingSession implements TrainingSessionApi, vscode.Disposable {
  private client: WorkerClient | undefined;
  private stateValue: TrainingState = 'idle';
  private loadedVersion: number | undefined;
  private loadChain: Promise<LoadResult> | undefined;
  private runPromise: Promise<TrainOutcome | undefined> | undefined;
  private quietStop = false;
  /** A train request is out in the worker (the worker refuses to reload meanwhile). */
  private workerRunning = false;
  private disposed = false;
  private readonly lossHistory: LossHistory;

  /** What the last load said (problems, or a summary). */
  lastLoad: LoadResult | undefined;
  /** Epoch counter of the worker (since the last load or reset) and the end of the current run. */
  epoch = 0;
  totalEpochs = 0;
  lastPoint: EpochPoint | undefined;
  lastRun: RunEnd | undefined;
  lastCheck: GradCheckView | undefined;
  checkRunning = false;
  /** Per-layer statistics at the worker's weights, once a run happened (kept fresh on edits). */
  stats: LayerStatsView[] | undefined;
  /** The weights at the end of the last run or step, until written, reset or replaced. */
  trainedWeights: { layers: LayerWeights[]; epoch: number } | undefined;
  /** True once this session trained (a run or a step): layer lenses are shown from then on. */
  hasTrained = false;

  private readonly progressEmitter = new vscode.EventEmitter<SessionProgress>();
  private readonly stateEmitter = new vscode.EventEmitter<{ state: TrainingState; message?: string }>();
  private readonly networkEmitter = new vscode.EventEmitter<void>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onProgress = this.progressEmitter.event;
  readonly onState = this.stateEmitter.event;
  readonly onNetworkChanged = this.networkEmitter.event;
  /** Anything the editor shows changed (state, progress, check, stats). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    readonly uri: vscode.Uri,
    private readonly host: SessionHost,
  ) {
    this.lossHistory = new LossHistory(settings(uri).historyMaxPoints);
  }

  get state(): TrainingState {
    return this.stateValue;
  }

  get summary(): NetSummary | undefined {
    return this.lastLoad?.ok ? this.lastLoad.summary : undefined;
  }

  /** True once the session ended (its document closed, or the extension deactivated). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * True while a run is going (training or paused). False again as soon as the worker's run has
   * ended and its results are in: the end-of-run question (`backprop.writeBack: "ask"`) does not
   * count as running.
   */
  get isRunning(): boolean {
    return this.runPromise !== undefined;
  }

  /** The document version the worker holds, if it holds the document's text. */
  get documentVersion(): number | undefined {
    return this.loadedVersion;
  }

  history(): EpochPoint[] {
    return this.lossHistory.points();
  }

  get historyCapacity(): number {
    return this.lossHistory.capacity;
  }

  async document(): Promise<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(this.uri);
  }

  // ---- loading ----

  /**
   * Makes the worker hold the document's current text (no-op when it already does, or while a
   * run goes on). Concurrent calls share one load.
   */
  async sync(): Promise<LoadResult> {
    const doc = await this.document();
    if (this.workerRunning && this.lastLoad) return this.lastLoad;
    if (this.loadedVersion === doc.version && this.lastLoad) return this.lastLoad;
    const previous = this.loadChain ?? Promise.resolve(undefined);
    const next = previous.then(
      () => this.loadNow(doc),
      () => this.loadNow(doc),
    );
    this.loadChain = next;
    return next;
  }

  private async loadNow(doc: vscode.TextDocument): Promise<LoadResult> {
    if (this.loadedVersion === doc.version && this.lastLoad) return this.lastLoad;
    if (this.workerRunning && this.lastLoad) return this.lastLoad;
    const version = doc.version;
    const client = this.worker();
    const result = await client.request('load', { text: doc.getText(), fileName: doc.uri.fsPath, allowOutside: allowOutsideData(doc.uri) });
    this.loadedVersion = version;
    this.lastLoad = result;
    this.epoch = 0;
    this.totalEpochs = 0;
    this.lastPoint = undefined;
    this.lastCheck = undefined;
    this.lossHistory.clear();
    this.setState(result.ok ? 'idle' : 'error', result.ok ? undefined : new NetProblemsError(this.uri, result).message);
    if (result.ok && this.hasTrained) await this.refreshStats();
    else this.stats = undefined;
    this.networkEmitter.fire();
    this.changeEmitter.fire();
    return result;
  }

  /** Loads the document when idle and returns the summary, or throws NetProblemsError. */
  async ready(): Promise<NetSummary> {
    const r = await this.sync();
    if (!r.ok) throw new NetProblemsError(this.uri, r);
    return r.summary;
  }

  /** After our own write-back of the worker's weights: the document now matches the worker. */
  markWritten(newVersion: number | undefined): void {
    if (newVersion !== undefined && !this.workerRunning) this.loadedVersion = newVersion;
    this.trainedWeights = undefined;
    this.changeEmitter.fire();
  }

  async refreshStats(): Promise<void> {
    try {
      this.stats = (await this.worker().request('network', {})).stats;
    } catch (err) {
      this.stats = undefined;
      this.host.log.warn(`${fileLabel(this.uri)}: statistics: ${message(err)}`);
    }
    this.changeEmitter.fire();
  }

  // ---- training ----

  async train(): Promise<void> {
    await this.run();
  }

  /**
   * Trains `epochs` more epochs (default: the file's). Throws NetProblemsError for a file with
   * problems. When a run is already going, returns that run's outcome.
   */
  run(epochs?: number): Promise<TrainOutcome | undefined> {
    if (this.runPromise) return this.runPromise;
    // The run counts as going until the worker's run ended and its results are in (`ended`,
    // called before the end-of-run messages and write-back, or when the run fails). Everyone
    // watching (progress UI, lenses) hears of the end through onDidChange.
    let p: Promise<TrainOutcome | undefined> | undefined;
    let over = false;
    this.quietStop = false;
    this.stopWanted = false;
    const ended = (): void => {
      if (over) return;
      over = true;
      if (p !== undefined && this.runPromise === p) this.runPromise = undefined;
      if (!this.disposed) this.changeEmitter.fire();
    };
    p = this.runNow(epochs, ended).finally(ended);
    if (!over) this.runPromise = p;
    return p;
  }

  private async runNow(epochs: number | undefined, ended: () => void): Promise<TrainOutcome | undefined> {
    const load = await this.sync();
    if (!load.ok) {
      const err = new NetProblemsError(this.uri, load);
      this.setState('error', err.message);
      throw err;
    }
    const base = this.loadedVersion ?? (await this.document()).version;
    const client = this.configure();
    this.lastCheck = undefined;
    this.totalEpochs = this.epoch + (epochs ?? load.summary.epochs);
    this.host.log.info(`${fileLabel(this.uri)}: training from epoch ${this.epoch + 1} to ${this.totalEpochs}`);
    this.setState('training');
    this.workerRunning = true;
    let end: RunEnd;
    try {
      const pending = client.request('train', epochs === undefined ? {} : { epochs });
      // a stop asked for while the file was being loaded reaches the worker after its run began
      if (this.stopWanted) client.note({ kind: 'note', type: 'stop' });
      end = await pending;
    } finally {
      this.workerRunning = false;
    }
    this.lastRun = end;
    this.epoch = end.epoch;
    this.hasTrained = this.hasTrained || end.epochsRun > 0;
    if (end.epochsRun > 0 && end.reason !== 'error') {
      this.trainedWeights = { layers: await client.request('weights', {}), epoch: end.epoch };
    }
    if (end.reason !== 'error') await this.refreshStats();
    this.networkEmitter.fire();
    ended();
    if (this.quietStop) {
      // stopped by Reset or by closing: no write-back, no messages, but the run is kept
      if (end.record) this.keepRecord(end.record);
      delete end.record;
      // a run ended by closing has no result for whoever started it: its file is gone
      return this.closing === undefined ? { end, written: false } : undefined;
    }
    const written = await this.host.afterRun(this, end, base);
    return { end, written };
  }

  pause(): void {
    if (this.isRunning) this.client?.note({ kind: 'note', type: 'pause' });
  }

  resume(): void {
    if (this.isRunning) this.client?.note({ kind: 'note', type: 'resume' });
  }

  /** A stop was asked for during this run (also before its worker's run began). */
  private stopWanted = false;

  stop(): void {
    if (!this.isRunning) return;
    this.stopWanted = true;
    this.client?.note({ kind: 'note', type: 'stop' });
  }

  /** Stops a run and waits for its end, without the end-of-run messages. */
  async stopQuietly(): Promise<void> {
    const run = this.runPromise;
    if (!run) return;
    this.quietStop = true;
    this.stop();
    await run.catch(() => undefined);
  }

  /** The worker, told the current settings (progress rate, threads, whether runs are recorded). */
  private configure(): WorkerClient {
    const client = this.worker();
    const cfg = settings(this.uri);
    const record = vscode.workspace.getConfiguration('backprop', this.uri).get<boolean>('runs.record', true) !== false;
    client.note({ kind: 'note', type: 'configure', progressIntervalMs: cfg.progressIntervalMs, maxPointsPerMessage: this.lossHistory.capacity, threads: cfg.threads, record });
    return client;
  }

  async step(): Promise<void> {
    if (!this.isRunning) await this.ready();
    if (!this.isRunning) this.configure();
    const end = await this.worker().request('step', {});
    this.epoch = end.epoch;
    if (end.epochsRun > 0) {
      this.hasTrained = true;
      this.trainedWeights = { layers: await this.worker().request('weights', {}), epoch: end.epoch };
    }
    if (end.reason === 'diverged' || end.reason === 'error') {
      this.lastRun = end;
      this.host.log.error(`${fileLabel(this.uri)}: step: ${end.message ?? end.reason}`);
    }
    this.lastCheck = undefined;
    if (!this.isRunning) await this.refreshStats();
    this.networkEmitter.fire();
    this.changeEmitter.fire();
  }

  async reset(): Promise<void> {
    await this.stopQuietly();
    await this.ready();
    await this.resetWeights();
  }

  /** Re-initialises the worker's weights from the seed; returns them. */
  async resetWeights(): Promise<LayerWeights[]> {
    const weights = await this.worker().request('reset', {});
    this.epoch = 0;
    this.totalEpochs = 0;
    this.lastPoint = undefined;
    this.lastRun = undefined;
    this.lastCheck = undefined;
    this.trainedWeights = undefined;
    this.lossHistory.clear();
    if (this.hasTrained) await this.refreshStats();
    this.networkEmitter.fire();
    this.changeEmitter.fire();
    return weights;
  }

  /** Applies `learningRate` (checked where it came in, see parseFromWebview) from the next batch on. */
  setLearningRate(learningRate: number): void {
    this.worker().note({ kind: 'note', type: 'setLearningRate', value: learningRate });
  }

  // ---- questions ----

  async network(): Promise<NetworkView> {
    if (!this.isRunning) await this.ready();
    return this.worker().request('network', {});
  }

  async weights(): Promise<LayerWeights[]> {
    if (!this.isRunning) await this.ready();
    return this.worker().request('weights', {});
  }

  async trace(sample: number): Promise<TraceView> {
    if (!this.isRunning) await this.ready();
    return this.worker().request('trace', { sample });
  }

  async gradCheck(): Promise<GradCheckView> {
    if (!this.isRunning) await this.ready();
    this.checkRunning = true;
    this.changeEmitter.fire();
    try {
      const report = await this.worker().request('gradCheck', { maxPerLayer: settings(this.uri).gradCheckMaxPerLayer });
      this.lastCheck = report;
      return report;
    } finally {
      this.checkRunning = false;
      this.changeEmitter.fire();
    }
  }

  async boundary(size: number): Promise<BoundaryView | undefined> {
    if (!this.isRunning) await this.ready();
    return (await this.worker().request('boundary', { size })) ?? undefined;
  }

  // ---- the worker ----

  private worker(): WorkerClient {
    if (this.disposed) throw new Error(`the session of ${fileLabel(this.uri)} has ended`);
    if (this.client && !this.client.isEnded) return this.client;
    const client = spawnWorkerClient(this.host.workerPath, 'training worker', (s) => this.host.log.warn(`${fileLabel(this.uri)}: ${s}`), `backprop ${fileLabel(this.uri)}`);
    client.onEvent((e) => {
      switch (e.type) {
        case 'progress':
          this.lossHistory.pushAll(e.points);
          this.epoch = e.epoch;
          this.totalEpochs = e.totalEpochs;
          if (e.points.length > 0) this.lastPoint = e.points[e.points.length - 1];
          this.progressEmitter.fire({ points: e.points, epoch: e.epoch, totalEpochs: e.totalEpochs });
          this.changeEmitter.fire();
          return;
        case 'state':
          this.setState(e.state, e.message);
          return;
        case 'log':
          this.host.log[e.level](`${fileLabel(this.uri)}: ${e.message}`);
          return;
        case 'record':
          this.keepRecord(e.record);
          return;
      }
    });
    client.onEnded((reason) => {
      if (this.client === client) this.client = undefined;
      this.loadedVersion = undefined;
      this.workerRunning = false;
      if (!this.disposed) {
        this.host.log.error(`${fileLabel(this.uri)}: ${reason}`);
        this.setState('error', reason);
      }
    });
    this.client = client;
    this.host.log.info(`${fileLabel(this.uri)}: training worker started`);
    return client;
  }

  private setState(state: TrainingState, msg?: string): void {
    if (state === this.stateValue && msg === undefined) return;
    this.stateValue = state;
    this.stateEmitter.fire(msg === undefined ? { state } : { state, message: msg });
    this.changeEmitter.fire();
  }

  private closing?: Promise<void>;
  /** Records being stored (host.keepRecord): a closing session waits for them (within CLOSE_RECORD_MS). */
  private readonly keeping = new Set<Promise<unknown>>();

  private keepRecord(record: RunRecord): void {
    const p = Promise.resolve(this.host.keepRecord?.(this, record)).catch(() => undefined);
    this.keeping.add(p);
    void p.finally(() => this.keeping.delete(p));
  }

  async disposeAsync(reason: string): Promise<void> {
    this.closing ??= this.close(reason);
    return this.closing;
  }

  /**
   * Before the worker ends: a run still going is stopped and a run of steps ended, so both are
   * recorded (at most CLOSE_RECORD_MS; a worker that does not answer by then is ended all the same).
   */
  private async keepLastRuns(client: WorkerClient): Promise<void> {
    const work = (async () => {
      await this.stopQuietly();
      if (!client.isEnded) await client.request('endSteps', {});
      // stored before the worker (and, at shutdown, the extension host) ends
      await Promise.all([...this.keeping]);
    })().catch((e: unknown) => this.host.log.warn(`${fileLabel(this.uri)}: the last run may not be recorded: ${message(e)}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_RECORD_MS)))]);
    if (timer !== undefined) clearTimeout(timer);
  }

  private async close(reason: string): Promise<void> {
    if (this.disposed) return;
    if (this.client && !this.client.isEnded) await this.keepLastRuns(this.client);
    this.disposed = true;
    const client = this.client;
    this.client = undefined;
    if (client) {
      this.host.log.info(`${fileLabel(this.uri)}: training worker ended (${reason})`);
      await client.dispose(reason);
    }
    this.progressEmitter.dispose();
    this.stateEmitter.dispose();
    this.networkEmitter.dispose();
    this.changeEmitter.dispose();
  }

  dispose(): void {
    void this.disposeAsync('the session was closed');
  }
}

/** The longest a closing session waits for its last runs' records. */
const CLOSE_RECORD_MS = 3000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
