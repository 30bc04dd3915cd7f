// test/host/smoke.test.ts — proves the host tests run in a real VS Code extension host, on the
// per-run temp copy of test/workspace/ (BACKPROP_TEST_WORKSPACE, set by the runner).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const repoWorkspace = path.resolve(__dirname, '..', '..', '..', 'test', 'workspace');

function workspaceFolder(): vscode.WorkspaceFolder {
  const folders = vscode.workspace.workspaceFolders ?? [];
  assert.strictEqual(folders.length, 1, `expected one workspace folder, got ${folders.length}`);
  return folders[0];
}

describe('test host: smoke', () => {
  it('runs inside a real VS Code extension host', async () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('workbench.action.files.save'), 'built-in workbench commands are registered');
  });

  it('opens the per-run temp copy of test/workspace, not the repo folder', () => {
    const expected = process.env.BACKPROP_TEST_WORKSPACE;
    assert.ok(expected, 'BACKPROP_TEST_WORKSPACE is set by the runner');
    const folder = workspaceFolder();
    assert.strictEqual(folder.uri.scheme, 'file');
    assert.strictEqual(folder.uri.fsPath, expected);
    assert.notStrictEqual(path.resolve(folder.uri.fsPath), repoWorkspace);
  });

  it('opens xor.net.json from the workspace as a text document', async () => {
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, 'xor.net.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    // Independent oracle: the file as it is on disk in the repo (the copy must be identical).
    assert.strictEqual(doc.getText(), fs.readFileSync(path.join(repoWorkspace, 'xor.net.json'), 'utf8'));
    assert.ok(doc.getText().includes('"name": "xor"'));
    const editor = await vscode.window.showTextDocument(doc);
    assert.strictEqual(editor.document.uri.toString(), uri.toString());
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
  });

  it('writes to the copy leave the repo\'s test/workspace untouched', async () => {
    const name = `host-smoke-${process.pid}.txt`;
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, name);
    await vscode.workspace.fs.writeFile(uri, Buffer.from('written by the smoke test\n'));
    assert.strictEqual(fs.readFileSync(uri.fsPath, 'utf8'), 'written by the smoke test\n');
    assert.strictEqual(fs.existsSync(path.join(repoWorkspace, name)), false);
  });
});
