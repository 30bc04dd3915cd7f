/**
 * What the inspector (src/extension/inspector/) needs from a network file's training session.
 * Implemented by the session manager (src/extension/training/); one session per `.net.json` URI.
 * All computation happens in the session's worker thread; these methods only send and await
 * messages, so they never block the extension host.
 */
import type * as vscode from 'vscode';
import type {
  BoundaryView,
  EpochPoint,
  GradCheckView,
  NetworkView,
  TraceView,
  TrainingState,
} from '../shared/protocol';

/** Numbers only: the training state has one source, the session's `state` (and `onState`). */
export interface SessionProgress {
  /** Points added since the last event (already rate-limited by the session). */
  points: EpochPoint[];
  epoch: number;
  totalEpochs: number;
}

export interface TrainingSessionApi {
  readonly uri: vscode.Uri;
  readonly state: TrainingState;
  /** The loss history of the current run, downsampled to a bounded size (flat memory). */
  history(): EpochPoint[];
  /** The most points that history holds (the one limit; the chart keeps as many). */
  readonly historyCapacity: number;
  /** The network as it is now in the worker (weights, last gradient, last update). */
  network(): Promise<NetworkView>;
  readonly onProgress: vscode.Event<SessionProgress>;
  readonly onState: vscode.Event<{ state: TrainingState; message?: string }>;
  /** Fired when the weights changed outside a training stream (reset, step, document edit). */
  readonly onNetworkChanged: vscode.Event<void>;

  train(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Runs exactly one epoch (also when idle or paused). */
  step(): Promise<void>;
  stop(): void;
  /** Re-initialises the weights from the seed (in the session, not in the document). */
  reset(): Promise<void>;
  /** Applies a learning rate (already checked) from the next batch on. */
  setLearningRate(learningRate: number): void;
  trace(sample: number): Promise<TraceView>;
  gradCheck(): Promise<GradCheckView>;
  /** Decision boundary over a grid; undefined when the network does not have two inputs. */
  boundary(size: number): Promise<BoundaryView | undefined>;
}
