/**
 * The adapter's side of the debug worker: one interface (requests with ids, one reply each,
 * events apart), and its implementation over a worker thread. A reply that arrives after the
 * channel closed is dropped; requests pending when the worker exits are rejected.
 */
import { Worker } from 'node:worker_threads';
import type { DebugEvent, DebugRequest, RequestTable, RequestType, WorkerMessage } from './protocol';

type Args<K extends RequestType> = RequestTable[K]['args'];
type Result<K extends RequestType> = RequestTable[K]['result'];

export interface DebugChannel {
  request<K extends RequestType>(type: K, args: Args<K>): Promise<Result<K>>;
  onEvent(listener: (e: DebugEvent) => void): void;
  close(): Promise<void>;
}

export class WorkerChannel implements DebugChannel {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Result<RequestType>) => void; reject: (e: Error) => void }>();
  private listener: ((e: DebugEvent) => void) | undefined;
  private closed = false;

  constructor(workerPath: string) {
    this.worker = new Worker(workerPath);
    this.worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'reply') {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(m.error));
      } else if (!this.closed) {
        this.listener?.(m);
      }
    });
    const fail = (why: string): void => {
      for (const p of this.pending.values()) p.reject(new Error(why));
      this.pending.clear();
      if (!this.closed) this.listener?.({ type: 'ended', reason: why });
      this.closed = true;
    };
    this.worker.on('error', (e) => fail(`the debug worker failed: ${e.message}`));
    this.worker.on('exit', (code) => fail(`the debug worker exited (code ${code})`));
  }

  request<K extends RequestType>(type: K, args: Args<K>): Promise<Result<K>> {
    if (this.closed) return Promise.reject(new Error('the debug worker has ended'));
    const id = this.nextId++;
    return new Promise<Result<K>>((resolve, reject) => {
      // the reply's result has the type of this request's entry in RequestTable (the worker answers in kind)
      this.pending.set(id, { resolve: resolve as (r: Result<RequestType>) => void, reject });
      this.worker.postMessage({ type, id, ...args } as DebugRequest);
    });
  }

  onEvent(listener: (e: DebugEvent) => void): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener = undefined;
    await this.worker.terminate();
  }
}
