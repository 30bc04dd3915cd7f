/**
 * Writing weights into a `.net.json` document: as ONE WorkspaceEdit (one undo restores the old
 * values), built by the format's `writeWeights`, which keeps comments and formatting everywhere
 * it does not change a value. And what happens when a run ends: per `backprop.writeBack`
 * (ask / always / never), never for a diverged or failed run, and never over edits the user made
 * while training ran without asking first.
 */
import * as vscode from 'vscode';
import { writeWeights } from '../engine/format';
import { fileLabel, settings } from './config';
import type { LayerWeights, RunEnd } from './worker/protocol';
import type { TrainingSession } from './training/session';
import { formatShort as formatNumber } from '../shared/format';

/**
 * Writes `layers` into the document as one edit. When the document is no longer at
 * `baseVersion` (it changed since the weights were computed), asks first (modal).
 * Returns true when the edit was applied.
 */
export async function writeLayers(
  doc: vscode.TextDocument,
  layers: LayerWeights[],
  log: vscode.LogOutputChannel,
  baseVersion?: number,
): Promise<boolean> {
  const file = fileLabel(doc.uri);
  if (baseVersion !== undefined && doc.version !== baseVersion) {
    const overwrite = 'Overwrite Weights';
    const choice = await vscode.window.showWarningMessage(
      `${file} changed while training ran. Write the trained weights and biases into it anyway? Your other edits are kept.`,
      { modal: true },
      overwrite,
    );
    if (choice !== overwrite) {
      log.info(`${file}: the document changed during training; the user kept it as it is`);
      return false;
    }
  }
  let edits: { offset: number; length: number; content: string }[];
  try {
    edits = writeWeights(doc.getText(), layers).edits;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    log.error(`${file}: ${msg}`);
    void vscode.window.showErrorMessage(`Backprop: ${file}: ${msg}`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) {
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  }
  const ok = await vscode.workspace.applyEdit(edit);
  if (ok) log.info(`${file}: wrote the weights and biases of ${layers.length} layers (${edits.length} edits, one undo step)`);
  else log.error(`${file}: VS Code refused the edit that writes the weights`);
  return ok;
}

/** Writes the session's trained weights (or its current ones) into its document. */
export async function writeSessionWeights(session: TrainingSession, log: vscode.LogOutputChannel, baseVersion?: number): Promise<boolean> {
  const doc = await session.document();
  const layers = session.trainedWeights?.layers ?? (await session.weights());
  const before = doc.version;
  const base = baseVersion ?? (session.trainedWeights ? session.documentVersion : undefined);
  const ok = await writeLayers(doc, layers, log, base);
  if (ok) {
    // The worker holds exactly what was written when nothing else changed in between.
    session.markWritten(before === session.documentVersion ? doc.version : undefined);
  }
  return ok;
}

/** The end of a run: messages, and the write-back per the setting. Resolves true when written. */
export async function afterRun(session: TrainingSession, end: RunEnd, baseVersion: number, log: vscode.LogOutputChannel): Promise<boolean> {
  const file = fileLabel(session.uri);
  const loss = end.last ? ` loss ${formatNumber(end.last.loss)}` : '';
  switch (end.reason) {
    case 'diverged': {
      const d = end.divergence;
      const where = d ? `epoch ${d.epoch}${d.batch > 0 ? `, batch ${d.batch}` : ''}${d.layer > 0 ? `, layer ${d.layer}` : ''} (${d.what})` : `epoch ${end.epoch + 1}`;
      log.error(`${file}: training diverged at ${where}: ${end.message ?? ''}`);
      void vscode.window.showErrorMessage(
        `Backprop: training ${file} diverged at ${where}. Nothing was written to the file; try a smaller learning rate. ${end.message ?? ''}`.trim(),
      );
      return false;
    }
    case 'error':
      log.error(`${file}: training failed: ${end.message ?? ''}`);
      void vscode.window.showErrorMessage(`Backprop: training ${file} failed: ${end.message ?? 'unknown error'}. Nothing was written.`);
      return false;
    case 'stopped': {
      const write = 'Write Weights to File';
      void vscode.window
        .showInformationMessage(`Backprop: training ${file} stopped at epoch ${end.epoch}${loss ? ` (${loss.trim()})` : ''}. The file was not changed.`, write)
        .then(async (choice) => {
          if (choice === write) await writeSessionWeights(session, log);
        });
      return false;
    }
    case 'done': {
      const mode = settings(session.uri).writeBack;
      const summary = `trained ${file}: ${end.epochsRun} epochs,${loss} (${end.seconds.toFixed(1)} s)`;
      if (mode === 'never') {
        void vscode.window.showInformationMessage(`Backprop: ${summary}. Weights not written (backprop.writeBack is "never").`);
        return false;
      }
      if (mode === 'ask') {
        // The session no longer counts as running while this question waits: a reset or a new
        // run may replace the trained weights meanwhile, and then these are gone.
        const trained = session.trainedWeights;
        const write = 'Write Weights';
        const choice = await vscode.window.showInformationMessage(`Backprop: ${summary}. Write the trained weights into the file?`, write, 'Not Now');
        if (choice !== write) return false;
        if (session.isDisposed || session.trainedWeights !== trained || session.isRunning) {
          log.info(`${file}: the weights of that run were replaced (reset, step or another run) before the answer; nothing was written`);
          void vscode.window.showInformationMessage(`Backprop: the weights of that run of ${file} were replaced meanwhile; nothing was written.`);
          return false;
        }
      }
      return writeSessionWeights(session, log, baseVersion);
    }
  }
}
