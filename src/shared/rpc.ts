/**
 * The one request/reply layer, used on both of the extension's message boundaries: host -> worker
 * thread (`WorkerClient`, answered by the worker's core) and webview -> host (the inspector page,
 * answered by its controller).
 *
 * - A request carries an `id`; exactly one reply with that id answers it, with a result or an
 *   error message. Replies are matched by id, never by their content or order.
 * - Events (progress, state, ...) are separate messages with no id: a reply is never an event.
 * - A request can be cancelled: its promise rejects at once with `CancelledError`, and the reply
 *   that may still come for it is dropped here, so no caller ever sees a stale answer.
 * - When the other side ends, every pending request rejects with the reason.
 *
 * A `RequestMap` lists every request type with its parameters and result, so both sides are typed
 * from one table. Values from an untrusted side are checked once, where they come in (e.g.
 * `parseFromWebview`), not here.
 */

/** Every request type: its parameters and its result. */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;

export type RequestEnvelope<M extends RequestMap> = {
  [K in keyof M & string]: { kind: 'request'; id: number; type: K; params: M[K]['params'] };
}[keyof M & string];

/** `type: 'reply'` lets a reply sit in a union of events discriminated by `type`; receivers route by `kind`. */
export type ReplyEnvelope =
  | { kind: 'reply'; type?: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; type?: 'reply'; id: number; ok: false; error: string };

export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what}: cancelled`);
    this.name = 'CancelledError';
  }
}

export class EndedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EndedError';
  }
}

interface Pending {
  type: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** The asking side: sends requests through `post`, settles them from `receive`d replies. */
export class Requester<M extends RequestMap> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private ended: string | undefined;

  constructor(
    private readonly post: (m: RequestEnvelope<M>) => void,
    private readonly log: (message: string) => void = () => undefined,
    private readonly makeEndedError: (reason: string) => Error = (reason) => new EndedError(reason),
  ) {}

  /** How many requests await their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  /** Sends a request; `id` names it for `cancel`. */
  send<K extends keyof M & string>(type: K, params: M[K]['params']): { id: number; result: Promise<M[K]['result']> } {
    const id = this.nextId++;
    if (this.ended !== undefined) return { id, result: Promise.reject(this.makeEndedError(`${type}: ${this.ended}`)) };
    const result = new Promise<M[K]['result']>((resolve, reject) => {
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject });
      try {
        this.post({ kind: 'request', id, type, params } as RequestEnvelope<M>);
      } catch (err) {
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    return { id, result };
  }

  request<K extends keyof M & string>(type: K, params: M[K]['params']): Promise<M[K]['result']> {
    return this.send(type, params).result;
  }

  /** Cancels a pending request: it rejects with CancelledError now, and its reply will be dropped. */
  cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(new CancelledError(p.type));
  }

  /** A reply from the other side; one for an unknown or cancelled request is dropped. */
  receive(m: ReplyEnvelope): void {
    const p = this.pending.get(m.id);
    if (!p) {
      this.log(`reply for unknown request id ${m.id} dropped (never sent, already answered, or cancelled)`);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  }

  /** The other side is gone: every pending request rejects with `reason`, later ones at once. */
  end(reason: string): void {
    if (this.ended !== undefined) return;
    this.ended = reason;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(this.makeEndedError(`${p.type}: ${reason}`));
  }
}

/** The answering side: the reply to request `id`, from what answering it returned or threw. */
export function replyOf(id: number, outcome: { result: unknown } | { error: unknown }): ReplyEnvelope {
  if ('result' in outcome) return { kind: 'reply', type: 'reply', id, ok: true, result: outcome.result };
  const e = outcome.error;
  return { kind: 'reply', type: 'reply', id, ok: false, error: e instanceof Error ? e.message : String(e) };
}

/** True for a reply envelope (what a receiver routes to its Requester rather than its event handlers). */
export function isReply(m: unknown): m is ReplyEnvelope {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'reply' && typeof (m as { id?: unknown }).id === 'number';
}
