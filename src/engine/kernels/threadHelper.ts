/**
 * The entry of a helper thread of a batch split (kernels/threads.ts): builds its network
 * (kernels/slice.ts), says it is ready, then waits in Atomics.wait for a request, computes the
 * slice and says it is done, until it is told to stop (or terminated). It takes no CPU while it
 * waits, and it never posts messages: everything travels through the shared buffers.
 */
import { workerData } from 'node:worker_threads';
import { SliceRunner } from './slice';
import { CONTROL, HELPER_CMD_STOP, type HelperData, sliceViews } from './threads';

const data = workerData as HelperData;
const control = new Int32Array(data.control);
let runner: SliceRunner;
try {
  runner = new SliceRunner(data.shape, sliceViews(data.shape, new Float64Array(data.params), data.slice));
  Atomics.store(control, CONTROL.STATE, 1);
} catch (e) {
  Atomics.store(control, CONTROL.STATE, 2);
  Atomics.notify(control, CONTROL.STATE);
  throw e;
}
Atomics.notify(control, CONTROL.STATE);
let seen = 0;
for (;;) {
  Atomics.wait(control, CONTROL.SEQ, seen);
  const seq = Atomics.load(control, CONTROL.SEQ);
  if (seq === seen) continue;
  seen = seq;
  if (control[CONTROL.CMD] === HELPER_CMD_STOP) break;
  try {
    runner.run(control[CONTROL.ROWS]);
  } catch (e) {
    Atomics.store(control, CONTROL.STATE, 2);
    Atomics.notify(control, CONTROL.DONE);
    throw e;
  }
  Atomics.store(control, CONTROL.DONE, seq);
  Atomics.notify(control, CONTROL.DONE);
}
