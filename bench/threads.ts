/**
 * `npm run bench:threads`: W3 on two threads against one, batch by batch, in one process. The
 * fresh-process bench (`bench:engine`) times half-second runs, and on a machine whose cores others
 * are using, a two-thread process rarely has two cores for half a second: its wall time measures
 * the scheduler. Here four adapters (raw step and Trainer.runEpoch, 1 and 2 threads; bench/engines.ts)
 * run in turn, --batches batches of 64 at a time (default 1; the Trainer's epoch is that many
 * batches, at least 4: bench/engines.ts repeats a small data set to 256 samples), for --rounds rounds (default 2000, the order rotated every round), each timed alone
 * (wall, and the process's CPU time: every thread's), and the table gives quantiles of the time
 * per batch. The low quantiles are the batches that had the cores they asked for; the ratios of
 * those are what the split does, the medians what a loaded machine gives. Then the parts of a
 * batch, each timed alone (the minimum of many timings: what it costs with a core to itself), and
 * the ratio Amdahl's law allows two threads from them: the parts the calling thread does alone
 * (loading the batch, its half of the sums and mean, the optimizer step) against the slices.
 * Prints figures; never fails.
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { wasmBackend } from '../src/engine/kernels/wasm';
import { fastJsKernel } from '../src/engine/kernels/fast';
import { addRange, layoutOf, meanRange, rangeOf } from '../src/engine/kernels/threads';
import { packedOf } from '../src/engine/kernels/slice';
import { Network } from '../src/engine/network';
import { Sgd } from '../src/engine/optimizers';
import { type Adapter, engineAdapter, specOf, trainerAdapter } from './engines';
import type { Kernel } from '../src/engine/kernels/types';
import { type Workload, workloads } from './workloads';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const ROUNDS = Math.max(20, Number(arg('--rounds', '2000')));
const BATCHES = Math.max(1, Number(arg('--batches', '1')));

async function main(): Promise<void> {
  const w = workloads().find((x) => x.id === 'W3');
  if (w === undefined) throw new Error('no W3');
  const kernel = wasmBackend()?.float64 ?? fastJsKernel;
  // the Trainer's epoch is BATCHES batches: the first BATCHES·64 samples
  const small = { ...w, inputs: w.inputs.slice(0, BATCHES * w.batch), targets: w.targets.slice(0, BATCHES * w.batch), labels: w.labels?.slice(0, BATCHES * w.batch) };
  const adapters: [string, Adapter][] = [
    ['raw step, 1 thread', engineAdapter('raw', w, kernel, 1)],
    ['raw step, 2 threads', engineAdapter('raw2', w, kernel, 2)],
    ['Trainer.runEpoch, 1 thread', trainerAdapter('trainer', small, kernel, 'batch-mean', 1)],
    ['Trainer.runEpoch, 2 threads', trainerAdapter('trainer2', small, kernel, 'batch-mean', 2)],
  ];
  const samples = BATCHES * w.batch;
  for (let i = 0; i < 20; i++) for (const [, a] of adapters) a.run(samples); // warm-up
  const wall: number[][] = adapters.map(() => []);
  const cpu: number[][] = adapters.map(() => []);
  const load0 = loadavg()[0];
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < adapters.length; j++) {
      const k = (j + r) % adapters.length;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const batches = (adapters[k][1].run(samples) ?? samples) / w.batch; // (the Trainer's epoch: at least 256 samples, see engines.ts)
      const t = (performance.now() - t0) / batches;
      const c = process.cpuUsage(c0);
      wall[k].push(t);
      cpu[k].push((c.user + c.system) / 1000 / batches);
    }
  }
  const q = (a: number[], p: number): number => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
  console.log(`W3 784-128-64-10, batch 64, ${kernel.name}: ${ROUNDS} rounds of ${BATCHES} batches per adapter, ${((performance.now() - started) / 1000).toFixed(0)} s, load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
  console.log('| adapter | ms per batch p10 | p25 | median | CPU share median | CPU ms per batch median |');
  console.log('|---|---|---|---|---|---|');
  adapters.forEach(([name], k) => {
    const share = wall[k].map((t, i) => cpu[k][i] / t);
    console.log(`| ${name} | ${q(wall[k], 0.1).toFixed(3)} | ${q(wall[k], 0.25).toFixed(3)} | ${q(wall[k], 0.5).toFixed(3)} | ${q(share, 0.5).toFixed(2)} | ${q(cpu[k], 0.5).toFixed(3)} |`);
  });
  for (const [one, two, what] of [[0, 1, 'raw step'], [2, 3, 'Trainer.runEpoch']] as const) {
    const ratio = (p: number): string => (q(wall[one], p) / q(wall[two], p)).toFixed(2);
    console.log(`${what}, 2 threads / 1 thread (speed): p10 ${ratio(0.1)}x, p25 ${ratio(0.25)}x, median ${ratio(0.5)}x; CPU per batch ${(q(cpu[two], 0.5) / q(cpu[one], 0.5)).toFixed(2)}x`);
  }
  await Promise.all(adapters.map(([, a]) => a.dispose?.()));
  parts(w, kernel);
}

/** The parts of one W3 batch, each the minimum of 300 timings (µs), and the ratio they allow two threads. */
function parts(w: Workload, kernel: Kernel): void {
  const net = Network.fromSpec(specOf(w), kernel);
  const opt = new Sgd(net.parameters(), w.learningRate, kernel);
  const inputs = w.inputs.map((x) => Float64Array.from(x));
  const targets = w.targets.map((t) => Float64Array.from(t));
  const rows = Int32Array.from({ length: w.batch }, (_, i) => i);
  const grads = packedOf(net, 'dW');
  const values = packedOf(net, 'W');
  if (grads === undefined || values === undefined) throw new Error('not packed');
  const other = kernel.alloc?.(grads.length) ?? new Float64Array(grads.length);
  const layout = layoutOf(net.sizes);
  const [lo, hi] = rangeOf(grads.length, 2, 0);
  const time = (f: () => void): number => {
    let best = Infinity;
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      f();
      best = Math.min(best, performance.now() - t);
    }
    return best * 1000;
  };
  const half = w.batch / 2;
  const load = time(() => net.loadBatch(inputs, targets, rows));
  const whole = time(() => {
    net.forward(w.batch);
    net.batchLoss(w.batch, 0);
    net.backward(w.batch);
    net.sumGradients(w.batch);
  });
  const slice = time(() => {
    net.forward(half);
    net.batchLoss(half, 0);
    net.backward(half);
    net.sumGradients(half);
  });
  const meanAll = time(() => net.meanGradients(w.batch, 0));
  const reduceHalf = time(() => {
    addRange(kernel, grads, [other], lo, hi);
    meanRange(kernel, grads, values, layout, w.batch, 0, lo, hi);
  });
  grads.fill(0);
  const step = time(() => opt.tryStep());
  const one = load + whole + meanAll + step;
  const serial = load + reduceHalf + step;
  console.log(`\nthe parts of a W3 batch, each the minimum of 300 timings: load ${load.toFixed(0)} µs; forward + loss + backward + sums, 64 rows ${whole.toFixed(0)} µs, a slice of 32 ${slice.toFixed(0)} µs; sums added and mean, all ${meanAll.toFixed(0)} µs (mean alone), half ${reduceHalf.toFixed(0)} µs (both); sgd step ${step.toFixed(0)} µs`);
  console.log(`one thread ${one.toFixed(0)} µs; two threads, the calling thread alone ${serial.toFixed(0)} µs + a slice ${slice.toFixed(0)} µs = ${(serial + slice).toFixed(0)} µs (no waiting counted): at most ${(one / (serial + slice)).toFixed(2)}x (serial fraction ${(serial / one).toFixed(3)} of a one-thread batch)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
