/**
 * The adapter's side of the debug worker: one interface (typed requests, one reply each, events
 * apart) and its implementation over a worker thread with the shared request/reply layer
 * (src/shared/rpc.ts): replies matched by id, a reply after the end dropped, every pending
 * request rejected when the worker exits or crashes.
 */
import { isReply, Requester } from '../../shared/rpc';
import { startThread, type ThreadTransport } from '../training/workerClient';
import type { DebugEvent, DebugParams, DebugRequest, DebugRequests, DebugRequestType, DebugResult, WorkerMessage } from './protocol';

export interface DebugChannel {
  request<K extends DebugRequestType>(type: K, params: DebugParams<K>): Promise<DebugResult<K>>;
  onEvent(listener: (e: DebugEvent) => void): void;
  close(): Promise<void>;
}

export class WorkerChannel implements DebugChannel {
  private readonly worker: ThreadTransport<DebugRequest, WorkerMessage>;
  private readonly requests: Requester<DebugRequests>;
  private listener: ((e: DebugEvent) => void) | undefined;
  private closed = false;

  constructor(workerPath: string) {
    this.worker = startThread<DebugRequest, WorkerMessage>(workerPath, 'debug worker');
    this.requests = new Requester<DebugRequests>((m) => this.worker.post(m));
    this.worker.onMessage((m) => {
      if (isReply(m)) this.requests.receive(m);
      else if (!this.closed) this.listener?.(m);
    });
    const fail = (why: string): void => {
      this.requests.end(why);
      if (!this.closed) this.listener?.({ type: 'ended', reason: why });
      this.closed = true;
    };
    this.worker.onEnd(fail);
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
