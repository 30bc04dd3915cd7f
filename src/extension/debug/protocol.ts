/**
 * The messages between the debug adapter (extension host, or its own process in tests) and the
 * debug worker thread that runs training stage by stage, on the shared request/reply layer
 * (src/shared/rpc.ts): requests carry an id and get exactly one reply with that id; events
 * (stopped, output, ended) carry none. `DebugRequests` types both sides from one table; events
 * are a discriminated union on `type`; nothing is `any`.
 */
import type { FilterId } from '../../engine/debug/checks';
import type { RunRecord } from '../../engine/runs';
import type { BoundaryView, EpochPoint, NetworkView, TraceView } from '../../shared/protocol';
import type { ReplyEnvelope, RequestEnvelope } from '../../shared/rpc';

/** A breakpoint on the line of layer l: stops after that layer's backward pass. */
export interface BreakpointSpec {
  /** 1-based layer (the file's layers index). */
  layer: number;
  condition?: string;
  /** '5' or '== 5' (the 5th hit), '>= 5', '> 5', '% 5' (every 5th). */
  hitCondition?: string;
  logMessage?: string;
}

export interface BreakpointStatus {
  verified: boolean;
  /** Why not, e.g. a syntax error with its column. */
  message?: string;
}

/** A data breakpoint on one weight w^l_jk (0-based j, k). */
export interface WatchSpec {
  layer: number;
  j: number;
  k: number;
  /** 'sign': stop when an update changes its sign; 'change': when one update moves it by more than `threshold`. */
  on: 'sign' | 'change';
  threshold: number;
}

export type MatrixSource =
  | { of: 'layer'; layer: number; name: string }
  | { of: 'batch'; name: string }
  | { of: 'optimizer'; layer: number; name: string }
  | { of: 'losses'; name: 'loss' | 'valLoss' }
  | { of: 'eval'; expression: string; layer: number };

/** What a Variables entry that can be expanded stands for (the adapter maps these to numbers). */
export type VarRef =
  | { kind: 'scope'; scope: 'layer'; layer: number }
  | { kind: 'scope'; scope: 'batch' | 'optimizer' | 'run' }
  | { kind: 'optimizerLayer'; layer: number }
  | { kind: 'matrix'; source: MatrixSource }
  | { kind: 'row'; source: MatrixSource; row: number };

export interface VarInfo {
  name: string;
  value: string;
  type?: string;
  ref?: VarRef;
  /** Number of rows (a matrix) or entries (a row), for paging. */
  indexed?: number;
  /** An expression that gives this value (for Watch and "Copy as Expression"). */
  evaluateName?: string;
}

export interface FrameInfo {
  /** 'stage' | 'batch' | 'epoch' frame; the stage frame is on top. */
  level: 'stage' | 'batch' | 'epoch';
  name: string;
  /** 1-based layer for the line; 0 = the training settings' line. */
  layer: number;
  /** Anchor in the file: a layer, the loss or the training settings. */
  anchor: 'layer' | 'loss' | 'training';
}

export interface RunPosition {
  epoch: number;
  batch: number;
  batches: number;
  epochs: number;
  stage: string;
  tick: number;
  /** The stage's layer (1-based), or 0 (update) or L (loss). */
  layer: number;
}

export type ResumeHow = 'continue' | 'next' | 'stepIn' | 'stepOut' | 'stepBack' | 'reverseContinue';

export type DebugRequests = {
  launch: { params: { file: string; text: string; stopOnEntry: boolean; allowOutside?: boolean }; result: { layers: number; epochs: number; notes: string[] } };
  setBreakpoints: { params: { breakpoints: BreakpointSpec[] }; result: BreakpointStatus[] };
  setFilters: { params: { filters: Partial<Record<FilterId, number>> }; result: { ok: true } };
  setWatches: { params: { watches: WatchSpec[] }; result: { ok: true } };
  resume: { params: { how: ResumeHow }; result: { ok: true } };
  pause: { params: Record<never, never>; result: { ok: true } };
  restart: { params: Record<never, never>; result: { ok: true } };
  stack: { params: Record<never, never>; result: { frames: FrameInfo[]; position: RunPosition } };
  variables: { params: { ref: VarRef; start?: number; count?: number }; result: VarInfo[] };
  evaluate: { params: { expression: string; layer: number; context: string }; result: VarInfo };
  /** Values of every layer for inline display: the stopped state's ‖W‖, ‖dW‖ and output means. */
  inline: { params: Record<never, never>; result: { layer: number; text: string }[] };
  /**
   * The stopped state for the inspector: THE snapshot (src/extension/worker/views.ts) of the
   * stopped weights, the decision boundary (two inputs), and the epochs' losses so far.
   */
  inspect: { params: { boundarySize: number }; result: { network: NetworkView; boundary?: BoundaryView; history: EpochPoint[] } };
  /** One sample's pass at the stopped weights (the inspector's step-through and network graph). */
  trace: { params: { sample: number }; result: TraceView };
  /** A matrix of the stopped state, every entry (the inspector's "Open as Heatmap"). */
  matrix: { params: { source: MatrixSource }; result: MatrixValue };
  /**
   * The run for the Runs store: the path that ended in the state the run is in now (after Step
   * Back, the state stepped back to), as a RunRecord; undefined when no epoch was completed.
   */
  record: { params: { file: string; text: string; now?: number }; result: RunRecord | undefined };
};

export interface MatrixValue {
  rows: number;
  cols: number;
  /** Row-major, the engine's float64 values. */
  values: number[];
}

export type DebugRequestType = keyof DebugRequests;
export type DebugParams<K extends DebugRequestType> = DebugRequests[K]['params'];
export type DebugResult<K extends DebugRequestType> = DebugRequests[K]['result'];
export type DebugRequest = RequestEnvelope<DebugRequests>;

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'pause' | 'data breakpoint' | 'goto';

export type DebugEvent =
  | { type: 'stopped'; reason: StopReason; description: string; text?: string; position: RunPosition; breakpoints?: number[] }
  | { type: 'output'; category: 'console' | 'stdout' | 'stderr'; text: string }
  | { type: 'ended'; reason: string };

export type WorkerMessage = ReplyEnvelope | DebugEvent;
