/**
 * The one message protocol between the extension host and the inspector webview.
 *
 * Both sides import this file. Every message is a plain JSON object. Questions the webview asks
 * (a sample's trace, a gradient check) are requests of the shared request/reply layer
 * (src/shared/rpc.ts, `WebviewRequests`): they carry an id and get exactly one reply, with the
 * result or an error. Everything else is an event discriminated by `type`. The webview sends
 * `ready` first; the host sends nothing before it. The host validates every message it receives
 * with `parseFromWebview` (the trust boundary) and ignores (with a log line) anything that does
 * not fit. Numbers are float64 exactly as the engine computed them.
 */

import { isLearningRate } from '../engine/spec';
import type { GradCheckEntry } from '../engine/gradcheck';
import type { ReplyEnvelope, RequestEnvelope } from './rpc';
import { parseFromRuns, type FromRuns, type ToRuns } from './runsProtocol';

/** One point of the loss history (one epoch); defined with the history module in the engine. */
import type { EpochPoint } from '../engine/history';
export type { EpochPoint };

/* Indices j, k and sample numbers in messages are 0-based array indices; the names shown to users
 * (w^l_jk) follow the engine's naming (see docs/net-json.md). */

/** One non-input layer's parameters and what training did to them; matrices are row-major units x inputs. */
export interface LayerView {
  /** 1-based layer index l (layer 0 is the input). */
  layer: number;
  units: number;
  inputs: number;
  activation: string;
  W: number[];
  b: number[];
  /** Gradient of the loss at the current weights (full training set); absent before any computation. */
  dW?: number[];
  db?: number[];
  /** The last update applied by the optimizer; absent before training. */
  uW?: number[];
  ub?: number[];
}

/** What matters about one layer after a run, at the current weights over the training data. */
export interface LayerStatsView {
  /** 1-based layer index l. */
  layer: number;
  units: number;
  activation: string;
  /** Euclidean norm of dE/dW and dE/db of this layer together. */
  gradientNorm: number;
  /** Share of units whose output is constant zero on every sample (relu family). */
  deadShare: number;
  /** Share of units whose derivative is near zero on most samples (sigmoid, tanh). */
  saturatedShare: number;
}

/**
 * THE snapshot of the network's state, produced by the worker alone (`snapshot` in
 * src/extension/worker/views.ts) and read by the inspector's views, the step-through, the lenses
 * and the hovers.
 */
export interface NetworkView {
  name: string;
  fileName: string;
  /** [inputs, units1, ..., unitsL] */
  sizes: number[];
  activations: string[];
  loss: string;
  classification: boolean;
  samples: number;
  learningRate: number;
  epoch: number;
  layers: LayerView[];
  /** Per-layer statistics at the current weights over the training data (lenses, hovers). */
  stats: LayerStatsView[];
  /** How training updates the weights, for the step-through's remark on how its one-sample step differs. */
  optimizer: string;
  /** Samples per update in training (the whole training set when the file sets no batch size). */
  batchSize: number;
  /** The file's l2 coefficient (0: none). */
  l2: number;
  /** Names of the inputs (CSV columns) and of the classes (a CSV label column), when the data has them. Shown as text. */
  inputNames?: string[];
  classNames?: string[];
}

/** Every quantity of one forward and backward pass for one sample, indexed by layer 0..L. */
export interface TraceView {
  sample: number;
  x: number[];
  t: number[];
  /** net[l][j] = net input of unit j of layer l (net[0] is empty). */
  net: number[][];
  /** out[l][j] = output of unit j of layer l (out[0] = x). */
  out: number[][];
  /** delta[l][j] = dE/dnet_j for layer l (delta[0] is empty). */
  delta: number[][];
  /** fprime[l][j] = f'(net_j) of layer l, the factor in the delta rule (index 0 empty). */
  fprime: number[][];
  /** backSum[l][j] = sum_k w^{l+1}_kj delta^{l+1}_k for hidden layers (index 0 and L empty). */
  backSum: number[][];
  dEdy: number[];
  loss: number;
  learningRate: number;
  /** The l2 coefficient training adds to each weight's gradient (l2 · w); 0 when the file has none. */
  l2: number;
  /** The weights used for this pass, row-major per layer (index 0 empty). */
  W: number[][];
  b: number[][];
  /** The plain-SGD update this sample alone would make: uW[l][j*inputs+k] = -lr * (delta_j * out_k + l2 * w), ub = -lr * delta_j. */
  uW: number[][];
  ub: number[][];
  /** The weights and biases after that update: newW[l][i] = W[l][i] + uW[l][i] (float64 sums). */
  newW: number[][];
  newB: number[][];
}

/** One checked parameter, as the engine reports it (its fields, its statuses, the reason for 'kink' and 'cannot-check'). */
export type GradCheckEntryView = Pick<GradCheckEntry, 'layer' | 'kind' | 'j' | 'k' | 'name' | 'analytic' | 'numeric' | 'relativeError' | 'status' | 'reason'>;

export interface GradCheckView {
  passed: boolean;
  maxRelativeError: number;
  parameters: number;
  entries: GradCheckEntryView[];
  worst: GradCheckEntryView[];
  thresholds: { pass: number; fail: number };
  seconds: number;
}

export interface BoundaryView {
  /** Grid of `size` x `size` cells over [xMin, xMax] x [yMin, yMax], row-major from yMax down. */
  size: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Per cell: predicted class index (classification) or output value (regression). */
  values: number[];
  /** Per cell: confidence in [0, 1] of the predicted class (classification only). */
  confidence?: number[];
  points: { x: number; y: number; label: number }[];
  classes: number;
}

export type TrainingState = 'idle' | 'training' | 'paused' | 'done' | 'diverged' | 'error';

// ---- host -> webview ----
/** `uri` is the file's URI (kept in the webview state so the panel serializer can restore the panel). */
/** `historyCapacity`: the one limit of a loss history (the session's; the chart keeps as many). */
export interface InitMessage { type: 'init'; uri: string; network: NetworkView; history: EpochPoint[]; historyCapacity: number; state: TrainingState }
/** Numbers only: the training state arrives in `state` messages alone. */
export interface ProgressMessage { type: 'progress'; points: EpochPoint[]; epoch: number; totalEpochs: number }
export interface NetworkMessage { type: 'network'; network: NetworkView }
export interface GradCheckMessage { type: 'gradcheck'; report: GradCheckView }
export interface BoundaryMessage { type: 'boundary'; boundary: BoundaryView }
export interface StateMessage { type: 'state'; state: TrainingState; message?: string }
export interface ProblemMessage { type: 'problem'; message: string }
/** A sentence for the user that is not a problem (e.g. "Chart written to xor-loss.png"). */
export interface NoteMessage { type: 'note'; message: string }
/** A message of the Runs tab's sub-protocol (src/shared/runsProtocol.ts). */
export interface RunsToWebview { type: 'runs'; message: ToRuns }

/**
 * A matrix of the debugger's stopped state opened from Variables ("Open as Heatmap"): its name,
 * shape, the engine's float64 entries (row-major), and where the debugger stood when they were
 * read. `status`: 'current' (read at the present stop), 'running' (the debugger runs again: the
 * values are from `at`), 'ended' (the session ended), 'unavailable' (not computed at this stop,
 * `note` says why).
 */
export interface DebugMatrixView {
  id: number;
  name: string;
  rows: number;
  cols: number;
  values: number[];
  at: string;
  status: 'current' | 'running' | 'ended' | 'unavailable';
  note?: string;
}

/**
 * The debugger's state for this file's inspector. While `stopped` or `running`, the inspector's
 * views show the debugger's network (sent as `network` and `boundary` messages right after) and
 * `history` (the debug run's epochs) instead of the file's; at `ended` they return to the file's
 * (an `init` follows).
 */
export interface DebugMessage {
  type: 'debug';
  state: 'stopped' | 'running' | 'ended';
  /** The banner, e.g. "Debugger: stopped in epoch 3 of 40 (2 done), batch 2 of 4, layer 2 — backward". */
  banner: string;
  /** Why it stopped (the stop's description), when stopped. */
  detail?: string;
  history?: EpochPoint[];
  heatmaps: DebugMatrixView[];
}

export type ToWebview =
  | InitMessage
  | DebugMessage
  | ProgressMessage
  | NetworkMessage
  | GradCheckMessage
  | BoundaryMessage
  | StateMessage
  | ProblemMessage
  | NoteMessage
  | RunsToWebview
  | ReplyEnvelope;

// ---- webview -> host ----
export type ControlAction = 'train' | 'pause' | 'resume' | 'step' | 'stop' | 'reset';
export interface ReadyMessage { type: 'ready' }
export interface ControlMessage { type: 'control'; action: ControlAction }
export interface SetLearningRateMessage { type: 'setLearningRate'; value: number }
export interface RevealMessage { type: 'reveal'; layer: number; kind: 'w' | 'b'; j: number; k?: number }
/** The user closed a debugger heatmap (it is no longer refreshed at each stop). */
export interface CloseDebugHeatmapMessage { type: 'closeDebugHeatmap'; id: number }
export interface RunsFromWebview { type: 'runs'; message: FromRuns }
export type ImageFormat = 'png' | 'svg';
/**
 * An image the webview drew, to be saved where the user says: the loss chart or the decision
 * boundary, of the Training tab (`from: 'training'`) or of the Runs tab. PNG as a data: URL, SVG as
 * its text (webview/export.ts makes both).
 */
export interface ExportImageMessage { type: 'exportImage'; from: 'training' | 'runs'; what: 'chart' | 'boundary'; format: ImageFormat; data: string }
/** The session's loss history as CSV (the host writes the numbers it holds, not the webview's). */
export interface ExportHistoryMessage { type: 'exportHistory' }

/** The webview's questions: a sample's forward and backward pass, a gradient check. */
export type WebviewRequests = {
  /** `stepThrough`: asked while the Backprop step by step tab is shown (the walkthrough's step). */
  trace: { params: { sample: number; stepThrough?: boolean }; result: TraceView };
  gradCheck: { params: Record<string, never>; result: GradCheckView };
};
export type WebviewRequest = RequestEnvelope<WebviewRequests>;

export type FromWebview =
  | ReadyMessage
  | ControlMessage
  | SetLearningRateMessage
  | RevealMessage
  | CloseDebugHeatmapMessage
  | RunsFromWebview
  | ExportImageMessage
  | ExportHistoryMessage
  | WebviewRequest;

const CONTROL_ACTIONS: readonly ControlAction[] = ['train', 'pause', 'resume', 'step', 'stop', 'reset'];
/** Images up to 32 MB of text. */
const MAX_IMAGE = 32 * 1024 * 1024;

function parseImage(m: Record<string, unknown>): { ok: true; message: ExportImageMessage } | { ok: false; reason: string } {
  const from = m.from === 'training' || m.from === 'runs' ? m.from : undefined;
  const what = m.what === 'chart' || m.what === 'boundary' ? m.what : undefined;
  const format = m.format === 'png' || m.format === 'svg' ? m.format : undefined;
  if (from === undefined || what === undefined || format === undefined) return { ok: false, reason: 'exportImage: needs from training|runs, what chart|boundary, format png|svg' };
  if (typeof m.data !== 'string' || m.data.length > MAX_IMAGE) return { ok: false, reason: 'exportImage: data must be a string of at most 32 MB' };
  if (format === 'png' && !m.data.startsWith('data:image/png;base64,')) return { ok: false, reason: 'exportImage: a PNG comes as a data:image/png;base64 URL' };
  if (format === 'svg' && !m.data.startsWith('<svg')) return { ok: false, reason: 'exportImage: an SVG comes as its text, starting <svg' };
  return { ok: true, message: { type: 'exportImage', from, what, format, data: m.data } };
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Checks an untrusted message from the webview; returns it typed, or a reason it does not fit. */
export function parseFromWebview(raw: unknown): { ok: true; message: FromWebview } | { ok: false; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const m = raw as Record<string, unknown>;
  if (m.kind === 'request') return parseRequest(m);
  switch (m.type) {
    case 'ready':
      return { ok: true, message: { type: m.type } };
    case 'control':
      if (typeof m.action === 'string' && (CONTROL_ACTIONS as readonly string[]).includes(m.action)) {
        return { ok: true, message: { type: 'control', action: m.action as ControlAction } };
      }
      return { ok: false, reason: `control: unknown action ${JSON.stringify(m.action)}` };
    case 'setLearningRate':
      if (isLearningRate(m.value)) {
        return { ok: true, message: { type: 'setLearningRate', value: m.value } };
      }
      return { ok: false, reason: 'setLearningRate: value must be a positive finite number' };
    case 'reveal':
      if (
        isIndex(m.layer) && m.layer >= 1 && (m.kind === 'w' || m.kind === 'b') && isIndex(m.j) &&
        (m.kind === 'b' ? m.k === undefined : isIndex(m.k))
      ) {
        const msg: RevealMessage = { type: 'reveal', layer: m.layer, kind: m.kind, j: m.j };
        if (m.kind === 'w') msg.k = m.k as number;
        return { ok: true, message: msg };
      }
      return { ok: false, reason: 'reveal: needs layer >= 1, kind w|b, integer j (and k for w)' };
    case 'closeDebugHeatmap':
      if (isIndex(m.id)) return { ok: true, message: { type: 'closeDebugHeatmap', id: m.id } };
      return { ok: false, reason: 'closeDebugHeatmap: id must be a non-negative integer' };
    case 'runs': {
      const inner = parseFromRuns(m.message);
      return inner === undefined ? { ok: false, reason: `runs: the message does not fit the Runs protocol` } : { ok: true, message: { type: 'runs', message: inner } };
    }
    case 'exportImage':
      return parseImage(m);
    case 'exportHistory':
      return { ok: true, message: { type: 'exportHistory' } };
    default:
      return { ok: false, reason: `unknown message type ${JSON.stringify(m.type)}` };
  }
}

function parseRequest(m: Record<string, unknown>): { ok: true; message: WebviewRequest } | { ok: false; reason: string } {
  const id = m.id;
  if (!isIndex(id) || id < 1) return { ok: false, reason: 'request: id must be a positive integer' };
  const params = typeof m.params === 'object' && m.params !== null && !Array.isArray(m.params) ? (m.params as Record<string, unknown>) : undefined;
  switch (m.type) {
    case 'trace':
      if (params && isIndex(params.sample) && (params.stepThrough === undefined || typeof params.stepThrough === 'boolean')) {
        return { ok: true, message: { kind: 'request', id, type: 'trace', params: { sample: params.sample, ...(params.stepThrough === true ? { stepThrough: true } : {}) } } };
      }
      return { ok: false, reason: 'trace: sample must be a non-negative integer (and stepThrough a boolean)' };
    case 'gradCheck':
      return { ok: true, message: { kind: 'request', id, type: 'gradCheck', params: {} } };
    default:
      return { ok: false, reason: `unknown request type ${JSON.stringify(m.type)}` };
  }
}
