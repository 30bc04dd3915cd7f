// test/host/hover.test.ts — hovers on weights, biases and layers of a .net.json file in a real
// VS Code, before and after training: which connection a weight is, its value, gradient and update.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAllEditors, extensionApi, openFresh, withSetting, workspaceText } from './helpers';

async function hoverText(doc: vscode.TextDocument, offset: number): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset))) ?? [];
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
    .join('\n');
}

describe('extension: hover', function () {
  this.timeout(30_000);
  let base: string;

  before(async () => {
    await extensionApi();
    base = await workspaceText('notes-xor.net.json');
  });

  afterEach(closeAllEditors);

  it('on a weight: its name w^l_jk, the connection it is, and its value', async () => {
    const doc = (await openFresh('hover', base)).document;
    const text = doc.getText();
    // [[0.1, -0.2, 0.3]] of layers[2]: 0.3 is row 1, column 3 (1-based) = from unit 3 of layer 1 to unit 1 of layer 2
    const h = await hoverText(doc, text.indexOf('0.3]]') + 1);
    assert.match(h, /`w\^2_\{1,3\}`/);
    assert.match(h, /weight from unit 3 of layer 1 to unit 1 of layer 2/);
    assert.match(h, /value in the file: `0\.3`/);
    assert.doesNotMatch(h, /gradient/, 'no session values before any training');
  });

  it('on a bias and on layers: units, activation and parameter count', async () => {
    const doc = (await openFresh('hover-layer', base)).document;
    const text = doc.getText();
    const b = await hoverText(doc, text.indexOf('[0.0]') + 2);
    assert.match(b, /`b\^2_\{1\}`\*\* bias of unit 1 of layer 2/);
    // layer 1: 3 sigmoid units fed by 2 inputs: 2*3 weights + 3 biases = 9 parameters
    const l1 = await hoverText(doc, text.indexOf('"units": 3') + 2);
    assert.match(l1, /\*\*Layer 1\*\* \(hidden layer\): 3 units, sigmoid, 9 parameters \(6 weights \+ 3 biases\)/);
    const l0 = await hoverText(doc, text.indexOf('{ "units": 2 }') + 3);
    assert.match(l0, /\*\*Layer 0\*\* \(input layer\): 2 units/);
    // Outside the layers only VS Code's JSON support answers, from the schema the extension contributes.
    const seed = await hoverText(doc, text.indexOf('"seed"') + 2);
    assert.match(seed, /[Ss]eed/, 'the schema describes "seed"');
    assert.doesNotMatch(seed, /\*\*Layer|w\^|b\^/, 'no hover of ours outside the layers');
  });

  it('after training: the session value, the gradient and the last update', async () => {
    const restore = await withSetting('writeBack', 'never');
    try {
      const doc = (await openFresh('hover-trained', base.replace('"epochs": 5000', '"epochs": 200'))).document;
      await vscode.commands.executeCommand('backprop.train', doc.uri);
      const api = await extensionApi();
      const view = await api.sessions.get(doc.uri).network();
      const text = doc.getText();
      const h = await hoverText(doc, text.indexOf('0.3]]') + 1);
      assert.match(h, /In the training session, epoch 200:/);
      // w^2_{1,3} is W[0 * 3 + 2] of layer 2 in the session
      const l2 = view.layers[1];
      assert.ok(h.includes(`- value \`${l2.W[2]}\``), `the session's value ${l2.W[2]} in:\n${h}`);
      assert.ok(h.includes(`- gradient ∂E/∂w \`${(l2.dW as number[])[2]}\``));
      assert.ok(h.includes(`- last update Δw \`${(l2.uW as number[])[2]}\``));
      assert.notStrictEqual(l2.W[2], 0.3, 'training moved the weight');
    } finally {
      await restore();
    }
  });
});
