/**
 * Workspace trust (package.json: `capabilities.untrustedWorkspaces`, supported "limited"). In
 * Restricted Mode the extension checks the syntax and structure of `.net.json` files only: it
 * reads no data file, trains nothing, runs no gradient check and opens no inspector, because a
 * network file from an untrusted source may name any file as its data. The setting
 * `backprop.data.allowOutsideFolder` is honoured only in a trusted workspace.
 */
import * as vscode from 'vscode';

/** Commands that load a network with its data (and so read files the workspace names). */
export const NEEDS_TRUST: ReadonlySet<string> = new Set([
  'backprop.train',
  'backprop.resumeTraining',
  'backprop.gradientCheck',
  'backprop.openInspector',
  'backprop.resetWeights',
  'backprop.writeTrainedWeights',
  'backprop.debugTraining',
  'backprop.showRuns',
  'backprop.compareRuns',
  'backprop.export',
]);

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** True when data files outside a network file's folder may be read (trusted workspace and the setting on). */
export function allowOutsideData(scope?: vscode.Uri): boolean {
  return vscode.workspace.isTrusted && vscode.workspace.getConfiguration('backprop', scope).get<boolean>('data.allowOutsideFolder', false) === true;
}

/** What Restricted Mode refuses, said once per attempt, with the way out. */
export const RESTRICTED_MESSAGE =
  'Backprop: this workspace is in Restricted Mode, so Backprop Studio only checks the syntax of .net.json files. Training, gradient checks, the inspector and reading data files need a trusted workspace.';

/** `fn`, or (in Restricted Mode, for a command that needs trust) a refusal with a clear message. */
export function guarded<F extends (...args: unknown[]) => unknown>(id: string, fn: F): (...args: unknown[]) => unknown {
  if (!NEEDS_TRUST.has(id)) return fn;
  return (...args: unknown[]) => {
    if (vscode.workspace.isTrusted) return fn(...args);
    const manage = 'Manage Workspace Trust';
    void vscode.window.showWarningMessage(RESTRICTED_MESSAGE, manage).then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return undefined;
  };
}
