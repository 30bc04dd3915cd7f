// test/host/debug.test.ts — the training debugger in the real extension host: a conditional
// gutter breakpoint on a layer's line, `Backprop: Debug Training` / vscode.debug.startDebugging,
// a DebugAdapterTracker that sees the stop events, and the Variables the adapter sends, checked
// against the engine's Trainer run independently.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Trainer } from '../../src/engine';
import { loadNet, networkFor } from '../../src/engine/load';
import type { DebugMessage, NetworkView, ToWebview } from '../../src/shared/protocol';
import { closeAllEditors, extensionApi, openFresh, waitFor } from './helpers';

// each layer on its own line: layers[1] on line 7 (0-based 6), layers[2] on line 8
const NET = `// debugger test network
{
  "name": "xor for the debugger",
  "seed": 3,
  "layers": [
    { "units": 2 },
    { "units": 3, "activation": "tanh" },
    { "units": 1, "activation": "sigmoid" }
  ],
  "loss": "half-squared-error",
  "training": { "optimizer": "momentum", "learningRate": 0.5, "epochs": 4, "batchSize": 3 },
  "data": { "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]] }
}
`;

interface Seen {
  stops: { reason: string; description?: string }[];
  terminated: boolean;
}

function track(): { seen: Seen; dispose: () => void } {
  const seen: Seen = { stops: [], terminated: false };
  const d = vscode.debug.registerDebugAdapterTrackerFactory('backprop', {
    createDebugAdapterTracker: () => ({
      onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string; description?: string } }) => {
        if (m.type === 'event' && m.event === 'stopped') seen.stops.push({ reason: m.body?.reason ?? '', description: m.body?.description });
        if (m.type === 'event' && m.event === 'terminated') seen.terminated = true;
      },
    }),
  });
  return { seen, dispose: () => d.dispose() };
}

interface Variable {
  name: string;
  value: string;
  variablesReference: number;
}

async function variables(s: vscode.DebugSession, ref: number): Promise<Variable[]> {
  return ((await s.customRequest('variables', { variablesReference: ref })) as { variables: Variable[] }).variables;
}

describe('extension: debugging in Restricted Mode (untrusted workspace)', function () {
  this.timeout(30_000);
  before(function () {
    if (process.env.BACKPROP_RESTRICTED !== '1') this.skip();
  });
  afterEach(closeAllEditors);

  it('refuses to debug: the command starts nothing, and there is no Debug lens', async () => {
    await extensionApi();
    const editor = await openFresh('restricted-debug', NET);
    assert.equal(await vscode.commands.executeCommand('backprop.debugTraining', editor.document.uri), undefined);
    // (F5 itself: VS Code asks for workspace trust before it starts any debug session; the
    // configuration provider refuses as well if it is reached)
    assert.equal(vscode.debug.activeDebugSession, undefined);
    const titles = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri)) ?? []).map((l) => l.command?.title ?? '');
    assert.ok(titles.length > 0 && !titles.some((t) => t.includes('Debug')), titles.join(' | '));
  });
});

describe('extension: debugging a training run', function () {
  this.timeout(60_000);

  afterEach(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    // stopDebugging resolves before the session has ended: the next test must not meet it
    await waitFor('the debug session to end', () => (vscode.debug.activeDebugSession === undefined ? true : undefined));
    await closeAllEditors();
  });

  it('stops at a conditional breakpoint on a layer line; the tracker sees it; Variables hold the engine\'s weights', async () => {
    await extensionApi();
    const editor = await openFresh('debug', NET);
    const uri = editor.document.uri;
    const { seen, dispose } = track();
    try {
      vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(6, 4)), true, 'epoch == 2', '1')]);
      const started = await vscode.commands.executeCommand<boolean>('backprop.debugTraining', uri);
      assert.strictEqual(started, true, 'the debug session starts');
      const session = await waitFor('the debug session', () => vscode.debug.activeDebugSession);
      assert.strictEqual(session.type, 'backprop');
      await waitFor('a stop', () => (seen.stops.length > 0 ? true : undefined));
      assert.deepStrictEqual(seen.stops.map((s) => s.reason), ['breakpoint'], JSON.stringify(seen.stops));

      const stack = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: { id: number; name: string; line: number; source?: { path?: string } }[] };
      assert.deepStrictEqual(stack.stackFrames.map((f) => f.name), ['layer 1 (backward)', 'batch 1 of 2', 'epoch 2 of 4']);
      assert.strictEqual(stack.stackFrames[0].line, 7);
      const framePath = stack.stackFrames[0].source?.path ?? '';
      // (in a remote host the workbench hands the path back as a vscode-remote URI)
      assert.strictEqual(framePath.startsWith('/') ? framePath : vscode.Uri.parse(framePath).path, uri.path);

      const scopes = (await session.customRequest('scopes', { frameId: stack.stackFrames[0].id })) as { scopes: { name: string; variablesReference: number }[] };
      assert.deepStrictEqual(scopes.scopes.map((s) => s.name), ['Layer 1', 'Batch', 'Optimizer', 'Run']);
      const layer = await variables(session, scopes.scopes[0].variablesReference);
      const W = layer.find((v) => v.name === 'W');
      assert.ok(W);
      const rows = await variables(session, W.variablesReference);
      const shown = await Promise.all(rows.map(async (r) => (await variables(session, r.variablesReference)).map((e) => e.value)));

      // oracle: the engine's Trainer after one epoch (batch 1 of epoch 2 has not updated yet)
      const loaded = loadNet(NET, uri.fsPath);
      assert.ok(loaded.spec && loaded.train);
      const net = networkFor(loaded.spec, 'exact');
      new Trainer(net, loaded.train, loaded.spec.training, loaded.spec.seed).run(1);
      const expected = [0, 1, 2].map((j) => [0, 1].map((k) => String(net.layers[0].weight(j, k))));
      assert.deepStrictEqual(shown, expected);

      const ev = (await session.customRequest('evaluate', { expression: 'epoch * 10 + batch', frameId: stack.stackFrames[0].id, context: 'watch' })) as { result: string };
      assert.strictEqual(ev.result, '21');

      await session.customRequest('continue', { threadId: 1 });
      await waitFor('the end of the run', () => (seen.terminated ? true : undefined));
      assert.strictEqual(seen.stops.length, 1, 'the condition holds in epoch 2 only, and the hit count stops at its first hit');
    } finally {
      dispose();
    }
  });

  it('the inspector follows the debugger: the stopped state from the debug worker, a matrix opened as a heatmap, the file\'s state again at the end, and the run recorded', async () => {
    const api = await extensionApi();
    const editor = await openFresh('debug-inspector', NET);
    const uri = editor.document.uri;
    const { seen, dispose } = track();
    try {
      await vscode.commands.executeCommand('backprop.openInspector', uri);
      const posted = (type: string): ToWebview | undefined => api.inspector.lastPosted(uri, type);
      const initBefore = await waitFor('the inspector\'s init', () => posted('init'));
      const runsBefore = (await api.runs.list(uri)).length;

      vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(6, 4)), true, 'epoch == 2', '1')]);
      assert.strictEqual(await vscode.commands.executeCommand<boolean>('backprop.debugTraining', uri), true);
      const session = await waitFor('the debug session', () => vscode.debug.activeDebugSession);
      await waitFor('a stop', () => (seen.stops.length > 0 ? true : undefined));
      const stopped = await waitFor('the debug state posted to the inspector', () => {
        const m = posted('debug');
        return m?.type === 'debug' && m.state === 'stopped' ? m : undefined;
      });
      assert.strictEqual(stopped.banner, 'Debugger: stopped in epoch 2 of 4 (1 done), batch 1 of 2, layer 1 — backward · these are the debugger\'s values, not the file\'s');
      const network = posted('network') as { network: NetworkView } | undefined;
      assert.ok(network);
      // oracle: the engine's Trainer after one epoch (batch 1 of epoch 2 has not updated yet)
      const loaded = loadNet(NET, uri.fsPath);
      assert.ok(loaded.spec && loaded.train);
      const trainer = new Trainer(networkFor(loaded.spec, 'exact'), loaded.train, loaded.spec.training, loaded.spec.seed);
      const stats = trainer.runEpoch();
      assert.deepStrictEqual(network.network.layers.map((l) => l.W), trainer.net.layers.map((l) => Array.from(l.W)));
      assert.deepStrictEqual(network.network.layers.map((l) => l.uW), trainer.net.layers.map((_, i) => Array.from(trainer.lastUpdate(i + 1).W)));
      assert.strictEqual(network.network.epoch, 1);
      assert.deepStrictEqual(stopped.history, [{ epoch: 1, loss: stats.loss }]);
      assert.ok(posted('boundary'), 'the decision boundary of the stopped weights');

      // Variables > Open as Heatmap on dW of layer 1 (the batch's gradient, as Variables show it)
      const stack = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: { id: number }[] };
      const scopes = (await session.customRequest('scopes', { frameId: stack.stackFrames[0].id })) as { scopes: { name: string; variablesReference: number }[] };
      const layer = await variables(session, scopes.scopes[0].variablesReference);
      const dW = layer.find((v) => v.name === 'dW');
      assert.ok(dW && dW.variablesReference > 0);
      const rows = await Promise.all((await variables(session, dW.variablesReference)).map(async (r) => (await variables(session, r.variablesReference)).map((e) => e.value)));
      assert.strictEqual(await vscode.commands.executeCommand('backprop.debug.openAsHeatmap', { sessionId: session.id, container: {}, variable: dW }), true);
      const withMap = await waitFor('the heatmap posted', () => {
        const m = posted('debug') as DebugMessage | undefined;
        return m !== undefined && m.heatmaps.length > 0 ? m : undefined;
      });
      const h = withMap.heatmaps[0];
      assert.deepStrictEqual([h.name, h.rows, h.cols, h.status, h.at], ['dW (layer 1)', 3, 2, 'current', 'epoch 2 of 4, batch 1 of 2, layer 1 — backward']);
      assert.deepStrictEqual([[h.values[0], h.values[1]], [h.values[2], h.values[3]], [h.values[4], h.values[5]]].map((r) => r.map(String)), rows);

      await session.customRequest('continue', { threadId: 1 });
      await waitFor('the end of the run', () => (seen.terminated ? true : undefined));
      const ended = await waitFor('the debug end posted', () => {
        const m = posted('debug');
        return m?.type === 'debug' && m.state === 'ended' ? m : undefined;
      });
      assert.deepStrictEqual(ended.heatmaps.map((x) => x.status), ['ended']);
      // the inspector shows the file's state again (a fresh init from the file's session: its weights are the file's)
      const init = await waitFor('the file\'s state again', () => {
        const m = posted('init');
        return m !== initBefore && m?.type === 'init' ? m : undefined;
      });
      assert.deepStrictEqual([init.network.epoch, init.network.layers[0].W], [0, Array.from(networkFor(loaded.spec, 'exact').layers[0].W)]);
      // the debug run is recorded in the Runs store when the session ends
      const runs = await waitFor('the debug run recorded', async () => {
        const list = await api.runs.list(uri);
        return list.length > runsBefore ? list : undefined;
      });
      const run = runs.find((r) => r.source === 'debugger');
      assert.ok(run, JSON.stringify(runs.map((r) => r.source)));
      assert.deepStrictEqual([run.end, run.epochs], ['done', 4]);
    } finally {
      dispose();
    }
  });

  it('VS Code\'s own F9 (Toggle Breakpoint) sets a breakpoint on a layer\'s line of a .net.json and removes it again', async () => {
    // VS Code refuses F9 and gutter clicks in language jsonc; *.net.json is language backprop-net
    await extensionApi();
    const editor = await openFresh('debug-f9', NET);
    assert.strictEqual(editor.document.languageId, 'backprop-net');
    editor.selection = new vscode.Selection(7, 5, 7, 5);
    const here = (): vscode.SourceBreakpoint[] => vscode.debug.breakpoints.filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === editor.document.uri.toString());
    await vscode.commands.executeCommand('editor.debug.action.toggleBreakpoint');
    await waitFor('the breakpoint', () => (here().length > 0 ? true : undefined));
    assert.deepStrictEqual(here().map((b) => b.location.range.start.line), [7]);
    await vscode.commands.executeCommand('editor.debug.action.toggleBreakpoint');
    await waitFor('the breakpoint removed', () => (here().length === 0 ? true : undefined));
  });

  it('breakpoints set with F9 reach the adapter: verified on a layer\'s line (the run stops there), refused with a reason elsewhere', async () => {
    await extensionApi();
    const editor = await openFresh('debug-f9-run', NET);
    const replies: { line?: number; verified: boolean; message?: string }[] = [];
    const stops: string[] = [];
    let ended = false;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('backprop', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; command?: string; event?: string; body?: { breakpoints?: { line?: number; verified: boolean; message?: string }[] } }) => {
          if (m.type === 'response' && m.command === 'setBreakpoints') replies.push(...(m.body?.breakpoints ?? []));
          if (m.type === 'event' && m.event === 'stopped') stops.push('stopped');
          if (m.type === 'event' && m.event === 'terminated') ended = true;
        },
      }),
    });
    try {
      for (const line of [7, 3]) {
        // line 8 (1-based) is layers[2]; line 4 is "seed"
        editor.selection = new vscode.Selection(line, 2, line, 2);
        await vscode.commands.executeCommand('editor.debug.action.toggleBreakpoint');
      }
      assert.strictEqual(await vscode.commands.executeCommand<boolean>('backprop.debugTraining', editor.document.uri), true);
      const session = await waitFor('the debug session', () => vscode.debug.activeDebugSession);
      await waitFor('a stop', () => (stops.length > 0 ? true : undefined));
      const byLine = new Map(replies.map((r) => [r.line, r]));
      assert.strictEqual(byLine.get(8)?.verified, true, JSON.stringify(replies));
      assert.strictEqual(byLine.get(4)?.verified, false, JSON.stringify(replies));
      assert.match(byLine.get(4)?.message ?? '', /line of a layer/);
      const stack = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: { name: string; line: number }[] };
      assert.deepStrictEqual(stack.stackFrames.map((f) => f.name), ['layer 2 (backward)', 'batch 1 of 2', 'epoch 1 of 4']);
      assert.strictEqual(stack.stackFrames[0].line, 8);
      await vscode.debug.stopDebugging(session);
      await waitFor('the end of the run', () => (ended ? true : undefined));
    } finally {
      tracker.dispose();
    }
  });

  it('provides a launch configuration for the active .net.json (F5 without launch.json)', async () => {
    await extensionApi();
    const editor = await openFresh('debug-f5', NET);
    const { seen, dispose } = track();
    try {
      // a configuration without "program" (as the initial one with no file open): the provider fills in the active file
      let started: vscode.DebugSession | undefined;
      const listener = vscode.debug.onDidStartDebugSession((s) => {
        if (s.configuration.name === 'F5') started = s;
      });
      let session: vscode.DebugSession;
      try {
        const ok = await vscode.debug.startDebugging(undefined, { type: 'backprop', request: 'launch', name: 'F5' });
        assert.strictEqual(ok, true);
        session = await waitFor('the debug session', () => started);
      } finally {
        listener.dispose();
      }
      assert.strictEqual(session.type, 'backprop');
      assert.strictEqual(session.configuration.program, editor.document.uri.fsPath);
      await waitFor('the end of the run', () => (seen.terminated ? true : undefined));
    } finally {
      dispose();
    }
  });
});
