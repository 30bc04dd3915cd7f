/**
 * A RunFolder (engine/runs/store.ts) on `vscode.workspace.fs`: the extension keeps the runs in its
 * workspace storage (`context.storageUri`, per workspace, outside the workspace's files), or in its
 * global storage when no folder is open. Never in the user's network files.
 */
import * as vscode from 'vscode';
import type { RunFolder } from '../../engine/runs';

export function workspaceRunFolder(dir: vscode.Uri): RunFolder {
  const at = (name: string): vscode.Uri => {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`not a run file name: ${name}`);
    return vscode.Uri.joinPath(dir, name);
  };
  const missing = (e: unknown): boolean => e instanceof vscode.FileSystemError && e.code === 'FileNotFound';
  return {
    async read(name) {
      try {
        return await vscode.workspace.fs.readFile(at(name));
      } catch (e) {
        if (missing(e)) return undefined;
        throw e;
      }
    },
    async write(name, bytes) {
      await vscode.workspace.fs.createDirectory(dir);
      // a temporary file renamed over the target: a reader sees the old file or the new one
      const tmp = vscode.Uri.joinPath(dir, `.${name}.tmp`);
      await vscode.workspace.fs.writeFile(tmp, bytes);
      await vscode.workspace.fs.rename(tmp, at(name), { overwrite: true });
    },
    async remove(name) {
      try {
        await vscode.workspace.fs.delete(at(name));
      } catch (e) {
        if (!missing(e)) throw e;
      }
    },
    async names() {
      try {
        return (await vscode.workspace.fs.readDirectory(dir)).filter(([, type]) => type === vscode.FileType.File).map(([n]) => n);
      } catch (e) {
        if (missing(e)) return [];
        throw e;
      }
    },
  };
}
