/**
 * The messages between the debug adapter (extension host, or its own process in tests) and the
 * debug worker thread that runs training stage by stage. Requests carry an id and get exactly
 * one reply with that id; events (stopped, output, ended) carry none. Every message is a
 * discriminated union on `type`; nothing is `any`.
 *
 * (Kept small and behind `DebugChannel` so it can move onto the shared request/reply layer of
 * src/shared/ when that lands.)
 */
import type { FilterId } from '../../engine/debug/checks';

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

export interface RequestTable {
  launch: { args: { file: string; text: string; stopOnEntry: boolean }; result: { layers: number; epochs: number; notes: string[] } };
  setBreakpoints: { args: { breakpoints: BreakpointSpec[] }; result: BreakpointStatus[] };
  setFilters: { args: { filters: Partial<Record<FilterId, number>> }; result: { ok: true } };
  setWatches: { args: { watches: WatchSpec[] }; result: { ok: true } };
  resume: { args: { how: ResumeHow }; result: { ok: true } };
  pause: { args: Record<never, never>; result: { ok: true } };
  restart: { args: Record<never, never>; result: { ok: true } };
  stack: { args: Record<never, never>; result: { frames: FrameInfo[]; position: RunPosition } };
  variables: { args: { ref: VarRef; start?: number; count?: number }; result: VarInfo[] };
  evaluate: { args: { expression: string; layer: number; context: string }; result: VarInfo };
  /** Values of every layer for inline display: the stopped state's ‖W‖, ‖dW‖ and output means. */
  inline: { args: Record<never, never>; result: { layer: number; text: string }[] };
}

export type RequestType = keyof RequestTable;
export type DebugRequest = { [K in RequestType]: { type: K; id: number } & RequestTable[K]['args'] }[RequestType];

export type DebugReply =
  | { type: 'reply'; id: number; ok: true; result: RequestTable[RequestType]['result'] }
  | { type: 'reply'; id: number; ok: false; error: string };

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'pause' | 'data breakpoint' | 'goto';

export type DebugEvent =
  | { type: 'stopped'; reason: StopReason; description: string; text?: string; position: RunPosition; breakpoints?: number[] }
  | { type: 'output'; category: 'console' | 'stdout' | 'stderr'; text: string }
  | { type: 'ended'; reason: string };

export type WorkerMessage = DebugReply | DebugEvent;
