// Unit tests (plain Node) for the training worker's logic (src/extension/worker/core.ts), driven
// directly with a manual scheduler and clock so every slice boundary is deterministic.
import * as assert from 'assert';
import { Network, Trainer } from '../../../src/engine';
import { loadNet } from '../../../src/engine/load';
import { WorkerCore, SLICE_MS } from '../../../src/extension/worker/core';
import type {
  HostToWorker,
  LoadResult,
  NoteMessage,
  RequestParams,
  RequestResult,
  RequestType,
  RunEnd,
  WorkerToHost,
} from '../../../src/extension/worker/protocol';
import type { BoundaryView, GradCheckView, NetworkView, TraceView } from '../../../src/shared/protocol';
import { XOR } from './fixtures';


/** A WorkerCore with a queue for setImmediate and a clock that advances `tick` ms per reading. */
class Harness {
  readonly posted: WorkerToHost[] = [];
  private readonly queue: (() => void)[] = [];
  private time = 0;
  private nextId = 1;
  readonly core: WorkerCore;

  constructor(public tick = 1) {
    this.core = new WorkerCore(
      (m) => this.posted.push(m),
      (fn) => this.queue.push(fn),
      undefined,
      () => (this.time += this.tick),
    );
  }

  send(m: HostToWorker): void {
    this.core.handle(m);
  }

  note(m: NoteMessage): void {
    this.core.handle(m);
  }

  /** Sends a request and returns its id. */
  start<K extends RequestType>(type: K, params: RequestParams<K>): number {
    const id = this.nextId++;
    this.core.handle({ kind: 'request', id, type, params } as HostToWorker);
    return id;
  }

  replyTo<K extends RequestType>(id: number, _type: K): RequestResult<K> {
    const r = this.posted.find((m) => m.kind === 'reply' && m.id === id);
    assert.ok(r && r.kind === 'reply', `a reply to request ${id}`);
    if (!r.ok) throw new Error(r.error);
    return r.result as RequestResult<K>;
  }

  hasReply(id: number): boolean {
    return this.posted.some((m) => m.kind === 'reply' && m.id === id);
  }

  request<K extends RequestType>(type: K, params: RequestParams<K>): RequestResult<K> {
    return this.replyTo(this.start(type, params), type);
  }

  /** Runs queued slices, at most `max`. Returns how many ran. */
  runSlices(max = Infinity): number {
    let n = 0;
    while (this.queue.length > 0 && n < max) {
      (this.queue.shift() as () => void)();
      n++;
    }
    return n;
  }

  get queued(): number {
    return this.queue.length;
  }

  progressEpochs(): number[] {
    return this.posted.flatMap((m) => (m.kind === 'event' && m.type === 'progress' ? m.points.map((p) => p.epoch) : []));
  }

  states(): string[] {
    return this.posted.flatMap((m) => (m.kind === 'event' && m.type === 'state' ? [m.state] : []));
  }
}

function loadOk(h: Harness, text = XOR): Extract<LoadResult, { ok: true }> {
  const r = h.request('load', { text, fileName: '/tmp/xor.net.json' });
  assert.ok(r.ok, `loads: ${r.ok ? '' : r.problems.map((p) => p.message).join('; ')}`);
  return r;
}

/** The same run done directly with the engine: the oracle for what the worker must produce. */
function directWeights(text: string, epochs: number, lr?: number): number[][][] {
  const loaded = loadNet(text, '/tmp/xor.net.json');
  assert.ok(loaded.spec && loaded.train);
  const net = Network.fromSpec(loaded.spec);
  const t = new Trainer(net, loaded.train, loaded.spec.training, loaded.spec.seed, loaded.validation);
  if (lr !== undefined) t.setLearningRate(lr);
  for (let e = 0; e < epochs; e++) t.runEpoch();
  return net.weights().map((l) => [...l.weights, l.biases]);
}

describe('extension: worker core', () => {
  it('loads a file and summarises it', () => {
    const h = new Harness();
    const r = loadOk(h);
    assert.deepStrictEqual(r.summary.sizes, [2, 3, 1]);
    // 2x3 weights + 3 biases + 3x1 weights + 1 bias
    assert.strictEqual(r.summary.parameters, 13);
    assert.strictEqual(r.summary.samples, 4);
    assert.strictEqual(r.summary.epochs, 40);
    assert.strictEqual(r.summary.name, 'xor');
  });

  it('reports the problems of a broken file and refuses to train it', () => {
    const h = new Harness();
    const broken = XOR.replace('"units": 3, "activation": "sigmoid"', '"units": 3, "activation": "sigmoidd"');
    const r = h.request('load', { text: broken, fileName: '/tmp/xor.net.json' });
    assert.strictEqual(r.ok, false);
    if (r.ok) return;
    const p = r.problems.find((x) => x.severity === 'error');
    assert.ok(p, 'an error');
    assert.strictEqual(broken.slice(p.offset, p.offset + p.length), '"sigmoidd"');
    const id = h.start('train', {});
    assert.throws(() => h.replyTo(id, 'train'), /no network is loaded/);
  });

  it('trains in slices, posting progress, and ends with the same weights as the engine run directly', () => {
    const h = new Harness(SLICE_MS / 3); // about three clock readings per slice -> a few epochs per slice
    loadOk(h);
    const id = h.start('train', {});
    assert.strictEqual(h.hasReply(id), false, 'a run replies only when it ends');
    const slices = h.runSlices();
    assert.ok(slices > 3, `the run yielded to the message loop between slices (${slices} slices)`);
    const end = h.replyTo(id, 'train');
    assert.strictEqual(end.reason, 'done');
    assert.strictEqual(end.epoch, 40);
    assert.strictEqual(end.epochsRun, 40);
    const epochs = h.progressEpochs();
    assert.deepStrictEqual(epochs, Array.from({ length: 40 }, (_, i) => i + 1), 'every epoch reported once, in order');
    assert.deepStrictEqual(h.states(), ['training', 'done']);
    const w = h.request('weights', {});
    assert.deepStrictEqual(w.map((l) => [...l.weights, l.biases]), directWeights(XOR, 40));
  });

  it('continues from the current weights when trained again', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    h.start('train', { epochs: 15 });
    h.runSlices();
    const id = h.start('train', { epochs: 25 });
    h.runSlices();
    assert.strictEqual(h.replyTo(id, 'train').epoch, 40);
    assert.deepStrictEqual(h.request('weights', {}).map((l) => [...l.weights, l.biases]), directWeights(XOR, 40));
  });

  it('pauses between slices, steps one epoch while paused, resumes and stops', () => {
    const h = new Harness(SLICE_MS); // one epoch per slice
    loadOk(h);
    const id = h.start('train', { epochs: 1000 });
    h.runSlices(3);
    h.note({ kind: 'note', type: 'pause' });
    h.runSlices(); // the scheduled slice sees the pause and schedules nothing more
    assert.strictEqual(h.queued, 0, 'nothing runs while paused');
    const at = h.request('network', {}).epoch;
    const step = h.request('step', {});
    assert.strictEqual(step.epochsRun, 1);
    assert.strictEqual(step.epoch, at + 1);
    h.note({ kind: 'note', type: 'resume' });
    h.runSlices(2);
    h.note({ kind: 'note', type: 'stop' });
    h.runSlices();
    const end = h.replyTo(id, 'train');
    assert.strictEqual(end.reason, 'stopped');
    assert.ok(end.epoch > at + 1 && end.epoch < 1000, `stopped early (epoch ${end.epoch})`);
    assert.deepStrictEqual(h.states(), ['training', 'paused', 'training', 'idle']);
    assert.deepStrictEqual(h.request('weights', {}).map((l) => [...l.weights, l.biases]), directWeights(XOR, end.epoch));
  });

  it('refuses a step while a run is going, and a second run', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    h.start('train', { epochs: 100 });
    assert.throws(() => h.request('step', {}), /pause it before stepping/);
    assert.throws(() => h.request('train', {}), /already running/);
  });

  it('applies a new learning rate from the next epoch on', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    h.request('step', {});
    h.note({ kind: 'note', type: 'setLearningRate', value: 2 });
    h.request('step', {});
    assert.strictEqual(h.request('network', {}).learningRate, 2);
    // Oracle: one epoch at 0.5, then one at 2, with the engine directly.
    const loaded = loadNet(XOR, '/tmp/xor.net.json');
    assert.ok(loaded.spec && loaded.train);
    const net = Network.fromSpec(loaded.spec);
    const t = new Trainer(net, loaded.train, loaded.spec.training, loaded.spec.seed);
    t.runEpoch();
    t.setLearningRate(2);
    t.runEpoch();
    assert.deepStrictEqual(h.request('weights', {}), net.weights());
  });

  it('traces one sample: output delta and update follow the delta rule of the notes', () => {
    const h = new Harness();
    loadOk(h);
    const tr: TraceView = h.request('trace', { sample: 1 });
    assert.deepStrictEqual(tr.x, [0, 1]);
    assert.deepStrictEqual(tr.t, [1]);
    const L = 2;
    const y = tr.out[L][0];
    // half squared error, sigmoid output: delta = (y - t) * y (1 - y)
    assert.strictEqual(tr.delta[L][0], (y - 1) * y * (1 - y));
    assert.strictEqual(tr.fprime[L][0], y * (1 - y));
    // the output layer's weights are the file's; net input = sum_k w_k o_k + b
    assert.deepStrictEqual(tr.W[L], [0.1, -0.2, 0.3]);
    const o1 = tr.out[1];
    assert.ok(Math.abs(tr.net[L][0] - (0.1 * o1[0] - 0.2 * o1[1] + 0.3 * o1[2])) < 1e-15);
    // the update this sample alone would make: -lr * delta_j * o_k
    assert.strictEqual(tr.uW[L][2], -0.5 * tr.delta[L][0] * o1[2]);
    assert.strictEqual(tr.ub[L][0], -0.5 * tr.delta[L][0]);
    assert.strictEqual(tr.loss, 0.5 * (1 - y) * (1 - y));
    assert.throws(() => h.request('trace', { sample: 4 }), /sample 4 does not exist/);
  });

  it('gradient-checks the network, passing', () => {
    const h = new Harness();
    loadOk(h);
    const r: GradCheckView = h.request('gradCheck', { maxPerLayer: 0 });
    assert.strictEqual(r.passed, true);
    assert.strictEqual(r.parameters, 13);
    // (the relative errors are the plain |a - n| / max(|a|, |n|) since issue 8: a gradient of 1e-5
    // differenced with h = 1e-5 carries about 1e-7 of round-off, within its own tolerance)
    assert.ok(r.entries.every((e) => e.status === 'ok'));
    assert.ok(r.maxRelativeError < 1e-6);
    assert.ok(r.entries.some((e) => e.name === 'w^2_{1,3}'));
  });

  it('samples the gradient check per layer when asked', () => {
    const h = new Harness();
    loadOk(h);
    const r: GradCheckView = h.request('gradCheck', { maxPerLayer: 2 });
    assert.strictEqual(r.parameters, 4);
  });

  it('gives the network view with the gradient over all samples, and the last update after training', () => {
    const h = new Harness();
    loadOk(h);
    const before: NetworkView = h.request('network', {});
    assert.strictEqual(before.layers[1].uW, undefined, 'no update before training');
    assert.strictEqual(before.layers[1].dW?.length, 3);
    h.request('step', {});
    const after: NetworkView = h.request('network', {});
    assert.strictEqual(after.layers[1].uW?.length, 3);
    // full batch sgd, one batch per epoch: the last update of a bias is -lr * its gradient before the step,
    // which is the gradient the view showed before the step
    assert.ok(Math.abs((after.layers[1].ub as number[])[0] - -0.5 * (before.layers[1].db as number[])[0]) < 1e-15);
  });

  it('draws the decision boundary of a two-input network on a grid with a 10% margin', () => {
    const h = new Harness();
    loadOk(h);
    const b = h.request('boundary', { size: 4 }) as BoundaryView;
    assert.strictEqual(b.values.length, 16);
    assert.strictEqual(b.classes, 0, 'targets without labels: regression-style values');
    assert.ok(Math.abs(b.xMin - -0.1) < 1e-12 && Math.abs(b.xMax - 1.1) < 1e-12);
    assert.deepStrictEqual(b.points.map((p) => [p.x, p.y, p.label]), [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]);
  });

  it('stops a diverging run at the failing batch, restores the weights and says where', () => {
    const h = new Harness(SLICE_MS);
    const wild = XOR.replace('"learningRate": 0.5', '"learningRate": 1e300').replace(/"activation": "sigmoid"/g, '"activation": "linear"');
    loadOk(h, wild);
    const id = h.start('train', { epochs: 50 });
    h.runSlices();
    const end: RunEnd = h.replyTo(id, 'train');
    assert.strictEqual(end.reason, 'diverged');
    assert.ok(end.divergence && end.divergence.epoch >= 1);
    assert.match(end.message ?? '', /epoch/);
    assert.ok(h.states().includes('diverged'));
    const w = h.request('weights', {});
    assert.ok(w.every((l) => l.weights.flat().every(Number.isFinite)), 'weights restored to finite values');
  });

  it('reset re-initialises every layer from the seed, ignoring the file weights', () => {
    const h = new Harness();
    loadOk(h);
    h.request('step', {});
    const w = h.request('reset', {});
    const loaded = loadNet(XOR, '/tmp/xor.net.json');
    assert.ok(loaded.spec);
    const fresh = Network.fromSpec({ ...loaded.spec, layers: loaded.spec.layers.map(({ units, activation, init }) => ({ units, activation, init })) });
    assert.deepStrictEqual(w, fresh.weights());
    assert.notDeepStrictEqual(w[1].weights, [[0.1, -0.2, 0.3]]);
    assert.strictEqual(h.request('network', {}).epoch, 0);
  });

  it('refuses to reload while training runs', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    h.start('train', { epochs: 100 });
    assert.throws(() => h.request('load', { text: XOR, fileName: '/tmp/xor.net.json' }), /stop it first/);
  });
});

describe('worker core: what it records (docs/runs.md)', () => {
  const records = (h: Harness) => h.posted.flatMap((m) => (m.kind === 'event' && m.type === 'record' ? [m.record] : []));
  const configure = (h: Harness, record: boolean): void =>
    h.note({ kind: 'note', type: 'configure', progressIntervalMs: 100, maxPointsPerMessage: 1000, threads: 1, record });

  it('with record: false it builds no record at all: none with the run end, none for steps', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    configure(h, false);
    const id = h.start('train', { epochs: 12 });
    h.runSlices();
    const end = h.replyTo(id, 'train');
    assert.strictEqual(end.reason, 'done');
    assert.strictEqual(end.record, undefined);
    h.request('step', {});
    h.request('step', {});
    h.request('endSteps', {});
    assert.deepStrictEqual(records(h), []);
    // and on again: the next run has its record
    configure(h, true);
    const id2 = h.start('train', { epochs: 3 });
    h.runSlices();
    assert.strictEqual(h.replyTo(id2, 'train').record?.epochs, 3);
  });

  it('consecutive "Step epoch" clicks are one run, ended by the next Train (its record first), with the live weights', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    for (let i = 0; i < 3; i++) h.request('step', {});
    const w3 = h.request('weights', {});
    assert.deepStrictEqual(records(h), [], 'the steps run is still going');
    const id = h.start('train', { epochs: 5 });
    const steps = records(h);
    assert.strictEqual(steps.length, 1, 'the Train ended the run of steps');
    assert.strictEqual(steps[0].startEpoch, 0);
    assert.strictEqual(steps[0].epochs, 3);
    assert.strictEqual(steps[0].end, 'done');
    assert.deepStrictEqual(steps[0].curve.map((p) => p.epoch), [1, 2, 3]);
    const last = steps[0].snapshots[steps[0].snapshots.length - 1];
    assert.strictEqual(last.epoch, 3);
    assert.deepStrictEqual(Array.from(last.state.parameters), w3.flatMap((l) => [...l.weights.flat(), ...l.biases]), 'the snapshot at its end holds the weights after the third step');
    h.runSlices();
    const end = h.replyTo(id, 'train');
    assert.strictEqual(end.record?.startEpoch, 3, 'the run goes on from the steps');
    assert.strictEqual(end.record?.epochs, 5);
  });

  it('a run of steps also ends at Reset, at a reload and at endSteps (the session closing); a step in a paused run is that run\'s', () => {
    const h = new Harness(SLICE_MS);
    loadOk(h);
    h.request('step', {});
    h.request('reset', {});
    assert.strictEqual(records(h).length, 1);
    h.request('step', {});
    h.request('step', {});
    loadOk(h);
    assert.deepStrictEqual(records(h).map((r) => r.epochs), [1, 2]);
    h.request('step', {});
    assert.strictEqual(h.request('endSteps', {}), null);
    assert.deepStrictEqual(records(h).map((r) => r.epochs), [1, 2, 1]);
    h.request('endSteps', {});
    assert.strictEqual(records(h).length, 3, 'nothing more to end');
    const id = h.start('train', { epochs: 1000 });
    h.runSlices(1);
    h.note({ kind: 'note', type: 'pause' });
    h.request('step', {});
    h.note({ kind: 'note', type: 'stop' });
    h.runSlices();
    assert.strictEqual(records(h).length, 3, 'no run of steps inside a run');
    const end = h.replyTo(id, 'train');
    assert.strictEqual(end.record?.epochs, end.epochsRun, 'the step is in the run\'s record');
  });
});
