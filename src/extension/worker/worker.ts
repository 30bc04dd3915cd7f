/**
 * Entry of the training worker thread (bundled as `dist/worker.js`). One per network file; the
 * extension host starts it with `new Worker(dist/worker.js)` and talks to it through the protocol
 * in `protocol.ts`. All the logic is in `core.ts`; this file only connects it to `parentPort`.
 */
import { parentPort } from 'node:worker_threads';
import { WorkerCore } from './core';
import type { HostToWorker, WorkerToHost } from './protocol';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');

const core = new WorkerCore((m: WorkerToHost) => port.postMessage(m));
port.on('message', (m: HostToWorker) => {
  try {
    core.handle(m);
  } catch (err) {
    port.postMessage({
      kind: 'event',
      type: 'log',
      level: 'error',
      message: `worker: unhandled ${err instanceof Error ? err.stack ?? err.message : String(err)}`,
    } satisfies WorkerToHost);
  }
});
