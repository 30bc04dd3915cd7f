/**
 * "Backprop: Export..." (palette, CodeLens, explorer) and "Backprop: New Network from ONNX Model...":
 * the engine's exporters (src/engine/export) behind a quick pick and a save dialog, and the ONNX
 * import behind an open dialog (docs/export.md).
 *
 * An export that would not be the same model (float64 ONNX with an activation ONNX Runtime cannot
 * run in float64; data too large to embed) asks first, in a modal dialog offering the alternative;
 * nothing is written unless the user picks it. Files are written atomically (all or nothing). The
 * export itself (data, self-check, write) runs in a worker thread (worker/exportJob.ts).
 *
 * For scripts and tests both commands take their answers as arguments and then show no UI:
 *   backprop.export(uri, { to, out?, dtype?, dataCsv? })  -> the paths written, or undefined
 *   backprop.importOnnx(modelUri, outUri)                 -> the .net.json URI written, or undefined
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  defaultExportPath,
  EXPORT_EXTENSIONS,
  importOnnx,
  ImportError,
  MAX_ONNX_BYTES,
  type ExportOptions,
  type ExportTarget,
  type OnnxDtype,
} from '../engine/export';
import { writeFilesAtomically } from '../engine/export/write';
import { isNetUri } from './config';
import { spawnWorkerClient } from './training/workerClient';
import type { ExportJob, ExportOutcome } from './worker/exportJob';
import { allowOutsideData, guarded } from './trust';

export interface ExportArgs {
  to: ExportTarget;
  out?: string;
  dtype?: OnnxDtype;
  dataCsv?: boolean;
}

interface Pick extends vscode.QuickPickItem {
  args: Omit<ExportArgs, 'out'>;
}

const PICKS: Pick[] = [
  { label: 'PyTorch script', description: '.py', detail: 'nn.Module with the current weights, the same loss, data, shuffle and optimizer; a self-check first; runs under python3 or torchrun', args: { to: 'pytorch' } },
  { label: 'ONNX model (float32)', description: '.onnx', detail: 'The inference graph (Gemm + activations), opset 13', args: { to: 'onnx', dtype: 'float32' } },
  { label: 'ONNX model (float64)', description: '.onnx', detail: 'The same in float64 (not for leaky-relu, elu or softplus)', args: { to: 'onnx', dtype: 'float64' } },
  { label: 'Jupyter notebook', description: '.ipynb', detail: 'Cells that load the data, build the model, run the self-check, train and plot the loss', args: { to: 'ipynb' } },
];

function netUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri && isNetUri(arg)) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc && isNetUri(doc.uri) ? doc.uri : undefined;
}

async function textOf(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

async function exportCommand(log: vscode.LogOutputChannel, workerPath: string, arg: unknown, given?: ExportArgs): Promise<string[] | undefined> {
  const uri = netUri(arg);
  if (!uri) {
    void vscode.window.showWarningMessage('Backprop: open a .net.json network file to export it.');
    return undefined;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Backprop: export works on files on disk (this one is not).');
    return undefined;
  }
  let args = given;
  if (args === undefined) {
    const pick = await vscode.window.showQuickPick(PICKS, { title: `Export ${path.basename(uri.fsPath)}`, placeHolder: 'Export to...' });
    if (!pick) return undefined;
    const save = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(defaultExportPath(uri.fsPath, pick.args.to)),
      filters: { [pick.label]: [EXPORT_EXTENSIONS[pick.args.to].slice(1)] },
      saveLabel: 'Export',
    });
    if (!save) return undefined;
    args = { ...pick.args, out: save.fsPath };
  }
  const options: ExportOptions = { to: args.to, out: path.resolve(args.out ?? defaultExportPath(uri.fsPath, args.to)), dtype: args.dtype, dataCsv: args.dataCsv };
  const text = await textOf(uri);
  for (;;) {
    // Loading the data, the self-check's gradients and the write run in a worker thread: a large
    // CSV must not block the editor.
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Exporting ${path.basename(uri.fsPath)}` },
      () => exportInWorker(workerPath, log, { text, fileName: uri.fsPath, allowOutside: allowOutsideData(uri), options }),
    );
    if (outcome.kind === 'written') {
      const written = outcome.paths;
      log.info(`exported ${uri.fsPath} to ${written.join(', ')}`);
      if (given === undefined) {
        const open = 'Open';
        const shown = `Backprop: exported to ${written.map((p) => path.basename(p)).join(', ')}.`;
        // an ONNX model is binary: nothing to open in an editor
        void (args.to === 'onnx' ? vscode.window.showInformationMessage(shown) : vscode.window.showInformationMessage(shown, open)).then((c) => {
          if (c === open) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(written[0]));
        });
      }
      return written;
    }
    if (outcome.kind === 'unsupported') {
      if (given !== undefined) {
        void vscode.window.showErrorMessage(`Backprop: ${outcome.message}; nothing was written.`);
        return undefined;
      }
      const alt = outcome.alternative.charAt(0).toUpperCase() + outcome.alternative.slice(1);
      const choice = await vscode.window.showWarningMessage(`Backprop: ${outcome.message}. Nothing was written.`, { modal: true }, alt);
      if (choice !== alt) return undefined;
      if (outcome.flag === '--dtype float32') options.dtype = 'float32';
      else if (outcome.flag === '--data-csv') options.dataCsv = true;
      else return undefined;
      continue;
    }
    log.error(`export of ${uri.fsPath}: ${outcome.message}`);
    const said = /nothing was written$/.test(outcome.message) ? outcome.message : `${outcome.message}; nothing was written`;
    void vscode.window.showErrorMessage(`Backprop: ${said}.`);
    return undefined;
  }
}

/** One export in a worker thread of its own, ended when it answers. */
async function exportInWorker(workerPath: string, log: vscode.LogOutputChannel, job: ExportJob): Promise<ExportOutcome> {
  const client = spawnWorkerClient(workerPath, 'export worker', (m) => log.warn(m), 'backprop export');
  try {
    return await client.request('export', job);
  } catch (e) {
    return { kind: 'failed', message: `the export stopped: ${(e as Error).message}` };
  } finally {
    void client.dispose('the export has ended');
  }
}

async function importCommand(log: vscode.LogOutputChannel, modelArg: unknown, outArg: unknown): Promise<vscode.Uri | undefined> {
  let model = modelArg instanceof vscode.Uri ? modelArg : undefined;
  const quiet = model !== undefined && outArg instanceof vscode.Uri;
  if (!model) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ONNX model': ['onnx'] }, openLabel: 'Import' });
    model = picked?.[0];
    if (!model) return undefined;
  }
  let out = outArg instanceof vscode.Uri ? outArg : undefined;
  const name = path.basename(model.fsPath).replace(/\.onnx$/i, '');
  if (!out) {
    out = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(path.dirname(model.fsPath), `${name}.net.json`)), filters: { 'Network': ['json'] }, saveLabel: 'Create Network' });
    if (!out) return undefined;
  }
  try {
    const stat = await vscode.workspace.fs.stat(model);
    if (stat.size > MAX_ONNX_BYTES) throw new ImportError(`the model is ${stat.size} bytes; import reads at most ${MAX_ONNX_BYTES}`);
    const imported = importOnnx(await vscode.workspace.fs.readFile(model), name);
    writeFilesAtomically([{ path: out.fsPath, content: imported.text }]);
    log.info(`imported ${model.fsPath} (${imported.dtype}) as ${out.fsPath}`);
  } catch (e) {
    const msg = e instanceof ImportError ? e.message : (e as Error).message;
    log.error(`import of ${model.fsPath}: ${msg}`);
    void vscode.window.showErrorMessage(`Backprop: cannot import ${path.basename(model.fsPath)}: ${msg}. Nothing was written.`);
    return undefined;
  }
  if (!quiet) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(out));
  return out;
}

/** Registers both commands into context.subscriptions. */
export function registerExport(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, workerPath: string): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('backprop.export', guarded('backprop.export', (arg: unknown, given?: unknown) => exportCommand(log, workerPath, arg, given as ExportArgs | undefined))),
    vscode.commands.registerCommand('backprop.importOnnx', (model: unknown, out: unknown) => importCommand(log, model, out)),
  );
}
