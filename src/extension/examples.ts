/**
 * "New Network from Example": a quick pick of the bundled `examples/*.net.json`, then a copy
 * saved where the user says (a save dialog in the workspace), with the CSV file it reads copied
 * next to it, opened in an editor. Arguments (for scripts and tests): the example's file name and
 * the target URI, which skip the two questions.
 */
import * as path from 'path';
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import { fileLabel } from './config';

interface ExampleItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

const decoder = new TextDecoder();

async function readText(uri: vscode.Uri): Promise<string> {
  return decoder.decode(await vscode.workspace.fs.readFile(uri));
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The bundled examples, each with its name and first comment line. */
export async function listExamples(extensionUri: vscode.Uri): Promise<ExampleItem[]> {
  const dir = vscode.Uri.joinPath(extensionUri, 'examples');
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const items: ExampleItem[] = [];
  for (const [name, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    if (type !== vscode.FileType.File || !name.endsWith('.net.json')) continue;
    const uri = vscode.Uri.joinPath(dir, name);
    const text = await readText(uri);
    const tree = jsonc.parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    const title = tree ? jsonc.findNodeAtLocation(tree, ['name'])?.value : undefined;
    const comment = /^\s*\/\/\s*(.+)$/m.exec(text)?.[1];
    items.push({ label: typeof title === 'string' ? title : name, description: name, detail: comment, uri });
  }
  return items;
}

/** The data files a network file reads (CSV paths relative to it). */
export function dataFiles(text: string): string[] {
  const tree = jsonc.parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!tree) return [];
  const out: string[] = [];
  for (const where of [['data', 'file'], ['validation', 'file']]) {
    const v = jsonc.findNodeAtLocation(tree, where)?.value;
    if (typeof v === 'string' && !path.isAbsolute(v)) out.push(v);
  }
  return out;
}

export async function newFromExample(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, exampleArg?: unknown, targetArg?: unknown): Promise<vscode.Uri | undefined> {
  const examples = await listExamples(extensionUri);
  if (examples.length === 0) {
    void vscode.window.showErrorMessage('Backprop: no examples are bundled with this installation.');
    return undefined;
  }
  const picked =
    typeof exampleArg === 'string'
      ? examples.find((e) => e.description === exampleArg || e.description === `${exampleArg}.net.json`)
      : await vscode.window.showQuickPick(examples, { title: 'New Network from Example', placeHolder: 'Pick an example network to copy', matchOnDetail: true });
  if (!picked) {
    if (typeof exampleArg === 'string') void vscode.window.showErrorMessage(`Backprop: there is no example "${exampleArg}".`);
    return undefined;
  }
  const file = picked.description ?? fileLabel(picked.uri);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target =
    targetArg instanceof vscode.Uri
      ? targetArg
      : await vscode.window.showSaveDialog({
          title: `Save a copy of ${file}`,
          saveLabel: 'Create Network',
          defaultUri: folder ? vscode.Uri.joinPath(folder, file) : undefined,
          filters: { 'Network files': ['net.json'], 'JSON files': ['json'] },
        });
  if (!target) return undefined;
  const text = await readText(picked.uri);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  // The CSV file an example reads goes next to the copy, unless one of that name is there already.
  for (const rel of dataFiles(text)) {
    const from = vscode.Uri.joinPath(picked.uri, '..', rel);
    const to = vscode.Uri.joinPath(target, '..', rel);
    if ((await exists(from)) && !(await exists(to))) await vscode.workspace.fs.copy(from, to);
  }
  log.info(`new network ${target.toString()} from the example ${file}`);
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc);
  return target;
}
