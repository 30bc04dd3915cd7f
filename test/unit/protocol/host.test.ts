/**
 * The host side of the inspector protocol, in plain Node: the controller with a stub training
 * session (our own TrainingSessionApi interface, not a fake `vscode`) and a recording transport;
 * the rate limiter with a manual clock; the page's Content Security Policy; and where "reveal"
 * lands in a .net.json text.
 */
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { InspectorController, type ControllerTiming } from '../../../src/extension/inspector/controller';
import { contentSecurityPolicy, inspectorHtml, makeNonce } from '../../../src/extension/inspector/html';
import { locateParameter } from '../../../src/extension/inspector/reveal';
import { Throttle, type Timers } from '../../../src/extension/inspector/throttle';
import type { SessionProgress, TrainingSessionApi } from '../../../src/extension/sessionApi';
import type { InspectorDebug, InspectorDebugState } from '../../../src/extension/debugApi';
import type {
  BoundaryView,
  EpochPoint,
  GradCheckView,
  NetworkView,
  RevealMessage,
  ToWebview,
  TraceView,
  TrainingState,
} from '../../../src/shared/protocol';

/** A manual clock: timers fire only when the test advances time. */
class ManualTimers implements Timers {
  t = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.queue = this.queue.filter((q) => q.id !== h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const q = this.queue[0];
      if (!q || q.at > end) break;
      this.queue.shift();
      this.t = q.at;
      q.fn();
    }
    this.t = end;
  }
}

class Emitter<T> {
  private listeners = new Set<(e: T) => unknown>();
  readonly event = (listener: (e: T) => unknown): vscode.Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  get count(): number {
    return this.listeners.size;
  }
}

function networkView(inputs: number): NetworkView {
  return {
    name: 'n',
    fileName: 'n.net.json',
    sizes: [inputs, 1],
    activations: ['sigmoid'],
    loss: 'half-squared-error',
    classification: false,
    samples: 4,
    learningRate: 0.5,
    epoch: 0,
    layers: [{ layer: 1, units: 1, inputs, activation: 'sigmoid', W: new Array<number>(inputs).fill(0.1), b: [0] }],
    stats: [],
    optimizer: 'sgd',
    batchSize: 4,
    l2: 0,
  };
}

/** A training session that records calls and lets the test fire its events. */
class StubSession implements TrainingSessionApi {
  declare readonly uri: vscode.Uri;
  state: TrainingState = 'idle';
  calls: string[] = [];
  fail?: string;
  readonly progress = new Emitter<SessionProgress>();
  readonly stateEvents = new Emitter<{ state: TrainingState; message?: string }>();
  readonly changed = new Emitter<void>();
  readonly onProgress = this.progress.event;
  readonly onState = this.stateEvents.event;
  readonly onNetworkChanged = this.changed.event;
  constructor(private readonly inputs = 2) {}
  history(): EpochPoint[] {
    return [{ epoch: 1, loss: 0.5 }];
  }
  readonly historyCapacity = 50;
  networkError?: string;
  /** When set, network() waits for it (a worker still loading the file). */
  networkGate?: Promise<void>;
  async network(): Promise<NetworkView> {
    this.calls.push('network');
    if (this.networkGate) await this.networkGate;
    if (this.networkError) throw new Error(this.networkError);
    return networkView(this.inputs);
  }
  async train(): Promise<void> {
    this.calls.push('train');
    if (this.fail) throw new Error(this.fail);
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  async step(): Promise<void> {
    this.calls.push('step');
  }
  stop(): void {
    this.calls.push('stop');
  }
  async reset(): Promise<void> {
    this.calls.push('reset');
  }
  setLearningRate(v: number): void {
    this.calls.push(`lr ${v}`);
  }
  async trace(sample: number): Promise<TraceView> {
    this.calls.push(`trace ${sample}`);
    if (sample >= 4) throw new Error(`sample ${sample + 1} does not exist: the data has 4 samples`);
    return { sample, x: [0, 1], t: [1], net: [[], [0]], out: [[0, 1], [0.5]], delta: [[], [-0.1]], fprime: [[], [0.25]], backSum: [[], []], dEdy: [-0.5], loss: 0.125, learningRate: 0.5, l2: 0, W: [[], [0.1, 0.1]], b: [[], [0]], uW: [[], [0, 0.05]], ub: [[], [0.05]], newW: [[], [0.1, 0.15]], newB: [[], [0.05]] };
  }
  /** When set, gradCheck() waits for it (a long check). */
  checkGate?: Promise<void>;
  async gradCheck(): Promise<GradCheckView> {
    this.calls.push('gradcheck');
    if (this.checkGate) await this.checkGate;
    return { passed: true, maxRelativeError: 1e-9, parameters: 3, entries: [], worst: [], thresholds: { pass: 1e-7, fail: 1e-4 }, seconds: 0.01 };
  }
  async boundary(size: number): Promise<BoundaryView | undefined> {
    this.calls.push(`boundary ${size}`);
    return this.inputs === 2 ? { size, xMin: 0, xMax: 1, yMin: 0, yMax: 1, values: new Array<number>(size * size).fill(0), points: [], classes: 2 } : undefined;
  }
}

const TIMING: ControllerTiming = { progressMs: 100, networkMs: 400, boundarySize: 8 };
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(inputs = 2): { c: InspectorController; s: StubSession; sent: ToWebview[]; logs: string[]; revealed: RevealMessage[]; timers: ManualTimers } {
  const s = new StubSession(inputs);
  const sent: ToWebview[] = [];
  const logs: string[] = [];
  const revealed: RevealMessage[] = [];
  const timers = new ManualTimers();
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const c = new InspectorController(s, { post: (m) => sent.push(m) }, log, (m) => void revealed.push(m), 'file:///w/n.net.json', TIMING, timers);
  return { c, s, sent, logs, revealed, timers };
}

describe('inspector controller (host side)', () => {
  it('sends nothing before ready, then init (with the file URI and history) and the boundary', async () => {
    const { c, s, sent } = setup();
    s.progress.fire({ points: [{ epoch: 1, loss: 1 }], epoch: 1, totalEpochs: 10 });
    s.stateEvents.fire({ state: 'training' });
    await settle();
    assert.equal(sent.length, 0);
    c.receive({ type: 'ready' });
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['init', 'boundary']);
    const init = sent[0] as Extract<ToWebview, { type: 'init' }>;
    assert.equal(init.uri, 'file:///w/n.net.json');
    assert.deepEqual(init.history, [{ epoch: 1, loss: 0.5 }]);
    assert.equal((sent[1] as Extract<ToWebview, { type: 'boundary' }>).boundary.size, 8);
  });

  it('asks for no boundary for a network without two inputs', async () => {
    const { c, s, sent } = setup(4);
    c.receive({ type: 'ready' });
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['init']);
    assert.ok(!s.calls.some((x) => x.startsWith('boundary')));
  });

  it('ignores a message that does not fit the protocol, with a log line naming why', async () => {
    const { c, s, sent, logs } = setup();
    c.receive({ type: 'control', action: 'format-disk' });
    c.receive({ type: 'setLearningRate', value: -1 });
    c.receive('ready');
    await settle();
    assert.deepEqual(s.calls, []);
    assert.equal(sent.length, 0);
    assert.equal(logs.length, 3);
    assert.ok(logs[0].startsWith('warn ') && logs[0].includes('unknown action "format-disk"'), logs[0]);
  });

  it('maps controls to the session and reports failures to the webview and the log', async () => {
    const { c, s, sent, logs } = setup();
    c.receive({ type: 'ready' });
    for (const action of ['pause', 'resume', 'step', 'stop', 'reset']) c.receive({ type: 'control', action });
    c.receive({ type: 'setLearningRate', value: 0.25 });
    await settle();
    assert.deepEqual(s.calls.filter((x) => !x.startsWith('network') && !x.startsWith('boundary')), ['pause', 'resume', 'step', 'stop', 'reset', 'lr 0.25']);
    s.fail = 'the file has errors: fix them first';
    c.receive({ type: 'control', action: 'train' });
    await settle();
    assert.deepEqual(sent[sent.length - 1], { type: 'problem', message: 'the file has errors: fix them first' });
    assert.ok(logs.some((l) => l.startsWith('error ') && l.includes('control train failed')));
  });

  it('answers trace and gradCheck requests and reveal through the session, each reply by its id, a bad sample with an error reply', async () => {
    const { c, sent, revealed } = setup();
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    c.receive({ kind: 'request', id: 1, type: 'trace', params: { sample: 2 } });
    c.receive({ kind: 'request', id: 2, type: 'gradCheck', params: {} });
    c.receive({ type: 'reveal', layer: 1, kind: 'w', j: 0, k: 1 });
    c.receive({ kind: 'request', id: 3, type: 'trace', params: { sample: 9 } });
    await settle();
    const replies = sent.filter((m): m is Extract<ToWebview, { kind: 'reply' }> => 'kind' in m && m.kind === 'reply');
    assert.equal(replies.length, sent.length, 'requests are answered by replies only');
    const byId = new Map(replies.map((r) => [r.id, r]));
    const trace = byId.get(1)!;
    assert.ok(trace.ok && (trace.result as TraceView).sample === 2);
    const check = byId.get(2)!;
    assert.ok(check.ok && (check.result as GradCheckView).passed);
    const bad = byId.get(3)!;
    assert.ok(!bad.ok && /sample 10 does not exist/.test(bad.error), JSON.stringify(bad));
    assert.deepEqual(revealed, [{ type: 'reveal', layer: 1, kind: 'w', j: 0, k: 1 }]);
  });

  it('a problem elsewhere (a failed control) does not end a running gradient check: its reply still comes, by its id', async () => {
    const { c, s, sent } = setup();
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    let open: () => void = () => undefined;
    s.checkGate = new Promise<void>((r) => (open = r));
    c.receive({ kind: 'request', id: 7, type: 'gradCheck', params: {} });
    await settle();
    s.fail = 'the file has errors: fix them first';
    c.receive({ type: 'control', action: 'train' });
    await settle();
    assert.deepEqual(sent, [{ type: 'problem', message: 'the file has errors: fix them first' }], 'the problem is an event, not a reply');
    open();
    await settle();
    await settle();
    const reply = sent[1] as Extract<ToWebview, { kind: 'reply' }>;
    assert.ok(reply.kind === 'reply' && reply.id === 7 && reply.ok && (reply.result as GradCheckView).passed, JSON.stringify(sent));
  });

  it('drops the reply to a request of a page that has gone: the new page\'s request of the same id gets only its own', async () => {
    for (const gone of ['hidden', 'reloaded'] as const) {
      const { c, s, sent } = setup();
      c.receive({ type: 'ready' });
      await settle();
      let open: () => void = () => undefined;
      s.checkGate = new Promise<void>((r) => (open = r));
      c.receive({ kind: 'request', id: 1, type: 'gradCheck', params: {} });
      await settle();
      if (gone === 'hidden') {
        c.setVisible(false);
        c.setVisible(true);
      }
      c.receive({ type: 'ready' }); // the new page; its Requester counts from 1 again
      await settle();
      sent.length = 0;
      c.receive({ kind: 'request', id: 1, type: 'trace', params: { sample: 2 } });
      await settle();
      open(); // the old page's check ends after the new page is ready
      await settle();
      await settle();
      const replies = sent.filter((m): m is Extract<ToWebview, { kind: 'reply' }> => 'kind' in m && m.kind === 'reply');
      assert.equal(replies.length, 1, `${gone}: ${JSON.stringify(replies)}`);
      assert.ok(replies[0].id === 1 && replies[0].ok && (replies[0].result as TraceView).sample === 2, `${gone}: ${JSON.stringify(replies[0])}`);
    }
  });

  it('sends progress at a bounded rate however fast the session reports, losing no point', async () => {
    const { c, s, sent, timers } = setup();
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    // 40 events of 1 point each within 100 ms, then 200 ms more
    for (let e = 1; e <= 40; e++) {
      s.progress.fire({ points: [{ epoch: e, loss: 1 / e }], epoch: e, totalEpochs: 100 });
      timers.advance(2.5);
    }
    timers.advance(200);
    await settle();
    const progress = sent.filter((m): m is Extract<ToWebview, { type: 'progress' }> => m.type === 'progress');
    assert.ok(progress.length <= 3, `${progress.length} progress messages for 100 ms`);
    assert.deepEqual(progress.flatMap((p) => p.points.map((q) => q.epoch)), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal(progress[progress.length - 1].epoch, 40);
  });

  it('never lets a throttled progress message carry the old state past a state change', async () => {
    const { c, s, sent, timers } = setup();
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    s.state = 'training';
    s.progress.fire({ points: [{ epoch: 1, loss: 1 }], epoch: 1, totalEpochs: 100 });
    s.progress.fire({ points: [{ epoch: 2, loss: 0.5 }], epoch: 2, totalEpochs: 100 });
    // The run is stopped while epoch 2 still waits for the throttle.
    s.state = 'idle';
    s.stateEvents.fire({ state: 'idle' });
    timers.advance(500);
    await settle();
    const states = sent.filter((m) => m.type === 'progress' || m.type === 'state').map((m) => (m as { state: TrainingState }).state);
    assert.equal(states[states.length - 1], 'idle', `the last state sent is ${states[states.length - 1]} (${states.join(', ')})`);
    const points = sent.flatMap((m) => (m.type === 'progress' ? m.points.map((q) => q.epoch) : []));
    assert.deepEqual(points, [1, 2], 'no point is lost');
  });

  it('compacts a burst larger than one message allows, keeping first, last and extremes', async () => {
    const { c, s, sent, timers } = setup();
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    const points = Array.from({ length: 1000 }, (_, i) => ({ epoch: i + 1, loss: i === 500 ? 99 : 1 }));
    s.progress.fire({ points, epoch: 1000, totalEpochs: 1000 });
    timers.advance(500);
    const p = sent.find((m): m is Extract<ToWebview, { type: 'progress' }> => m.type === 'progress')!;
    assert.ok(p.points.length <= 50);
    assert.equal(p.points[0].epoch, 1);
    assert.equal(p.points[p.points.length - 1].epoch, 1000);
    assert.ok(p.points.some((q) => q.loss === 99));
  });

  it('stops sending when hidden and starts again with a fresh init on the next ready', async () => {
    const { c, s, sent, timers } = setup();
    c.receive({ type: 'ready' });
    await settle();
    c.setVisible(false);
    sent.length = 0;
    s.progress.fire({ points: [{ epoch: 2, loss: 0.4 }], epoch: 2, totalEpochs: 10 });
    s.stateEvents.fire({ state: 'paused' });
    timers.advance(1000);
    await settle();
    assert.equal(sent.length, 0);
    c.setVisible(true);
    c.receive({ type: 'ready' });
    await settle();
    assert.equal(sent[0].type, 'init');
  });

  it('reports a file it cannot load, and sends init once the file is fixed', async () => {
    const { c, s, sent, timers } = setup();
    s.networkError = 'xor.net.json:4:5: error: "units" must be a positive integer';
    c.receive({ type: 'ready' });
    await settle();
    assert.deepEqual(sent, [{ type: 'problem', message: s.networkError }]);
    s.networkError = undefined;
    s.changed.fire();
    timers.advance(500);
    await settle();
    assert.equal(sent[1].type, 'init');
    assert.equal(sent.filter((m) => m.type === 'init').length, 1);
  });

  it('sends one init when the network changes while the first is still under way', async () => {
    const { c, s, sent, timers } = setup();
    let open!: () => void;
    s.networkGate = new Promise((r) => (open = r));
    c.receive({ type: 'ready' });
    await settle();
    s.changed.fire(); // e.g. the worker finished loading the file
    timers.advance(500);
    await settle();
    s.networkGate = undefined;
    open();
    await settle();
    await settle();
    assert.equal(sent.filter((m) => m.type === 'init').length, 1, sent.map((m) => m.type).join());
    assert.equal(sent[0].type, 'init');
  });

  it('refreshes the network after a change outside training, and unsubscribes on dispose', async () => {
    const { c, s, sent, timers } = setup();
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    s.changed.fire();
    timers.advance(500);
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['network', 'boundary']);
    c.dispose();
    assert.equal(s.progress.count + s.stateEvents.count + s.changed.count, 0);
    s.changed.fire();
    timers.advance(1000);
    await settle();
    assert.equal(sent.length, 2);
  });
});

/** The debugger's state of a file, set by the test. */
class StubDebug implements InspectorDebug {
  state: InspectorDebugState | undefined;
  closed: number[] = [];
  traced: number[] = [];
  readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  current(): InspectorDebugState | undefined {
    return this.state;
  }
  async trace(sample: number): Promise<TraceView> {
    this.traced.push(sample);
    return { sample, x: [9, 9], t: [1], net: [[], [0]], out: [[9, 9], [0.5]], delta: [[], [-0.1]], fprime: [[], [0.25]], backSum: [[], []], dEdy: [-0.5], loss: 0.125, learningRate: 0.5, l2: 0, W: [[], [0.1, 0.1]], b: [[], [0]], uW: [[], [0, 0.05]], ub: [[], [0.05]], newW: [[], [0.1, 0.15]], newB: [[], [0.05]] };
  }
  closeHeatmap(id: number): void {
    this.closed.push(id);
  }
  set(state: InspectorDebugState | undefined): void {
    this.state = state;
    this.changed.fire();
  }
}

describe('inspector controller: following the debugger', () => {
  const stopped = (): InspectorDebugState => {
    const network = { ...networkView(2), epoch: 7, learningRate: 0.125 };
    return {
      state: 'stopped',
      banner: 'Debugger: stopped at epoch 8, batch 1, layer 1 — backward · these are the debugger\'s values, not the file\'s',
      detail: 'Breakpoint on layer 1',
      network,
      boundary: { size: 8, xMin: 0, xMax: 1, yMin: 0, yMax: 1, values: new Array<number>(64).fill(1), points: [], classes: 2 },
      history: [{ epoch: 7, loss: 0.25 }],
      heatmaps: [{ id: 1, name: 'dW (layer 1)', rows: 1, cols: 2, values: [0.5, -0.25], at: 'epoch 8, batch 1, layer 1 — backward', status: 'current' }],
    };
  };

  it('shows the stopped state (the debugger\'s network, boundary and losses), holds back the session\'s, answers traces from the debugger, refuses training, and returns to the file at the end', async () => {
    const { c, s, sent, timers } = setup();
    const d = new StubDebug();
    c.followDebugger(d);
    c.receive({ type: 'ready' });
    await settle();
    sent.length = 0;
    d.set(stopped());
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['debug', 'network', 'boundary']);
    const dm = sent[0] as Extract<ToWebview, { type: 'debug' }>;
    assert.deepEqual([dm.state, dm.banner, dm.history, dm.heatmaps.map((h) => h.values)], ['stopped', stopped().banner, [{ epoch: 7, loss: 0.25 }], [[0.5, -0.25]]]);
    assert.equal((sent[1] as Extract<ToWebview, { type: 'network' }>).network.epoch, 7);
    // the file's session meanwhile: its progress, state and network are not sent
    sent.length = 0;
    s.progress.fire({ points: [{ epoch: 1, loss: 1 }], epoch: 1, totalEpochs: 10 });
    s.stateEvents.fire({ state: 'training' });
    s.changed.fire();
    timers.advance(1000);
    await settle();
    assert.equal(sent.length, 0, JSON.stringify(sent));
    // a trace is the debugger's; the gradient check and training from here are refused
    c.receive({ kind: 'request', id: 4, type: 'trace', params: { sample: 1 } });
    c.receive({ kind: 'request', id: 5, type: 'gradCheck', params: {} });
    c.receive({ type: 'control', action: 'train' });
    c.receive({ type: 'setLearningRate', value: 0.5 });
    c.receive({ type: 'closeDebugHeatmap', id: 1 });
    await settle();
    assert.deepEqual(d.traced, [1]);
    assert.deepEqual(d.closed, [1]);
    assert.ok(!s.calls.some((x) => x === 'train' || x.startsWith('lr') || x === 'gradcheck' || x.startsWith('trace')), s.calls.join(', '));
    const byId = new Map(sent.filter((m): m is Extract<ToWebview, { kind: 'reply' }> => 'kind' in m && m.kind === 'reply').map((r) => [r.id, r]));
    assert.ok(byId.get(4)?.ok && ((byId.get(4) as { result: TraceView }).result.x[0] === 9));
    assert.ok(byId.get(5) && !byId.get(5)!.ok && /gradient check works on the file's network/.test((byId.get(5) as { error: string }).error));
    assert.equal(sent.filter((m) => m.type === 'problem').length, 2);
    // running: the banner changes, nothing else is sent
    sent.length = 0;
    d.set({ ...stopped(), state: 'running', banner: 'Debugger: running' });
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['debug']);
    // ended: the ended state (heatmaps marked), then the file's state again with a fresh init
    sent.length = 0;
    d.set({ state: 'ended', banner: '', heatmaps: [{ ...stopped().heatmaps[0], status: 'ended' }] });
    await settle();
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['debug', 'init', 'debug', 'boundary']);
    assert.equal((sent[1] as Extract<ToWebview, { type: 'init' }>).network.epoch, 0);
    // and the session's events are sent again
    sent.length = 0;
    s.stateEvents.fire({ state: 'training' });
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['state']);
  });

  it('an inspector opened while the debugger is stopped shows the stopped state right after its init', async () => {
    const { c, sent } = setup();
    const d = new StubDebug();
    d.state = stopped();
    c.followDebugger(d);
    c.receive({ type: 'ready' });
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ['init', 'debug', 'network', 'boundary']);
    assert.equal((sent[2] as Extract<ToWebview, { type: 'network' }>).network.epoch, 7);
  });
});

describe('Throttle', () => {
  it('runs at most once per interval and always runs after the last trigger', () => {
    const timers = new ManualTimers();
    const runs: number[] = [];
    const t = new Throttle(100, () => runs.push(timers.now()), timers);
    for (let i = 0; i < 50; i++) {
      t.trigger();
      timers.advance(7);
    }
    timers.advance(200);
    // leading run at 0, then one per 100 ms while triggered, and a trailing one
    assert.deepEqual(runs, [0, 100, 200, 300, 400]);
    t.dispose();
    t.trigger();
    timers.advance(500);
    assert.equal(runs.length, 5);
  });
});

describe('inspector page', () => {
  it('has the strict CSP: nothing by default, scripts only with the nonce, styles and fonts from the extension', () => {
    const csp = contentSecurityPolicy('https://*.vscode-cdn.net', 'abc');
    assert.equal(csp, "default-src 'none'; img-src https://*.vscode-cdn.net data:; style-src https://*.vscode-cdn.net; font-src https://*.vscode-cdn.net; script-src 'nonce-abc'");
    const html = inspectorHtml({ cspSource: 'https://*.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/dist/webview.css', nonce: 'abc' });
    assert.ok(html.includes(`content="${csp}"`));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(html.includes('<script nonce="abc" src="https://x/dist/webview.js"></script>'));
    assert.ok(!/style=/.test(html) && !/<style/.test(html), 'no inline style');
  });

  it('refuses resource strings that could break out of an attribute, and makes distinct nonces', () => {
    assert.throws(() => inspectorHtml({ cspSource: 'x', scriptUri: 'https://x/a.js"><script>alert(1)</script>', styleUri: 's', nonce: 'n' }));
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, makeNonce());
  });
});

describe('reveal: where a parameter is in the file', () => {
  const text = `// comment
{
  "layers": [
    { "units": 2 },
    { "units": 2, "activation": "tanh", "weights": [[0.5, -1.25], [3, 4e-2]], "biases": [0.1, 0.2], },
    { "units": 1, "activation": "sigmoid" }
  ]
}`;

  it('selects exactly the number w^l_jk / b^l_j (1-based layer, 0-based j, k)', () => {
    const w = locateParameter(text, { layer: 1, kind: 'w', j: 0, k: 1 })!;
    assert.equal(text.slice(w.offset, w.offset + w.length), '-1.25');
    assert.equal(w.exact, true);
    const w2 = locateParameter(text, { layer: 1, kind: 'w', j: 1, k: 1 })!;
    assert.equal(text.slice(w2.offset, w2.offset + w2.length), '4e-2');
    const b = locateParameter(text, { layer: 1, kind: 'b', j: 1 })!;
    assert.equal(text.slice(b.offset, b.offset + b.length), '0.2');
  });

  it('falls back to the layer when the file does not write its weights', () => {
    const r = locateParameter(text, { layer: 2, kind: 'w', j: 0, k: 0 })!;
    assert.equal(r.exact, false);
    assert.ok(text.slice(r.offset, r.offset + r.length).startsWith('{ "units": 1, "activation": "sigmoid" }'));
  });
});
