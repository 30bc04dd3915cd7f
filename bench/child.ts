/**
 * One benchmark sample in a fresh Node process (spawned by bench/run.ts): builds one workload and
 * one adapter (engine variant or peer), warms it up (grows the sample count until a run takes
 * ~seconds/4, then untimed runs rescaled until one takes ~seconds), times one run, and prints one JSON line:
 *   { "samples": n, "seconds": wall, "cpuSeconds": user + system, "rate": n / wall }
 * The CPU share (cpuSeconds / seconds) shows whether the process was descheduled while it ran
 * (near 1: it had a core; well below 1: the machine's other work took it).
 * Usage: node out/bench/child.js <workload W1|W2|W3> <adapter key> [seconds]
 */
import { performance } from 'node:perf_hooks';
import { fastJsKernel } from '../src/engine/kernels/fast';
import { referenceKernel } from '../src/engine/kernels/reference';
import type { Kernel } from '../src/engine/kernels/types';
import { wasmBackend } from '../src/engine/kernels/wasm';
import { type Adapter, engineAdapter, trainerAdapter } from './engines';
import { type Workload, workloads } from './workloads';

/** The adapters, by key, in the order the tables list them; peers are marked. */
export const ADAPTERS: { key: string; peer: boolean; only?: Workload['id'][] }[] = [
  { key: 'engine-f64', peer: false },
  { key: 'engine-f32', peer: false },
  { key: 'trainer', peer: false },
  { key: 'trainer-exact', peer: false },
  { key: 'engine-reference', peer: false },
  { key: 'engine-f64-threads2', peer: false, only: ['W3'] },
  { key: 'trainer-threads2', peer: false, only: ['W3'] },
  { key: 'tfjs-cpu', peer: true },
  { key: 'tfjs-wasm', peer: true },
  { key: 'brain', peer: true },
  { key: 'synaptic', peer: true, only: ['W1', 'W2'] },
  { key: 'convnet', peer: true },
  { key: 'naive', peer: true },
];

async function adapterOf(key: string, w: Workload): Promise<Adapter> {
  const wasm = wasmBackend();
  const fast64: Kernel = wasm?.float64 ?? fastJsKernel;
  switch (key) {
    case 'engine-f64': return engineAdapter(`engine, ${fast64.name}, float64`, w, fast64);
    case 'engine-f32':
      if (wasm === undefined) throw new Error('no WebAssembly backend: no float32 kernel');
      return engineAdapter('engine, wasm-simd-f32, float32', w, wasm.float32);
    case 'trainer': return trainerAdapter(`engine Trainer.runEpoch, ${fast64.name} (epoch loss: mean of batches)`, w, fast64, 'batch-mean');
    case 'trainer-exact': return trainerAdapter(`engine Trainer.runEpoch, ${fast64.name} (epoch loss: exact, end of epoch)`, w, fast64, 'exact');
    case 'engine-reference': return engineAdapter('engine, reference kernel', w, referenceKernel);
    case 'engine-f64-threads2': return engineAdapter(`engine, ${fast64.name}, float64, 2 threads`, w, fast64, 2);
    case 'trainer-threads2': return trainerAdapter(`engine Trainer.runEpoch, ${fast64.name}, 2 threads (epoch loss: mean of batches)`, w, fast64, 'batch-mean', 2);
    default: break;
  }
  // the peers only in the processes that run them (tfjs alone takes a second to load)
  const peers = await import('./peers');
  switch (key) {
    case 'tfjs-cpu': return peers.tfjsAdapter(w, 'cpu');
    case 'tfjs-wasm': return peers.tfjsAdapter(w, 'wasm');
    case 'brain': return peers.brainAdapter(w);
    case 'synaptic': return peers.synapticAdapter(w);
    case 'convnet': return peers.convnetAdapter(w);
    case 'naive': return peers.naiveAdapter(w);
    default: throw new Error(`unknown adapter ${key}`);
  }
}

async function main(): Promise<void> {
  const [id, key, secondsArg] = process.argv.slice(2);
  const seconds = Number(secondsArg ?? '0.5');
  const w = workloads().find((x) => x.id === id);
  if (w === undefined) throw new Error(`unknown workload ${id}`);
  const adapter = await adapterOf(key, w);
  await adapter.prepare?.();
  // calibration (also the first warm-up): grow the sample count until a run takes ~seconds/4
  let n = w.batch;
  let samples: number;
  for (;;) {
    const t = performance.now();
    n = adapter.run(n) ?? n;
    const dt = (performance.now() - t) / 1000;
    if (dt > seconds / 4) {
      samples = Math.max(w.batch, Math.round((n * seconds) / dt / w.batch) * w.batch);
      break;
    }
    n *= 4;
  }
  // warm-up at full length, untimed; the first runs were cold (slow), so rescale until a run
  // takes about `seconds` now that the code is warm
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    adapter.run(samples);
    const dt = (performance.now() - t) / 1000;
    if (dt > 0.7 * seconds && i > 0) break;
    samples = Math.max(w.batch, Math.round((samples * seconds) / dt / w.batch) * w.batch);
  }
  await adapter.prepare?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = adapter.run(samples) ?? samples;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await adapter.dispose?.();
  process.stdout.write(`${JSON.stringify({ name: adapter.name, samples: done, seconds: wall, cpuSeconds, rate: done / wall })}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
