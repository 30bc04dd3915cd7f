// test/host/hostile.test.ts — hostile documents in a real VS Code (issue 10): a duplicate key is an
// error with a quick fix that removes the later one; a big document is parsed and validated in
// the data-check worker (never on the extension host's main thread) and still gets its problems
// at exact ranges; a document nested 8000 deep is an error, not a crash of the extension host.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { threadId } from 'worker_threads';
import { MAIN_THREAD_PARSE_LIMIT } from '../../src/extension/editor/diagnostics';
import { closeAllEditors, extensionApi, openFresh, waitFor } from './helpers';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'backprop');
}

describe('extension: hostile documents', function () {
  this.timeout(60_000);

  before(async function () {
    if (process.env.BACKPROP_RESTRICTED === '1') this.skip();
    await extensionApi();
  });

  afterEach(closeAllEditors);

  it('a duplicate key is an error at the later one, and its quick fix removes it', async () => {
    const text = '{\n  "seed": 1,\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }],\n  "seed": 2\n}\n';
    const editor = await openFresh('dup', text);
    const doc = editor.document;
    const d = await waitFor('the duplicate-key error', () => ours(doc.uri).find((x) => x.code === 'duplicate-key'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.message, 'duplicate key `seed` (first at 2:3); a key may appear only once in an object');
    assert.equal(doc.getText(d.range), '"seed"');
    assert.equal(d.range.start.line, 3);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range)) ?? [];
    const fix = actions.find((a) => a.title === 'Remove this "seed"');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.getText(), '{\n  "seed": 1,\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }]\n}\n');
    await waitFor('no problems left', () => (ours(doc.uri).length === 0 ? true : undefined));
  });

  it('a document over the main-thread limit is checked in the worker, with exact ranges', async () => {
    const api = await extensionApi();
    const keys = Array.from({ length: 20000 }, (_, i) => `  "k${i}": ${i},`).join('\n');
    const text = `{\n${keys}\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "sigmoidal" }]\n}\n`;
    assert.ok(text.length > MAIN_THREAD_PARSE_LIMIT);
    const editor = await openFresh('big', text);
    const doc = editor.document;
    const d = await waitFor('the unknown activation', () => ours(doc.uri).find((x) => x.code === 'unknown-activation'));
    assert.equal(doc.getText(d.range), '"sigmoidal"');
    assert.equal(ours(doc.uri).filter((x) => x.code === 'unknown-key').length, 20000);
    const worker = api.diagnostics.dataCheckStats().lastThreadId;
    assert.ok(worker !== undefined && worker !== threadId && worker > 0, `checked on thread ${worker}`);
  });

  it('a document nested 8000 deep is one located error, and the extension keeps working', async () => {
    const editor = await openFresh('deep', '['.repeat(8000));
    const d = await waitFor('the nesting error', () => ours(editor.document.uri).find((x) => x.code === 'too-deep'));
    assert.match(d.message, /^nested deeper than 64 levels/);
    assert.equal(d.range.start.character, 64);
    const ok = await openFresh('after-deep', '{ "layers": [{ "units": 1 }, { "units": 1, "activation": "nope" }] }');
    await waitFor('the next file still gets its problems', () => ours(ok.document.uri).find((x) => x.code === 'unknown-activation'));
  });
});
