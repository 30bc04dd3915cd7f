/**
 * Entry of the replay thread (bundled as `dist/replayWorker.js`): the Runs tab's timeline and
 * restores replay recorded runs here, off the extension host's thread. All the logic is in
 * replayCore.ts; this file only connects it to `parentPort`.
 */
import { parentPort } from 'node:worker_threads';
import { ReplayCore, type FromReplay, type ToReplay } from './replayCore';

const port = parentPort;
if (!port) throw new Error('replayWorker.js must run in a worker thread');

const core = new ReplayCore((m: FromReplay) => port.postMessage(m));
port.on('message', (m: ToReplay) => core.handle(m));
