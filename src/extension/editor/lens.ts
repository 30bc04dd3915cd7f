/**
 * CodeLenses of `.net.json` files (see lensModel.ts for what they say). They follow the document:
 * when a session is idle and the document changed since its worker loaded it, the lenses wait
 * for the reload (and fresh statistics) before they are given. A change of what they offer (Train
 * becomes Stop, a check's verdict) is shown at once; the live epoch and loss while training are
 * refreshed once a second. (VS Code debounces a provider's change events and restarts that timer at
 * every event, at least 250 ms: events closer than that would keep a live lens from ever being
 * redrawn while a network trains.)
 */
import * as vscode from 'vscode';
import { isNetDocument, settings } from '../config';
import type { SessionManager } from '../training/sessionManager';
import type { NetDiagnostics, ParseCache } from './diagnostics';
import { debugLensCommand } from '../debug/register';
import { isTrusted } from '../trust';
import { buildLenses } from './lensModel';
import { layerRanges } from './netLocation';

const LIVE_REFRESH_MS = 1000;

export class NetCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private lastFire = 0;
  /** Per session: what its lenses last offered (state, running, checking). */
  private readonly offered = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: SessionManager,
    private readonly parses: ParseCache,
    private readonly diagnostics: NetDiagnostics,
  ) {
    this.disposables.push(
      sessions.onDidChange((s) => {
        const key = s.uri.toString();
        const offer = `${s.state}|${s.isRunning}|${s.checkRunning}`;
        const changed = this.offered.get(key) !== offer;
        this.offered.set(key, offer);
        // bounded by the open sessions: an ended session's entry goes
        if (this.offered.size > 1) {
          const open = new Set(sessions.all().map((x) => x.uri.toString()));
          for (const k of this.offered.keys()) if (!open.has(k)) this.offered.delete(k);
        }
        this.refresh(changed);
      }),
      diagnostics.onDidUpdate(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('backprop.codeLens')) this.refresh();
      }),
    );
  }

  /** Asks VS Code for new lenses: at once when `urgent`, else at most every LIVE_REFRESH_MS. */
  refresh(urgent = false): void {
    if (this.timer) {
      if (!urgent) return;
      clearTimeout(this.timer);
    }
    const wait = urgent ? 0 : Math.max(0, this.lastFire + LIVE_REFRESH_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFire = Date.now();
      this.emitter.fire();
    }, wait);
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!isNetDocument(doc)) return [];
    const cfg = settings(doc.uri);
    if (!cfg.codeLensEnabled) return [];
    const parsed = this.parses.get(doc);
    const problems = this.diagnostics.problemsFor(doc) ?? parsed.problems;
    const errors = problems.filter((p) => p.severity === 'error').length;
    const session = this.sessions.peek(doc.uri);
    if (session && !session.isRunning && errors === 0 && session.hasTrained && session.documentVersion !== doc.version) {
      await session.sync().catch(() => undefined);
    }
    const upToDate = session !== undefined && session.documentVersion === doc.version;
    const model = buildLenses({
      errors,
      layerCount: layerRanges(parsed.root).length,
      session: session && {
        state: session.state,
        running: session.isRunning,
        epoch: session.epoch,
        totalEpochs: session.totalEpochs,
        last: session.lastPoint,
        lastRun: session.lastRun,
        lastCheck: session.lastCheck,
        checkRunning: session.checkRunning,
        stats: cfg.layerLensEnabled && upToDate ? session.stats : undefined,
      },
    });
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = model.top.map((c) => new vscode.CodeLens(top, { title: c.title, command: c.command, tooltip: c.tooltip, arguments: c.command.startsWith('backprop.') ? [doc.uri] : [] }));
    if (errors === 0 && session?.isRunning !== true && isTrusted()) lenses.push(new vscode.CodeLens(top, debugLensCommand(doc.uri)));
    const ranges = layerRanges(parsed.root);
    for (const { layer, lens } of model.layers) {
      const r = ranges[layer];
      if (!r) continue;
      const pos = doc.positionAt(r.offset);
      lenses.push(new vscode.CodeLens(new vscode.Range(pos, pos), { title: lens.title, command: lens.command, tooltip: lens.tooltip, arguments: [doc.uri] }));
    }
    return lenses;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
