/**
 * One inspector panel for one `.net.json` file: the webview panel (beside the editor, strict CSP,
 * resources from dist/ only, no retainContextWhenHidden), its controller, and "reveal in file".
 * Every listener goes into `disposables`, drained when the panel closes.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parameterName } from '../../engine/spec';
import type { RevealMessage, ToWebview } from '../../shared/protocol';
import type { TrainingSessionApi } from '../sessionApi';
import type { InspectorDebug } from '../debugApi';
import { RunsController } from '../runs/controller';
import { saveHistory, saveImage } from '../runs/exports';
import { completeStep } from '../runs/walkthrough';
import { ReplayClient } from '../runs/replayClient';
import type { RunsService } from '../runs/service';
import { InspectorController } from './controller';
import { inspectorHtml, makeNonce } from './html';
import { locateParameter } from './reveal';

export const VIEW_TYPE = 'backprop.inspector';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

export function panelTitle(uri: vscode.Uri): string {
  return `Inspect: ${path.posix.basename(uri.path)}`;
}

/** What the inspector's Runs tab needs: the run store and the replay thread's bundle. */
export interface RunsSetup {
  service: RunsService;
  replayWorkerPath: string;
}

export class InspectorPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly controller: InspectorController;
  /** The Runs tab's host side. */
  readonly runs: RunsController;
  private disposed = false;
  /** The last message of each type posted to the page (for tests: what the webview was sent). */
  private readonly posted = new Map<string, ToWebview>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly uri: vscode.Uri,
    session: TrainingSessionApi,
    private readonly log: vscode.LogOutputChannel,
    private readonly onDisposed: (p: InspectorPanel) => void,
    runsSetup: RunsSetup,
  ) {
    panel.title = panelTitle(uri);
    panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'inspector-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'inspector-dark.svg'),
    };
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    webview.html = inspectorHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce(),
    });
    this.controller = new InspectorController(
      session,
      {
        post: (m) => {
          this.posted.set(m.type ?? 'reply', m);
          void webview.postMessage(m);
        },
      },
      log,
      (m) => this.reveal(m),
      uri.toString(),
    );
    const { service, replayWorkerPath } = runsSetup;
    const replay = ReplayClient.spawn(replayWorkerPath, (id) => service.get(id), (m) => log.info(m));
    this.runs = new RunsController(uri, service, replay, (m) => this.controller.sendRuns(m), log);
    const said = (m: string | undefined): void => {
      if (m !== undefined) this.controller.note(m);
    };
    const failed = (e: unknown): void => {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`inspector ${uri.toString()}: export failed: ${message}`);
      this.controller.problem(message);
    };
    this.controller.parts = {
      onReady: () => this.runs.onReady(),
      onHidden: () => this.runs.onHidden(),
      runs: (m) => this.runs.handle(m),
      exportImage: (m) => (m.from === 'runs' ? this.runs.exportImage(m) : saveImage(uri, m).then(said, failed)),
      exportHistory: (points) => saveHistory(uri, points).then(said, failed),
      steppedThrough: () => completeStep('steppedThrough'),
    };
    this.disposables.push(
      this.controller,
      this.runs,
      webview.onDidReceiveMessage((raw: unknown) => this.controller.receive(raw)),
      panel.onDidChangeViewState((e) => this.controller.setVisible(e.webviewPanel.visible)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The inspector follows the debugger's sessions of this file. */
  followDebugger(debug: InspectorDebug): void {
    this.controller.followDebugger(debug);
  }

  /** The last message of `type` posted to the page ('reply' for replies), for tests. */
  lastPosted(type: string): ToWebview | undefined {
    return this.posted.get(type);
  }

  /** Brings the panel to the front (in the column it is in). */
  show(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
    this.panel.dispose();
    this.onDisposed(this);
  }

  /** Opens the file with the parameter's number selected (or its layer, when the file does not write it). */
  private async reveal(m: RevealMessage): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const where = locateParameter(doc.getText(), m);
    const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
    const range = where ? new vscode.Range(doc.positionAt(where.offset), doc.positionAt(where.offset + where.length)) : undefined;
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false, selection: range });
    if (range) editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (!where?.exact) {
      const name = parameterName(m.layer, m.j, m.kind === 'w' ? m.k ?? 0 : undefined);
      void vscode.window.showInformationMessage(
        `${name} is not written in the file: layer ${m.layer}'s ${m.kind === 'w' ? 'weights' : 'biases'} come from the seed. Run "Backprop: Write Trained Weights to File" to write them.`,
      );
    }
    this.log.info(`inspector ${this.uri.toString()}: revealed ${m.kind} layer ${m.layer} j ${m.j}${m.k !== undefined ? ` k ${m.k}` : ''}${where?.exact ? '' : ' (not in the file)'}`);
  }
}
