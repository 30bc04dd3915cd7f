/**
 * Runs: recording (snapshot epochs, curve, gradients over time), the readable diff of settings,
 * replay (a replayed state equals the live one bit for bit, from every snapshot, after a learning
 * rate change, after a round trip through bytes), the store's bounds, and the loss CSV.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNet, networkFor } from '../../../src/engine/load';
import { Trainer, type TrainerCheckpoint } from '../../../src/engine/trainer';
import {
  RunRecorder,
  RunStore,
  Replayer,
  ThinnedSeries,
  changesLabel,
  compareWith,
  decodeRecord,
  diffSettings,
  encodeRecord,
  historyCsv,
  isSnapshotOffset,
  nodeRunFolder,
  overBounds,
  runSettings,
  trainerForRecord,
  type RunRecord,
} from '../../../src/engine/runs';

const FILE = path.join(os.tmpdir(), 'runs-test', 'spiral.net.json');

function netText(opts: { optimizer?: string; lr?: number; batch?: number; hidden?: number; seed?: number } = {}): string {
  return `// a test network
{
  "seed": ${opts.seed ?? 3},
  "layers": [{ "units": 2 }, { "units": ${opts.hidden ?? 6}, "activation": "tanh" }, { "units": 3, "activation": "softmax" }],
  "loss": "cross-entropy",
  "training": { "optimizer": "${opts.optimizer ?? 'adam'}", "learningRate": ${opts.lr ?? 0.05}, "epochs": 30, "batchSize": ${opts.batch ?? 16} },
  "data": { "generator": "spiral", "samples": 60, "noise": 0.05, "classes": 3 },
  "validation": 0.2
}`;
}

function start(text: string): { trainer: Trainer; rec: (now?: number) => RunRecorder; spec: NonNullable<ReturnType<typeof loadNet>['spec']> } {
  const loaded = loadNet(text, FILE);
  assert.ok(loaded.spec && loaded.train, 'the test network loads');
  const { spec, train, validation } = loaded;
  const trainer = new Trainer(networkFor(spec, 'train'), train, spec.training, spec.seed, validation);
  return { trainer, spec, rec: (now = 1_700_000_000_000) => new RunRecorder(trainer, { file: FILE, text, spec, train, validation, source: 'cli', now }) };
}

/** Every byte of a checkpoint that decides how training continues. */
function bytes(c: TrainerCheckpoint): Buffer {
  const parts = [c.parameters, c.order, ...c.optimizer.sets].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const rng = Buffer.from(new Int32Array(c.rng.words.map((w) => w | 0)).buffer);
  const misc = Buffer.from(new Float64Array([c.epoch, c.optimizer.steps, c.optimizer.learningRate, c.rng.spareNormal ?? -1]).buffer);
  return Buffer.concat([...parts, rng, misc]);
}

/** Trains `epochs` epochs live with a recorder, keeping the live state of every epoch (independently of the recorder). */
function liveRun(text: string, epochs: number, lrChange?: { after: number; to: number }): { record: RunRecord; live: Map<number, Buffer> } {
  const { trainer, rec } = start(text);
  const recorder = rec();
  const live = new Map<number, Buffer>([[0, bytes(trainer.checkpoint())]]);
  for (let e = 0; e < epochs; e++) {
    if (lrChange && trainer.epoch === lrChange.after) {
      trainer.setLearningRate(lrChange.to);
      recorder.learningRate(lrChange.to);
    }
    recorder.epoch(trainer.runEpoch());
    live.set(trainer.epoch, bytes(trainer.checkpoint()));
  }
  return { record: recorder.finish('done'), live };
}

describe('runs: recording', () => {
  it('takes snapshots at the start, the first ten epochs, then 20, 40, 80, ... epochs in, and at the end', () => {
    const offsets = Array.from({ length: 200 }, (_, k) => k).filter(isSnapshotOffset);
    assert.deepEqual(offsets, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 40, 80, 160]);
    const { record } = liveRun(netText(), 45);
    assert.deepEqual(record.snapshots.map((s) => s.epoch), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 40, 45]);
    assert.equal(record.epochs, 45);
    assert.equal(record.startEpoch, 0);
    assert.equal(record.curve.length, 45);
    assert.equal(record.final?.epoch, 45);
    assert.equal(record.curve[44], record.final);
    assert.equal(record.gradients.length, 45);
    assert.equal(record.gradients[0].norm.length, 2, 'one gradient norm per layer');
    assert.ok(record.gradients.every((g) => g.norm.every((n) => n > 0) && g.ratio.every((r) => r > 0)));
    assert.equal(record.seed, 3);
    assert.equal(record.source, 'cli');
    assert.match(record.startedAt, /^2023-11-14T/);
  });

  it('gradient norm and update/weight ratio are the layer\'s |dW,db| and |u|/|W,b| at the epoch\'s end', () => {
    const { trainer, rec } = start(netText({ optimizer: 'sgd', lr: 0.1 }));
    const recorder = rec();
    recorder.epoch(trainer.runEpoch());
    const g = recorder.finish('done').gradients[0];
    const l1 = trainer.net.layers[0];
    const u = trainer.lastUpdate(1);
    let gg = 0;
    for (const x of [...l1.dW, ...l1.db]) gg += x * x;
    let uu = 0;
    for (const x of [...u.W, ...u.b]) uu += x * x;
    let ww = 0;
    for (const x of [...l1.W, ...l1.b]) ww += x * x;
    assert.equal(g.norm[0], Math.sqrt(gg));
    assert.equal(g.ratio[0], Math.sqrt(uu) / Math.sqrt(ww));
    // sgd: u = -lr g, so |u| = lr |g| (the gradient is of the epoch's last batch, as u)
    assert.ok(Math.abs(Math.sqrt(uu) - 0.1 * Math.sqrt(gg)) <= 1e-12 * Math.sqrt(gg));
  });

  it('thins a long series evenly and keeps the newest point', () => {
    const s = new ThinnedSeries<{ epoch: number }>(8);
    for (let e = 1; e <= 100; e++) s.push({ epoch: e });
    const epochs = s.values().map((p) => p.epoch);
    assert.ok(epochs.length <= 9, `${epochs.length} points`);
    assert.equal(epochs[epochs.length - 1], 100);
    const steps = epochs.slice(1, -1).map((e, i) => e - epochs[i]);
    assert.ok(steps.every((d) => d === steps[0]), `even spacing: ${epochs.join(' ')}`);
  });

  it('a run that goes on from an earlier one starts at its epoch and snapshots relative to it', () => {
    const { trainer, rec } = start(netText());
    trainer.run(7);
    const recorder = rec();
    for (let e = 0; e < 25; e++) recorder.epoch(trainer.runEpoch());
    const r = recorder.finish('stopped');
    assert.equal(r.startEpoch, 7);
    assert.equal(r.epochs, 25);
    assert.deepEqual(r.snapshots.map((s) => s.epoch), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 27, 32]);
  });
});

describe('runs: what changed', () => {
  it('names each changed setting with its old and new value, readably', () => {
    const a = runSettings(start(netText()).spec);
    const b = runSettings(start(netText({ lr: 0.01, hidden: 8 })).spec);
    assert.deepEqual(diffSettings(a, a), []);
    assert.deepEqual(diffSettings(a, b), [
      { path: 'layer 1', before: '6 tanh (xavier)', after: '8 tanh (xavier)' },
      { path: 'training.learningRate', before: '0.05', after: '0.01' },
    ]);
    assert.equal(changesLabel(diffSettings(a, b)), 'layer 1 6 tanh (xavier) → 8 tanh (xavier), learningRate 0.05 → 0.01');
    const c = runSettings(start(netText({ optimizer: 'sgd', seed: 9, batch: 4 })).spec);
    assert.deepEqual(diffSettings(a, c).map((x) => `${x.path}: ${x.before} -> ${x.after}`), [
      'seed: 3 -> 9',
      'training.optimizer: adam -> sgd',
      'training.batchSize: 16 -> 4',
    ]);
  });

  it('the recorder compares with the previous run of the file', () => {
    const first = liveRun(netText(), 2).record;
    const { trainer, spec } = start(netText({ lr: 0.2 }));
    const loaded = loadNet(netText({ lr: 0.2 }), FILE);
    assert.ok(loaded.spec && loaded.train);
    const rec = new RunRecorder(trainer, { file: FILE, text: netText({ lr: 0.2 }), spec, train: loaded.train, validation: loaded.validation, source: 'vscode' });
    rec.epoch(trainer.runEpoch());
    const second = compareWith(rec.finish('done'), first);
    assert.equal(second.previous, first.id);
    assert.equal(changesLabel(second.changes), 'learningRate 0.05 → 0.2');
  });

  it('says when the starting weights in the file changed', () => {
    const withWeights = (w: number): string =>
      `{ "seed": 1, "layers": [{ "units": 1 }, { "units": 1, "activation": "linear", "weights": [[${w}]], "biases": [0] }], "loss": "mse",
         "data": { "inputs": [[1]], "targets": [[2]] } }`;
    const noWeights = `{ "seed": 1, "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }], "loss": "mse", "data": { "inputs": [[1]], "targets": [[2]] } }`;
    const s = (t: string) => runSettings(loadNet(t, FILE).spec!);
    assert.deepEqual(diffSettings(s(withWeights(1)), s(withWeights(1))), []);
    assert.deepEqual(diffSettings(s(withWeights(1)), s(withWeights(2))), [{ path: 'weights', before: 'from the file', after: 'edited in the file' }]);
    assert.deepEqual(diffSettings(s(noWeights), s(withWeights(2))), [{ path: 'weights', before: 'from the seed', after: 'from the file' }]);
  });
});

describe('runs: replay', () => {
  for (const optimizer of ['adam', 'momentum', 'sgd'] as const) {
    it(`${optimizer}: the state replayed to every epoch from its nearest snapshot equals the live one bit for bit`, () => {
      const text = netText({ optimizer, lr: optimizer === 'sgd' ? 0.3 : 0.05, batch: optimizer === 'sgd' ? 1 : 16 });
      const { record, live } = liveRun(text, 50, { after: 15, to: optimizer === 'adam' ? 0.01 : 0.1 });
      const replayer = new Replayer(record, trainerForRecord(record));
      for (let e = 0; e <= 50; e++) {
        const state = replayer.stateAt(e);
        assert.equal(state.epoch, e);
        assert.ok(bytes(state).equals(live.get(e)!), `epoch ${e}: replayed state differs from the live one`);
      }
      // only the epochs between snapshots were replayed, each at most once per request
      assert.ok(replayer.replayedEpochs > 0 && replayer.replayedEpochs <= 50 * 20, `${replayer.replayedEpochs} replayed epochs`);
    });
  }

  it('without the learning-rate change the replay would differ (the test can fail)', () => {
    const text = netText();
    const { record, live } = liveRun(text, 30, { after: 12, to: 0.01 });
    // epoch 15 is replayed from the snapshot at 10, across the change made after epoch 12
    const forgetful = new Replayer({ ...record, learningRates: [] }, trainerForRecord(record));
    assert.ok(!bytes(forgetful.stateAt(15)).equals(live.get(15)!));
    assert.ok(bytes(new Replayer(record, trainerForRecord(record)).stateAt(15)).equals(live.get(15)!));
  });

  it('replays bit for bit after the record went through bytes (encode, decode)', () => {
    const { record, live } = liveRun(netText(), 33);
    const back = decodeRecord(encodeRecord(record));
    assert.equal(back.snapshots.length, record.snapshots.length);
    const replayer = new Replayer(back, trainerForRecord(back));
    for (const e of [0, 10, 11, 19, 20, 33]) assert.ok(bytes(replayer.stateAt(e)).equals(live.get(e)!), `epoch ${e}`);
  });

  it('refuses a record whose data changed, and epochs outside the run', () => {
    const { record } = liveRun(netText(), 3);
    assert.throws(() => trainerForRecord({ ...record, text: record.text.replace('"noise": 0.05', '"noise": 0.06') }), /data .* changed since the run/);
    const replayer = new Replayer(record, trainerForRecord(record));
    assert.throws(() => replayer.stateAt(4), /epoch 4 is not in this run \(epochs 0\.\.3\)/);
    assert.throws(() => replayer.stateAt(-1), RangeError);
  });
});

describe('runs: bytes and the store', () => {
  it('a record survives encode/decode, non-finite numbers included', () => {
    const { record } = liveRun(netText(), 2);
    record.curve[0] = { ...record.curve[0], valLoss: NaN };
    record.label = 'baseline';
    const back = decodeRecord(encodeRecord(record));
    assert.ok(Number.isNaN(back.curve[0].valLoss));
    assert.equal(back.label, 'baseline');
    assert.deepEqual(back.settings, record.settings);
    assert.equal(back.bytes, encodeRecord(back).length, 'bytes is the size of the encoded record');
    assert.throws(() => decodeRecord(Buffer.from('{"format":"backprop-run","version":1,"id":"x"}')), /run record.file: expected a string/);
    assert.throws(() => decodeRecord(Buffer.from('{"format":"backprop-run"')), /not JSON/);
  });

  it('bounds: the oldest unpinned runs go first, by count and by bytes; pinned ones stay', () => {
    const runs = [
      { id: 'a', pinned: false, bytes: 10 },
      { id: 'b', pinned: true, bytes: 10 },
      { id: 'c', pinned: false, bytes: 10 },
      { id: 'd', pinned: false, bytes: 50 },
    ];
    assert.deepEqual(overBounds(runs, { maxCount: 4, maxBytes: 100 }), []);
    assert.deepEqual(overBounds(runs, { maxCount: 2, maxBytes: 100 }), ['a', 'c']);
    assert.deepEqual(overBounds(runs, { maxCount: 10, maxBytes: 65 }), ['a', 'c']);
    assert.deepEqual(overBounds(runs, { maxCount: 10, maxBytes: 75 }), ['a']);
    assert.deepEqual(overBounds(runs, { maxCount: 0, maxBytes: 0 }), ['a', 'c', 'd']);
  });

  it('keeps runs in a folder: add, list by file, rename, pin, delete, bounds, a damaged index rebuilt', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-store-'));
    try {
      const store = new RunStore(nodeRunFolder(dir), { maxCount: 3, maxBytes: 1e9 });
      const made: RunRecord[] = [];
      for (let i = 0; i < 4; i++) {
        const { trainer, rec } = start(netText({ lr: 0.01 * (i + 1) }));
        const r = rec(1_700_000_000_000 + i * 1000);
        r.epoch(trainer.runEpoch());
        made.push(r.finish('done'));
      }
      assert.deepEqual(await store.add(made[0]), []);
      await store.update(made[0].id, { pinned: true, label: 'keep me' });
      for (const r of made.slice(1)) await store.add(r);
      const ids = (await store.list(FILE)).map((r) => r.id);
      assert.deepEqual(ids, [made[0].id, made[2].id, made[3].id], 'the oldest unpinned run (1) was dropped');
      assert.ok(!fs.existsSync(path.join(dir, `run-${made[1].id}.json`)));
      assert.deepEqual(await store.list('/elsewhere.net.json'), []);
      assert.equal((await store.latest(FILE))?.id, made[3].id);
      await store.remove(made[2].id);
      // a fresh store on the same folder, with the index damaged: rebuilt from the run files
      fs.writeFileSync(path.join(dir, 'index.json'), '{"format": "backprop-runs", "runs": [{');
      const again = new RunStore(nodeRunFolder(dir));
      const runs = await again.list();
      assert.deepEqual(runs.map((r) => r.id), [made[0].id, made[3].id]);
      assert.equal(runs[0].label, 'keep me');
      assert.equal(runs[0].pinned, true);
      assert.match(again.problems[0], /index\.json: .*rebuilt/);
      const full = await again.get(made[3].id);
      assert.equal(full.curve.length, 1);
      assert.equal(runs[1].bytes, fs.statSync(path.join(dir, `run-${made[3].id}.json`)).size);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runs: the loss history as CSV', () => {
  it('one row per point, the columns the run has, full precision', () => {
    assert.equal(historyCsv([{ epoch: 1, loss: 0.1 + 0.2 }, { epoch: 2, loss: 0.25 }]), 'epoch,loss\n1,0.30000000000000004\n2,0.25\n');
    assert.equal(
      historyCsv([{ epoch: 1, loss: 1, valLoss: 2 }, { epoch: 2, loss: 0.5, accuracy: 0.75 }]),
      'epoch,loss,accuracy,valLoss\n1,1,,2\n2,0.5,0.75,\n',
    );
  });
});
