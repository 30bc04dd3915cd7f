/**
 * The entry of a helper thread of a batch split (kernels/threads.ts): builds its network
 * (kernels/slice.ts), says it is ready, then waits for a request, computes the slice and says so,
 * until it is told to stop (or terminated). In place (the WebAssembly kernel's shared memory) it
 * then waits until every slice's sums are written and adds its own range of them. Each wait spins
 * briefly and then sleeps in Atomics.wait: an idle helper takes no CPU. It never posts messages:
 * everything travels through shared memory.
 */
import { workerData } from 'node:worker_threads';
import { SliceRunner, type SliceInPlace } from './slice';
import { addRange, awaitWord, CONTROL, HELPER_CMD_STOP, type HelperData, layoutOf, meanRange, rangeOf, sliceViews, slotBase } from './threads';
import type { Kernel } from './types';
import { wasmBackendOn } from './wasm';

const data = workerData as HelperData;
const control = new Int32Array(data.control);
const { sizes } = data.shape;
const L = sizes.length - 1;
const at = slotBase(data.slot, L);
const layout = layoutOf(sizes);

/** In place: the kernel on the shared memory, the calling thread's gradient, every helper's sums, the loss slots. */
interface InPlace {
  kernel: Kernel;
  buffer: ArrayBufferLike;
  grads: Float64Array;
  sums: Float64Array[];
  values: Float64Array;
  scalars: Float64Array;
}

let runner: SliceRunner;
let inPlace: InPlace | undefined;
try {
  const p = data.inPlace;
  if (p !== undefined) {
    const backend = wasmBackendOn(p.memory, p.arena[0], p.arena[1]);
    if (backend === undefined) throw new Error('the WebAssembly kernels did not load in a helper thread');
    const kernel = data.shape.kernel === backend.float32.name ? backend.float32 : backend.float64;
    const buffer = p.memory.buffer;
    const view = (offset: number): Float64Array => new Float64Array(buffer, offset, p.count);
    const sums = p.sums.map(view);
    const values = view(p.params);
    runner = new SliceRunner(data.shape, undefined, kernel, { params: values, grads: sums[data.slot] });
    inPlace = { kernel, buffer, grads: view(p.grads), sums, values, scalars: new Float64Array(p.scalars) };
  } else if (data.copy !== undefined) {
    runner = new SliceRunner(data.shape, sliceViews(data.shape, new Float64Array(data.copy.params), data.copy.slice));
  } else {
    throw new Error('a helper thread got no buffers');
  }
  Atomics.store(control, at + CONTROL.STATE, 1);
} catch (e) {
  Atomics.store(control, at + CONTROL.STATE, 2);
  Atomics.notify(control, at + CONTROL.STATE);
  throw e;
}
Atomics.notify(control, at + CONTROL.STATE);

/** The request's rows and activations: views of the calling thread's batch buffers. */
function io(p: InPlace, rows: number): SliceInPlace {
  const rowsAt = (word: number, units: number): Float64Array => new Float64Array(p.buffer, control[at + word], rows * units);
  return { X: rowsAt(CONTROL.X_AT, sizes[0]), T: rowsAt(CONTROL.T_AT, sizes[L]), O: sizes.slice(1).map((n, l) => rowsAt(CONTROL.O_AT + l, n)) };
}

const done = (word: number, seq: number): void => {
  Atomics.store(control, at + word, seq);
  Atomics.notify(control, at + word);
};

let seen = 0;
for (;;) {
  // the next request: any SEQ other than the last one seen
  for (let k = 0; k < 1 << 14 && Atomics.load(control, at + CONTROL.SEQ) === seen; k++);
  Atomics.wait(control, at + CONTROL.SEQ, seen);
  const seq = Atomics.load(control, at + CONTROL.SEQ);
  if (seq === seen) continue;
  seen = seq;
  if (control[at + CONTROL.CMD] === HELPER_CMD_STOP) break;
  try {
    const rows = control[at + CONTROL.ROWS];
    if (inPlace === undefined) {
      runner.run(rows);
      done(CONTROL.READY, seq);
    } else {
      const p = inPlace;
      p.scalars[1 + data.slot] = runner.runIn(rows, io(p, rows));
      done(CONTROL.READY, seq);
      // every slice's sums written (slice 0's by the calling thread), then this thread's range of
      // them: added in slice order, then the mean
      const S = control[at + CONTROL.SLICES];
      awaitWord(control, CONTROL.MAIN_READY, seq);
      for (let s = 1; s < S; s++) awaitWord(control, slotBase(s - 1, L) + CONTROL.READY, seq);
      const [lo, hi] = rangeOf(p.grads.length, S, data.slot + 1);
      addRange(p.kernel, p.grads, p.sums.slice(0, S - 1), lo, hi);
      meanRange(p.kernel, p.grads, p.values, layout, control[at + CONTROL.BATCH], p.scalars[0], lo, hi);
    }
    done(CONTROL.DONE, seq);
  } catch (e) {
    Atomics.store(control, at + CONTROL.STATE, 2);
    Atomics.notify(control, at + CONTROL.READY);
    Atomics.notify(control, at + CONTROL.DONE);
    throw e;
  }
}
