/**
 * "Backprop: Export..." (palette, CodeLens, explorer) and "Backprop: New Network from ONNX Model...":
 * the engine's exporters (src/engine/export) behind a quick pick and a save dialog, and the ONNX
 * import behind an open dialog (docs/export.md).
 *
 * An export that would not be the same model (float64 ONNX with an activation ONNX Runtime cannot
 * run in float64; data too large to embed) asks first, in a modal dialog offering the alternative;
 * nothing is written unless the user picks it. Files are written atomically (all or nothing).
 *
 * For scripts and tests both commands take their answers as arguments and then show no UI:
 *   backprop.export(uri, { to, out?, dtype?, dataCsv? })  -> the paths written, or undefined
 *   backprop.importOnnx(modelUri, outUri)                 -> the .net.json URI written, or undefined
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatProblem, loadNet } from '../engine';
import {
  defaultExportPath,
  EXPORT_EXTENSIONS,
  exportNetwork,
  ExportError,
  importOnnx,
  ImportError,
  MAX_ONNX_BYTES,
  UnsupportedExport,
  type ExportOptions,
  type ExportTarget,
  type OnnxDtype,
} from '../engine/export';
import { writeFilesAtomically } from '../engine/export/write';
import { isNetUri } from './config';
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

async function exportCommand(log: vscode.LogOutputChannel, arg: unknown, given?: ExportArgs): Promise<string[] | undefined> {
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
  const loaded = loadNet(await textOf(uri), uri.fsPath, undefined, { allowOutside: allowOutsideData(uri) });
  if (!loaded.spec) {
    const first = loaded.problems.find((p) => p.severity === 'error');
    void vscode.window.showErrorMessage(`Backprop: cannot export: ${first ? formatProblem(path.basename(uri.fsPath), first) : 'the file has problems'}`);
    return undefined;
  }
  const options: ExportOptions = { to: args.to, out: path.resolve(args.out ?? defaultExportPath(uri.fsPath, args.to)), dtype: args.dtype, dataCsv: args.dataCsv };
  for (;;) {
    try {
      const files = exportNetwork(loaded, uri.fsPath, options);
      writeFilesAtomically(files);
      const written = files.map((f) => f.path);
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
    } catch (e) {
      if (e instanceof UnsupportedExport) {
        if (given !== undefined) {
          void vscode.window.showErrorMessage(`Backprop: ${e.message}; nothing was written.`);
          return undefined;
        }
        const alt = e.alternative.charAt(0).toUpperCase() + e.alternative.slice(1);
        const choice = await vscode.window.showWarningMessage(`Backprop: ${e.message}. Nothing was written.`, { modal: true }, alt);
        if (choice !== alt) return undefined;
        if (e.flag === '--dtype float32') options.dtype = 'float32';
        else if (e.flag === '--data-csv') options.dataCsv = true;
        else return undefined;
        continue;
      }
      const msg = e instanceof ExportError ? e.message : `cannot write the export: ${(e as Error).message}`;
      log.error(`export of ${uri.fsPath}: ${msg}`);
      void vscode.window.showErrorMessage(`Backprop: ${msg}; nothing was written.`);
      return undefined;
    }
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
export function registerExport(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('backprop.export', guarded('backprop.export', (arg: unknown, given?: unknown) => exportCommand(log, arg, given as ExportArgs | undefined))),
    vscode.commands.registerCommand('backprop.importOnnx', (model: unknown, out: unknown) => importCommand(log, model, out)),
  );
}
