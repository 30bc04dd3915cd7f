// test/host/commands.test.ts — the other commands in a real VS Code: Reset Weights, Write Trained
// Weights to File, New Network from Example, Open Inspector, and a run that diverges.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Network, Trainer } from '../../src/engine';
import { parseNet } from '../../src/engine/format';
import { loadNet } from '../../src/engine/load';
import type { TrainResult } from '../../src/extension/commands';
import { EXTENSION_ID, closeAllEditors, extensionApi, lensTitles, openFresh, waitFor, withSetting, workspaceFolder, workspaceText } from './helpers';

function layersOf(doc: vscode.TextDocument): { weights?: number[][]; biases?: number[] }[] {
  const p = parseNet(doc.getText(), doc.uri.fsPath);
  assert.ok(p.spec, p.problems.map((x) => x.message).join('; '));
  return p.spec.layers.map((l) => ({ weights: l.weights, biases: l.biases }));
}

describe('extension: commands', function () {
  this.timeout(60_000);
  let base: string;
  let restore: (() => Promise<void>)[] = [];

  before(async () => {
    await extensionApi();
    base = await workspaceText('notes-xor.net.json');
  });

  beforeEach(async () => {
    restore = [await withSetting('progress.notification', false)];
  });

  afterEach(async () => {
    for (const r of restore) await r();
    await closeAllEditors();
  });

  it('Reset Weights writes every layer freshly drawn from the seed, as one undoable edit', async () => {
    const doc = (await openFresh('reset', base)).document;
    assert.strictEqual(await vscode.commands.executeCommand('backprop.resetWeights', doc.uri), true);
    // Oracle: the engine's initialisation of the same file with no weights in any layer.
    const p = parseNet(base, doc.uri.fsPath);
    assert.ok(p.spec);
    const fresh = Network.fromSpec({ ...p.spec, layers: p.spec.layers.map(({ units, activation, init }) => ({ units, activation, init })) }).weights();
    assert.deepStrictEqual(layersOf(doc), fresh);
    assert.notDeepStrictEqual(fresh[1].weights, [[0.1, -0.2, 0.3]]);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), base);
  });

  it('with writeBack "never", training leaves the file alone until "Write Trained Weights to File"', async () => {
    restore.push(await withSetting('writeBack', 'never'));
    const text = base.replace('"epochs": 5000', '"epochs": 300');
    const doc = (await openFresh('never', text)).document;
    const r = await vscode.commands.executeCommand<TrainResult>('backprop.train', doc.uri);
    assert.strictEqual(r?.reason, 'done');
    assert.strictEqual(r?.written, false);
    assert.strictEqual(doc.getText(), text, 'nothing written');
    assert.strictEqual(await vscode.commands.executeCommand('backprop.writeTrainedWeights', doc.uri), true);
    // Oracle: 300 epochs of the same file with the engine.
    const loaded = loadNet(text, doc.uri.fsPath);
    assert.ok(loaded.spec && loaded.train);
    const net = Network.fromSpec(loaded.spec);
    new Trainer(net, loaded.train, loaded.spec.training, loaded.spec.seed).run();
    assert.deepStrictEqual(layersOf(doc), net.weights());
  });

  it('a run that diverges writes nothing and says where it diverged', async () => {
    restore.push(await withSetting('writeBack', 'always'));
    const text = base.replace('"learningRate": 0.5', '"learningRate": 1e300').replace(/"activation": "sigmoid"/g, '"activation": "linear"');
    const doc = (await openFresh('diverge', text)).document;
    const version = doc.version;
    const r = await vscode.commands.executeCommand<TrainResult>('backprop.train', doc.uri);
    assert.strictEqual(r?.reason, 'diverged');
    assert.strictEqual(r?.written, false);
    assert.match(r?.message ?? '', /epoch \d+/);
    assert.strictEqual(doc.version, version, 'the document was not touched');
    const t = await lensTitles(doc.uri);
    assert.ok(t.some((x) => /^\$\(warning\) diverged at epoch \d+/.test(x)), `a divergence lens in ${t.join(' | ')}`);
  });

  it('New Network from Example copies the example and the CSV it reads into the workspace and opens it', async () => {
    const target = vscode.Uri.joinPath(workspaceFolder(), 'from-example', 'my-iris.net.json');
    const made = await vscode.commands.executeCommand<vscode.Uri>('backprop.newFromExample', 'iris', target);
    assert.strictEqual(made?.toString(), target.toString());
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const dec = new TextDecoder();
    const original = dec.decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ext.extensionUri, 'examples', 'iris.net.json')));
    assert.strictEqual(dec.decode(await vscode.workspace.fs.readFile(target)), original);
    const csv = dec.decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(workspaceFolder(), 'from-example', 'iris.csv')));
    assert.strictEqual(csv, dec.decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ext.extensionUri, 'examples', 'iris.csv'))));
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), target.toString());
    // The copy is a working network: its data loads (no errors) and its lenses offer Train.
    const titles = await waitFor('lenses of the copy', async () => {
      const t = await lensTitles(target);
      return t.length > 0 ? t : undefined;
    });
    assert.strictEqual(titles[0], '$(play) Train');
    const errors = vscode.languages.getDiagnostics(target).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepStrictEqual(errors.map((d) => d.message), []);
  });

  it('Open Inspector opens the inspector panel of the file', async () => {
    const doc = (await openFresh('inspect', base)).document;
    await vscode.commands.executeCommand('backprop.openInspector', doc.uri);
    const tab = await waitFor('an inspector tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('backprop.inspector')));
    assert.ok(tab);
  });

  it('an open inspector keeps its file\'s session alive after the editor closes; closing the inspector ends it', async () => {
    const editor = await openFresh('inspect-keep', base);
    const uri = editor.document.uri;
    const api = await extensionApi();
    await vscode.commands.executeCommand('backprop.openInspector', uri);
    const inspectorTab = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('backprop.inspector'));
    const tab = await waitFor('an inspector tab', inspectorTab);
    const session = api.sessions.peek(uri);
    assert.ok(session, 'the inspector created the session');
    const textTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
    assert.ok(textTab);
    await vscode.window.tabGroups.close(textTab);
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(api.sessions.peek(uri), session, 'the session lives on while its inspector is open');
    await vscode.window.tabGroups.close(tab);
    await waitFor('the session to end', () => (api.sessions.peek(uri) === undefined ? true : undefined));
  });
});
