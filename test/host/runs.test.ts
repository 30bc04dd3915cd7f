// test/host/runs.test.ts — what is recorded in the real extension host (docs/runs.md): a run of
// "Step epoch" clicks, ended by Reset; nothing at all with backprop.runs.record false; and the
// Show Runs / Compare Runs commands opening the file's inspector on its Runs tab.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunSummary } from '../../src/engine/runs';
import { RunsController } from '../../src/extension/runs/controller';
import type { Pending, ReplayClient } from '../../src/extension/runs/replayClient';
import type { RunsService } from '../../src/extension/runs/service';
import { CancelledError } from '../../src/shared/rpc';
import type { RunFrame, ToRuns } from '../../src/shared/runsProtocol';
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

describe('extension: the Runs tab\'s host side (races)', function () {
  this.timeout(20_000);
  const uri = vscode.Uri.file('/tmp/races.net.json');
  const summary = { id: 'run-a', label: undefined, pinned: false } as unknown as RunSummary;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as vscode.LogOutputChannel;
  const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  /** A service whose run list takes `listMs` to read (a large index). */
  const service = (listMs: number): RunsService => {
    const changed = new vscode.EventEmitter<vscode.Uri | undefined>();
    return {
      onDidChange: changed.event,
      list: async () => {
        await later(listMs);
        return [summary];
      },
      get: async () => ({ curve: [], gradients: [], snapshots: [] }),
    } as unknown as RunsService;
  };

  it('a run ticked then unticked at once (a double click) ends unpicked', async () => {
    const replay = { dispose: async () => undefined } as unknown as ReplayClient;
    const c = new RunsController(uri, service(150), replay, () => undefined, log);
    try {
      const tick = c.handle({ type: 'pick', id: 'run-a', on: true });
      await c.handle({ type: 'pick', id: 'run-a', on: false });
      await tick;
      assert.deepStrictEqual([...c.pickedRuns], [], 'the untick came last');
      await c.handle({ type: 'pick', id: 'run-a', on: true });
      assert.deepStrictEqual([...c.pickedRuns], ['run-a'], 'and a later tick picks it');
    } finally {
      c.dispose();
    }
  });

  it("Show Runs / Compare Runs with ids that are not this file's runs picks none of them", async () => {
    const replay = { dispose: async () => undefined } as unknown as ReplayClient;
    const posted: ToRuns[] = [];
    const c = new RunsController(uri, service(0), replay, (m) => posted.push(m), log);
    try {
      c.show(['run-of-another-file', 'run-a']);
      await waitFor('run-a picked', () => (c.pickedRuns.includes('run-a') ? true : undefined));
      await later(50);
      assert.deepStrictEqual([...c.pickedRuns], ['run-a']);
      assert.ok(posted.some((m) => m.type === 'problem' && m.message.includes('no run run-of-another-file')), 'the user is told');
    } finally {
      c.dispose();
    }
  });

  it('Restore does not cancel the frame the slider asked for: the timeline shows the epoch it is at', async () => {
    let answer: ((f: RunFrame) => void) | undefined;
    const replay = {
      frame: (): Pending<RunFrame> => {
        let cancel: (e: Error) => void = () => undefined;
        const result = new Promise<RunFrame>((resolve, reject) => {
          answer = resolve;
          cancel = reject;
        });
        return { result, cancel: () => cancel(new CancelledError('cancelled')) };
      },
      weights: (): Pending<never> => ({ result: Promise.reject(new Error('no weights here')), cancel: () => undefined }),
      dispose: async () => undefined,
    } as unknown as ReplayClient;
    const posted: ToRuns[] = [];
    const c = new RunsController(uri, service(0), replay, (m) => posted.push(m), log);
    try {
      const scrub = c.handle({ type: 'scrub', id: 'run-a', epoch: 7 });
      await waitFor('the frame asked for', () => answer);
      await c.handle({ type: 'restore', id: 'run-a', epoch: 3 });
      answer?.({ id: 'run-a', epoch: 7 } as RunFrame);
      await scrub;
      const frames = posted.flatMap((m) => (m.type === 'frame' ? [m.frame.epoch] : []));
      assert.deepStrictEqual(frames, [7], 'the frame of the slider\'s epoch was shown');
    } finally {
      c.dispose();
    }
  });
});
