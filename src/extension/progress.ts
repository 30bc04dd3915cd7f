/**
 * Training progress outside the editor text: a notification with a Cancel button for every run
 * (setting `backprop.progress.notification`), whoever started it (command, lens, inspector), and
 * one status-bar item for the active editor's network (or a count when several train at once).
 */
import * as vscode from 'vscode';
import { fileLabel, isNetDocument, settings } from './config';
import { formatShort as formatNumber } from '../shared/format';
import type { TrainingSession } from './training/session';
import type { SessionManager } from './training/sessionManager';

export class TrainingProgress implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backprop.training', vscode.StatusBarAlignment.Left, 50);
  private readonly notifying = new Set<TrainingSession>();
  /** The sessions the status-bar item speaks of now (empty when it is hidden). */
  private inStatusBar: TrainingSession[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: SessionManager) {
    this.item.name = 'Backprop Studio: training';
    this.disposables.push(
      sessions.onDidChange((s) => {
        this.maybeNotify(s);
        this.update();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
  }

  private maybeNotify(s: TrainingSession): void {
    if (!s.isRunning || this.notifying.has(s) || !settings(s.uri).progressNotification) return;
    this.notifying.add(s);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${fileLabel(s.uri)}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          const cancel = token.onCancellationRequested(() => s.stop());
          const report = (): void => {
            if (!s.isRunning || s.isDisposed) {
              cancel.dispose();
              sub.dispose();
              this.notifying.delete(s);
              resolve();
              return;
            }
            const start = s.totalEpochs - (s.summary?.epochs ?? s.totalEpochs);
            const done = s.totalEpochs > start ? (100 * (s.epoch - start)) / (s.totalEpochs - start) : 0;
            const increment = Math.max(0, done - reported);
            reported = Math.max(reported, done);
            const loss = s.lastPoint ? ` · loss ${formatNumber(s.lastPoint.loss)}` : '';
            progress.report({ message: `${s.state === 'paused' ? 'paused at ' : ''}epoch ${s.epoch}/${s.totalEpochs}${loss}`, increment });
          };
          const sub = this.sessions.onDidChange((changed) => {
            if (changed === s) report();
          });
          report();
        }),
    );
  }

  /**
   * What the progress UI shows now for the network file `uri`: whether a notification of its
   * run is up, and whether the status-bar item speaks of it. Both false once its run ended.
   */
  showing(uri: vscode.Uri): { notification: boolean; statusBar: boolean } {
    const key = uri.toString();
    return {
      notification: [...this.notifying].some((s) => s.uri.toString() === key),
      statusBar: this.inStatusBar.some((s) => s.uri.toString() === key),
    };
  }

  private update(): void {
    const running = this.sessions.all().filter((s) => s.isRunning);
    const doc = vscode.window.activeTextEditor?.document;
    const active = doc && isNetDocument(doc) ? this.sessions.peek(doc.uri) : undefined;
    if (active?.isRunning) {
      const loss = active.lastPoint ? ` · loss ${formatNumber(active.lastPoint.loss)}` : '';
      this.item.text = `$(${active.state === 'paused' ? 'debug-pause' : 'sync~spin'}) ${active.epoch}/${active.totalEpochs}${loss}`;
      this.item.tooltip = `Backprop Studio: ${active.state === 'paused' ? 'paused' : 'training'} ${fileLabel(active.uri)}. Click to stop.`;
      this.item.command = { title: 'Stop Training', command: 'backprop.stopTraining', arguments: [active.uri] };
      this.inStatusBar = [active];
      this.item.show();
    } else if (running.length > 0) {
      this.item.text = `$(sync~spin) ${running.length === 1 ? `training ${fileLabel(running[0].uri)}` : `${running.length} networks training`}`;
      this.item.tooltip = running.map((s) => `${fileLabel(s.uri)}: epoch ${s.epoch}/${s.totalEpochs}`).join('\n');
      this.item.command = { title: 'Open', command: 'vscode.open', arguments: [running[0].uri] };
      this.inStatusBar = running;
      this.item.show();
    } else {
      this.inStatusBar = [];
      this.item.hide();
    }
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
