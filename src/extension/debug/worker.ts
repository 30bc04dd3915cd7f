/**
 * Entry of the debug worker thread (bundled as `dist/debugWorker.js`): connects a
 * DebugController to the thread's port (requests in, replies and events out, src/shared/rpc.ts).
 * One per debug session.
 */
import { parentPort } from 'node:worker_threads';
import { DebugController } from './controller';
import type { DebugRequest, WorkerMessage } from './protocol';

const port = parentPort;
if (!port) throw new Error('debugWorker.js must run in a worker thread');

const post = (m: WorkerMessage): void => port.postMessage(m);
const controller = new DebugController(post);
port.on('message', (r: DebugRequest) => post(controller.reply(r)));
