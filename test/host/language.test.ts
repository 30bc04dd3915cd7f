// test/host/language.test.ts — `*.net.json` is a language of its own ("Backprop Network",
// id backprop-net), and VS Code's built-in JSON language server still serves it (through
// `jsonLanguageParticipants`): schema completion, hover, formatting, folding, the outline, schema
// validation, with comments and trailing commas tolerated. Every expectation comes from the schema
// file or is written out by hand here, never from the providers under test.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { NET_LANGUAGE } from '../../src/extension/config';
import { EXTENSION_ID, closeAllEditors, extensionApi, openFresh, waitFor } from './helpers';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  enum?: string[];
  markdownDescription?: string;
}

function schema(): SchemaNode {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  return JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'schemas', 'net-json.schema.json'), 'utf8')) as SchemaNode;
}

/** Completion labels at `pos`, retried until the JSON server has the document and its schema. */
async function completionLabels(uri: vscode.Uri, pos: vscode.Position, until: (labels: string[]) => boolean): Promise<string[]> {
  let last: string[] = [];
  try {
    return await waitFor('schema completions', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
      last = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return until(last) ? last : undefined;
    }, 30_000, 250);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last labels: ${last.join(', ')}`);
  }
}

const COMMENTED = `// a network with comments and trailing commas
{
  /* block
     comment */
  "name": "language test",
  "layers": [
    { "units": 2 },
    { "units": 1, "activation": "sigmoid", },
  ],
  "loss": "half-squared-error",
  "training": { "learningRate": 0.5, "epochs": 2 },
  "data": { "inputs": [[0, 0], [1, 1]], "targets": [[0], [1]] },
}
`;

describe('extension: the Backprop Network language', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  it('opens *.net.json as language backprop-net ("Backprop Network")', async () => {
    await extensionApi();
    const editor = await openFresh('language-id', COMMENTED);
    assert.strictEqual(editor.document.languageId, NET_LANGUAGE);
    assert.ok((await vscode.languages.getLanguages()).includes(NET_LANGUAGE));
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { languages: { id: string; aliases: string[] }[] } };
    assert.deepStrictEqual(pkg.contributes.languages.find((l) => l.id === NET_LANGUAGE)?.aliases[0], 'Backprop Network');
  });

  it('completes property names and values from the schema', async () => {
    await extensionApi();
    const editor = await openFresh('language-completion', '{\n  "layers": [{ "units": 2 }, { "units": 1 }],\n  \n  "loss": ""\n}\n');
    const root = schema();
    const expectedKeys = Object.keys(root.properties ?? {}).filter((k) => k !== 'layers' && k !== 'loss');
    assert.ok(expectedKeys.includes('training') && expectedKeys.includes('data'), 'the schema names the top-level keys');
    const keys = await completionLabels(editor.document.uri, new vscode.Position(2, 2), (l) => l.includes('training'));
    for (const k of expectedKeys) assert.ok(keys.includes(k), `completion offers "${k}" (got ${keys.join(', ')})`);
    assert.ok(!keys.includes('layers'), 'a key already there is not offered again');

    const losses = root.properties?.loss?.enum ?? [];
    assert.ok(losses.length >= 4);
    const values = await completionLabels(editor.document.uri, new vscode.Position(3, 11), (l) => l.length > 0);
    assert.deepStrictEqual(values.map((v) => v.replace(/^"|"$/g, '')).sort(), [...losses].sort());
  });

  it('hovers over a key with the schema\'s description', async () => {
    await extensionApi();
    const editor = await openFresh('language-hover', COMMENTED);
    const line = editor.document.getText().split('\n').findIndex((l) => l.includes('"loss"'));
    const description = schema().properties?.loss?.markdownDescription ?? '';
    assert.ok(description.length > 20);
    const first = description.slice(0, 40);
    await waitFor('the schema hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, 4));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return text.includes(first) ? true : undefined;
    }, 30_000, 250);
  });

  it('formats the document (and keeps its comments)', async () => {
    await extensionApi();
    const editor = await openFresh('language-format', '// keep me\n{"name":"x","layers":[{"units":2},{"units":1}]}\n');
    const expected = [
      '// keep me',
      '{',
      '  "name": "x",',
      '  "layers": [',
      '    {',
      '      "units": 2',
      '    },',
      '    {',
      '      "units": 1',
      '    }',
      '  ]',
      '}', // (the JSON formatter ends the text at the last brace, as in any JSON file, unless files.insertFinalNewline is set)
    ].join('\n');
    const edits = await waitFor('formatting edits', async () => {
      const e = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', editor.document.uri, { tabSize: 2, insertSpaces: true });
      return e && e.length > 0 ? e : undefined;
    }, 30_000, 250);
    const we = new vscode.WorkspaceEdit();
    we.set(editor.document.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(we));
    assert.strictEqual(editor.document.getText(), expected);
  });

  it('folds objects, arrays and block comments; the outline lists the keys', async () => {
    await extensionApi();
    const editor = await openFresh('language-fold', COMMENTED);
    const uri = editor.document.uri;
    const ranges = await waitFor('folding ranges', async () => {
      const r = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', uri);
      return r && r.length > 0 ? r : undefined;
    }, 30_000, 250);
    const lines = COMMENTED.split('\n');
    const at = (needle: string): number => lines.findIndex((l) => l.includes(needle));
    const has = (start: number, kind?: vscode.FoldingRangeKind): boolean => ranges.some((r) => r.start === start && (kind === undefined || r.kind === kind));
    assert.ok(has(at('/* block'), vscode.FoldingRangeKind.Comment), `the block comment folds (${JSON.stringify(ranges)})`);
    assert.ok(has(at('"layers"')), `the layers array folds (${JSON.stringify(ranges)})`);
    assert.ok(has(lines.indexOf('{')), 'the top-level object folds');

    const symbols = await waitFor('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
      return s && s.length > 0 ? s : undefined;
    }, 30_000, 250);
    assert.deepStrictEqual(symbols.map((s) => s.name), ['name', 'layers', 'loss', 'training', 'data']);
    assert.deepStrictEqual(symbols.find((s) => s.name === 'training')?.children.map((c) => c.name), ['learningRate', 'epochs']);
  });

  it('validates against the schema, and tolerates comments and trailing commas', async () => {
    await extensionApi();
    const text = COMMENTED.replace('"loss": "half-squared-error"', '"loss": "hinge"');
    const editor = await openFresh('language-validate', text);
    const uri = editor.document.uri;
    const lossLine = text.split('\n').findIndex((l) => l.includes('"hinge"'));
    // the JSON language server's diagnostics (ours have the source "backprop")
    const fromJson = await waitFor('the JSON server\'s schema diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source !== 'backprop');
      return d.some((x) => x.range.start.line === lossLine) ? d : undefined;
    }, 30_000, 250);
    assert.deepStrictEqual(fromJson.map((d) => d.range.start.line), [lossLine], fromJson.map((d) => `${d.range.start.line}: ${d.message}`).join(' | '));
  });

  it('Toggle Line Comment writes // and brackets close themselves (the language configuration)', async () => {
    await extensionApi();
    const editor = await openFresh('language-config', '{\n  "name": "x",\n  "layers": \n}\n');
    editor.selection = new vscode.Selection(1, 4, 1, 4);
    await vscode.commands.executeCommand('editor.action.commentLine');
    assert.strictEqual(editor.document.lineAt(1).text, '  // "name": "x",');
    await vscode.commands.executeCommand('editor.action.commentLine');
    assert.strictEqual(editor.document.lineAt(1).text, '  "name": "x",');
    editor.selection = new vscode.Selection(2, 12, 2, 12);
    await vscode.commands.executeCommand('type', { text: '[' });
    assert.strictEqual(editor.document.lineAt(2).text, '  "layers": []');
  });

  it('a .net.json switched to JSON with Comments (files.associations) keeps our lenses and diagnostics; VS Code then refuses F9 breakpoints', async () => {
    await extensionApi();
    const editor = await openFresh('language-jsonc', COMMENTED);
    const doc = await vscode.languages.setTextDocumentLanguage(editor.document, 'jsonc');
    assert.strictEqual(doc.languageId, 'jsonc');
    await vscode.window.showTextDocument(doc);
    const titles = await waitFor('the lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l && l.length > 0 ? l.map((x) => x.command?.title ?? '') : undefined;
    });
    assert.ok(titles.includes('$(debug-alt) Debug'), titles.join(' | '));
    const lossLine = doc.getText().split('\n').findIndex((l) => l.includes('"loss"'));
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, doc.lineAt(lossLine).range, '  "loss": "hinge",');
    assert.ok(await vscode.workspace.applyEdit(we));
    await waitFor('our diagnostic on the loss', () => (vscode.languages.getDiagnostics(doc.uri).some((d) => d.source === 'backprop' && d.range.start.line === lossLine) ? true : undefined));
    // the reason for the language of our own: in jsonc VS Code's F9 does nothing
    vscode.window.activeTextEditor!.selection = new vscode.Selection(7, 2, 7, 2);
    await vscode.commands.executeCommand('editor.debug.action.toggleBreakpoint');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepStrictEqual(vscode.debug.breakpoints.filter((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === doc.uri.toString()), []);
  });
});
