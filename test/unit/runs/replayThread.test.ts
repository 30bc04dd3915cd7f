/**
 * Replay off the extension host's thread (src/extension/runs/replayCore.ts, replayClient.ts): a
 * frame and the weights replayed in the real replay thread equal the live run's bit for bit; the
 * record goes to the thread once; a superseded request stops replaying at its next slice.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNet, networkFor } from '../../../src/engine/load';
import { RunRecorder, type RunRecord } from '../../../src/engine/runs';
import { Trainer } from '../../../src/engine/trainer';
import { ReplayClient } from '../../../src/extension/runs/replayClient';
import { ReplayCore, type FromReplay } from '../../../src/extension/runs/replayCore';
import { startThread } from '../../../src/extension/training/workerClient';
import { boundaryView } from '../../../src/extension/worker/views';
import type { LayerWeights } from '../../../src/extension/worker/protocol';
import type { BoundaryView } from '../../../src/shared/protocol';
import { bundleThread } from '../extension/realWorker';

const FILE = path.join(os.tmpdir(), 'replay-thread-test', 'xor.net.json');
const TEXT = `{
  "seed": 5,
  "layers": [{ "units": 2 }, { "units": 4, "activation": "tanh" }, { "units": 1, "activation": "sigmoid" }],
  "loss": "half-squared-error",
  "training": { "optimizer": "momentum", "learningRate": 0.5, "momentum": 0.9, "epochs": 60, "batchSize": 2 },
  "data": { "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]] }
}`;

interface Live {
  record: RunRecord;
  /** The live weights after every epoch, and the live decision boundary. */
  weights: Map<number, LayerWeights[]>;
  boundary: Map<number, BoundaryView | undefined>;
}

/** A live run of `epochs` epochs, recorded; its weights and boundary at every epoch kept independently of the recorder. */
function liveRun(epochs: number, id = 'run-1'): Live {
  const loaded = loadNet(TEXT, FILE);
  assert.ok(loaded.spec && loaded.train);
  const { spec, train } = loaded;
  const trainer = new Trainer(networkFor(spec, 'train'), train, spec.training, spec.seed);
  const recorder = new RunRecorder(trainer, { file: FILE, text: TEXT, spec, train, source: 'vscode', now: 1_700_000_000_000 });
  const weights = new Map<number, LayerWeights[]>();
  const boundary = new Map<number, BoundaryView | undefined>();
  for (let e = 1; e <= epochs; e++) {
    recorder.epoch(trainer.runEpoch());
    weights.set(e, trainer.net.weights());
    boundary.set(e, boundaryView(trainer.net, train, 16, false));
  }
  const record = recorder.finish('done');
  record.id = id;
  return { record, weights, boundary };
}

/** Bitwise equality of two arrays of float64 (Object.is: -0 and NaN count). */
function sameBits(a: readonly number[], b: readonly number[], what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('runs: replay in its own thread', function () {
  this.timeout(60_000);
  let bundle: Awaited<ReturnType<typeof bundleThread>>;
  let client: ReplayClient;
  const live = liveRun(60);
  let recordReads = 0;

  before(async () => {
    bundle = await bundleThread('src/extension/runs/replayWorker.ts');
    client = new ReplayClient(() => startThread(bundle.path, 'replay worker'), async (id) => {
      recordReads++;
      assert.equal(id, live.record.id);
      return live.record;
    });
  });

  after(async () => {
    await client?.dispose();
    bundle?.cleanup();
  });

  it('a frame between snapshots equals the live run at that epoch, bit for bit (weights, biases, boundary)', async () => {
    // snapshots at 0..10, 20, 40 and 60: epoch 33 is replayed from 20
    const frame = await client.frame(live.record.id, 33, false, 16).result;
    assert.equal(frame.epoch, 33);
    assert.equal(frame.fromSnapshot, false);
    assert.equal(frame.replayed, 13);
    const w = live.weights.get(33)!;
    frame.network.layers.forEach((l, i) => {
      sameBits(l.W, w[i].weights.flat(), `layer ${i + 1} W`);
      sameBits(l.b, w[i].biases, `layer ${i + 1} b`);
    });
    const b = live.boundary.get(33)!;
    assert.ok(frame.boundary && b);
    sameBits(frame.boundary.values, b.values, 'boundary');
    assert.equal(recordReads, 1, 'the thread asked for the record once');
  });

  it('the weights of any epoch (a restore) equal the live ones; the record is not sent again', async () => {
    for (const e of [40, 57, 1]) {
      const got = await client.weights(live.record.id, e, false).result;
      const w = live.weights.get(e)!;
      got.forEach((l, i) => {
        sameBits(l.weights.flat(), w[i].weights.flat(), `epoch ${e} layer ${i + 1} W`);
        sameBits(l.biases, w[i].biases, `epoch ${e} layer ${i + 1} b`);
      });
    }
    assert.equal(recordReads, 1);
  });

  it('a cancelled request rejects at once, and a later one is answered', async () => {
    const first = client.frame(live.record.id, 59, false, 16);
    first.cancel();
    await assert.rejects(first.result, /cancelled/);
    const next = await client.frame(live.record.id, 12, false, 16).result;
    assert.equal(next.epoch, 12);
    sameBits(next.network.layers[0].W, live.weights.get(12)![0].weights.flat(), 'epoch 12 W');
  });
});

describe('runs: a superseded replay stops in the thread', () => {
  it('the cancel note, read between slices, ends the replay early; the next request replays what it needs', async () => {
    const { record } = liveRun(300, 'long');
    const posted: FromReplay[] = [];
    let clock = 0;
    let yields = 0;
    // snapshots at 160 and 300: epoch 299 needs 139 epochs replayed, in slices of 4 (each slice "takes" 15 ms)
    const core = new ReplayCore(
      (m) => posted.push(m),
      async () => {
        yields++;
        // a message that arrives while the replay runs: the slider moved on
        if (yields === 2) core.handle({ kind: 'note', type: 'cancel', id: 1 });
        await new Promise((resolve) => setImmediate(resolve));
      },
      () => (clock += 15),
    );
    core.handle({ kind: 'request', id: 1, type: 'frame', params: { id: 'long', epoch: 299, record, allowOutside: false, boundarySize: 8 } });
    core.handle({ kind: 'request', id: 2, type: 'frame', params: { id: 'long', epoch: 163, allowOutside: false, boundarySize: 8 } });
    await core.idle();
    const first = posted.find((m) => m.id === 1);
    assert.ok(first && !first.ok, 'the first request failed');
    assert.match(first.error, /cancelled/);
    const second = posted.find((m) => m.id === 2);
    assert.ok(second && second.ok, 'the second was answered');
    assert.equal((second.result as { epoch: number }).epoch, 163);
    // the first stopped after two slices (8 epochs from 160) instead of replaying 139; the second
    // started from the cache of that stretch (168 > 163: from the snapshot at 160, 3 epochs)
    assert.equal(core.replayedEpochs, 8 + 3);
  });
});
