/**
 * The host side of the worker protocol: typed requests matched to their replies by id (the
 * shared request/reply layer, src/shared/rpc.ts), notes, and events. It talks to a `WorkerTransport` (a `worker_threads` Worker in the extension; a stub
 * in unit tests), so it has no `vscode` dependency.
 *
 * When the transport ends (the worker exits or crashes, or `dispose()`), every pending request is
 * rejected with the reason, and later requests are rejected at once.
 *
 * `startThread` is the one place a worker thread is started: `spawnWorkerClient` (training
 * sessions, the data checker, tests of the real worker) and the debugger's channel use it.
 */
import { Worker } from 'node:worker_threads';
import { Requester } from '../../shared/rpc';
import type {
  EventMessage,
  HostToWorker,
  NoteMessage,
  RequestParams,
  RequestResult,
  RequestType,
  WorkerRequests,
  WorkerToHost,
} from '../worker/protocol';

/** A thread's messages both ways and its end, typed by what goes in and what comes out. */
export interface ThreadTransport<In, Out> {
  post(message: In): void;
  /** Registers the one message handler. */
  onMessage(handler: (message: Out) => void): void;
  /** Registers the one handler for the end of the worker (exit, crash), with a reason. */
  onEnd(handler: (reason: string) => void): void;
  terminate(): Promise<void>;
}

export type WorkerTransport = ThreadTransport<HostToWorker, WorkerToHost>;

export class WorkerEndedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WorkerEndedError';
  }
}

export class WorkerClient {
  private readonly requests: Requester<WorkerRequests>;
  private readonly eventHandlers: ((e: EventMessage) => void)[] = [];
  private readonly endHandlers: ((reason: string) => void)[] = [];
  private ended: string | undefined;

  constructor(
    private readonly transport: WorkerTransport,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.requests = new Requester<WorkerRequests>((m) => transport.post(m), (s) => this.log(`worker ${s}`), (reason) => new WorkerEndedError(reason));
    transport.onMessage((m) => this.receive(m));
    transport.onEnd((reason) => this.end(reason));
  }

  /** True once the worker has ended; every request then fails. */
  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  /** How many requests await their reply. */
  get pendingCount(): number {
    return this.requests.pendingCount;
  }

  onEvent(handler: (e: EventMessage) => void): void {
    this.eventHandlers.push(handler);
  }

  /** Called once when the worker ends (exit, crash or dispose), with the reason. */
  onEnded(handler: (reason: string) => void): void {
    if (this.ended !== undefined) handler(this.ended);
    else this.endHandlers.push(handler);
  }

  request<K extends RequestType>(type: K, params: RequestParams<K>): Promise<RequestResult<K>> {
    return this.requests.request(type, params);
  }

  note(message: NoteMessage): void {
    if (this.ended !== undefined) return;
    this.transport.post(message);
  }

  /** Ends the worker; pending requests are rejected with `reason`. */
  async dispose(reason = 'the training worker was stopped'): Promise<void> {
    if (this.ended !== undefined) return;
    this.end(reason);
    await this.transport.terminate();
  }

  private receive(m: WorkerToHost): void {
    if (m.kind === 'reply') this.requests.receive(m);
    else for (const h of this.eventHandlers) h(m);
  }

  private end(reason: string): void {
    if (this.ended !== undefined) return;
    this.ended = reason;
    this.requests.end(reason);
    for (const h of this.endHandlers.splice(0)) h(reason);
  }
}

/**
 * Starts `dist/worker.js` (or another bundle of `worker.ts`) in a thread and returns its client.
 * `what` names the worker in the thread list and in the end reasons ("the training worker
 * crashed: ..."); `log` receives the client's own log lines.
 */
export function spawnWorkerClient(workerPath: string, what: string, log: (message: string) => void = () => undefined, threadName = `backprop ${what}`): WorkerClient {
  return new WorkerClient(startThread<HostToWorker, WorkerToHost>(workerPath, what, threadName), log);
}

/**
 * Starts the bundle at `workerPath` in a worker thread. `what` names it in the end reasons ("the
 * training worker crashed: ..."), `threadName` in the thread list.
 */
export function startThread<In, Out>(workerPath: string, what: string, threadName = `backprop ${what}`): ThreadTransport<In, Out> {
  const worker = new Worker(workerPath, { name: threadName });
  const endHandlers: ((reason: string) => void)[] = [];
  const ended = (reason: string): void => {
    for (const h of endHandlers.splice(0)) h(reason);
  };
  worker.on('error', (e) => ended(`the ${what} crashed: ${e.message}`));
  worker.on('exit', (code) => ended(`the ${what} exited (code ${code})`));
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (h) => worker.on('message', h),
    onEnd: (h) => endHandlers.push(h),
    terminate: async () => {
      await worker.terminate();
    },
  };
}
