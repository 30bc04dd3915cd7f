/**
 * The inspector's entry point for the extension: `registerInspector` registers the panel
 * serializer (so open inspectors come back after a window reload, from the file URI kept in the
 * webview state) and returns `show(uri)`, which opens the file's inspector beside the editor or
 * reveals the one already open. One panel per file.
 */
import * as vscode from 'vscode';
import type { TrainingSessionApi } from '../sessionApi';
import type { InspectorDebug } from '../debugApi';
import type { ToWebview } from '../../shared/protocol';
import { InspectorPanel, VIEW_TYPE, panelTitle, webviewOptions, type RunsSetup } from './panel';
import type { RunsController } from '../runs/controller';
import { isTrusted } from '../trust';
import { completeStep } from '../runs/walkthrough';

export { VIEW_TYPE } from './panel';

export interface Inspector {
  show(uri: vscode.Uri): void;
  /** The last message of `type` the file's open inspector posted to its page (for tests). */
  lastPosted(uri: vscode.Uri, type: string): ToWebview | undefined;
  /** Opens (or reveals) the file's inspector on its Runs tab, with `pick` overlaid; returns the tab's host side. */
  showRuns(uri: vscode.Uri, pick?: readonly string[]): RunsController;
}

/** The file URI saved by the webview (see webview/state.ts), if the state holds one. */
export function uriFromState(state: unknown): vscode.Uri | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const raw = (state as { uri?: unknown }).uri;
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    return vscode.Uri.parse(raw, true);
  } catch {
    return undefined;
  }
}

export function registerInspector(
  context: vscode.ExtensionContext,
  getSession: (uri: vscode.Uri) => TrainingSessionApi,
  log: vscode.LogOutputChannel,
  runs: RunsSetup,
  /** Keeps the file's session (and its worker) alive while its inspector is open. */
  retain?: (uri: vscode.Uri) => vscode.Disposable,
  /** The debugger's state of the file, which its inspector follows. */
  debugFor?: (uri: vscode.Uri) => InspectorDebug,
): Inspector {
  const panels = new Map<string, InspectorPanel>();
  const extensionUri = context.extensionUri;

  const adopt = (panel: vscode.WebviewPanel, uri: vscode.Uri): InspectorPanel => {
    const hold = retain?.(uri);
    const p = new InspectorPanel(panel, extensionUri, uri, getSession(uri), log, (gone) => {
      if (panels.get(uri.toString()) === gone) panels.delete(uri.toString());
      hold?.dispose();
    }, runs);
    panels.set(uri.toString(), p);
    if (debugFor !== undefined) p.followDebugger(debugFor(uri));
    completeStep('inspected');
    return p;
  };

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        // a restored inspector loads the file's data and can train: not in Restricted Mode
        if (!isTrusted()) {
          log.info('inspector: not restoring a panel in Restricted Mode');
          panel.dispose();
          return;
        }
        const uri = uriFromState(state);
        if (!uri || panels.has(uri.toString())) {
          log.warn(`inspector: not restoring a panel (${uri ? 'a panel for this file is already open' : 'no file in its saved state'})`);
          panel.dispose();
          return;
        }
        try {
          await vscode.workspace.fs.stat(uri);
          adopt(panel, uri);
          log.info(`inspector: restored ${uri.toString()}`);
        } catch (e) {
          log.warn(`inspector: not restoring ${uri.toString()}: ${e instanceof Error ? e.message : String(e)}`);
          panel.dispose();
        }
      },
    }),
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
  );

  const show = (uri: vscode.Uri): InspectorPanel => {
    const open = panels.get(uri.toString());
    if (open) {
      open.show();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, panelTitle(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions(extensionUri));
    const p = adopt(panel, uri);
    log.info(`inspector: opened ${uri.toString()}`);
    return p;
  };
  return {
    lastPosted(uri: vscode.Uri, type: string): ToWebview | undefined {
      return panels.get(uri.toString())?.lastPosted(type);
    },
    show(uri: vscode.Uri): void {
      show(uri);
    },
    showRuns(uri: vscode.Uri, pick: readonly string[] = []): RunsController {
      const p = show(uri);
      p.runs.show(pick);
      return p.runs;
    },
  };
}
