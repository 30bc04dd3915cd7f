/**
 * The inspector follows the debugger: for each `.net.json` with a debug session, what its
 * inspector shows while the session is stopped or running — a banner saying where the run stands,
 * the stopped network (THE snapshot, made by the session's worker on the stopped weights), its
 * decision boundary and epoch losses — and the matrices opened from Variables with "Open as
 * Heatmap", read again at every stop. Every number comes from the debug worker.
 */
import * as vscode from 'vscode';
import type { InspectorDebug, InspectorDebugState } from '../debugApi';
import type { DebugMatrixView, TraceView } from '../../shared/protocol';
import type { MatrixSource, RunPosition } from './protocol';
import type { BackpropDebugSession, FollowEvent } from './session';

/** Side of the decision-boundary grid sent with a stop (as the inspector's own). */
const BOUNDARY_SIZE = 64;

/** "epoch 3 of 40, batch 2 of 4, layer 2 — backward": where the run stands, in the banner's words. */
export function whereText(p: RunPosition): string {
  const m = /^(forward|backward) layer (\d+)$/.exec(p.stage);
  const stage = m ? `layer ${m[2]} — ${m[1]}` : p.stage === 'loss' ? 'the loss' : p.stage === 'update' ? 'the update' : p.stage;
  return `epoch ${p.epoch} of ${p.epochs}, batch ${p.batch} of ${p.batches}, ${stage}`;
}

/**
 * The banner of a stop, e.g. "Debugger: stopped in epoch 3 of 40 (2 done), batch 2 of 4, layer 2 —
 * backward · these are the debugger's values, not the file's". The epoch the run is in is one more
 * than the epochs done, which the inspector's header and status line count: both are said.
 */
export function stoppedBanner(p: RunPosition): string {
  const done = p.epoch - 1;
  const where = whereText(p).replace(/^(epoch \d+ of \d+)/, `$1 (${done} done)`);
  return `Debugger: stopped in ${where} · these are the debugger's values, not the file's`;
}

interface OpenHeatmap {
  source: MatrixSource;
  view: DebugMatrixView;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One file's debug state, as its inspector reads it. */
class FileFollow implements InspectorDebug, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private state: Omit<InspectorDebugState, 'heatmaps'> | undefined;
  private adapter: BackpropDebugSession | undefined;
  /** Raised at every event: a stop read after the run went on again is dropped. */
  private generation = 0;
  private heatmaps: OpenHeatmap[] = [];
  private nextId = 1;
  /** Where the views' stop was (the banner while running). */
  private where = '';
  /** Where the latest stop is, from its event on (a heatmap opened before its views were read). */
  private stopAt = '';

  current(): InspectorDebugState | undefined {
    if (this.state === undefined && this.heatmaps.length === 0) return undefined;
    return { ...(this.state ?? { state: 'ended', banner: '' }), heatmaps: this.heatmaps.map((h) => h.view) };
  }

  trace(sample: number): Promise<TraceView> {
    const a = this.adapter;
    if (a === undefined) return Promise.reject(new Error('the debug session has ended'));
    return a.trace(sample);
  }

  closeHeatmap(id: number): void {
    const before = this.heatmaps.length;
    this.heatmaps = this.heatmaps.filter((h) => h.view.id !== id);
    if (this.heatmaps.length !== before) this.emitter.fire();
  }

  async onEvent(adapter: BackpropDebugSession, e: FollowEvent): Promise<void> {
    if (e.kind === 'ended' && adapter !== this.adapter) return; // an older session of the file
    this.adapter = e.kind === 'ended' ? undefined : adapter;
    const generation = ++this.generation;
    switch (e.kind) {
      case 'running': {
        const last = this.state?.state === 'stopped' || this.state?.state === 'running' ? this.state : undefined;
        const banner = this.where === '' ? 'Debugger: running' : `Debugger: running · the views show its last stop (${this.where}), not the file`;
        this.state = { ...(last ?? {}), state: 'running', banner, detail: undefined };
        for (const h of this.heatmaps) if (h.view.status === 'current') h.view = { ...h.view, status: 'running' };
        this.emitter.fire();
        return;
      }
      case 'ended': {
        this.state = { state: 'ended', banner: '' };
        for (const h of this.heatmaps) h.view = { ...h.view, status: 'ended' };
        this.where = '';
        this.stopAt = '';
        this.emitter.fire();
        return;
      }
      case 'stopped': {
        const where = whereText(e.position);
        this.stopAt = where;
        const inspected = adapter.inspect(BOUNDARY_SIZE).then((r) => r, (err: unknown) => new Error(errorText(err)));
        // the heatmaps open now: one closed meanwhile stays closed; one opened meanwhile was read by open()
        const reading = [...this.heatmaps];
        const matrices = await Promise.all(reading.map((h) => this.read(adapter, h.source, where, h.view)));
        const state = await inspected;
        if (generation !== this.generation) return;
        this.where = where;
        this.state = state instanceof Error
          ? { state: 'stopped', banner: stoppedBanner(e.position), detail: `${e.description} (the inspector could not read the stopped state: ${state.message})` }
          : { state: 'stopped', banner: stoppedBanner(e.position), detail: e.description, network: state.network, boundary: state.boundary, history: state.history };
        reading.forEach((h, i) => (h.view = matrices[i]));
        this.emitter.fire();
        return;
      }
    }
  }

  /** Opens (or refreshes) a heatmap of `source` from the session stopped now. */
  async open(adapter: BackpropDebugSession, source: MatrixSource, name: string): Promise<void> {
    const key = JSON.stringify(source);
    let h = this.heatmaps.find((x) => JSON.stringify(x.source) === key);
    if (h === undefined) {
      h = { source, view: { id: this.nextId++, name, rows: 0, cols: 0, values: [], at: '', status: 'unavailable' } };
      this.heatmaps.push(h);
    }
    this.adapter = adapter;
    const generation = this.generation;
    const view = await this.read(adapter, source, this.stopAt, h.view);
    // the values are those of the stop it was opened at: if the run went on or the session ended meanwhile, they are marked so
    const now = this.state?.state;
    h.view = generation === this.generation || view.status !== 'current' || now === 'stopped' || now === undefined ? view : { ...view, status: now };
    this.emitter.fire();
  }

  private async read(adapter: BackpropDebugSession, source: MatrixSource, where: string, last: DebugMatrixView): Promise<DebugMatrixView> {
    try {
      const m = await adapter.matrix(source);
      return { id: last.id, name: last.name, rows: m.rows, cols: m.cols, values: m.values, at: where, status: 'current' };
    } catch (e) {
      return { ...last, status: 'unavailable', note: `${errorText(e)}${last.at === '' ? '' : `; shown: the values at ${last.at}`}` };
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export class DebugFollow implements vscode.Disposable {
  private readonly files = new Map<string, FileFollow>();
  /** Opens (or reveals) a file's inspector (set by the extension's wiring). */
  showInspector: ((uri: vscode.Uri) => void) | undefined;

  constructor(private readonly log: (message: string) => void) {}

  /** The debug state of `uri` for its inspector. */
  forFile(uri: vscode.Uri): InspectorDebug {
    return this.file(uri.toString());
  }

  private file(key: string): FileFollow {
    let f = this.files.get(key);
    if (f === undefined) {
      f = new FileFollow();
      this.files.set(key, f);
    }
    return f;
  }

  private keyOf(adapter: BackpropDebugSession): string {
    return vscode.Uri.file(adapter.file).toString();
  }

  /** Follows a session's stops, runs and end. */
  attach(adapter: BackpropDebugSession): void {
    adapter.follow = (e) => {
      if (adapter.file === '') return;
      this.file(this.keyOf(adapter)).onEvent(adapter, e).catch((err: unknown) => this.log(`debugger: the inspector could not follow: ${errorText(err)}`));
    };
  }

  /**
   * "Open as Heatmap" on a Variables entry of the stopped session: the matrix it stands for, in
   * the file's inspector (opened if needed), refreshed at every stop.
   */
  async openHeatmap(adapter: BackpropDebugSession, variablesReference: number, name: string): Promise<void> {
    const source = adapter.matrixSource(variablesReference);
    if (source === undefined) throw new Error(`${name} is not a matrix or vector of the stopped run (or the run moved on since): expand the scope again`);
    const label = source.of === 'layer' || source.of === 'optimizer' || source.of === 'eval' ? `${name} (layer ${source.layer})` : source.of === 'batch' ? `${name} (batch)` : name;
    await this.file(this.keyOf(adapter)).open(adapter, source, label);
    this.showInspector?.(vscode.Uri.file(adapter.file));
  }

  dispose(): void {
    for (const f of this.files.values()) f.dispose();
    this.files.clear();
  }
}
