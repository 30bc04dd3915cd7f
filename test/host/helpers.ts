// test/host/helpers.ts — shared helpers of the extension's host tests (not a test file itself):
// the extension under test, fresh network files in the per-run workspace copy, and polling.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BackpropApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'backprop-studio.backprop-studio';

export function workspaceFolder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests run with a workspace folder');
  return f.uri;
}

/** The extension under test, activated. */
export async function extensionApi(): Promise<BackpropApi> {
  const ext = vscode.extensions.getExtension<BackpropApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

let counter = 0;

/** Writes `text` to a new file `<stem>-<n>.net.json` in the workspace and opens it in an editor. */
export async function openFresh(stem: string, text: string): Promise<vscode.TextEditor> {
  counter++;
  const uri = vscode.Uri.joinPath(workspaceFolder(), `${stem}-${process.pid}-${counter}.net.json`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc);
}

/** The text of a file of the repo's test/workspace (the per-run copy has the same content). */
export async function workspaceText(name: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(workspaceFolder(), name)));
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The titles of the CodeLenses VS Code gets for `uri`, in order. */
export async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.map((l) => l.command?.title ?? '(unresolved)');
}

export async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

/** Sets a `backprop.*` setting for the duration of a test (globally), returning the undo. */
export async function withSetting(key: string, value: unknown): Promise<() => Promise<void>> {
  const c = vscode.workspace.getConfiguration('backprop');
  const before = c.inspect(key)?.globalValue;
  await c.update(key, value, vscode.ConfigurationTarget.Global);
  return async () => {
    await vscode.workspace.getConfiguration('backprop').update(key, before, vscode.ConfigurationTarget.Global);
  };
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
