/**
 * The Runs panel of one network file (beside its inspector): the file's recorded runs in a table,
 * picked runs' curves overlaid on one chart, a timeline slider that shows the network (heatmaps,
 * graph) and the decision boundary at any epoch of a run, "Restore these weights into the file"
 * as one undoable edit, gradients over time, and exports (CSV, PNG, SVG).
 *
 * Every number comes from the engine: a frame is the run's stored snapshot, or the state replayed
 * from the nearest one (engine/runs/replay.ts, bit for bit the live run), in slices of ~15 ms on
 * this thread so the extension host stays responsive; a newer slider position cancels an older
 * one. Messages from the webview are checked by parseFromRuns.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { historyCsv, layersOf, replaySetup, Replayer, type RunRecord, type RunSummary } from '../../engine/runs';
import type { NetSpec } from '../../engine/spec';
import type { TrainerCheckpoint } from '../../engine/trainer';
import { fileLabel } from '../config';
import { allowOutsideData } from '../trust';
import { inspectorHtml, makeNonce } from '../inspector/html';
import { boundaryView, snapshot, summarize } from '../worker/views';
import { writeLayers } from '../writeBack';
import { parseFromRuns, type FromRuns, type ToRuns } from '../../shared/runsProtocol';
import { rowOfSummary } from './rows';
import type { RunsService } from './service';

export const RUNS_VIEW_TYPE = 'backprop.runs';
const BOUNDARY_SIZE = 64;
const SLICE_MS = 15;

interface ReplayContext {
  record: RunRecord;
  replayer: Replayer;
  spec: NetSpec;
}

export class RunsPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, RunsPanel>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly picked: string[] = [];
  private readonly contexts = new Map<string, ReplayContext>();
  private scrubToken = 0;
  private ready = false;

  /** Opens (or reveals) the Runs panel of `uri`, with `pick` overlaid. */
  static show(uri: vscode.Uri, service: RunsService, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, pick: string[] = []): RunsPanel {
    const key = uri.toString();
    let p = RunsPanel.panels.get(key);
    if (p === undefined) {
      const panel = vscode.window.createWebviewPanel(RUNS_VIEW_TYPE, `Runs: ${fileLabel(uri)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      });
      p = new RunsPanel(panel, uri, service, extensionUri, log);
      RunsPanel.panels.set(key, p);
    } else {
      p.panel.reveal(vscode.ViewColumn.Beside);
    }
    for (const id of pick) void p.pick(id, true);
    return p;
  }

  static disposeAll(): void {
    for (const p of [...RunsPanel.panels.values()]) p.dispose();
  }

  /** The open panel of `uri` (tests). */
  static of(uri: vscode.Uri): RunsPanel | undefined {
    return RunsPanel.panels.get(uri.toString());
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly service: RunsService,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const web = panel.webview;
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    const nonce = makeNonce();
    web.html = inspectorHtml({
      cspSource: web.cspSource,
      nonce,
      scriptUri: web.asWebviewUri(vscode.Uri.joinPath(dist, 'runs.js')).toString(),
      styleUri: web.asWebviewUri(vscode.Uri.joinPath(dist, 'runs.css')).toString(),
    });
    this.subscriptions.push(
      web.onDidReceiveMessage((raw: unknown) => {
        const m = parseFromRuns(raw);
        if (m === undefined) {
          this.log.warn(`runs panel: ignored a message that does not fit the protocol`);
          return;
        }
        void this.handle(m);
      }),
      service.onDidChange((u) => {
        if (u === undefined || u.toString() === this.uri.toString()) void this.sendRuns();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(m: ToRuns): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private async handle(m: FromRuns): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          await this.sendRuns();
          for (const id of this.picked) await this.sendCurves(id);
          return;
        case 'pick':
          if (m.on) await this.ownRun(m.id);
          await this.pick(m.id, m.on);
          return;
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
          this.contexts.delete(m.id);
          const i = this.picked.indexOf(m.id);
          if (i >= 0) this.picked.splice(i, 1);
          await this.service.remove(this.uri, m.id);
          return;
        }
        case 'restore':
          await this.ownRun(m.id);
          await this.restore(m.id, m.epoch);
          return;
        case 'exportCsv':
          await this.ownRun(m.id);
          await this.exportCsv(m.id);
          return;
        case 'exportImage':
          await this.exportImage(m.what, m.format, m.data);
          return;
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`runs panel ${fileLabel(this.uri)}: ${m.type} failed: ${message}`);
      this.post({ type: 'problem', message });
    }
  }

  /**
   * The summary of run `id` when it is one of this panel's file's runs; otherwise an error (the
   * webview names the id: a run of another file is never changed or replayed from this panel).
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
    if (this.picked.length >= 2) void vscode.commands.executeCommand('setContext', 'backprop.walkthrough.compared', true);
  }

  /** The runs picked for the overlay, in the order they were picked. */
  get pickedRuns(): readonly string[] {
    return this.picked;
  }

  private async sendCurves(id: string): Promise<void> {
    const r = await this.service.get(id);
    // unticked while its record was read: an overlay the user no longer wants
    if (!this.picked.includes(id)) return;
    this.post({ type: 'curves', curves: { id, curve: r.curve, gradients: r.gradients, snapshots: r.snapshots.map((s) => s.epoch) } });
  }

  private async context(id: string): Promise<ReplayContext> {
    let c = this.contexts.get(id);
    if (c === undefined) {
      const record = await this.service.get(id);
      const { trainer, spec } = replaySetup(record, undefined, { allowOutside: allowOutsideData(this.uri) });
      c = { record, replayer: new Replayer(record, trainer), spec };
      this.contexts.set(id, c);
      while (this.contexts.size > 3) {
        const oldest = this.contexts.keys().next().value;
        if (oldest === undefined) break;
        this.contexts.delete(oldest);
      }
    }
    return c;
  }

  /** The state at `epoch`, replayed in slices (undefined when a newer request replaced this one). */
  private async stateAt(c: ReplayContext, epoch: number, token: number): Promise<{ state: TrainerCheckpoint; replayed: number } | undefined> {
    const before = c.replayer.replayedEpochs;
    let chunk = 4;
    for (;;) {
      const from = c.replayer.nearest(epoch)?.epoch ?? epoch;
      if (epoch - from <= chunk) break;
      const t0 = performance.now();
      c.replayer.stateAt(from + chunk);
      const ms = performance.now() - t0;
      chunk = Math.max(1, Math.min(10_000, Math.round((chunk * SLICE_MS) / Math.max(ms, 0.5))));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (token !== this.scrubToken) return undefined;
    }
    const state = c.replayer.stateAt(epoch);
    return { state, replayed: c.replayer.replayedEpochs - before };
  }

  /** Shows the network of run `id` at `epoch` (the timeline slider). */
  async scrub(id: string, epoch: number): Promise<void> {
    const token = ++this.scrubToken;
    const c = await this.context(id);
    const got = await this.stateAt(c, epoch, token);
    if (got === undefined || token !== this.scrubToken) return;
    const { state, replayed } = got;
    const trainer = c.replayer.trainer;
    // THE snapshot (worker/views.ts) of the replayed network: its gradient over all the data, the
    // last update of the restored optimizer state (replays recompute every gradient they use)
    const net = trainer.net;
    const summary = summarize(c.spec, net, path.basename(c.record.file), trainer.train, trainer.validation);
    const network = snapshot({ spec: c.spec, net, trainer, train: trainer.train, summary, fileName: c.record.file, updated: state.optimizer.steps > 0 });
    const boundary = boundaryView(net, trainer.train, BOUNDARY_SIZE, summary.classification);
    this.post({ type: 'frame', frame: { id, epoch, network, ...(boundary ? { boundary } : {}), fromSnapshot: c.replayer.isSnapshot(epoch), replayed } });
  }

  /** Writes the weights of run `id` at `epoch` into the file: one WorkspaceEdit, one undo. */
  async restore(id: string, epoch: number): Promise<boolean> {
    const c = await this.context(id);
    const token = ++this.scrubToken;
    const got = await this.stateAt(c, epoch, token);
    if (got === undefined) return false;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const ok = await writeLayers(doc, layersOf(got.state, c.replayer.trainer.net.sizes), this.log);
    if (ok) this.post({ type: 'note', message: `The weights of epoch ${epoch} are in ${fileLabel(this.uri)} (one undo takes them out).` });
    return ok;
  }

  private async saveTarget(suggested: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
    const dir = vscode.Uri.joinPath(this.uri, '..');
    return vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(dir, suggested), filters });
  }

  private async exportCsv(id: string): Promise<void> {
    const r = await this.service.get(id);
    const base = fileLabel(this.uri).replace(/\.net\.json$/i, '');
    const target = await this.saveTarget(`${base}-${r.label ?? id}-loss.csv`.replace(/[^\w.-]+/g, '_'), { CSV: ['csv'] });
    if (target === undefined) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(historyCsv(r.curve), 'utf8'));
    this.post({ type: 'note', message: `Loss history written to ${fileLabel(target)}.` });
  }

  private async exportImage(what: 'chart' | 'boundary', format: 'png' | 'svg', data: string): Promise<void> {
    const base = fileLabel(this.uri).replace(/\.net\.json$/i, '');
    const target = await this.saveTarget(`${base}-${what === 'chart' ? 'loss' : 'boundary'}.${format}`, format === 'png' ? { PNG: ['png'] } : { SVG: ['svg'] });
    if (target === undefined) return;
    const bytes = format === 'png' ? Buffer.from(data.slice('data:image/png;base64,'.length), 'base64') : Buffer.from(data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    this.post({ type: 'note', message: `${what === 'chart' ? 'Chart' : 'Decision boundary'} written to ${fileLabel(target)}.` });
  }

  dispose(): void {
    if (RunsPanel.panels.get(this.uri.toString()) === this) RunsPanel.panels.delete(this.uri.toString());
    this.scrubToken++;
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
