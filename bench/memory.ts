/**
 * `npm run bench:memory`: does a long run's memory stay flat? Trains W1 (XOR on the generated
 * WebAssembly step) for 10^6 epochs and W2 (batches of 32 on the general path) for 2·10^4
 * epochs with the Trainer, every epoch's point kept in a LossHistory as the extension keeps them,
 * and after every tenth of the run forces a garbage collection (node --expose-gc) and prints the
 * heap, the memory outside it and the WebAssembly arena's free bytes. Prints figures; never fails.
 */
import { LossHistory } from '../src/engine/history';
import { defaultKernel } from '../src/engine/kernels/default';
import { wasmBackend } from '../src/engine/kernels/wasm';
import { Network } from '../src/engine/network';
import { Trainer } from '../src/engine/trainer';
import { specOf } from './engines';
import { workloads } from './workloads';

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number): string => (n / 2 ** 20).toFixed(2);

function run(id: 'W1' | 'W2', epochs: number): void {
  const w = workloads().find((x) => x.id === id)!;
  const spec = specOf(w);
  const net = Network.fromSpec(spec, defaultKernel());
  const data = { inputs: w.inputs.map((x) => Float64Array.from(x)), targets: w.targets.map((t) => Float64Array.from(t)), labels: w.labels };
  const trainer = new Trainer(net, data, { ...spec.training, shuffle: true }, 1);
  const history = new LossHistory();
  const wasm = wasmBackend();
  console.log(`${id}: ${epochs} epochs of ${data.inputs.length} samples, batch ${w.batch}`);
  console.log('| epoch | heap used MB | external MB | array buffers MB | rss MB | arena free MB | last loss |');
  console.log('|---|---|---|---|---|---|---|');
  const started = Date.now();
  const heap: number[] = [];
  for (let e = 0; e <= epochs; e++) {
    if (e % (epochs / 10) === 0) {
      gc?.();
      const m = process.memoryUsage();
      heap.push(m.heapUsed);
      const last = history.points().at(-1);
      console.log(`| ${e} | ${mb(m.heapUsed)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${mb(m.rss)} | ${wasm ? mb(wasm.available()) : '-'} | ${last ? last.loss.toPrecision(4) : '-'} |`);
    }
    if (e < epochs) {
      const s = trainer.runEpoch();
      history.push({ epoch: s.epoch, loss: s.loss });
    }
  }
  const growth = heap[heap.length - 1] - heap[1];
  console.log(`heap after the first tenth -> end: ${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} kB over ${(epochs * 0.9).toFixed(0)} epochs (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

if (gc === undefined) console.log('(run with node --expose-gc for heap figures after a collection)');
run('W1', 1e6);
run('W2', 2e4);
