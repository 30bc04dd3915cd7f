/**
 * The host side of the replay thread (replayCore.ts): its requests through the shared
 * request/reply layer (src/shared/rpc.ts), the record sent along only when the thread asks for it,
 * and cancellation: `cancel` drops the reply here and tells the thread to stop replaying. The
 * thread is started on the first request (`startThread`, as training workers are) and again after
 * it ended. No `vscode` here: unit tests run it against the real bundle.
 */
import type { RunRecord } from '../../engine/runs';
import { Requester } from '../../shared/rpc';
import type { RunFrame } from '../../shared/runsProtocol';
import { startThread, type ThreadTransport } from '../training/workerClient';
import type { LayerWeights } from '../worker/protocol';
import type { FromReplay, Missing, ReplayRequests, ToReplay } from './replayCore';

export type ReplayTransport = ThreadTransport<ToReplay, FromReplay>;

/** A request in flight: its result, and how to cancel it. */
export interface Pending<T> {
  result: Promise<T>;
  cancel(): void;
}

interface Thread {
  transport: ReplayTransport;
  requests: Requester<ReplayRequests>;
}

export class ReplayClient {
  private thread: Thread | undefined;
  private disposed = false;

  constructor(
    /** Starts the thread: `dist/replayWorker.js` in the extension. */
    private readonly start: () => ReplayTransport,
    /** The run's whole record, read when the thread does not hold it. */
    private readonly recordOf: (id: string) => Promise<RunRecord>,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** A client of `dist/replayWorker.js` at `workerPath`. */
  static spawn(workerPath: string, recordOf: (id: string) => Promise<RunRecord>, log?: (message: string) => void): ReplayClient {
    return new ReplayClient(() => startThread<ToReplay, FromReplay>(workerPath, 'replay worker', 'backprop replay'), recordOf, log);
  }

  frame(id: string, epoch: number, allowOutside: boolean, boundarySize: number): Pending<RunFrame> {
    return this.ask('frame', { id, epoch, allowOutside, boundarySize });
  }

  weights(id: string, epoch: number, allowOutside: boolean): Pending<LayerWeights[]> {
    return this.ask('weights', { id, epoch, allowOutside });
  }

  /** Ends the thread; requests in flight reject. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const t = this.thread;
    this.thread = undefined;
    if (t === undefined) return;
    t.requests.end('the Runs view was closed');
    await t.transport.terminate();
  }

  private ask<K extends keyof ReplayRequests & string>(type: K, params: ReplayRequests[K]['params']): Pending<Exclude<ReplayRequests[K]['result'], Missing>> {
    type Result = Exclude<ReplayRequests[K]['result'], Missing>;
    let current: { thread: Thread; id: number } | undefined;
    let cancelled = false;
    const send = (p: ReplayRequests[K]['params']): Promise<ReplayRequests[K]['result']> => {
      const thread = this.ensure();
      const sent = thread.requests.send(type, p);
      current = { thread, id: sent.id };
      return sent.result;
    };
    const result = (async (): Promise<Result> => {
      let r = await send(params);
      if (isMissing(r)) {
        if (cancelled) throw new Error(`${type}: cancelled`);
        const record = await this.recordOf(params.id);
        if (cancelled) throw new Error(`${type}: cancelled`);
        r = await send({ ...params, record });
        if (isMissing(r)) throw new Error(`the replay thread did not take the record of run ${params.id}`);
      }
      return r as Result;
    })();
    return {
      result,
      cancel: () => {
        cancelled = true;
        if (current === undefined) return;
        current.thread.requests.cancel(current.id);
        try {
          current.thread.transport.post({ kind: 'note', type: 'cancel', id: current.id });
        } catch {
          // the thread has ended: nothing to stop
        }
      },
    };
  }

  private ensure(): Thread {
    if (this.disposed) throw new Error('the Runs view was closed');
    if (this.thread !== undefined && !this.thread.requests.isEnded) return this.thread;
    const transport = this.start();
    const requests = new Requester<ReplayRequests>((m) => transport.post(m), (s) => this.log(`replay ${s}`));
    const thread: Thread = { transport, requests };
    transport.onMessage((m) => requests.receive(m));
    transport.onEnd((reason) => {
      requests.end(reason);
      if (this.thread === thread) this.thread = undefined;
    });
    this.thread = thread;
    return thread;
  }
}

function isMissing(r: unknown): r is Missing {
  return typeof r === 'object' && r !== null && (r as { missing?: unknown }).missing === true;
}
