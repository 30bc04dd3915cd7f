// test/host/restricted.test.ts — the extension in Restricted Mode (an untrusted workspace), in a
// real VS Code: syntax and validation problems still appear, but no data file is read, and
// training and the gradient check are refused with a clear message. Runs only in the variant run
// `run-extension-tests.mjs --restricted` (BACKPROP_RESTRICTED=1; workspace trust on, never
// granted); in the normal run, where trust is disabled, it is skipped.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAllEditors, extensionApi, openFresh, waitFor } from './helpers';

describe('extension: Restricted Mode (untrusted workspace)', function () {
  this.timeout(30_000);

  before(function () {
    if (process.env.BACKPROP_RESTRICTED !== '1') this.skip();
  });

  afterEach(closeAllEditors);

  it('runs in an untrusted workspace, with limited support declared', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const api = await extensionApi();
    assert.ok(api.diagnostics);
  });

  it('still reports syntax and validation problems, but reads no data file', async () => {
    const api = await extensionApi();
    const text = '{\n  "layers": [{ "units": 2 }, { "units": 1, "activation": "sigmoidal" }],\n  "data": { "file": "nowhere.csv", "inputs": ["a", "b"], "targets": ["y"] }\n}\n';
    const editor = await openFresh('restricted-bad', text);
    const problems = await waitFor('the validation problem', () => {
      const d = vscode.languages.getDiagnostics(editor.document.uri).filter((x) => x.source === 'backprop');
      return d.length > 0 ? d : undefined;
    });
    assert.ok(problems.some((d) => d.code === 'unknown-activation'), problems.map((d) => d.message).join('\n'));
    // A valid file naming a missing CSV: outside Restricted Mode this is a `missing-file` data
    // problem found by the data-check worker; here the worker is never asked.
    const ok = await openFresh('restricted-data', text.replace('sigmoidal', 'sigmoid'));
    const before = api.diagnostics.dataCheckStats().workerRequests;
    const found = await api.diagnostics.validate(ok.document);
    assert.deepEqual(found.map((p) => p.code), []);
    assert.equal(api.diagnostics.dataCheckStats().workerRequests, before);
  });

  it('opens *.net.json as Backprop Network, and the JSON server still completes from the schema', async () => {
    await extensionApi();
    const editor = await openFresh('restricted-language', '{\n  "layers": [{ "units": 1 }, { "units": 1 }],\n  \n}\n');
    assert.equal(editor.document.languageId, 'backprop-net');
    await waitFor('schema completions', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(2, 2));
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return labels.includes('training') && labels.includes('loss') ? true : undefined;
    });
  });

  it('refuses to train or gradient-check, starting no session', async () => {
    const api = await extensionApi();
    const editor = await openFresh('restricted-train', '{\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }],\n  "data": { "inputs": [[1]], "targets": [[2]] }\n}\n');
    const uri = editor.document.uri;
    assert.equal(await vscode.commands.executeCommand('backprop.train', uri), undefined);
    assert.equal(await vscode.commands.executeCommand('backprop.gradientCheck', uri), undefined);
    assert.equal(api.sessions.peek(uri), undefined);
  });

  it('refuses to export (an export reads the data the file names), writing nothing', async () => {
    const editor = await openFresh('restricted-export', '{\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }],\n  "data": { "inputs": [[1]], "targets": [[2]] }\n}\n');
    const out = vscode.Uri.joinPath(editor.document.uri, '..', `restricted-export-${process.pid}.py`);
    assert.equal(await vscode.commands.executeCommand('backprop.export', editor.document.uri, { to: 'pytorch', out: out.fsPath }), undefined);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(out)));
  });
});
