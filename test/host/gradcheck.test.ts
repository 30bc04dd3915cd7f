// test/host/gradcheck.test.ts — the Gradient Check command in a real VS Code: its report, and the
// verdict in the lens.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GradCheckView } from '../../src/shared/protocol';
import { closeAllEditors, extensionApi, lensTitles, openFresh, withSetting, workspaceText } from './helpers';

describe('extension: gradient check', function () {
  this.timeout(30_000);
  afterEach(closeAllEditors);

  it('checks every parameter of the notes network and passes; the lens shows the verdict', async () => {
    await extensionApi();
    const doc = (await openFresh('check', await workspaceText('notes-xor.net.json'))).document;
    const r = await vscode.commands.executeCommand<GradCheckView>('backprop.gradientCheck', doc.uri);
    assert.ok(r, 'the command returns the report');
    assert.strictEqual(r.passed, true);
    // 2x3 + 3 + 3x1 + 1 parameters
    assert.strictEqual(r.parameters, 13);
    assert.strictEqual(r.entries.length, 13);
    // (the plain |a - n| / max(|a|, |n|) since issue 8: b^1_1 = -9.2e-6 differenced with h = 1e-5
    // carries about 1e-7 of round-off, within its own tolerance, so it is ok at 1.8e-7)
    assert.ok(r.maxRelativeError < 1e-6, `max relative error ${r.maxRelativeError}`);
    assert.ok(r.entries.every((e) => e.status === 'ok'));
    const titles = await lensTitles(doc.uri);
    assert.match(titles[1], /^\$\(pass\) Gradient check passed · max rel\. error \S+$/);
  });

  it('samples large layers per the setting', async () => {
    const restore = await withSetting('gradientCheck.maxParametersPerLayer', 2);
    try {
      const doc = (await openFresh('check-sampled', await workspaceText('notes-xor.net.json'))).document;
      const r = await vscode.commands.executeCommand<GradCheckView>('backprop.gradientCheck', doc.uri);
      assert.ok(r);
      assert.strictEqual(r.parameters, 4, 'two parameters in each of the two layers');
    } finally {
      await restore();
    }
  });

  it('says so, and returns nothing, for a file with problems', async () => {
    const doc = (await openFresh('check-broken', (await workspaceText('notes-xor.net.json')).replace('"sigmoid" }', '"sigmoidd" }'))).document;
    const r = await vscode.commands.executeCommand<GradCheckView>('backprop.gradientCheck', doc.uri);
    assert.strictEqual(r, undefined);
  });
});
