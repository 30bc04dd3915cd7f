/**
 * CodeLenses of `.net.json` files (see lensModel.ts for what they say). They follow the document:
 * when a session is idle and the document changed since its worker loaded it, the lenses wait
 * for the reload (and fresh statistics) before they are given. While training, they refresh at
 * most every 250 ms.
 */
import * as vscode from 'vscode';
import { isNetDocument, settings } from '../config';
import type { SessionManager } from '../training/sessionManager';
import type { NetDiagnostics, ParseCache } from './diagnostics';
import { buildLenses } from './lensModel';
import { layerRanges } from './netLocation';

const REFRESH_MS = 250;

export class NetCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private lastFire = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: SessionManager,
    private readonly parses: ParseCache,
    private readonly diagnostics: NetDiagnostics,
  ) {
    this.disposables.push(
      sessions.onDidChange(() => this.refresh()),
      diagnostics.onDidUpdate(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('backprop.codeLens')) this.refresh();
      }),
    );
  }

  /** Asks VS Code for new lenses, at most every REFRESH_MS. */
  refresh(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFire + REFRESH_MS - Date.now());
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
