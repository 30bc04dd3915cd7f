// test/host/export.test.ts — "Backprop: Export..." and "New Network from ONNX Model..." in a real
// VS Code: the commands write the files (checked against the engine, not against the exporter's
// own output), refuse an export that would change the model without writing anything, the import
// creates a .net.json that validates, and the Export lens is there.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Network, parseNet } from '../../src/engine';
import { loadNet } from '../../src/engine/load';
import { closeAllEditors, lensTitles, openFresh, workspaceText, waitFor } from './helpers';

const exists = async (uri: vscode.Uri): Promise<boolean> => {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
};

describe('extension: export and import', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  it('exports a network to PyTorch, ONNX and a notebook, and the ONNX model imports back as a valid network with the same weights', async () => {
    const text = await workspaceText('xor.net.json');
    const doc = (await openFresh('export', text)).document;
    const titles = await waitFor('the lenses', async () => {
      const t = await lensTitles(doc.uri);
      return t.length > 0 ? t : undefined;
    });
    assert.ok(titles.includes('$(export) Export...'), `lenses: ${titles.join(' | ')}`);
    const base = doc.uri.fsPath.replace(/\.net\.json$/, '');

    const py = await vscode.commands.executeCommand<string[]>('backprop.export', doc.uri, { to: 'pytorch' });
    assert.deepStrictEqual(py, [`${base}.py`]);
    const script = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(`${base}.py`)));
    // oracle: the engine's own loss of the file at its starting weights
    const loaded = loadNet(text, doc.uri.fsPath);
    assert.ok(loaded.spec && loaded.train);
    const net = Network.fromSpec(loaded.spec);
    const loss = net.lossAndGradient(loaded.train.inputs, loaded.train.targets, 0);
    assert.strictEqual(Number(/^EXPECTED_LOSS = (\S+)$/m.exec(script)?.[1]), loss);
    assert.match(script, /^if __name__ == "__main__":$/m);

    const nb = await vscode.commands.executeCommand<string[]>('backprop.export', doc.uri, { to: 'ipynb', out: `${base}-notebook.ipynb` });
    assert.deepStrictEqual(nb, [`${base}-notebook.ipynb`]);
    const notebook = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(`${base}-notebook.ipynb`)))) as { nbformat: number; cells: unknown[] };
    assert.strictEqual(notebook.nbformat, 4);
    assert.ok(notebook.cells.length >= 8);

    const onnx = await vscode.commands.executeCommand<string[]>('backprop.export', doc.uri, { to: 'onnx', dtype: 'float64' });
    assert.deepStrictEqual(onnx, [`${base}.onnx`]);
    const out = vscode.Uri.file(`${base}-imported.net.json`);
    const created = await vscode.commands.executeCommand<vscode.Uri>('backprop.importOnnx', vscode.Uri.file(`${base}.onnx`), out);
    assert.strictEqual(created?.fsPath, out.fsPath);
    const back = parseNet(new TextDecoder().decode(await vscode.workspace.fs.readFile(out)), out.fsPath);
    assert.ok(back.spec, back.problems.map((p) => p.message).join('; '));
    assert.deepStrictEqual(back.spec.layers.map((l) => ({ weights: l.weights, biases: l.biases })), net.weights());
  });

  it('refuses a float64 ONNX export of an elu network and writes nothing; a bad model is not imported', async () => {
    const text = '{ "layers": [{ "units": 2 }, { "units": 3, "activation": "elu" }, { "units": 1, "activation": "sigmoid" }], "data": { "inputs": [[0, 1]], "targets": [[1]] } }';
    const doc = (await openFresh('export-elu', text)).document;
    const target = vscode.Uri.file(doc.uri.fsPath.replace(/\.net\.json$/, '.onnx'));
    assert.strictEqual(await vscode.commands.executeCommand('backprop.export', doc.uri, { to: 'onnx', dtype: 'float64' }), undefined);
    assert.strictEqual(await exists(target), false, 'no file written');
    const junk = vscode.Uri.file(doc.uri.fsPath.replace(/\.net\.json$/, '-junk.onnx'));
    await vscode.workspace.fs.writeFile(junk, new TextEncoder().encode('not a model'));
    const out = vscode.Uri.file(doc.uri.fsPath.replace(/\.net\.json$/, '-junk.net.json'));
    assert.strictEqual(await vscode.commands.executeCommand('backprop.importOnnx', junk, out), undefined);
    assert.strictEqual(await exists(out), false, 'no network written');
  });
});
