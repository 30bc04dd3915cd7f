/**
 * The host side of one inspector: answers the webview's messages through the file's training
 * session and forwards the session's events to the webview at a bounded rate. It computes nothing
 * about the network itself — every number comes from the session's worker.
 *
 * - Nothing is sent before the webview's `ready`; after the panel is hidden (its page is discarded,
 *   no retainContextWhenHidden) nothing is sent until the next `ready`, which gets a fresh `init`.
 * - Every incoming message is checked with `parseFromWebview`; one that does not fit is ignored
 *   with a log line.
 * - Progress points are batched and sent at most every `progressMs` (a burst reduced to the
 *   history's limit by its rule, `reducePoints`); the network (weights,
 *   gradients, updates) and the decision boundary are re-read at most every `networkMs` while
 *   training runs, and after every change outside training (step, reset, edit).
 *
 * Uses only types from `vscode` (and a transport interface), so it runs in plain Node tests with a
 * stub session and transport.
 */
import type * as vscode from 'vscode';
import type { SessionProgress, TrainingSessionApi } from '../sessionApi';
import type { InspectorDebug, InspectorDebugState } from '../debugApi';
import {
  parseFromWebview,
  type EpochPoint,
  type ExportImageMessage,
  type FromWebview,
  type GradCheckView,
  type RevealMessage,
  type ToWebview,
  type WebviewRequest,
  type WebviewRequests,
} from '../../shared/protocol';
import { replyOf } from '../../shared/rpc';
import type { FromRuns, ToRuns } from '../../shared/runsProtocol';
import { reducePoints } from '../../engine/history';
import { Throttle, realTimers, type Timers } from './throttle';

export interface Transport {
  post(message: ToWebview): void;
}

/** The part of vscode.LogOutputChannel the controller uses. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ControllerTiming {
  /** Shortest time between two progress messages (10 per second). */
  progressMs: number;
  /** Shortest time between two network (and boundary) refreshes while training. */
  networkMs: number;
  /** Side of the decision-boundary grid. */
  boundarySize: number;
}

const DEBUGGING = 'The debugger is running this file: the inspector shows its state, and training from here is off until the debug session ends.';

/** The inspector's parts with a host side of their own: the Runs tab and the exports (set by the panel). */
export interface InspectorParts {
  /** A new page is ready (after the init). */
  onReady(): Promise<void>;
  /** The page was discarded. */
  onHidden(): void;
  runs(m: FromRuns): Promise<void>;
  exportImage(m: ExportImageMessage): Promise<void>;
  /** Saves the session's loss history (the points given). */
  exportHistory(points: EpochPoint[]): Promise<void>;
  /** A sample's pass was shown in the Backprop step by step tab. */
  steppedThrough(): void;
}

export const DEFAULT_TIMING: ControllerTiming = { progressMs: 100, networkMs: 400, boundarySize: 64 };

export class InspectorController implements vscode.Disposable {
  private ready = false;
  /** An init reached the webview since its last `ready` (it fails while the file has errors). */
  private initialized = false;
  private disposed = false;
  /**
   * The webview page's generation: raised on every `ready` and when the panel is hidden (its page
   * is discarded). A new page's request ids start again at 1, so a reply computed for an older
   * page is dropped rather than settling the new page's request of the same id.
   */
  private page = 0;
  private pending: EpochPoint[] = [];
  private lastProgress?: SessionProgress;
  private lastReport?: GradCheckView;
  private twoInputs = false;
  private networkBusy = false;
  private networkAgain = false;
  private boundaryBusy = false;
  private readonly progressThrottle: Throttle;
  private readonly networkThrottle: Throttle;
  private readonly subscriptions: vscode.Disposable[] = [];

  /** The Runs tab and the exports (set by the panel; absent in tests of the controller alone). */
  parts?: InspectorParts;
  /** The debugger's state for this file (set by followDebugger). */
  private debug?: InspectorDebug;
  /**
   * True while a debug session of the file is stopped or running: the views show the debugger's
   * state, the session's progress and network are not sent, and the training controls are off
   * (training the file meanwhile would mix two runs in one view). When the session ends, a fresh
   * `init` brings the file's state back.
   */
  private following = false;

  constructor(
    private readonly session: TrainingSessionApi,
    private readonly transport: Transport,
    private readonly log: Log,
    private readonly onReveal: (m: RevealMessage) => void | Promise<void>,
    private readonly uri: string,
    private readonly timing: ControllerTiming = DEFAULT_TIMING,
    timers: Timers = realTimers,
  ) {
    this.progressThrottle = new Throttle(timing.progressMs, () => this.flushProgress(), timers);
    this.networkThrottle = new Throttle(timing.networkMs, () => void this.refreshNetwork(), timers);
    this.subscriptions.push(
      session.onProgress((p) => this.onProgress(p)),
      session.onState((s) => {
        // Points still waiting for the throttle belong before the state change: a later progress
        // message must not carry the run's old state past it (the webview shows the last state).
        this.progressThrottle.cancel();
        this.flushProgress();
        if (this.following) return; // (the init at the debug session's end sends the state)
        this.send({ type: 'state', state: s.state, ...(s.message !== undefined ? { message: s.message } : {}) });
        if (s.state !== 'training') this.networkThrottle.trigger();
      }),
      session.onNetworkChanged(() => this.networkThrottle.trigger()),
    );
  }

  /** Follows the debugger: when a debug session of this file stops, the views show its state. */
  followDebugger(debug: InspectorDebug): void {
    this.debug = debug;
    this.subscriptions.push(debug.onDidChange(() => this.onDebug()));
    this.onDebug();
  }

  private onDebug(): void {
    const d = this.debug?.current();
    if (d !== undefined && d.state !== 'ended') {
      this.following = true;
      this.pending = [];
      this.progressThrottle.cancel();
      this.sendDebug(d);
      return;
    }
    if (d !== undefined) this.sendDebug(d); // ended: the heatmaps stay, marked
    if (this.following) {
      this.following = false;
      if (this.ready) void this.sendInit().catch((e: unknown) => this.log.warn(`inspector ${this.uri}: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private sendDebug(d: InspectorDebugState): void {
    this.send({ type: 'debug', state: d.state, banner: d.banner, heatmaps: d.heatmaps, ...(d.detail !== undefined ? { detail: d.detail } : {}), ...(d.history !== undefined && d.state === 'stopped' ? { history: d.history } : {}) });
    if (d.state !== 'stopped' || d.network === undefined) return;
    this.send({ type: 'network', network: d.network });
    if (d.boundary !== undefined) this.send({ type: 'boundary', boundary: d.boundary });
  }

  /** The panel was shown or hidden. A hidden webview loses its page: wait for its next `ready`. */
  setVisible(visible: boolean): void {
    if (!visible) {
      this.page++;
      this.ready = false;
      this.pending = [];
      this.progressThrottle.cancel();
      this.parts?.onHidden();
    }
  }

  /** A message from the webview, unchecked. */
  receive(raw: unknown): void {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.log.warn(`inspector ${this.uri}: ignored a message from the webview: ${parsed.reason}`);
      return;
    }
    void this.handle(parsed.message);
  }

  dispose(): void {
    this.disposed = true;
    this.ready = false;
    this.progressThrottle.dispose();
    this.networkThrottle.dispose();
    while (this.subscriptions.length > 0) this.subscriptions.pop()?.dispose();
  }

  private async handle(m: FromWebview): Promise<void> {
    if ('kind' in m && m.kind === 'request') {
      await this.answer(m);
      return;
    }
    try {
      switch (m.type) {
        case 'ready':
          this.page++;
          this.ready = true;
          this.initialized = false;
          try {
            await this.sendInit();
          } finally {
            await this.parts?.onReady();
          }
          return;
        case 'closeDebugHeatmap':
          this.debug?.closeHeatmap(m.id);
          return;
        case 'control':
          if (this.following) throw new Error(DEBUGGING);
          switch (m.action) {
            case 'train':
              await this.session.train();
              return;
            case 'pause':
              this.session.pause();
              return;
            case 'resume':
              this.session.resume();
              return;
            case 'step':
              await this.session.step();
              return;
            case 'stop':
              this.session.stop();
              return;
            case 'reset':
              this.lastReport = undefined;
              await this.session.reset();
              await this.sendInit(); // the history starts afresh
              return;
          }
          return;
        case 'setLearningRate':
          if (this.following) throw new Error(`${DEBUGGING} Set the debugger's learning rate in the Debug Console: lr = ${m.value}`);
          this.session.setLearningRate(m.value);
          this.log.info(`inspector ${this.uri}: learning rate set to ${m.value}`);
          return;
        case 'reveal':
          await this.onReveal(m);
          return;
        case 'runs':
          await this.parts?.runs(m.message);
          return;
        case 'exportImage':
          await this.parts?.exportImage(m);
          return;
        case 'exportHistory':
          await this.parts?.exportHistory(this.session.history());
          return;
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`inspector ${this.uri}: ${m.type}${m.type === 'control' ? ` ${m.action}` : ''} failed: ${message}`);
      this.send({ type: 'problem', message });
    }
  }

  /** Answers a request of the webview with exactly one reply (its result, or its error), by id. */
  private async answer(m: WebviewRequest): Promise<void> {
    const page = this.page;
    const reply = (r: ToWebview): void => {
      if (this.page === page) this.send(r);
      else this.log.info(`inspector ${this.uri}: dropped the reply to ${m.type} #${m.id}: the page it was for has gone`);
    };
    try {
      let result: WebviewRequests[typeof m.type]['result'];
      if (m.type === 'trace') {
        // while following, the pass at the debugger's stopped weights
        result = this.following && this.debug !== undefined ? await this.debug.trace(m.params.sample) : await this.session.trace(m.params.sample);
        if (m.params.stepThrough === true) this.parts?.steppedThrough();
      } else if (this.following) {
        throw new Error(`The gradient check works on the file's network. ${DEBUGGING}`);
      } else {
        result = await this.session.gradCheck();
        this.lastReport = result;
      }
      reply(replyOf(m.id, { result }));
    } catch (error) {
      this.log.error(`inspector ${this.uri}: ${m.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      reply(replyOf(m.id, { error }));
    }
  }

  private initInFlight?: Promise<void>;

  /** Sends `init`; concurrent calls share one (a second init would wipe a history the first kept). */
  private sendInit(): Promise<void> {
    if (!this.initInFlight) {
      this.initInFlight = this.doSendInit().finally(() => {
        this.initInFlight = undefined;
      });
    }
    return this.initInFlight;
  }

  private async doSendInit(): Promise<void> {
    const network = await this.session.network();
    if (!this.ready) return;
    this.twoInputs = network.sizes[0] === 2;
    this.pending = [];
    this.send({ type: 'init', uri: this.uri, network, history: this.session.history(), historyCapacity: this.session.historyCapacity, state: this.session.state });
    this.initialized = true;
    if (this.lastReport) this.send({ type: 'gradcheck', report: this.lastReport });
    const d = this.debug?.current();
    if (d !== undefined && (this.following || d.heatmaps.length > 0)) this.sendDebug(d);
    if (!this.following) await this.refreshBoundary();
  }

  private onProgress(p: SessionProgress): void {
    this.lastProgress = p;
    if (!this.ready || this.following) return;
    this.pending.push(...p.points);
    this.progressThrottle.trigger();
    this.networkThrottle.trigger();
  }

  private flushProgress(): void {
    const p = this.lastProgress;
    if (!this.ready || !p || this.pending.length === 0) return;
    // A burst never holds more than the history does: reduced by the history's own rule.
    const points = reducePoints(this.pending, this.session.historyCapacity);
    this.pending = [];
    this.send({ type: 'progress', points, epoch: p.epoch, totalEpochs: p.totalEpochs });
  }

  /** Re-reads the network from the session (one request at a time; a trigger meanwhile repeats it). */
  private async refreshNetwork(): Promise<void> {
    if (!this.ready || this.disposed || this.following) return;
    if (this.networkBusy) {
      this.networkAgain = true;
      return;
    }
    this.networkBusy = true;
    try {
      if (!this.initialized) {
        // The init is under way, or it failed (e.g. the file had errors): wait for it or try again.
        await this.sendInit().catch((e: unknown) => this.log.warn(`inspector ${this.uri}: ${e instanceof Error ? e.message : String(e)}`));
      }
      if (this.initialized) {
        const network = await this.session.network();
        if (this.following) return; // the debugger's state is shown now
        this.twoInputs = network.sizes[0] === 2;
        this.send({ type: 'network', network });
        await this.refreshBoundary();
      }
    } catch (e) {
      this.log.error(`inspector ${this.uri}: reading the network failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.networkBusy = false;
    }
    if (this.networkAgain) {
      this.networkAgain = false;
      this.networkThrottle.trigger();
    }
  }

  private async refreshBoundary(): Promise<void> {
    if (!this.twoInputs || this.boundaryBusy || !this.ready) return;
    this.boundaryBusy = true;
    try {
      const boundary = await this.session.boundary(this.timing.boundarySize);
      if (boundary && !this.following) this.send({ type: 'boundary', boundary });
    } finally {
      this.boundaryBusy = false;
    }
  }

  /** A message of the Runs tab (dropped while no page is ready, like every other). */
  sendRuns(m: ToRuns): void {
    this.send({ type: 'runs', message: m });
  }

  /** A sentence for the user (an export written). */
  note(message: string): void {
    this.send({ type: 'note', message });
  }

  /** A problem for the user's banner. */
  problem(message: string): void {
    this.send({ type: 'problem', message });
  }

  private send(m: ToWebview): void {
    if (!this.ready || this.disposed) return;
    this.transport.post(m);
  }
}
