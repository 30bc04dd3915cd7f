/**
 * `npm run bench`: W1, W2, W3 on the project's engine and on the peers. Every (workload, engine,
 * repetition) runs in a fresh Node process (bench/child.ts: its own warm-up, one timed run), so
 * no engine's JIT state or garbage slows another; the repetitions are interleaved (each round runs
 * every engine once, in an order rotated from round to round); medians. Each sample reports its
 * process's CPU share (CPU time / wall time of the timed run): a share well below 1 means the
 * process was descheduled (the machine is shared) and its figure is low for that reason. Then, in
 * this process: the peak probes, the W3 products alone as a fraction of the SIMD peak, and the
 * gradient check in parameters per second. Prints figures and ratios; never fails on a slow
 * machine. A sample whose CPU share is below --min-share (default 0.6) is taken again, up to
 * twice, and the one with the highest share kept (the tables say how many were). Options: --reps N
 * (default 3, at least 3), --seconds S per timed run (default 0.5), --only W1,W2, --engines key,key
 * (see ADAPTERS in child.ts; default all), --compare DIR[:key+key][,DIR...]: also run the engine's
 * own variants (or those keys) from the builds in DIR (copies of an earlier `out/`, e.g. the code
 * before a change), interleaved with the current ones, marked [DIR].
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkNetwork } from '../src/engine/gradcheck';
import { fastJsKernel } from '../src/engine/kernels/fast';
import { wasmBackend } from '../src/engine/kernels/wasm';
import type { Kernel } from '../src/engine/kernels/types';
import { Network } from '../src/engine/network';
import { ADAPTERS } from './child';
import { specOf } from './engines';
import { flopsPerSample, workloads } from './workloads';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const REPS = Math.max(3, Number(arg('--reps', '3')));
const SECONDS = Number(arg('--seconds', '0.5'));
const ONLY = arg('--only', 'W1,W2,W3').split(',');
const ENGINES = arg('--engines', ADAPTERS.map((a) => a.key).join(',')).split(',');
const MIN_SHARE = Number(arg('--min-share', '0.6'));
const COMPARE = arg('--compare', '').split(',').filter((d) => d !== '');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

interface Sample {
  name: string;
  samples: number;
  seconds: number;
  cpuSeconds: number;
  rate: number;
}

/** One sample in a fresh process (of the build in `dir`: the `out` folder holding bench/child.js). */
function child(workload: string, key: string, dir: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(dir, 'bench', 'child.js'), workload, key, String(SECONDS)], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${workload} ${key}: ${stderr || err.message}`));
        return;
      }
      const line = stdout.trim().split('\n').pop() ?? '';
      resolve(JSON.parse(line) as Sample);
    });
  });
}

interface Entry {
  key: string;
  peer: boolean;
  name: string;
  /** The `out` folder whose bench/child.js runs this entry. */
  dir: string;
  /** Set for the entries of the --compare build. */
  label?: string;
  samples: Sample[];
  /** Samples taken again because of a low CPU share. */
  retries: number;
}

const share = (s: Sample): number => s.cpuSeconds / s.seconds;

/** A sample, taken again (at most twice) while its CPU share is below MIN_SHARE; the best-share one. */
async function sample(workload: string, e: Entry): Promise<Sample> {
  let best = await child(workload, e.key, e.dir);
  for (let i = 0; i < 2 && share(best) < MIN_SHARE; i++) {
    e.retries++;
    const again = await child(workload, e.key, e.dir);
    if (share(again) > share(best)) best = again;
  }
  return best;
}

function peakJs(iters: number): number {
  let a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6;
  let s0 = 1, s1 = 2, s2 = 3, s3 = 4, s4 = 5, s5 = 6;
  const m = 0.9999999, d = 0.5;
  for (let t = 0; t < iters; t++) {
    a0 *= m; a1 *= m; a2 *= m; s0 += d; s1 += d; s2 += d;
    a3 *= m; a4 *= m; a5 *= m; s3 += d; s4 += d; s5 += d;
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + s0 + s1 + s2 + s3 + s4 + s5;
}

function bestRate(f: () => void, flops: number): number {
  f();
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    f();
    rates.push(flops / ((performance.now() - t) / 1000) / 1e9);
  }
  return median(rates);
}

/** GFLOP/s of the matrix products of one W3 batch (forward, weight gradients, deltas) on a kernel. */
function w3Products(kernel: Kernel): number {
  const S = [784, 128, 64, 10];
  const B = 64;
  const alloc = (n: number): Float64Array => {
    const a = kernel.alloc ? kernel.alloc(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.sin(i);
    return a;
  };
  const O = S.map((n) => alloc(B * n));
  const D = S.map((n) => alloc(B * n));
  const W = S.map((n, l) => alloc(l === 0 ? 0 : n * S[l - 1]));
  const dW = S.map((n, l) => alloc(l === 0 ? 0 : n * S[l - 1]));
  const b = S.map((n) => alloc(n));
  const once = (): void => {
    for (let l = 1; l < 4; l++) kernel.gemmABt(B, S[l], S[l - 1], O[l - 1], W[l], O[l], b[l]);
    for (let l = 3; l >= 1; l--) {
      kernel.gemmAtB(S[l], S[l - 1], B, D[l], O[l - 1], dW[l]);
      if (l > 1) kernel.gemmAB(B, S[l - 1], S[l], D[l], W[l], D[l - 1]);
    }
  };
  const reps = 50;
  return bestRate(() => {
    for (let i = 0; i < reps; i++) once();
  }, reps * B * flopsPerSample(S));
}

async function main(): Promise<void> {
  const wasm = wasmBackend();
  console.log(`node ${process.version}, ${process.arch}; WebAssembly backend: ${wasm ? 'loaded' : 'NOT available'}`);
  const iters = 2e7;
  const jsPeak = bestRate(() => peakJs(iters), 12 * iters);
  const simd64 = wasm ? bestRate(() => wasm.exports.peak64(iters, 0.5), 24 * iters) : NaN;
  const simd32 = wasm ? bestRate(() => wasm.exports.peak32(iters, 0.5), 48 * iters) : NaN;
  console.log(`peak probes (independent multiply and add chains): JS f64 ${jsPeak.toFixed(1)} GFLOP/s, wasm f64x2 ${simd64.toFixed(1)} GFLOP/s, wasm f32x4 ${simd32.toFixed(1)} GFLOP/s\n`);

  const fast64: Kernel = wasm?.float64 ?? fastJsKernel;
  console.log(`each sample: a fresh process, ${SECONDS} s timed after its own warm-up; ${REPS} interleaved rounds; medians. CPU share = CPU time / wall time of the timed run (1.00: it had a core the whole time)\n`);
  for (const w of workloads().filter((x) => ONLY.includes(x.id))) {
    const chosen = ADAPTERS.filter((a) => ENGINES.includes(a.key) && (a.only === undefined || a.only.includes(w.id)) && (wasm !== undefined || a.key !== 'engine-f32'));
    const here = path.join(__dirname, '..');
    const entries: Entry[] = chosen.map((a) => ({ key: a.key, peer: a.peer, name: a.key, dir: here, samples: [], retries: 0 }));
    for (const label of COMPARE) {
      const [dir, keys] = label.split(':');
      for (const a of chosen.filter((x) => !x.peer && (keys === undefined || keys.split('+').includes(x.key)))) {
        entries.push({ key: a.key, peer: false, name: a.key, dir: path.resolve(dir), label, samples: [], retries: 0 });
      }
    }
    const started = performance.now();
    const load0 = os.loadavg()[0];
    for (let r = 0; r < REPS; r++) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[(i + r) % entries.length]; // rotated: no engine always runs first
        const s = await sample(w.id, e);
        e.name = e.label === undefined ? s.name : `${s.name} [${e.label}]`;
        e.samples.push(s);
      }
    }
    const flops = flopsPerSample(w.sizes);
    const peers = entries.filter((e) => e.peer);
    const rate = (e: Entry): number => median(e.samples.map((s) => s.rate));
    const cpuRate = (e: Entry): number => median(e.samples.map((s) => s.samples / s.cpuSeconds));
    const best = peers.length > 0 ? Math.max(...peers.map(rate)) : NaN;
    const bestCpu = peers.length > 0 ? Math.max(...peers.map(cpuRate)) : NaN;
    const bestName = peers.find((e) => rate(e) === best)?.name ?? '(no peer run)';
    console.log(`${w.id} ${w.sizes.join('-')} ${w.hidden}/${w.output} ${w.loss}, batch ${w.batch}  (${((performance.now() - started) / 1000).toFixed(0)} s, load average ${load0.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}; fastest peer: ${bestName})`);
    const retried = entries.reduce((s, e) => s + e.retries, 0);
    if (retried > 0) console.log(`(${retried} samples taken again for a CPU share below ${MIN_SHARE})`);
    console.log('| engine | samples/s (median) | min..max | CPU share median (min) | samples per CPU-second | GFLOP/s | x fastest peer | x fastest peer, CPU time |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const e of entries) {
      const m = rate(e);
      const rates = e.samples.map((s) => s.rate);
      const shares = e.samples.map(share);
      console.log(`| ${e.name} | ${fmt(m)} | ${fmt(Math.min(...rates))}..${fmt(Math.max(...rates))} | ${median(shares).toFixed(2)} (${Math.min(...shares).toFixed(2)}) | ${fmt(cpuRate(e))} | ${((m * flops) / 1e9).toFixed(2)} | ${peers.length > 0 ? (m / best).toFixed(2) : '-'} | ${peers.length > 0 ? (cpuRate(e) / bestCpu).toFixed(2) : '-'} |`);
    }
    for (const label of [undefined, ...COMPARE]) {
      for (const t of entries.filter((e) => e.key.startsWith('trainer') && e.label === label)) {
        const raw = entries.find((e) => e.key === (t.key.endsWith('-threads2') ? 'engine-f64-threads2' : 'engine-f64') && e.label === label);
        if (raw !== undefined) console.log(`${t.name} / raw step: ${(rate(t) / rate(raw)).toFixed(2)} (CPU time: ${(cpuRate(t) / cpuRate(raw)).toFixed(2)})`);
      }
    }
    // the threads: each 2-thread variant against the same variant on one thread (rounds are interleaved, so
    // the per-round ratio compares two samples taken close together)
    for (const two of entries.filter((e) => e.key.endsWith('-threads2') && e.label === undefined)) {
      const one = entries.find((e) => e.key === two.key.replace(/-threads2$/, '') && e.label === undefined);
      if (one === undefined) continue;
      const rounds = two.samples.map((x, i) => (one.samples[i] === undefined ? NaN : x.rate / one.samples[i].rate)).filter((r) => r === r);
      console.log(
        `${two.name} / one thread: wall ${(rate(two) / rate(one)).toFixed(2)} (medians), ${median(rounds).toFixed(2)} (median of the rounds' ratios, ${rounds.map((r) => r.toFixed(2)).join(' ')}); ` +
          `per CPU-second ${(cpuRate(two) / cpuRate(one)).toFixed(2)}; CPU share ${median(two.samples.map(share)).toFixed(2)} vs ${median(one.samples.map(share)).toFixed(2)}`,
      );
    }
    for (const old of entries.filter((e) => e.label !== undefined)) {
      const now = entries.find((e) => e.key === old.key && e.label === undefined);
      if (now !== undefined) console.log(`${now.name}: now / [${old.label}] = ${(rate(now) / rate(old)).toFixed(2)} (CPU time: ${(cpuRate(now) / cpuRate(old)).toFixed(2)})`);
    }
    if (w.id === 'W3') console.log('(synaptic left out of W3: it compiles a 100k-weight net to JS for minutes; the issue measured 42 samples/s)');
    console.log('');
  }

  // the W3 products alone, as a fraction of the SIMD peak of their precision: each measurement
  // right beside a fresh peak probe (the machine is shared, so a peak measured a minute earlier
  // says little), five times in turn; medians of the fractions
  if (wasm && ONLY.includes('W3')) {
    const f64: number[] = [], f32: number[] = [], fjs: number[] = [], g64: number[] = [], g32: number[] = [], gjs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const p64 = bestRate(() => wasm.exports.peak64(iters, 0.5), 24 * iters);
      g64.push(w3Products(wasm.float64));
      f64.push(g64[r] / p64);
      const p32 = bestRate(() => wasm.exports.peak32(iters, 0.5), 48 * iters);
      g32.push(w3Products(wasm.float32));
      f32.push(g32[r] / p32);
      const pjs = bestRate(() => peakJs(iters), 12 * iters);
      gjs.push(w3Products(fastJsKernel));
      fjs.push(gjs[r] / pjs);
    }
    const pct = (xs: number[]): string => `${(100 * median(xs)).toFixed(0)}%`;
    console.log(`W3 products of one batch (medians of 5, each beside its own peak probe): wasm f64 ${median(g64).toFixed(1)} GFLOP/s = ${pct(f64)} of f64x2 peak; wasm f32 ${median(g32).toFixed(1)} GFLOP/s = ${pct(f32)} of f32x4 peak; fast JS ${median(gjs).toFixed(1)} GFLOP/s = ${pct(fjs)} of JS peak`);
  }

  // gradient check speed (reuses the activations below the perturbed layer)
  for (const w of workloads().filter((x) => x.id !== 'W1' && ONLY.includes(x.id))) {
    const n = w.id === 'W3' ? 256 : w.inputs.length;
    const net = Network.fromSpec(specOf(w), fast64);
    const data = { inputs: w.inputs.slice(0, n).map((x) => Float64Array.from(x)), targets: w.targets.slice(0, n).map((t) => Float64Array.from(t)) };
    const maxPerLayer = w.id === 'W3' ? 40 : undefined;
    const report = checkNetwork(net, data, 0, { maxPerLayer });
    console.log(`gradient check ${w.id} (${n} samples, ${report.parameters} parameters${maxPerLayer ? `, ${maxPerLayer} per layer` : ''}): ${fmt(report.parameters / report.seconds)} parameters/s, max relative error ${report.maxRelativeError.toExponential(1)}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
