/**
 * Saving what the inspector shows, for the Training tab and the Runs tab alike: the loss chart and
 * the decision boundary as PNG or SVG (drawn by the webview, webview/export.ts), a loss history as
 * CSV (from the numbers the host holds). The user picks the place in a save dialog (beside the
 * network file by default); the file is written atomically (engine/format/writeFile.ts: a temp
 * file renamed over the target, never half a file). Returns the sentence to show, or undefined
 * when the dialog was cancelled.
 */
import * as vscode from 'vscode';
import { historyCsv } from '../../engine/runs';
import { writeFileAtomically } from '../../engine/format/writeFile';
import type { EpochPoint, ExportImageMessage } from '../../shared/protocol';
import { fileLabel } from '../config';

const baseOf = (uri: vscode.Uri): string => fileLabel(uri).replace(/\.net\.json$/i, '');

async function save(network: vscode.Uri, suggested: string, filters: Record<string, string[]>, bytes: Uint8Array | string): Promise<vscode.Uri | undefined> {
  const dir = vscode.Uri.joinPath(network, '..');
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(dir, suggested.replace(/[^\w.-]+/g, '_')), filters });
  if (target === undefined) return undefined;
  if (target.scheme === 'file') writeFileAtomically(target.fsPath, bytes);
  else await vscode.workspace.fs.writeFile(target, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  return target;
}

/** Saves an image the webview drew (checked by parseFromWebview: a PNG data URL or SVG text). */
export async function saveImage(network: vscode.Uri, m: Pick<ExportImageMessage, 'what' | 'format' | 'data'>, suffix = ''): Promise<string | undefined> {
  const bytes = m.format === 'png' ? Buffer.from(m.data.slice('data:image/png;base64,'.length), 'base64') : m.data;
  const name = `${baseOf(network)}${suffix}-${m.what === 'chart' ? 'loss' : 'boundary'}.${m.format}`;
  const target = await save(network, name, m.format === 'png' ? { PNG: ['png'] } : { SVG: ['svg'] }, bytes);
  return target && `${m.what === 'chart' ? 'Chart' : 'Decision boundary'} written to ${fileLabel(target)}.`;
}

/** Saves a loss history (epoch, loss, and the accuracy / validation columns it has) as CSV. */
export async function saveHistory(network: vscode.Uri, points: readonly EpochPoint[], suffix = ''): Promise<string | undefined> {
  if (points.length === 0) throw new Error('There is no loss history yet: train first.');
  const target = await save(network, `${baseOf(network)}${suffix}-loss.csv`, { CSV: ['csv'] }, historyCsv(points));
  return target && `Loss history (${points.length} point${points.length === 1 ? "" : "s"}) written to ${fileLabel(target)}.`;
}
