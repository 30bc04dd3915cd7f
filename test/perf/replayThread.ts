/**
 * What scrubbing a run with a large data set costs the extension host's thread: a run of a spiral
 * of `samples` points (default 20 000) is recorded, then the Runs tab's request for an epoch far
 * from any snapshot is answered (a) the old way, replayed on this thread in slices of ~15 ms (the
 * retired Runs panel), and (b) the new way, by the replay thread (dist/replayWorker.js through
 * ReplayClient). Prints, for each, the time to the frame and the longest stall of this thread's
 * event loop meanwhile (what the editor would feel), and the ratio. Not a test.
 *
 *   npm run build && npm run compile-tests && node out/test/perf/replayThread.js [samples]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadNet, networkFor } from '../../src/engine/load';
import { Replayer, RunRecorder, trainerForRecord } from '../../src/engine/runs';
import { Trainer } from '../../src/engine/trainer';
import { ReplayClient } from '../../src/extension/runs/replayClient';
import { boundaryView, snapshot, summarize } from '../../src/extension/worker/views';
import { repoRoot } from '../ui/harness';

const SLICE_MS = 15;

function text(samples: number): string {
  return `{
  "name": "big spiral",
  "seed": 7,
  "layers": [{ "units": 2 }, { "units": 32, "activation": "tanh" }, { "units": 32, "activation": "tanh" }, { "units": 3, "activation": "softmax" }],
  "loss": "cross-entropy",
  "training": { "optimizer": "adam", "learningRate": 0.01, "epochs": 60, "batchSize": 256 },
  "data": { "generator": "spiral", "samples": ${samples}, "noise": 0.1, "classes": 3 }
}`;
}

/** The event loop's longest stall (ms) while `work` runs. */
async function stalls<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; maxStallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  h.disable();
  return { value, ms, maxStallMs: h.max / 1e6 };
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 20_000);
  const file = path.join(os.tmpdir(), 'replay-measure', 'big.net.json');
  const src = text(samples);
  const loaded = loadNet(src, file);
  if (!loaded.spec || !loaded.train) throw new Error('the network does not load');
  const trainer = new Trainer(networkFor(loaded.spec, 'train'), loaded.train, loaded.spec.training, loaded.spec.seed);
  const rec = new RunRecorder(trainer, { file, text: src, spec: loaded.spec, train: loaded.train, source: 'vscode' });
  for (let e = 0; e < loaded.spec.training.epochs; e++) rec.epoch(trainer.runEpoch());
  const record = rec.finish('done');
  record.id = 'big';
  const epoch = 39; // snapshots at 0..10, 20, 40, 60: 19 epochs replayed from 20

  // (a) on this thread, in slices, as the retired Runs panel did
  const onThread = await stalls(async () => {
    const replayer = new Replayer(record, trainerForRecord(record));
    let chunk = 1;
    for (;;) {
      const from = replayer.nearest(epoch)?.epoch ?? epoch;
      if (epoch - from <= chunk) break;
      const t0 = performance.now();
      replayer.stateAt(from + chunk);
      const ms = performance.now() - t0;
      chunk = Math.max(1, Math.round((chunk * SLICE_MS) / Math.max(ms, 0.5)));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    replayer.stateAt(epoch);
    const t = replayer.trainer;
    const summary = summarize(loaded.spec!, t.net, 'big.net.json', t.train, undefined);
    snapshot({ spec: loaded.spec!, net: t.net, trainer: t, train: t.train, summary, fileName: file, updated: true });
    return boundaryView(t.net, t.train, 64, true);
  });

  // (b) in the replay thread
  const client = ReplayClient.spawn(path.join(repoRoot(), 'dist', 'replayWorker.js'), async () => record);
  try {
    const inThread = await stalls(() => client.frame('big', epoch, false, 64).result);
    console.log(`scrub to epoch ${epoch} of a run on ${samples} samples (2-32-32-3, 19 epochs replayed):`);
    console.log(`  on the host's thread, 15 ms slices: ${onThread.ms.toFixed(0)} ms to the frame, longest stall of the host's event loop ${onThread.maxStallMs.toFixed(1)} ms`);
    console.log(`  in the replay thread:               ${inThread.ms.toFixed(0)} ms to the frame, longest stall of the host's event loop ${inThread.maxStallMs.toFixed(1)} ms`);
    console.log(`  longest stall, on thread / in the replay thread: ${(onThread.maxStallMs / Math.max(inThread.maxStallMs, 0.001)).toFixed(1)}x`);
  } finally {
    await client.dispose();
  }
}

void main();
