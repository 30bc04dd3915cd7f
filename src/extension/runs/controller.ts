/**
 * The host side of the inspector's Runs tab for one network file: the file's recorded runs in a
 * table, picked runs' curves overlaid, a timeline that shows the network (heatmaps, graph) and the
 * decision boundary at any epoch of a run, "Restore these weights into the file" as one undoable
 * edit, gradients over time, and the exports (CSV per run, chart and boundary as PNG / SVG).
 *
 * Every number comes from the engine: a frame is the run's stored snapshot, or the state replayed
 * from the nearest one (engine/runs/replay.ts, bit for bit the live run) in the replay thread
 * (replayCore.ts), never on the extension host's thread; a newer slider position cancels the
 * request of the older one (in the thread too). Messages come checked (parseFromWebview ->
 * parseFromRuns); a run id must be one of this file's runs.
 */
import * as vscode from 'vscode';
import type { RunSummary } from '../../engine/runs';
import type { ExportImageMessage } from '../../shared/protocol';
import { CancelledError } from '../../shared/rpc';
import type { FromRuns, ToRuns } from '../../shared/runsProtocol';
import { fileLabel } from '../config';
import { allowOutsideData } from '../trust';
import { writeLayers } from '../writeBack';
import { saveHistory, saveImage } from './exports';
import type { Pending, ReplayClient } from './replayClient';
import { rowOfSummary } from './rows';
import type { RunsService } from './service';
import { completeStep } from './walkthrough';

const BOUNDARY_SIZE = 64;

export class RunsController implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly picked: string[] = [];
  /** Per run id, the number of its latest pick message (handle). */
  private readonly pickSeq = new Map<string, number>();
  private scrubbing: Pending<unknown> | undefined;
  /** Bring the tab to the front at the next `ready` (a command asked for the Runs view). */
  private showPending = false;
  private ready = false;

  constructor(
    readonly uri: vscode.Uri,
    private readonly service: RunsService,
    private readonly replay: ReplayClient,
    private readonly post: (m: ToRuns) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      // a run that ends (or is renamed, pinned, removed) shows in the table at once
      service.onDidChange((u) => {
        if (u === undefined || u.toString() === this.uri.toString()) void this.sendRuns().catch((e: unknown) => this.fail('list', e));
      }),
    );
  }

  /** Shows the Runs tab (now, or when the page is ready) with `pick` overlaid. */
  show(pick: readonly string[] = []): void {
    // (checked as the tab's own ticks are: a command's ids must be runs of this file)
    for (const id of pick) void this.handle({ type: 'pick', id, on: true });
    if (this.ready) this.post({ type: 'show' });
    else this.showPending = true;
  }

  /** The page is new (first open, shown again after hiding): it gets the table and the curves. */
  async onReady(): Promise<void> {
    this.ready = true;
    if (this.showPending) {
      this.showPending = false;
      this.post({ type: 'show' });
    }
    await this.sendRuns();
    for (const id of [...this.picked]) await this.sendCurves(id);
  }

  /** The page was discarded (hidden panel). */
  onHidden(): void {
    this.ready = false;
    this.scrubbing?.cancel();
  }

  async handle(m: FromRuns): Promise<void> {
    try {
      switch (m.type) {
        case 'pick': {
          // a tick then an untick of one run (a double click): the last one wins, also when the
          // untick is handled while the tick still reads the run list
          const seq = (this.pickSeq.get(m.id) ?? 0) + 1;
          this.pickSeq.set(m.id, seq);
          if (m.on) await this.ownRun(m.id);
          if (this.pickSeq.get(m.id) !== seq) return;
          await this.pick(m.id, m.on);
          return;
        }
        case 'scrub':
          await this.ownRun(m.id);
          await this.scrub(m.id, m.epoch);
          return;
        case 'rename': {
          const current = await this.ownRun(m.id);
          const label = await vscode.window.showInputBox({ title: 'Rename run', prompt: 'A name for this run (empty: none)', value: current.label ?? '' });
          if (label !== undefined) await this.service.update(this.uri, m.id, { label });
          return;
        }
        case 'pin':
          await this.ownRun(m.id);
          await this.service.update(this.uri, m.id, { pinned: m.pinned });
          return;
        case 'remove': {
          const run = await this.ownRun(m.id);
          if (run.pinned) {
            this.post({ type: 'problem', message: 'This run is pinned: unpin it first.' });
            return;
          }
          const i = this.picked.indexOf(m.id);
          if (i >= 0) this.picked.splice(i, 1);
          await this.service.remove(this.uri, m.id);
          return;
        }
        case 'restore':
          await this.ownRun(m.id);
          await this.restore(m.id, m.epoch);
          return;
        case 'exportCsv': {
          const run = await this.ownRun(m.id);
          const r = await this.service.get(m.id);
          this.note(await saveHistory(this.uri, r.curve, `-${run.label ?? m.id}`));
          return;
        }
      }
    } catch (e) {
      this.fail(m.type, e);
    }
  }

  /** Saves the Runs tab's chart or boundary (the inspector routes `exportImage` from: 'runs' here). */
  async exportImage(m: ExportImageMessage): Promise<void> {
    try {
      this.note(await saveImage(this.uri, m, '-runs'));
    } catch (e) {
      this.fail('exportImage', e);
    }
  }

  private note(message: string | undefined): void {
    if (message !== undefined) this.post({ type: 'note', message });
  }

  private fail(what: string, e: unknown): void {
    if (e instanceof CancelledError || (e instanceof Error && /cancelled/.test(e.message))) return;
    const message = e instanceof Error ? e.message : String(e);
    this.log.error(`runs ${fileLabel(this.uri)}: ${what} failed: ${message}`);
    this.post({ type: 'problem', message });
  }

  /**
   * The summary of run `id` when it is one of this file's runs; otherwise an error (the webview
   * names the id: a run of another file is never changed or replayed from here).
   */
  private async ownRun(id: string): Promise<RunSummary> {
    const run = (await this.service.list(this.uri)).find((r) => r.id === id);
    if (run === undefined) throw new Error(`no run ${id} among the runs of ${fileLabel(this.uri)}`);
    return run;
  }

  private async sendRuns(): Promise<void> {
    const runs = await this.service.list(this.uri);
    const known = new Set(runs.map((r) => r.id));
    for (let i = this.picked.length - 1; i >= 0; i--) if (!known.has(this.picked[i])) this.picked.splice(i, 1);
    this.post({ type: 'runs', file: fileLabel(this.uri), runs: runs.map(rowOfSummary), picked: [...this.picked] });
  }

  async pick(id: string, on: boolean): Promise<void> {
    const i = this.picked.indexOf(id);
    if (on && i < 0) this.picked.push(id);
    if (!on && i >= 0) this.picked.splice(i, 1);
    if (on) await this.sendCurves(id);
    if (this.picked.length >= 2) completeStep('compared');
  }

  /** The runs picked for the overlay, in the order they were picked. */
  get pickedRuns(): readonly string[] {
    return this.picked;
  }

  private async sendCurves(id: string): Promise<void> {
    const r = await this.service.get(id);
    // unticked while its record was read: an overlay the user no longer wants
    if (!this.picked.includes(id) || !this.ready) return;
    this.post({ type: 'curves', curves: { id, curve: r.curve, gradients: r.gradients, snapshots: r.snapshots.map((s) => s.epoch) } });
  }

  /** Shows the network of run `id` at `epoch` (the timeline slider); cancels the position before. */
  async scrub(id: string, epoch: number): Promise<void> {
    this.scrubbing?.cancel();
    const p = this.replay.frame(id, epoch, allowOutsideData(this.uri), BOUNDARY_SIZE);
    this.scrubbing = p;
    try {
      const frame = await p.result;
      if (this.scrubbing === p) this.post({ type: 'frame', frame });
    } finally {
      if (this.scrubbing === p) this.scrubbing = undefined;
    }
  }

  /** Writes the weights of run `id` at `epoch` into the file: one WorkspaceEdit, one undo. */
  async restore(id: string, epoch: number): Promise<boolean> {
    // (the slider's pending frame is not cancelled: the timeline would stay at a position whose
    // frame never comes, over the frame before; the thread answers it first, then this)
    const layers = await this.replay.weights(id, epoch, allowOutsideData(this.uri)).result;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const ok = await writeLayers(doc, layers, this.log);
    if (ok) this.post({ type: 'note', message: `The weights of epoch ${epoch} are in ${fileLabel(this.uri)} (one undo takes them out).` });
    return ok;
  }

  dispose(): void {
    this.scrubbing?.cancel();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    void this.replay.dispose();
  }
}
