/**
 * All training sessions, one per network file URI; several train at once, each in its own worker.
 * A session is created on first use and ended (its worker terminated) when its document closes,
 * when its last editor tab closes, or when the extension deactivates — but not while something
 * retains it (an open inspector): then it ends when the last holder lets go. While a session is idle,
 * edits to its document are loaded into the worker after a short delay, so the lenses and
 * statistics follow the document.
 */
import * as vscode from 'vscode';
import { isNetUri, settings } from '../config';
import { TrainingSession, type SessionHost } from './session';

export class SessionManager implements vscode.Disposable {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly subscriptions = new Map<string, vscode.Disposable[]>();
  private readonly reloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly holds = new Map<string, number>();
  private readonly changeEmitter = new vscode.EventEmitter<TrainingSession>();
  private readonly disposables: vscode.Disposable[] = [];
  /** A session's editor-visible state changed (or a session started or ended). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly host: SessionHost) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (!this.holds.has(doc.uri.toString())) void this.end(doc.uri, 'its document was closed');
      }),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const uri = tabUri(tab);
          const key = uri?.toString();
          if (uri && key && this.sessions.has(key) && !this.holds.has(key) && !isShownInTab(uri)) void this.end(uri, 'its last editor was closed');
        }
      }),
    );
  }

  /** The session of `uri`, created when there is none. */
  get(uri: vscode.Uri): TrainingSession {
    const key = uri.toString();
    let s = this.sessions.get(key);
    if (!s) {
      s = new TrainingSession(uri, this.host);
      this.sessions.set(key, s);
      const session = s;
      this.subscriptions.set(key, [session.onDidChange(() => this.changeEmitter.fire(session))]);
      this.changeEmitter.fire(s);
    }
    return s;
  }

  /** Keeps the session of `uri` from ending on close until the returned disposable is disposed. */
  retain(uri: vscode.Uri): vscode.Disposable {
    const key = uri.toString();
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
    let released = false;
    return new vscode.Disposable(() => {
      if (released) return;
      released = true;
      const left = (this.holds.get(key) ?? 1) - 1;
      if (left > 0) {
        this.holds.set(key, left);
        return;
      }
      this.holds.delete(key);
      if (!isShownInTab(uri)) void this.end(uri, 'its editor and its inspector were closed');
    });
  }

  peek(uri: vscode.Uri): TrainingSession | undefined {
    return this.sessions.get(uri.toString());
  }

  all(): TrainingSession[] {
    return [...this.sessions.values()];
  }

  private documentChanged(doc: vscode.TextDocument): void {
    if (!isNetUri(doc.uri)) return;
    const key = doc.uri.toString();
    const s = this.sessions.get(key);
    if (!s || s.isRunning) return;
    const t = this.reloadTimers.get(key);
    if (t) clearTimeout(t);
    this.reloadTimers.set(
      key,
      setTimeout(() => {
        this.reloadTimers.delete(key);
        if (s.isRunning || s.documentVersion === doc.version || doc.isClosed) return;
        s.sync().catch((err: unknown) => this.host.log.warn(`reload of ${doc.uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`));
      }, settings(doc.uri).diagnosticsDelayMs),
    );
  }

  /** Ends the session of `uri`: its worker is terminated, a running training stops. */
  async end(uri: vscode.Uri, reason: string): Promise<void> {
    const key = uri.toString();
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    const t = this.reloadTimers.get(key);
    if (t) clearTimeout(t);
    this.reloadTimers.delete(key);
    for (const d of this.subscriptions.get(key) ?? []) d.dispose();
    this.subscriptions.delete(key);
    await s.disposeAsync(reason);
    this.changeEmitter.fire(s);
  }

  /** Ends every session; resolves when every worker has terminated. */
  async endAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.end(s.uri, reason)));
  }

  dispose(): void {
    void this.endAll('the extension was deactivated');
    for (const d of this.disposables) d.dispose();
    this.changeEmitter.dispose();
  }
}

function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  const input = tab.input;
  if (input instanceof vscode.TabInputText) return input.uri;
  if (input instanceof vscode.TabInputTextDiff) return input.modified;
  return undefined;
}

function isShownInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === key));
}
