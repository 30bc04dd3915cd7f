/**
 * Quick fixes for the problems the format reports with a repair (`Problem.fix`): a text
 * replacement (rename an unknown key, remove a property, ...) or fresh weights for a layer whose
 * matrix has the wrong shape. The regeneration is computed only when the user picks it
 * (`resolveCodeAction`).
 */
import * as vscode from 'vscode';
import type { Problem } from '../../engine/format';
import { fileLabel } from '../config';
import type { NetDiagnostics } from './diagnostics';
import { problemRange } from './diagnostics';
import { regenerateLayer } from './regenerate';

interface Pending {
  uri: vscode.Uri;
  version: number;
  layer: number;
}

export class NetQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  private readonly pending = new WeakMap<vscode.CodeAction, Pending>();

  constructor(
    private readonly diagnostics: NetDiagnostics,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const problems = this.diagnostics.problemsFor(doc);
    if (!problems) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diag of context.diagnostics) {
      if (diag.source !== 'backprop') continue;
      const p = problems.find((q) => q.fix && q.message === diag.message && problemRange(doc, q).isEqual(diag.range));
      if (!p || !p.fix) continue;
      const fix = p.fix;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diag];
      action.isPreferred = true;
      if (fix.kind === 'replace') {
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, problemRange(doc, fix), fix.text);
      } else {
        this.pending.set(action, { uri: doc.uri, version: doc.version, layer: fix.layer });
      }
      actions.push(action);
    }
    return actions;
  }

  async resolveCodeAction(action: vscode.CodeAction): Promise<vscode.CodeAction> {
    const p = this.pending.get(action);
    if (!p) return action;
    const doc = await vscode.workspace.openTextDocument(p.uri);
    try {
      const e = regenerateLayer(doc.getText(), doc.uri.fsPath, p.layer);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, problemRange(doc, e), e.content);
    } catch (err) {
      const msg = `cannot regenerate the weights of layer ${p.layer} in ${fileLabel(p.uri)}: ${err instanceof Error ? err.message : String(err)}`;
      this.log.warn(msg);
      void vscode.window.showWarningMessage(`Backprop: ${msg}`);
    }
    return action;
  }
}

export type { Problem };
