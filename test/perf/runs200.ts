/**
 * How long the inspector's Runs tab's host side takes to open on a workspace with many recorded runs:
 * 200 runs of the spiral example (400 epochs each, with their snapshots) are written into a
 * store; then a fresh store (nothing cached) lists them and makes the table's rows and the
 * message the Runs tab gets (wrapped in the inspector's protocol) — what happens between "Show
 * Runs" and the table's data reaching the webview. Prints the figures; not a test.
 *
 *   npm run compile-tests && node out/test/perf/runs200.js [runs]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNet, networkFor } from '../../src/engine/load';
import { Trainer } from '../../src/engine/trainer';
import { nodeRunFolder, RunRecorder, RunStore, compareWith, type RunRecord } from '../../src/engine/runs';
import { rowOfSummary } from '../../src/extension/runs/rows';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const root = path.resolve(__dirname, '..', '..', '..');
  const file = path.join(root, 'examples', 'spiral.net.json');
  const text = fs.readFileSync(file, 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-measure-'));
  try {
    const loaded = loadNet(text, file);
    if (!loaded.spec || !loaded.train) throw new Error('spiral example does not load');
    // one real run, recorded; the other runs are copies of its record with their own ids and dates
    const trainer = new Trainer(networkFor(loaded.spec, 'train'), loaded.train, loaded.spec.training, loaded.spec.seed, loaded.validation);
    const rec = new RunRecorder(trainer, { file, text, spec: loaded.spec, train: loaded.train, validation: loaded.validation, source: 'cli', now: Date.UTC(2026, 0, 1) });
    const t0 = performance.now();
    for (let e = 0; e < loaded.spec.training.epochs; e++) rec.epoch(trainer.runEpoch());
    const trainMs = performance.now() - t0;
    const base = rec.finish('done');
    // the same run without recording, for the recorder's cost (interleaved a few times, best of each)
    const timed = (record: boolean): number => {
      const t = new Trainer(networkFor(loaded.spec!, 'train'), loaded.train!, loaded.spec!.training, loaded.spec!.seed, loaded.validation);
      const r = record ? new RunRecorder(t, { file, text, spec: loaded.spec!, train: loaded.train!, validation: loaded.validation, source: 'cli' }) : undefined;
      const s = performance.now();
      for (let e = 0; e < loaded.spec!.training.epochs; e++) {
        const stats = t.runEpoch();
        r?.epoch(stats);
      }
      r?.finish('done');
      return performance.now() - s;
    };
    let plain = Infinity;
    let recorded = Infinity;
    for (let k = 0; k < 3; k++) {
      plain = Math.min(plain, timed(false));
      recorded = Math.min(recorded, timed(true));
    }
    const writer = new RunStore(nodeRunFolder(dir), { maxCount: 10_000, maxBytes: 1e12 });
    let previous: RunRecord | undefined;
    for (let i = 0; i < count; i++) {
      const r: RunRecord = { ...base, id: `${(Date.UTC(2026, 0, 1) + i * 60_000).toString(36)}-m${i}`, startedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() };
      compareWith(r, previous);
      await writer.add(r);
      previous = r;
    }
    const files = fs.readdirSync(dir);
    const bytes = files.reduce((s, n) => s + fs.statSync(path.join(dir, n)).size, 0);
    const indexBytes = fs.statSync(path.join(dir, 'index.json')).size;
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const s = performance.now();
      const store = new RunStore(nodeRunFolder(dir));
      const runs = await store.list(file);
      const message = JSON.stringify({ type: 'runs', message: { type: 'runs', file: 'spiral.net.json', runs: runs.map(rowOfSummary), picked: [] } });
      if (runs.length !== count || message.length === 0) throw new Error('not all runs listed');
      times.push(performance.now() - s);
    }
    const full = performance.now();
    await new RunStore(nodeRunFolder(dir)).get(base.id === previous?.id ? base.id : (previous as RunRecord).id);
    const getMs = performance.now() - full;
    times.sort((a, b) => a - b);
    console.log(`runs: ${count} recorded runs of ${path.basename(file)} (${base.epochs} epochs, ${base.snapshots.length} snapshots each; one run trained and recorded in ${trainMs.toFixed(0)} ms)`);
    console.log(`store: ${(bytes / 1024 / 1024).toFixed(1)} MB in ${files.length} files; index.json ${(indexBytes / 1024).toFixed(0)} KB; ${(bytes / count / 1024).toFixed(0)} KB per run`);
    console.log(`recording's cost: training alone ${plain.toFixed(0)} ms, recorded ${recorded.toFixed(0)} ms (ratio ${(recorded / plain).toFixed(3)}, best of 3 each)`);
    console.log(`open the Runs tab's table (fresh store: read index, rows, message): median ${times[2].toFixed(1)} ms, max ${times[4].toFixed(1)} ms over 5`);
    console.log(`one run's whole record (for its curves, on pick): ${getMs.toFixed(1)} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
