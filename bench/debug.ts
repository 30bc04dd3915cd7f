/**
 * The debugger's speed when it does not stop: epochs per second of examples/spiral.net.json
 * trained plainly (the Trainer, as the training worker runs it) and in the debugger with a
 * conditional breakpoint on every layer that never holds and the NaN/Infinity filter on (the
 * debug worker's controller, in this process). Runs are interleaved; prints the medians and the
 * ratio. The bar: the debugger at >= 80% of the plain run's epochs/s.
 *
 *   npm run bench:debug     (EPOCHS=n and ROUNDS=n to change the sizes)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNet, networkFor } from '../src/engine/load';
import { Trainer } from '../src/engine/trainer';
import { DebugController } from '../src/extension/debug/controller';
import type { DebugEvent } from '../src/extension/debug/protocol';

const EPOCHS = Number(process.env.EPOCHS ?? 400);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const file = path.resolve(__dirname, '../../examples/spiral.net.json');
const text = fs.readFileSync(file, 'utf8').replace(/"epochs": \d+/, `"epochs": ${EPOCHS}`);

function plain(): number {
  const loaded = loadNet(text, file);
  if (loaded.spec === undefined || loaded.train === undefined) throw new Error('spiral does not load');
  const trainer = new Trainer(networkFor(loaded.spec, 'train'), loaded.train, loaded.spec.training, loaded.spec.seed, loaded.validation);
  const t0 = performance.now();
  trainer.run(EPOCHS);
  return EPOCHS / ((performance.now() - t0) / 1000);
}

async function debugged(): Promise<number> {
  let done: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const c = new DebugController((e: DebugEvent) => {
    if (e.type === 'ended') done();
    if (e.type === 'stopped') throw new Error(`the bench run stopped: ${e.description}`);
  });
  c.request('launch', { file, text, stopOnEntry: false });
  c.request('setBreakpoints', { breakpoints: [1, 2, 3].map((layer) => ({ layer, condition: 'epoch < 0 && norm(dW) > 1' })) });
  c.request('setFilters', { filters: { nan: 0 } });
  const t0 = performance.now();
  c.request('resume', { how: 'continue' });
  await ended;
  return EPOCHS / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  plain(); // warm up both
  await debugged();
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(plain());
    b.push(await debugged());
  }
  const pa = median(a);
  const pb = median(b);
  console.log(`spiral.net.json, ${EPOCHS} epochs, ${ROUNDS} interleaved rounds (medians)`);
  console.log(`  plain run (Trainer):                          ${pa.toFixed(1)} epochs/s`);
  console.log(`  debugger, 3 conditional breakpoints, NaN on:  ${pb.toFixed(1)} epochs/s`);
  console.log(`  ratio: ${(100 * pb / pa).toFixed(1)}% of the plain run (bar: >= 80%)`);
}

void main();
