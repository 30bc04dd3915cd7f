/**
 * Backprop Studio's extension entry: wires the training sessions (one worker thread per network
 * file; one more checks the files' data for the diagnostics), the editor features (diagnostics,
 * quick fixes, CodeLens, hover), the commands, the progress UI and the inspector. Every registration goes into `context.subscriptions`;
 * `deactivate` ends every training worker.
 */
import * as vscode from 'vscode';
import { NET_SELECTOR, isNetUri } from './config';
import { registerCommands } from './commands';
import { registerExport } from './export';
import { DataChecker } from './editor/dataChecker';
import { NetDiagnostics, ParseCache } from './editor/diagnostics';
import { NetHovers } from './editor/hover';
import { NetCodeLenses } from './editor/lens';
import { NetQuickFixes } from './editor/quickFix';
import { DebugFollow } from './debug/follow';
import { registerDebugger } from './debug/register';
import { registerInspector, type Inspector } from './inspector';
import { TrainingProgress } from './progress';
import { SessionManager } from './training/sessionManager';
import { afterRun } from './writeBack';
import { RunsService, runSettings } from './runs/service';
import { registerRunCommands } from './runs/commands';
import { completeStep, setWalkthroughExtension, walkthroughSession } from './runs/walkthrough';

const JSON_EXTENSION_ID = 'vscode.json-language-features';

let sessions: SessionManager | undefined;

/** What `activate` returns: for tests and other extensions. */
export interface BackpropApi {
  sessions: SessionManager;
  diagnostics: NetDiagnostics;
  /** The training progress UI (notification and status bar). */
  progress: TrainingProgress;
  /** The recorded runs (docs/runs.md). */
  runs: RunsService;
  /** The inspector panels (tests read what they posted to their pages). */
  inspector: Inspector;
}

export function activate(context: vscode.ExtensionContext): BackpropApi {
  const log = vscode.window.createOutputChannel('Backprop Studio', { log: true });
  context.subscriptions.push(log);
  setWalkthroughExtension(context.extension.id);
  const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;

  const runs = new RunsService(vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'runs'), log);
  context.subscriptions.push(runs);
  const manager = new SessionManager({
    log,
    workerPath,
    afterRun: (session, end, baseVersion) => {
      if (end.epochsRun > 0) completeStep('trained');
      void runs.recordEnd(session.uri, end); // takes the record out of `end` at once, stores it meanwhile
      return afterRun(session, end, baseVersion, log);
    },
    keepRecord: (session, record) => runs.keep(session.uri, record),
  });
  sessions = manager;
  context.subscriptions.push(manager);

  const parses = new ParseCache();
  // Data problems (CSV files, generators) are checked in a worker thread, never on this one.
  const checker = new DataChecker(workerPath, (m) => log.warn(m));
  const diagnostics = new NetDiagnostics(parses, checker, (m) => log.warn(m));
  const progress = new TrainingProgress(manager);
  const lenses = new NetCodeLenses(manager, parses, diagnostics);
  context.subscriptions.push(
    diagnostics,
    lenses,
    vscode.languages.registerCodeLensProvider(NET_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(NET_SELECTOR, new NetHovers(manager, parses)),
    vscode.languages.registerCodeActionsProvider(NET_SELECTOR, new NetQuickFixes(diagnostics, log), {
      providedCodeActionKinds: NetQuickFixes.kinds,
    }),
    vscode.workspace.onDidOpenTextDocument((doc) => diagnostics.schedule(doc)),
    vscode.workspace.onDidChangeTextDocument((e) => diagnostics.schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      diagnostics.clear(doc.uri);
      parses.forget(doc.uri);
    }),
    // VS Code may keep a document open a while after its last editor closed: clear at the tab.
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const uri of closedNetFiles(e.closed)) diagnostics.clear(uri);
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const ed of editors) diagnostics.ensure(ed.document);
    }),
    progress,
    // Leaving Restricted Mode: the data checks and the lenses that need trust appear at once, not at the next edit.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      diagnostics.validateOpen();
      lenses.refresh(true);
    }),
  );
  diagnostics.validateOpen();

  const follow = new DebugFollow((m) => log.warn(m));
  context.subscriptions.push(follow);
  const replayWorkerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'replayWorker.js').fsPath;
  const inspector = registerInspector(context, (uri) => walkthroughSession(manager.get(uri)), log, { service: runs, replayWorkerPath }, (uri) => manager.retain(uri), (uri) => follow.forFile(uri));
  follow.showInspector = (uri) => inspector.show(uri);
  registerRunCommands(context, runs, inspector, log);
  registerCommands({ context, sessions: manager, inspector, log });
  registerExport(context, log, workerPath);
  registerDebugger(context, log, { follow, recording: () => runSettings().enabled, record: async (uri, record) => (runSettings().enabled ? runs.add(uri, record) : undefined) });
  activateJsonLanguageFeatures(log);
  log.info(`Backprop Studio activated (VS Code ${vscode.version}, Node ${process.version})`);
  return { sessions: manager, diagnostics, progress, runs, inspector };
}

/**
 * VS Code's JSON language server (schema validation, completion, hover, formatting, folding, the
 * outline) serves our language `backprop-net` through `contributes.jsonLanguageParticipants`, but
 * its extension activates only for its own languages (json, jsonc, snippets): a window whose first
 * JSON-like file is a `.net.json` would otherwise have none of it. Not an `extensionDependencies`,
 * so that a user who disabled the built-in JSON extension still gets ours.
 */
function activateJsonLanguageFeatures(log: vscode.LogOutputChannel): void {
  const json = vscode.extensions.getExtension(JSON_EXTENSION_ID);
  if (json === undefined) log.warn(`${JSON_EXTENSION_ID} is not installed or disabled: .net.json files get no JSON completion, formatting or schema validation`);
  else if (!json.isActive) json.activate().then(undefined, (e: unknown) => log.warn(`${JSON_EXTENSION_ID} did not activate: ${e instanceof Error ? e.message : String(e)}`));
}

/** Network files whose last tab is among `closed`. */
function closedNetFiles(closed: readonly vscode.Tab[]): vscode.Uri[] {
  const shown = new Set<string>();
  for (const g of vscode.window.tabGroups.all) {
    for (const t of g.tabs) if (t.input instanceof vscode.TabInputText) shown.add(t.input.uri.toString());
  }
  const out: vscode.Uri[] = [];
  for (const t of closed) {
    if (t.input instanceof vscode.TabInputText && isNetUri(t.input.uri) && !shown.has(t.input.uri.toString())) out.push(t.input.uri);
  }
  return out;
}

export async function deactivate(): Promise<void> {
  const s = sessions;
  sessions = undefined;
  if (s) await s.endAll('the extension was deactivated');
}
