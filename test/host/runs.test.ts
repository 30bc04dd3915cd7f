// test/host/runs.test.ts — what is recorded in the real extension host (docs/runs.md): a run of
// "Step epoch" clicks, ended by Reset; nothing at all with backprop.runs.record false; and the
// Show Runs / Compare Runs commands opening the file's inspector on its Runs tab.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunsController } from '../../src/extension/runs/controller';
import { closeAllEditors, extensionApi, openFresh, waitFor, withSetting, workspaceText } from './helpers';

describe('extension: runs', function () {
  this.timeout(60_000);
  let restore: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    await extensionApi();
    restore = [await withSetting('writeBack', 'never'), await withSetting('progress.notification', false)];
  });

  afterEach(async () => {
    for (const r of restore.reverse()) await r();
    await closeAllEditors();
  });

  const shortXor = async (): Promise<string> => (await workspaceText('notes-xor.net.json')).replace('"epochs": 5000', '"epochs": 30');

  it('three Step-epoch clicks are one run, recorded when Reset ends it', async () => {
    const doc = (await openFresh('steps', await shortXor())).document;
    const api = await extensionApi();
    const session = api.sessions.get(doc.uri);
    for (let i = 0; i < 3; i++) await session.step();
    assert.deepStrictEqual(await api.runs.list(doc.uri), [], 'the steps run is still going');
    await session.reset();
    const run = await waitFor('the steps recorded', async () => {
      const runs = await api.runs.list(doc.uri);
      return runs.length === 1 ? runs[0] : undefined;
    });
    assert.strictEqual(run.startEpoch, 0);
    assert.strictEqual(run.epochs, 3);
    assert.strictEqual(run.end, 'done');
    assert.strictEqual((await api.runs.get(run.id)).curve.length, 3);
  });

  it('a session ended (as at shutdown) has stored its run of steps by the time its end resolves', async () => {
    const doc = (await openFresh('closing', await shortXor())).document;
    const api = await extensionApi();
    const session = api.sessions.get(doc.uri);
    for (let i = 0; i < 2; i++) await session.step();
    // a store that takes its time (a large record with its snapshots)
    const runs = api.runs;
    const keep = runs.keep;
    runs.keep = async (uri, record) => {
      await new Promise((r) => setTimeout(r, 400));
      return keep.call(runs, uri, record);
    };
    try {
      await api.sessions.end(doc.uri, 'test: the window closes');
    } finally {
      runs.keep = keep;
    }
    // no waiting here: deactivate returns at this point and the extension host may exit
    const stored = await runs.list(doc.uri);
    assert.deepStrictEqual(stored.map((r) => r.epochs), [2], 'the run of two steps is stored');
  });

  it('with backprop.runs.record false a run is not recorded', async () => {
    restore.push(await withSetting('runs.record', false));
    const doc = (await openFresh('norecord', await shortXor())).document;
    const api = await extensionApi();
    const result = await vscode.commands.executeCommand<{ reason: string }>('backprop.train', doc.uri);
    assert.strictEqual(result?.reason, 'done');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepStrictEqual(await api.runs.list(doc.uri), []);
  });

  it('Show Runs and Compare Runs open the inspector on its Runs tab, with the runs asked for', async () => {
    const doc = (await openFresh('compare', await shortXor())).document;
    const api = await extensionApi();
    await vscode.commands.executeCommand('backprop.train', doc.uri);
    await vscode.commands.executeCommand('backprop.train', doc.uri);
    const runs = await waitFor('two runs', async () => {
      const r = await api.runs.list(doc.uri);
      return r.length === 2 ? r : undefined;
    });
    const shown = await vscode.commands.executeCommand<RunsController>('backprop.showRuns', doc.uri);
    assert.strictEqual(shown?.uri.toString(), doc.uri.toString());
    const label = `Inspect: ${doc.uri.path.split('/').pop()}`;
    await waitFor('the inspector open', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === label));
    assert.ok(!vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label.startsWith('Runs:')), 'no separate Runs panel');
    const ids = runs.map((r) => r.id);
    const compared = await vscode.commands.executeCommand<RunsController>('backprop.compareRuns', doc.uri, ids);
    assert.strictEqual(compared, shown, 'the same inspector, the same Runs tab');
    await waitFor('both picked', () => (compared?.pickedRuns.length === 2 ? true : undefined));
    assert.deepStrictEqual([...(compared?.pickedRuns ?? [])], ids);
  });
});
