/**
 * Dev only (never shipped): runs the real engine on an example and writes a scenario of the
 * messages the extension would send the inspector (built with the worker's own snapshot and view functions) — the network before and during training, the
 * loss of every epoch, a sample's traces, a gradient check, decision-boundary grids — so the
 * harness page can replay them. Bundled with esbuild and run by shoot.mjs / serve.mjs.
 *
 *   node gen.js <file.net.json> <out.json> [snapshots]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Network, Trainer, checkNetwork } from '../../src/engine';
import { loadNet } from '../../src/engine/load';
import { boundaryView, gradCheckView, snapshot, summarize, traceView } from '../../src/extension/worker/views';
import type { BoundaryView, EpochPoint, NetworkView, TraceView } from '../../src/shared/protocol';

const TRACED_SAMPLES = 8;

function main(): void {
  const [file, out, snapArg] = process.argv.slice(2);
  const text = fs.readFileSync(file, 'utf8');
  const loaded = loadNet(text, path.resolve(file));
  if (!loaded.spec) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  const spec = loaded.spec;
  const train = loaded.train!;
  const lr = spec.training.learningRate;
  const net = Network.fromSpec(spec);
  const summary = summarize(spec, net, file, train, loaded.validation);
  const trainer = new Trainer(net, train, spec.training, spec.seed, loaded.validation);
  const nSnap = Number(snapArg ?? 12);
  const total = spec.training.epochs;
  const samples = Math.min(TRACED_SAMPLES, train.inputs.length);
  // The worker's own snapshot and trace functions: the page sees exactly the fields the product sends.
  const view = (): NetworkView => snapshot({ spec, net, trainer, train, summary, fileName: path.basename(file), updated: trainer.epoch > 0 });
  const traces = (): TraceView[] => Array.from({ length: samples }, (_, s) => traceView(net, train, s, lr, spec.training.l2));
  const boundary = (): BoundaryView | undefined => boundaryView(net, train, 64, summary.classification);
  const gradcheck = gradCheckView(checkNetwork(net.clone(), train, spec.training.l2));
  const snapshots: { epoch: number; points: EpochPoint[]; network: NetworkView; boundary?: BoundaryView; traces: TraceView[] }[] = [];
  snapshots.push({ epoch: 0, points: [], network: view(), boundary: boundary(), traces: traces() });
  let done = 0;
  for (let i = 1; i <= nSnap; i++) {
    const target = Math.max(done + 1, Math.round(total * (i / nSnap) ** 2));
    const points: EpochPoint[] = trainer.run(Math.min(target, total) - done).map((s) => ({ ...s }));
    done = trainer.epoch;
    snapshots.push({ epoch: done, points, network: view(), boundary: boundary(), traces: traces() });
    if (done >= total) break;
  }
  fs.writeFileSync(out, JSON.stringify({ file: path.basename(file), totalEpochs: total, gradcheck, snapshots }));
}

main();
