/**
 * The extension's runs: every training run of a network file (CodeLens, palette, inspector — they
 * all go through the file's session) is recorded by the worker (engine/runs, RunRecorder) and kept
 * here, in the workspace storage, bounded by `backprop.runs.maxCount` and
 * `backprop.runs.maxMegabytes` (the oldest unpinned runs dropped first). docs/runs.md.
 */
import * as vscode from 'vscode';
import { compareWith, RunStore, type RunBounds, type RunRecord, type RunSummary } from '../../engine/runs';
import { fileLabel } from '../config';
import type { RunEnd } from '../worker/protocol';
import { workspaceRunFolder } from './folder';

export function runSettings(): RunBounds & { enabled: boolean } {
  const c = vscode.workspace.getConfiguration('backprop');
  const int = (key: string, min: number, max: number, fallback: number): number => {
    const v = c.get<number>(key);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
  };
  return {
    enabled: c.get<boolean>('runs.record', true) !== false,
    maxCount: int('runs.maxCount', 1, 10_000, 200),
    maxBytes: int('runs.maxMegabytes', 1, 100_000, 200) * 1024 * 1024,
  };
}

export class RunsService implements vscode.Disposable {
  readonly store: RunStore;
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Runs of a file (or, undefined, of any file) were added, changed or removed. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    /** The folder of the records: `<storageUri>/runs`. */
    readonly folder: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.store = new RunStore(workspaceRunFolder(folder), runSettings());
    this.subscriptions.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('backprop.runs')) return;
        void this.store.setBounds(runSettings()).then(
          (dropped) => this.dropped(dropped, undefined),
          (err: unknown) => this.log.warn(`runs: ${message(err)}`),
        );
      }),
    );
  }

  /**
   * Keeps the record of a run that just ended (taken out of `end`, so the session does not hold
   * its snapshots), compared with the file's previous run. Never throws: a failure is logged.
   */
  async recordEnd(uri: vscode.Uri, end: RunEnd): Promise<RunSummary | undefined> {
    const record = end.record;
    delete end.record;
    return record === undefined ? undefined : this.keep(uri, record);
  }

  /**
   * Keeps a record that came outside a run's end (a run of "Step epoch" clicks, a run stopped by
   * Reset or by closing). Never throws: a failure is logged.
   */
  async keep(uri: vscode.Uri, record: RunRecord): Promise<RunSummary | undefined> {
    // (a run stopped before its first epoch trained nothing: not a run to keep)
    if (!runSettings().enabled || (record.epochs === 0 && record.end === 'stopped')) return undefined;
    try {
      return await this.add(uri, record);
    } catch (err) {
      this.log.warn(`${fileLabel(uri)}: the run was not recorded: ${message(err)}`);
      return undefined;
    }
  }

  /** Adds a record (the worker's, or a test's) for `uri`. */
  async add(uri: vscode.Uri, record: RunRecord): Promise<RunSummary> {
    record.file = uri.fsPath;
    compareWith(record, await this.store.latest(record.file));
    const dropped = await this.store.add(record);
    this.log.info(`${fileLabel(uri)}: run ${record.id} recorded (${record.epochs} epochs, ${(record.bytes / 1024).toFixed(0)} KB)`);
    this.dropped(dropped, uri);
    const summary = (await this.store.list(record.file)).find((r) => r.id === record.id);
    if (summary === undefined) throw new Error(`the run is larger than backprop.runs.maxMegabytes allows and was dropped`);
    return summary;
  }

  list(uri: vscode.Uri): Promise<RunSummary[]> {
    return this.store.list(uri.fsPath);
  }

  get(id: string): Promise<RunRecord> {
    return this.store.get(id);
  }

  async update(uri: vscode.Uri, id: string, change: { label?: string; pinned?: boolean }): Promise<RunSummary> {
    const s = await this.store.update(id, change);
    this.changed.fire(uri);
    return s;
  }

  async remove(uri: vscode.Uri, id: string): Promise<void> {
    await this.store.remove(id);
    this.changed.fire(uri);
  }

  private dropped(ids: string[], uri: vscode.Uri | undefined): void {
    if (ids.length > 0) this.log.info(`runs: ${ids.length} older run${ids.length === 1 ? '' : 's'} dropped (backprop.runs.maxCount / maxMegabytes)`);
    for (const p of this.store.problems.splice(0)) this.log.warn(`runs: ${p}`);
    this.changed.fire(uri);
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
