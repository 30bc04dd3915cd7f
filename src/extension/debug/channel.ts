/**
 * The adapter's side of the debug worker: one interface (typed requests, one reply each, events
 * apart) and its implementation over a worker thread with the shared request/reply layer
 * (src/shared/rpc.ts): replies matched by id, a reply after the end dropped, every pending
 * request rejected when the worker exits or crashes.
 */
import { Worker } from 'node:worker_threads';
import { isReply, Requester } from '../../shared/rpc';
import type { DebugEvent, DebugParams, DebugRequests, DebugRequestType, DebugResult, WorkerMessage } from './protocol';

export interface DebugChannel {
  request<K extends DebugRequestType>(type: K, params: DebugParams<K>): Promise<DebugResult<K>>;
  onEvent(listener: (e: DebugEvent) => void): void;
  close(): Promise<void>;
}

export class WorkerChannel implements DebugChannel {
  private readonly worker: Worker;
  private readonly requests: Requester<DebugRequests>;
  private listener: ((e: DebugEvent) => void) | undefined;
  private closed = false;

  constructor(workerPath: string) {
    // (the training worker's spawnWorkerClient is typed for its own protocol; this thread speaks DebugRequests)
    this.worker = new Worker(workerPath, { name: 'backprop debug worker' });
    this.requests = new Requester<DebugRequests>((m) => this.worker.postMessage(m));
    this.worker.on('message', (m: WorkerMessage) => {
      if (isReply(m)) this.requests.receive(m);
      else if (!this.closed) this.listener?.(m);
    });
    const fail = (why: string): void => {
      this.requests.end(why);
      if (!this.closed) this.listener?.({ type: 'ended', reason: why });
      this.closed = true;
    };
    this.worker.on('error', (e) => fail(`the debug worker failed: ${e.message}`));
    this.worker.on('exit', (code) => fail(`the debug worker exited (code ${code})`));
  }

  request<K extends DebugRequestType>(type: K, params: DebugParams<K>): Promise<DebugResult<K>> {
    return this.requests.request(type, params);
  }

  onEvent(listener: (e: DebugEvent) => void): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener = undefined;
    this.requests.end('the debug session ended');
    await this.worker.terminate();
  }
}
