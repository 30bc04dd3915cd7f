/**
 * The commands of the palette (category "Backprop") and of the lenses. Each works on the `.net.json`
 * file given as its argument (lenses, editor title, explorer) or else on the active editor, and
 * says so when there is none. Commands return what they did, for scripts and tests:
 * `backprop.train` -> { reason, epoch, epochsRun, loss, written } | undefined,
 * `backprop.gradientCheck` -> GradCheckView | undefined, the writers -> boolean.
 */
import * as vscode from 'vscode';
import type { GradCheckView } from '../shared/protocol';
import { fileLabel, isNetUri } from './config';
import { formatShort as formatNumber } from '../shared/format';
import { newFromExample } from './examples';
import { completeStep } from './runs/walkthrough';
import type { Inspector } from './inspector';
import { NetProblemsError } from './training/session';
import type { SessionManager } from './training/sessionManager';
import { writeLayers, writeSessionWeights } from './writeBack';
import { guarded } from './trust';

export interface TrainResult {
  reason: 'done' | 'stopped' | 'diverged' | 'error';
  epoch: number;
  epochsRun: number;
  loss?: number;
  written: boolean;
  message?: string;
}

export interface CommandDeps {
  context: vscode.ExtensionContext;
  sessions: SessionManager;
  inspector: Inspector;
  log: vscode.LogOutputChannel;
}

/** The network file a command works on: its argument, or the active editor's document. */
function target(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri && isNetUri(arg)) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && isNetUri(doc.uri)) return doc.uri;
  const create = 'New Network from Example';
  void vscode.window
    .showWarningMessage('Backprop: open a .net.json network file first; the active editor does not show one.', create)
    .then((c) => {
      if (c === create) void vscode.commands.executeCommand('backprop.newFromExample');
    });
  return undefined;
}

function showProblems(err: NetProblemsError): void {
  const show = 'Show Problems';
  void vscode.window.showErrorMessage(`Backprop: ${err.message}`, show).then((c) => {
    if (c === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
}

function reportError(log: vscode.LogOutputChannel, what: string, err: unknown): void {
  if (err instanceof NetProblemsError) {
    showProblems(err);
    return;
  }
  const msg = err instanceof Error ? err.message : String(err);
  log.error(`${what}: ${msg}`);
  void vscode.window.showErrorMessage(`Backprop: ${what}: ${msg}`);
}

export function registerCommands(deps: CommandDeps): void {
  const { context, sessions, inspector, log } = deps;
  const register = (id: string, fn: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(id, fn)));
  };

  register('backprop.train', async (arg): Promise<TrainResult | undefined> => {
    const uri = target(arg);
    if (!uri) return undefined;
    const s = sessions.get(uri);
    if (s.isRunning) {
      void vscode.window.showInformationMessage(`Backprop: ${fileLabel(uri)} is already training.`);
      return undefined;
    }
    try {
      const outcome = await s.run();
      if (!outcome) return undefined;
      const { end, written } = outcome;
      const r: TrainResult = { reason: end.reason, epoch: end.epoch, epochsRun: end.epochsRun, written };
      if (end.last) r.loss = end.last.loss;
      if (end.message) r.message = end.message;
      return r;
    } catch (err) {
      if (s.isDisposed) {
        log.info(`${fileLabel(uri)}: training ended with its session (${err instanceof Error ? err.message : String(err)})`);
        return undefined;
      }
      reportError(log, `training ${fileLabel(uri)}`, err);
      return undefined;
    }
  });

  register('backprop.stopTraining', (arg): boolean => {
    const uri = target(arg);
    if (!uri) return false;
    const s = sessions.peek(uri);
    if (!s?.isRunning) {
      void vscode.window.showInformationMessage(`Backprop: ${fileLabel(uri)} is not training.`);
      return false;
    }
    s.stop();
    return true;
  });

  register('backprop.pauseTraining', (arg): boolean => {
    const uri = target(arg);
    const s = uri && sessions.peek(uri);
    if (!s?.isRunning) return false;
    s.pause();
    return true;
  });

  register('backprop.resumeTraining', (arg): boolean => {
    const uri = target(arg);
    const s = uri && sessions.peek(uri);
    if (!s?.isRunning) return false;
    s.resume();
    return true;
  });

  register('backprop.gradientCheck', async (arg): Promise<GradCheckView | undefined> => {
    const uri = target(arg);
    if (!uri) return undefined;
    const s = sessions.get(uri);
    try {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Gradient check of ${fileLabel(uri)}` },
        () => s.gradCheck(),
      );
      const summary = `${r.parameters} parameters, max relative error ${formatNumber(r.maxRelativeError)} (pass below ${r.thresholds.pass}, fail above ${r.thresholds.fail}), ${r.seconds.toFixed(2)} s`;
      log.info(`${fileLabel(uri)}: gradient check ${r.passed ? 'passed' : 'FAILED'}: ${summary}`);
      for (const e of r.worst.slice(0, 5)) log.info(`  ${e.name}: analytic ${e.analytic}, numeric ${e.numeric}, relative error ${e.relativeError} (${e.status})`);
      if (r.passed) {
        void vscode.window.showInformationMessage(`Backprop: gradient check of ${fileLabel(uri)} passed: ${summary}.`);
      } else {
        const worst = r.worst.filter((e) => e.status === 'fail').slice(0, 3).map((e) => `${e.name} (analytic ${formatNumber(e.analytic)}, numeric ${formatNumber(e.numeric)})`);
        void vscode.window.showWarningMessage(`Backprop: gradient check of ${fileLabel(uri)} FAILED: ${summary}. Worst: ${worst.join(', ')}.`);
      }
      return r;
    } catch (err) {
      reportError(log, `gradient check of ${fileLabel(uri)}`, err);
      return undefined;
    }
  });

  register('backprop.openInspector', (arg): void => {
    const uri = target(arg);
    if (uri) inspector.show(uri);
  });

  register('backprop.resetWeights', async (arg): Promise<boolean> => {
    const uri = target(arg);
    if (!uri) return false;
    const s = sessions.get(uri);
    try {
      await s.stopQuietly();
      await s.ready();
      const layers = await s.resetWeights();
      const doc = await s.document();
      const before = doc.version;
      const ok = await writeLayers(doc, layers, log, s.documentVersion);
      if (ok) s.markWritten(before === s.documentVersion ? doc.version : undefined);
      return ok;
    } catch (err) {
      reportError(log, `reset of ${fileLabel(uri)}`, err);
      return false;
    }
  });

  register('backprop.writeTrainedWeights', async (arg): Promise<boolean> => {
    const uri = target(arg);
    if (!uri) return false;
    const s = sessions.peek(uri);
    if (!s || (!s.trainedWeights && !s.hasTrained)) {
      void vscode.window.showInformationMessage(`Backprop: ${fileLabel(uri)} has not been trained in this window yet; train it first.`);
      return false;
    }
    try {
      return await writeSessionWeights(s, log);
    } catch (err) {
      reportError(log, `writing the weights of ${fileLabel(uri)}`, err);
      return false;
    }
  });

  register('backprop.newFromExample', async (example, targetUri) => {
    try {
      const uri = await newFromExample(context.extensionUri, log, example, targetUri);
      if (uri !== undefined) completeStep('opened');
      return uri;
    } catch (err) {
      reportError(log, 'new network from example', err);
      return undefined;
    }
  });

  register('backprop.showLog', () => log.show());
}
