// test/host/activation.test.ts — the extension activates in a real VS Code when an example is
// opened, contributes its commands, opens *.net.json as its own language (Backprop Network), and its lenses appear.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, closeAllEditors, lensTitles, waitFor } from './helpers';

const COMMANDS = [
  'backprop.train', 'backprop.stopTraining', 'backprop.pauseTraining', 'backprop.resumeTraining', 'backprop.gradientCheck',
  'backprop.openInspector', 'backprop.resetWeights', 'backprop.writeTrainedWeights', 'backprop.newFromExample', 'backprop.showLog',
  'backprop.export', 'backprop.importOnnx',
];

describe('extension: activation', function () {
  this.timeout(30_000);
  afterEach(closeAllEditors);

  it('activates on opening an example, which opens as a Backprop Network and gets the lenses', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension is installed');
    const example = vscode.Uri.joinPath(ext.extensionUri, 'examples', 'xor.net.json');
    const doc = await vscode.workspace.openTextDocument(example);
    await vscode.window.showTextDocument(doc);
    await waitFor('activation', () => (ext.isActive ? true : undefined));
    assert.strictEqual(doc.languageId, 'backprop-net', '*.net.json opens as language backprop-net');
    const titles = await waitFor('the lenses', async () => {
      const t = await lensTitles(doc.uri);
      return t.length > 0 ? t : undefined;
    });
    assert.deepStrictEqual(titles, ['$(play) Train', '$(beaker) Gradient check', '$(graph) Inspect', '$(export) Export...', '$(debug-alt) Debug']);
  });

  it('contributes every command, in the palette under "Backprop"', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of COMMANDS) assert.ok(all.includes(c), `${c} is registered`);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { commands: { command: string; category: string }[] } };
    for (const c of pkg.contributes.commands) assert.strictEqual(c.category, 'Backprop', `${c.command} is in the Backprop category`);
  });

  it('a command without a network file at hand says so and does nothing', async () => {
    await closeAllEditors();
    assert.strictEqual(await vscode.commands.executeCommand('backprop.train'), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('backprop.resetWeights'), false);
  });
});
