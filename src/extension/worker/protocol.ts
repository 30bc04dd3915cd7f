/**
 * The message protocol between the extension host and a training worker (`dist/worker.js`, one
 * `worker_threads` Worker per network file). Both sides import this file; nothing here imports
 * `vscode` or `worker_threads`.
 *
 * - Requests (host -> worker) carry an `id` and get exactly one `reply` with that id, either a
 *   result or an error message (the shared request/reply layer, src/shared/rpc.ts). Their
 *   parameter and result types are listed in `WorkerRequests`.
 * - Notes (host -> worker) control a running training loop and get no reply.
 * - Events (worker -> host) report progress, state changes and log lines as they happen.
 *
 * The worker runs epochs in short slices and returns to its message loop between them, so notes
 * and requests are handled between epochs while training runs.
 */
import type { Problem } from '../../engine/format/problems';
import { HISTORY_POINTS } from '../../engine/history';
import type { ReplyEnvelope, RequestEnvelope } from '../../shared/rpc';
import type { RunRecord } from '../../engine/runs';
import type { DataCheckOptions, DataCheckResult } from './dataCheck';
import type { ExportJob, ExportOutcome } from './exportJob';
import type {
  BoundaryView,
  EpochPoint,
  GradCheckView,
  LayerStatsView,
  NetworkView,
  TraceView,
  TrainingState,
} from '../../shared/protocol';

export type { LayerStatsView };

/** What a successfully loaded file is, in brief (for lenses, hovers and messages). */
export interface NetSummary {
  name: string;
  /** [inputs, units1, ..., unitsL] */
  sizes: number[];
  activations: string[];
  loss: string;
  optimizer: string;
  /** The file's `training.epochs`: the length of one run. */
  epochs: number;
  samples: number;
  validationSamples: number;
  classification: boolean;
  parameters: number;
}

export type LoadResult =
  | { ok: true; summary: NetSummary; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** One layer's parameters as plain arrays (the shape `writeWeights` takes). */
export interface LayerWeights {
  weights: number[][];
  biases: number[];
}

export interface Divergence {
  epoch: number;
  batch: number;
  layer: number;
  what: string;
}

/** How a run (or a single step) ended. */
export interface RunEnd {
  reason: 'done' | 'stopped' | 'diverged' | 'error';
  /** The session's epoch counter after the run (epochs since the last load or reset). */
  epoch: number;
  /** Epochs this run completed. */
  epochsRun: number;
  /** The last epoch's results, when there is one. */
  last?: EpochPoint;
  divergence?: Divergence;
  /** A sentence for the user when the run did not end normally. */
  message?: string;
  seconds: number;
  /** The run's record (engine/runs), kept by the extension's run store (absent for a step, or with `record: false`). */
  record?: RunRecord;
}

/** Every request: its parameters and its result. */
export type WorkerRequests = {
  /** Parses and validates `text` (the document, unsaved edits included), loads its data, builds the network. */
  load: { params: { text: string; fileName: string; allowOutside?: boolean }; result: LoadResult };
  /** Trains for `epochs` (default: the file's) more epochs; replies when the run ends. */
  train: { params: { epochs?: number }; result: RunEnd };
  /** Exactly one epoch, also when paused; refused while a run is going. */
  step: { params: Record<string, never>; result: RunEnd };
  /** Re-initialises every layer from the seed (ignoring the file's weights); the epoch counter restarts. */
  reset: { params: Record<string, never>; result: LayerWeights[] };
  /** THE snapshot of the network's state (see views.snapshot). */
  network: { params: Record<string, never>; result: NetworkView };
  weights: { params: Record<string, never>; result: LayerWeights[] };
  trace: { params: { sample: number }; result: TraceView };
  /** `maxPerLayer`: 0 checks every parameter, otherwise a seeded sample of that many per layer. */
  gradCheck: { params: { maxPerLayer: number }; result: GradCheckView };
  /** `null` when the network does not have two inputs. */
  boundary: { params: { size: number }; result: BoundaryView | null };
  /**
   * Loads the data of `text` (as `load` would) only to report its problems, by JSON path; the
   * worker's network is not touched. Used by the diagnostics' data-check worker.
   */
  checkData: { params: { text: string; fileName: string } & DataCheckOptions; result: DataCheckResult };
  /** Exports `text` (engine/export) and writes the files atomically; the worker's network is not touched. */
  export: { params: ExportJob; result: ExportOutcome };
  /** Ends the run of consecutive "Step epoch" clicks, if one is going: its record comes as a `record` event first. */
  endSteps: { params: Record<string, never>; result: null };
};

export type RequestType = keyof WorkerRequests;
export type RequestParams<K extends RequestType> = WorkerRequests[K]['params'];
export type RequestResult<K extends RequestType> = WorkerRequests[K]['result'];

export type RequestMessage = RequestEnvelope<WorkerRequests>;

export type NoteMessage =
  | { kind: 'note'; type: 'pause' }
  | { kind: 'note'; type: 'resume' }
  | { kind: 'note'; type: 'stop' }
  /** Applies a learning rate from the next batch on, until the file is reloaded (a reset keeps it). */
  | { kind: 'note'; type: 'setLearningRate'; value: number }
  /** How often progress is posted while training (ms), and at most how many points per message. */
  | { kind: 'note'; type: 'configure'; progressIntervalMs: number; maxPointsPerMessage: number; threads?: number; record?: boolean };

export type HostToWorker = RequestMessage | NoteMessage;

export type ReplyMessage = ReplyEnvelope;

export interface ProgressEvent {
  kind: 'event';
  type: 'progress';
  /** Points since the previous progress event, reduced to at most `maxPointsPerMessage`. */
  points: EpochPoint[];
  epoch: number;
  /** The epoch the current run ends at. */
  totalEpochs: number;
}

export type EventMessage =
  | ProgressEvent
  | { kind: 'event'; type: 'state'; state: TrainingState; message?: string }
  | { kind: 'event'; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /**
   * The record of a run of consecutive "Step epoch" clicks, which ended: at the next Train, Reset,
   * reload of the file or `endSteps` (the session closing), or at a failed step.
   */
  | { kind: 'event'; type: 'record'; record: RunRecord };

export type WorkerToHost = ReplyMessage | EventMessage;

/** Default progress rate and message size (a message holds at most what a history holds). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 100;
export const DEFAULT_MAX_POINTS_PER_MESSAGE = HISTORY_POINTS;
