/**
 * The runs' commands: "Backprop: Show Runs" opens the file's inspector on its Runs tab; "Backprop:
 * Compare Runs" asks which runs to overlay (the two latest preselected) and opens the tab with
 * them. Both work on the file given as argument or the active editor's. Each returns the tab's host
 * side (tests). Both need a trusted workspace (a replay reads the run's data files, as training does).
 */
import * as vscode from 'vscode';
import { changesLabel } from '../../engine/runs';
import { fileLabel, isNetUri } from '../config';
import type { Inspector } from '../inspector';
import { guarded } from '../trust';
import type { RunsController } from './controller';
import type { RunsService } from './service';

function netUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri && isNetUri(arg)) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && isNetUri(doc.uri)) return doc.uri;
  void vscode.window.showInformationMessage('Backprop: open a .net.json file first (its runs are shown).');
  return undefined;
}

/** The view type of the Runs panel of earlier versions (now the inspector's Runs tab). */
export const RETIRED_RUNS_VIEW_TYPE = 'backprop.runs';

export function registerRunCommands(context: vscode.ExtensionContext, service: RunsService, inspector: Inspector, log: vscode.LogOutputChannel): void {
  const show = (uri: vscode.Uri, pick: string[] = []): RunsController => inspector.showRuns(uri, pick);
  context.subscriptions.push(
    // A Runs panel left open by an earlier version kept no file in its state: it is closed on
    // restore (the runs are in the file's inspector, Runs tab) rather than left blank.
    vscode.window.registerWebviewPanelSerializer(RETIRED_RUNS_VIEW_TYPE, {
      deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        log.info('runs: closed a Runs panel of an earlier version (the runs are in the inspector\'s Runs tab now)');
        panel.dispose();
        return Promise.resolve();
      },
    }),
    vscode.commands.registerCommand('backprop.showRuns', guarded('backprop.showRuns', (arg?: unknown) => {
      const uri = netUri(arg);
      return uri === undefined ? undefined : show(uri);
    })),
    vscode.commands.registerCommand('backprop.compareRuns', guarded('backprop.compareRuns', async (arg?: unknown, ids?: unknown) => {
      const uri = netUri(arg);
      if (uri === undefined) return undefined;
      if (Array.isArray(ids) && ids.every((x) => typeof x === 'string')) return show(uri, ids as string[]);
      const runs = await service.list(uri);
      if (runs.length < 2) {
        void vscode.window.showInformationMessage(`Backprop: ${fileLabel(uri)} has ${runs.length === 0 ? 'no recorded run' : 'one recorded run'}: change a setting (say the learning rate) and train again to compare.`);
        return show(uri, runs.map((r) => r.id));
      }
      const latest = new Set(runs.slice(-2).map((r) => r.id));
      const items = [...runs].reverse().map((r) => ({
        label: r.label ?? new Date(r.startedAt).toLocaleString(),
        description: r.previous === undefined ? 'first run' : changesLabel(r.changes),
        detail: `${r.epochs} epochs${r.final ? `, loss ${r.final.loss.toPrecision(4)}` : ''}, ${r.end}`,
        picked: latest.has(r.id),
        id: r.id,
      }));
      const chosen = await vscode.window.showQuickPick(items, { canPickMany: true, title: `Compare runs of ${fileLabel(uri)}`, placeHolder: 'Pick the runs to overlay' });
      if (chosen === undefined) return undefined;
      return show(uri, chosen.map((c) => c.id));
    })),
  );
}
