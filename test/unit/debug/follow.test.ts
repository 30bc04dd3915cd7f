/**
 * DebugFollow (src/extension/debug/follow.ts) in plain Node: what a file's inspector is given of a
 * debug session while heatmaps are opened and closed and the session stops, runs and ends with
 * replies still on their way. The `vscode` module it imports is replaced by the two things it
 * uses (EventEmitter, Uri.file); the session is a stub whose replies the test releases.
 */
import { strict as assert } from 'node:assert';
import Module = require('node:module');
import type { DebugFollow as DebugFollowClass } from '../../../src/extension/debug/follow';
import type { BackpropDebugSession, FollowEvent } from '../../../src/extension/debug/session';
import type { MatrixSource, MatrixValue, RunPosition } from '../../../src/extension/debug/protocol';
import type { InspectorDebugState } from '../../../src/extension/debugApi';

class StubEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (l: (e: T) => void): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

const vscodeStub = {
  EventEmitter: StubEmitter,
  Uri: { file: (p: string) => ({ fsPath: p, toString: () => `file://${p}` }) },
};

function loadFollow(): typeof DebugFollowClass {
  const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = M._load;
  M._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    return request === 'vscode' ? vscodeStub : load.call(this, request, parent, isMain);
  };
  try {
    return (require('../../../src/extension/debug/follow') as { DebugFollow: typeof DebugFollowClass }).DebugFollow;
  } finally {
    M._load = load;
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const FILE = '/ws/net.net.json';

/** A session stub: each matrix source has a fixed value; inspect and matrix replies wait for the test when held. */
class StubSession {
  readonly file = FILE;
  follow: ((e: FollowEvent) => void) | undefined;
  holdInspect: Deferred<void> | undefined;
  holdMatrix: Deferred<void> | undefined;
  /** Variables' references → sources (as the adapter's handles). */
  readonly refs = new Map<number, MatrixSource>();

  matrixSource(ref: number): MatrixSource | undefined {
    return this.refs.get(ref);
  }

  async matrix(source: MatrixSource): Promise<MatrixValue> {
    const hold = this.holdMatrix;
    if (hold !== undefined) await hold.promise;
    const n = source.of === 'layer' ? source.layer : 9;
    return { rows: 1, cols: 2, values: [n, source.of === 'layer' && source.name === 'dW' ? -n : n / 2] };
  }

  async inspect(): Promise<never> {
    const hold = this.holdInspect;
    if (hold !== undefined) await hold.promise;
    throw new Error('no snapshot in this test');
  }

  trace(): Promise<never> {
    return Promise.reject(new Error('no trace in this test'));
  }
}

const position = (epoch: number): RunPosition => ({ epoch, epochs: 4, batch: 1, batches: 2, stage: 'backward layer 1', layer: 1, tick: epoch * 10 });

/** Lets every settled promise's continuation run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('debug: the inspector follows the debugger (DebugFollow)', () => {
  const DebugFollow = loadFollow();

  function setUp(): { follow: DebugFollowClass; session: StubSession; state: () => InspectorDebugState } {
    const follow = new DebugFollow(() => undefined);
    const session = new StubSession();
    follow.attach(session as unknown as BackpropDebugSession);
    const debug = follow.forFile(vscodeStub.Uri.file(FILE) as unknown as Parameters<DebugFollowClass['forFile']>[0]);
    session.refs.set(1, { of: 'layer', layer: 1, name: 'W' });
    session.refs.set(2, { of: 'layer', layer: 2, name: 'W' });
    session.refs.set(3, { of: 'layer', layer: 1, name: 'dW' });
    return {
      follow,
      session,
      state: () => {
        const s = debug.current();
        assert.ok(s);
        return s;
      },
    };
  }

  const open = (f: DebugFollowClass, s: StubSession, ref: number, name: string): Promise<void> => f.openHeatmap(s as unknown as BackpropDebugSession, ref, name);

  it('a heatmap closed while a stop is being read is not replaced by another one\'s values', async () => {
    const { follow, session, state } = setUp();
    session.follow?.({ kind: 'stopped', position: position(1), description: 'Breakpoint', reason: 'breakpoint' });
    await settle();
    await open(follow, session, 1, 'W');
    await open(follow, session, 2, 'W');
    const [w1, w2] = state().heatmaps;
    assert.deepEqual([w1.name, w1.values, w2.name, w2.values], ['W (layer 1)', [1, 0.5], 'W (layer 2)', [2, 1]]);
    // the next stop: its reads wait; meanwhile the user closes W (layer 1)
    session.holdInspect = deferred();
    session.follow?.({ kind: 'stopped', position: position(2), description: 'Breakpoint', reason: 'breakpoint' });
    await settle();
    follow.forFile(vscodeStub.Uri.file(FILE) as unknown as Parameters<DebugFollowClass['forFile']>[0]).closeHeatmap(w1.id);
    session.holdInspect.resolve();
    await settle();
    await settle();
    const after = state().heatmaps;
    assert.deepEqual(after.map((h) => [h.id, h.name, h.values, h.status]), [[w2.id, 'W (layer 2)', [2, 1], 'current']]);
  });

  it('a heatmap opened while a stop is being read is kept, with its own values and the stop it was read at', async () => {
    const { follow, session, state } = setUp();
    session.follow?.({ kind: 'stopped', position: position(1), description: 'Breakpoint', reason: 'breakpoint' });
    await settle();
    await open(follow, session, 1, 'W');
    session.holdInspect = deferred();
    session.follow?.({ kind: 'stopped', position: position(2), description: 'Breakpoint', reason: 'breakpoint' });
    await settle();
    await open(follow, session, 3, 'dW');
    session.holdInspect.resolve();
    await settle();
    await settle();
    const after = state().heatmaps;
    assert.equal(after.length, 2);
    assert.deepEqual(after.map((h) => [h.name, h.values, h.status, h.at]), [
      ['W (layer 1)', [1, 0.5], 'current', 'epoch 2 of 4, batch 1 of 2, layer 1 — backward'],
      ['dW (layer 1)', [1, -1], 'current', 'epoch 2 of 4, batch 1 of 2, layer 1 — backward'],
    ]);
  });

  for (const kind of ['ended', 'running'] as const) {
    it(`a heatmap whose values arrive after the ${kind === 'ended' ? 'session ended' : 'run went on'} is marked ${kind}, not current`, async () => {
      const { follow, session, state } = setUp();
      session.follow?.({ kind: 'stopped', position: position(1), description: 'Breakpoint', reason: 'breakpoint' });
      await settle();
      session.holdMatrix = deferred();
      const opening = open(follow, session, 3, 'dW');
      session.follow?.({ kind });
      await settle();
      session.holdMatrix.resolve();
      await opening;
      const [h] = state().heatmaps;
      assert.deepEqual([h.values, h.status, h.at], [[1, -1], kind, 'epoch 1 of 4, batch 1 of 2, layer 1 — backward']);
      assert.equal(state().state, kind);
    });
  }
});
