// test/host/diagnostics.test.ts — problems of broken .net.json files in the Problems panel of a
// real VS Code: exact ranges (the offending token, found in the text by the test), quick fixes
// that repair them, updates as the user types, clearing when the file closes, and data problems
// (CSV files) checked in a worker thread and cached by the CSV's path, mtime and size.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { parseNet } from '../../src/engine/format';
import { threadId } from 'worker_threads';
import { closeAllEditors, extensionApi, openFresh, waitFor, workspaceFolder, workspaceText } from './helpers';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'backprop');
}

async function diagnosticsOf(doc: vscode.TextDocument, what: string): Promise<vscode.Diagnostic[]> {
  return waitFor(what, () => {
    const d = ours(doc.uri);
    return d.length > 0 ? d : undefined;
  });
}

/** The range of the first occurrence of `needle` in the document (after `after`, if given). */
function rangeOf(doc: vscode.TextDocument, needle: string, after = ''): vscode.Range {
  const text = doc.getText();
  const i = text.indexOf(needle, after ? text.indexOf(after) : 0);
  assert.ok(i >= 0, `"${needle}" is in the document`);
  return new vscode.Range(doc.positionAt(i), doc.positionAt(i + needle.length));
}

describe('extension: diagnostics and quick fixes', function () {
  this.timeout(30_000);
  let base: string;

  before(async () => {
    await extensionApi();
    base = await workspaceText('notes-xor.net.json');
  });

  afterEach(closeAllEditors);

  it('an unknown activation: an error on exactly that string, fixed by the quick fix, updated as one types', async () => {
    const doc = (await openFresh('bad-activation', base.replace('{ "units": 3, "activation": "sigmoid" }', '{ "units": 3, "activation": "sigmoidd" }'))).document;
    const [d, ...rest] = await diagnosticsOf(doc, 'a diagnostic for "sigmoidd"');
    assert.strictEqual(rest.length, 0, 'exactly one problem');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(d.range.isEqual(rangeOf(doc, '"sigmoidd"')), `range ${JSON.stringify(d.range)} is the string "sigmoidd"`);
    assert.match(d.message, /unknown activation "sigmoidd"/);
    assert.strictEqual(d.code, 'unknown-activation');

    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range)) ?? [];
    const fix = actions.find((a) => a.title === 'Change to "sigmoid"');
    assert.ok(fix && fix.edit, `a quick fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(doc.getText().includes('{ "units": 3, "activation": "sigmoid" }'), 'the fix wrote "sigmoid"');
    await waitFor('the diagnostic to go away after the fix', () => (ours(doc.uri).length === 0 ? true : undefined));

    // Typing a new mistake brings a new diagnostic (debounced), at the new place.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, rangeOf(doc, '"half-squared-error"'), '"half-squared"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const [d2] = await diagnosticsOf(doc, 'a diagnostic for the new loss');
    assert.ok(d2.range.isEqual(rangeOf(doc, '"half-squared"')));
  });

  it('a weight matrix of the wrong shape: the matrix row is marked, and "regenerate" draws fresh weights of the right shape', async () => {
    const doc = (await openFresh('bad-shape', base.replace('[[0.1, -0.2, 0.3]]', '[[0.1, -0.2]]'))).document;
    const [d] = await diagnosticsOf(doc, 'a wrong-shape diagnostic');
    assert.ok(d.range.isEqual(rangeOf(doc, '[0.1, -0.2]', '"weights"')), 'the range is the short row');
    assert.strictEqual(d.code, 'wrong-shape');
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, undefined, 10)) ?? [];
    const regen = actions.find((a) => /Regenerate the weights and biases of layer 2/.test(a.title));
    assert.ok(regen && regen.edit, `a resolved regenerate action among: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(regen.edit));
    const parsed = parseNet(doc.getText(), doc.uri.fsPath);
    assert.ok(parsed.spec, parsed.problems.map((p) => p.message).join('; '));
    assert.strictEqual(parsed.spec.layers[1].weights?.length, 1);
    assert.strictEqual(parsed.spec.layers[1].weights?.[0].length, 3, 'one row of three weights now');
    assert.ok(doc.getText().includes('// hidden layer: no weights here, drawn from the seed'), 'comments elsewhere are kept');
    await waitFor('no diagnostics after the fix', () => (ours(doc.uri).length === 0 ? true : undefined));
  });

  it('a truncated file: one error at the end of the text', async () => {
    const text = base.slice(0, base.indexOf('"loss"'));
    const doc = (await openFresh('truncated', text)).document;
    const ds = await diagnosticsOf(doc, 'a syntax diagnostic');
    assert.strictEqual(ds.length, 1);
    assert.ok(ds[0].range.start.isEqual(doc.positionAt(text.length)), 'at the end of the file');
    assert.match(ds[0].message, /truncated/);
  });

  it('a CSV column that does not exist: the error is on the column name in the .net.json', async () => {
    const text = base.replace(/"data": \{.*\}/, '"data": { "file": "tiny.csv", "inputs": ["a", "bb"], "targets": ["y"] }');
    const doc = (await openFresh('bad-csv', text)).document;
    const ds = await diagnosticsOf(doc, 'a data diagnostic');
    const d = ds.find((x) => x.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(d, 'an error');
    assert.ok(d.range.isEqual(rangeOf(doc, '"bb"')), 'the range is the column name');
    assert.match(d.message, /bb/);
  });

  it('CSV problems come from a worker thread and are cached: an edit elsewhere moves them without reading the CSV again', async () => {
    const api = await extensionApi();
    // A CSV of this test's own, so no other test has its check cached.
    const csvName = `cols-${process.pid}-${Date.now()}.csv`;
    const csvUri = vscode.Uri.joinPath(workspaceFolder(), csvName);
    await vscode.workspace.fs.writeFile(csvUri, new TextEncoder().encode('a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n'));
    const before = api.diagnostics.dataCheckStats();
    const text = base.replace(/"data": \{.*\}/, `"data": { "file": "${csvName}", "inputs": ["a", "bb"], "targets": ["y"] }`);
    const doc = (await openFresh('csv-worker', text)).document;
    const [d] = await waitFor('the missing-column diagnostic', () => {
      const ds = ours(doc.uri);
      return ds.length > 0 ? ds : undefined;
    });
    assert.ok(d.range.isEqual(rangeOf(doc, '"bb"')), 'the range is the column name');
    assert.strictEqual(d.code, 'missing-column');
    const checked = api.diagnostics.dataCheckStats();
    assert.ok(checked.workerRequests > before.workerRequests, 'a worker checked the data');
    assert.ok(checked.lastThreadId !== undefined && checked.lastThreadId !== threadId, `the data was loaded on thread ${checked.lastThreadId}, not on the extension host's thread ${threadId}`);

    // Typing elsewhere (a comment line above everything): the problem moves with its text, from the cache.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(1, 0), '  // a line typed above the data\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const moved = await waitFor('the diagnostic on the moved column name', () => {
      const ds = ours(doc.uri);
      return ds.length === 1 && ds[0].range.isEqual(rangeOf(doc, '"bb"')) ? ds[0] : undefined;
    });
    assert.strictEqual(moved.range.start.line, d.range.start.line + 1);
    const cached = api.diagnostics.dataCheckStats();
    assert.strictEqual(cached.workerRequests, checked.workerRequests, 'the CSV was not read again');
    assert.ok(cached.cacheHits > checked.cacheHits, 'the cached check answered');

    // Its quick fix follows too.
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, moved.range)) ?? [];
    const fix = actions.find((a) => a.title === 'Change to "b"');
    assert.ok(fix?.edit, `a quick fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(doc.getText().includes(`"inputs": ["a", "b"]`), 'the fix replaced exactly the column name');
    await waitFor('no diagnostics after the fix', () => (ours(doc.uri).length === 0 ? true : undefined));

    // The CSV changes on disk (another size): the next check reads it again, in the worker.
    await vscode.workspace.fs.writeFile(csvUri, new TextEncoder().encode('a,c,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n'));
    const beforeTouch = api.diagnostics.dataCheckStats();
    const nudge = new vscode.WorkspaceEdit();
    nudge.insert(doc.uri, new vscode.Position(1, 0), '  // and another\n');
    assert.ok(await vscode.workspace.applyEdit(nudge));
    const [again] = await diagnosticsOf(doc, 'the diagnostic for "b", now missing from the changed CSV');
    assert.ok(again.range.isEqual(rangeOf(doc, '"b"', '"inputs"')));
    assert.match(again.message, /no column "b"/);
    assert.ok(api.diagnostics.dataCheckStats().workerRequests > beforeTouch.workerRequests, 'the changed CSV was checked again');
  });

  it('an unknown key is a warning, and the file can still be trained', async () => {
    const doc = (await openFresh('typo-key', base.replace('"seed": 7', '"seed": 7, "sed": 1'))).document;
    const [d] = await diagnosticsOf(doc, 'a warning');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(d.range.isEqual(rangeOf(doc, '"sed"')));
  });

  it('diagnostics are cleared when the file is closed', async () => {
    const doc = (await openFresh('closing', base.replace('"sigmoid" }', '"sigmoidd" }'))).document;
    await diagnosticsOf(doc, 'a diagnostic');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor('the diagnostics to be cleared', () => (ours(doc.uri).length === 0 ? true : undefined));
  });
});
