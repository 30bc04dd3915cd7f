/**
 * What the inspector (src/extension/inspector/) follows of the debugger (src/extension/debug/):
 * one file's debug state. Implemented by `DebugFollow` (debug/follow.ts); every number in it was
 * computed by the debug session's worker (THE snapshot, `src/extension/worker/views.ts`, called
 * there on the stopped run's weights).
 */
import type * as vscode from 'vscode';
import type { BoundaryView, DebugMatrixView, EpochPoint, NetworkView, TraceView } from '../shared/protocol';

export interface InspectorDebugState {
  state: 'stopped' | 'running' | 'ended';
  banner: string;
  detail?: string;
  /** The stopped run's network (absent until the first stop was read, or when reading it failed). */
  network?: NetworkView;
  boundary?: BoundaryView;
  history?: EpochPoint[];
  heatmaps: DebugMatrixView[];
}

export interface InspectorDebug {
  /** The debugger's state for the file: undefined when no debug session of it ran since the inspector opened. */
  current(): InspectorDebugState | undefined;
  /** Fires when the state changed (a stop was read, the run goes on, the session ended, a heatmap opened or closed). */
  readonly onDidChange: vscode.Event<void>;
  /** One sample's pass at the stopped weights (the step-through, the network graph). */
  trace(sample: number): Promise<TraceView>;
  /** The user closed heatmap `id` in the inspector. */
  closeHeatmap(id: number): void;
}
