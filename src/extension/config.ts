/**
 * The extension's settings (`backprop.*`, declared and documented in package.json), read fresh
 * at each use so a change applies at once, with their values clamped to sane ranges.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { HISTORY_POINTS } from '../engine/history';

export type WriteBackMode = 'ask' | 'always' | 'never';

export interface Settings {
  writeBack: WriteBackMode;
  /** How often training progress is reported (lens, status bar, notification, inspector), ms. */
  progressIntervalMs: number;
  /** Show a notification with a Cancel button while training. */
  progressNotification: boolean;
  /** Parameters per layer the gradient check samples; 0 checks all. */
  gradCheckMaxPerLayer: number;
  /** Delay after the last keystroke before the file is validated, ms. */
  diagnosticsDelayMs: number;
  codeLensEnabled: boolean;
  layerLensEnabled: boolean;
  /** Points kept in a session's loss history. */
  historyMaxPoints: number;
  /** Threads that compute a large batch while training (`backprop.threads`; 0 or absent: cores - 1, at least 1). */
  threads: number;
}

/** `backprop.threads`: a whole number from 1, or (0, absent, not a number) the machine's cores - 1, at least 1. */
export function threadsSetting(v: unknown, cores = os.availableParallelism()): number {
  const n = clampInt(v, 0, 256, 0);
  return n >= 1 ? n : Math.max(1, cores - 1);
}

function clampInt(v: unknown, min: number, max: number, fallback: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.round(v)));
}

export function settings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('backprop', scope);
  const wb = c.get<string>('writeBack', 'ask');
  const history = clampInt(c.get('history.maxPoints'), 100, 100_000, HISTORY_POINTS);
  return {
    writeBack: wb === 'always' || wb === 'never' ? wb : 'ask',
    progressIntervalMs: clampInt(c.get('progress.intervalMs'), 16, 5000, 100),
    progressNotification: c.get<boolean>('progress.notification', true) !== false,
    gradCheckMaxPerLayer: clampInt(c.get('gradientCheck.maxParametersPerLayer'), 0, 1_000_000, 200),
    diagnosticsDelayMs: clampInt(c.get('diagnostics.delayMs'), 0, 5000, 250),
    codeLensEnabled: c.get<boolean>('codeLens.enabled', true) !== false,
    layerLensEnabled: c.get<boolean>('codeLens.layerStatistics', true) !== false,
    historyMaxPoints: history % 2 === 0 ? history : history + 1,
    threads: threadsSetting(c.get('threads')),
  };
}

/**
 * The language id of `*.net.json` files (package.json `contributes.languages`): JSON with comments
 * and trailing commas, served by VS Code's JSON language server, and one VS Code lets you set
 * breakpoints in (it refuses them in `jsonc`).
 */
export const NET_LANGUAGE = 'backprop-net';

/** True for a `*.net.json` file, by name (whatever language id the user may have associated with it). */
export function isNetUri(uri: vscode.Uri): boolean {
  return uri.scheme !== 'untitled' && /\.net\.json$/i.test(uri.path);
}

export function isNetDocument(doc: vscode.TextDocument): boolean {
  return isNetUri(doc.uri);
}

/** The document selector of every provider: network files by name, whatever their language id. */
export const NET_SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.net.json' }];

/** The last path segment of a URI, for messages. */
export function fileLabel(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.toString();
}
