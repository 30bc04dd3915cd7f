/**
 * The Runs tab's sub-protocol of the inspector (src/shared/protocol.ts wraps these messages as
 * `{ type: 'runs', message }` both ways): between the tab's host side
 * (src/extension/runs/controller.ts) and its view (webview/runs/). Typed both ways; what comes from
 * the webview is checked by `parseFromRuns` before the host acts on it. No `vscode` here: the
 * webview bundles this file.
 */
import type { BoundaryView, EpochPoint, NetworkView } from './protocol';

/** One row of the runs table. */
export interface RunRow {
  id: string;
  /** The user's name for the run, if any. */
  label?: string;
  pinned: boolean;
  /** ISO date of the start. */
  startedAt: string;
  /** What changed since the previous run ("learningRate 0.5 → 0.1"), 'first run', or 'no change'. */
  changes: string;
  end: 'done' | 'stopped' | 'diverged' | 'error';
  final?: EpochPoint;
  startEpoch: number;
  epochs: number;
  seconds: number;
  seed: number;
}

/** A picked run's curves. */
export interface RunCurves {
  id: string;
  curve: EpochPoint[];
  /** Per epoch (thinned), per layer: gradient norm and |update| / |weights|. */
  gradients: { epoch: number; norm: number[]; ratio: number[] }[];
  /** Epochs that have a stored snapshot (shown as ticks under the slider). */
  snapshots: number[];
}

/** The network at one epoch of a run (replayed when it is not a snapshot). */
export interface RunFrame {
  id: string;
  epoch: number;
  network: NetworkView;
  boundary?: BoundaryView;
  /** True when the state came from a stored snapshot, false when it was replayed. */
  fromSnapshot: boolean;
  /** Epochs replayed to get it (0 from a snapshot or the cache). */
  replayed: number;
}

export type ToRuns =
  | { type: 'runs'; file: string; runs: RunRow[]; picked: string[] }
  | { type: 'curves'; curves: RunCurves }
  | { type: 'frame'; frame: RunFrame }
  | { type: 'problem'; message: string }
  | { type: 'note'; message: string }
  /** Bring the Runs tab to the front (the commands Show Runs / Compare Runs). */
  | { type: 'show' };

export type FromRuns =
  | { type: 'pick'; id: string; on: boolean }
  | { type: 'scrub'; id: string; epoch: number }
  | { type: 'rename'; id: string }
  | { type: 'pin'; id: string; pinned: boolean }
  | { type: 'remove'; id: string }
  | { type: 'restore'; id: string; epoch: number }
  | { type: 'exportCsv'; id: string };

const ID = /^[0-9a-z-]{1,64}$/;
const isId = (v: unknown): v is string => typeof v === 'string' && ID.test(v);
const isEpoch = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The message, checked field by field, or undefined when it does not fit the protocol. */
export function parseFromRuns(raw: unknown): FromRuns | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'pick':
      return isId(m.id) && typeof m.on === 'boolean' ? { type: 'pick', id: m.id, on: m.on } : undefined;
    case 'scrub':
    case 'restore':
      return isId(m.id) && isEpoch(m.epoch) ? { type: m.type, id: m.id, epoch: m.epoch } : undefined;
    case 'rename':
    case 'remove':
    case 'exportCsv':
      return isId(m.id) ? { type: m.type, id: m.id } : undefined;
    case 'pin':
      return isId(m.id) && typeof m.pinned === 'boolean' ? { type: 'pin', id: m.id, pinned: m.pinned } : undefined;
    default:
      return undefined;
  }
}
