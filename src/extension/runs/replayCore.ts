/**
 * The replay thread's logic (bundled as `dist/replayWorker.js` by replayWorker.ts; unit tests drive
 * it directly): the network of a recorded run at any epoch, from the run's nearest snapshot
 * replayed bit for bit (engine/runs/replay.ts), so that scrubbing a run with a large data set never
 * blocks the extension host's thread.
 *
 * - Requests are answered one at a time, in order (they share the replayed trainers).
 * - A replay runs in slices of about `SLICE_MS` and returns to the message loop between them, so a
 *   `cancel` note for a superseded request is read while it runs: the request then stops at its
 *   next slice and replies with an error (the host has dropped it already, rpc.ts).
 * - The record comes with the request only when the thread does not hold it (`missing` asks for
 *   it); the last `KEEP` runs' replayers are kept with their caches.
 *
 * No `vscode` here.
 */
import * as path from 'node:path';
import { layersOf, replaySetup, Replayer, type RunRecord } from '../../engine/runs';
import type { NetSpec } from '../../engine/spec';
import type { TrainerCheckpoint } from '../../engine/trainer';
import { replyOf, type ReplyEnvelope, type RequestEnvelope } from '../../shared/rpc';
import type { RunFrame } from '../../shared/runsProtocol';
import type { LayerWeights } from '../worker/protocol';
import { boundaryView, snapshot, summarize } from '../worker/views';

export const SLICE_MS = 15;
/** Runs whose replayer (and cache) the thread keeps. */
const KEEP = 3;

/** What a request names: a run (its record when the thread asked for it) and an epoch. */
export interface ReplayTarget {
  id: string;
  epoch: number;
  /** Sent only after a `missing` answer. */
  record?: RunRecord;
  /** Data files outside the network file's folder may be read (the trusted setting). */
  allowOutside: boolean;
}

/** The thread does not hold run `id`: send the request again with its record. */
export interface Missing {
  missing: true;
}

export type ReplayRequests = {
  /** The network (heatmaps, graph) and decision boundary at `epoch`. */
  frame: { params: ReplayTarget & { boundarySize: number }; result: RunFrame | Missing };
  /** The weights and biases at `epoch`, per layer (a restore into the file). */
  weights: { params: ReplayTarget; result: LayerWeights[] | Missing };
};

export type ToReplay = RequestEnvelope<ReplayRequests> | { kind: 'note'; type: 'cancel'; id: number };
export type FromReplay = ReplyEnvelope;

interface Context {
  record: RunRecord;
  replayer: Replayer;
  spec: NetSpec;
  allowOutside: boolean;
}

export class ReplayCore {
  private readonly contexts = new Map<string, Context>();
  private readonly cancelled = new Set<number>();
  private queue: Promise<void> = Promise.resolve();
  /** Epochs replayed by every request so far (tests). */
  replayedEpochs = 0;

  constructor(
    private readonly post: (m: FromReplay) => void,
    private readonly yieldNow: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
    private readonly now: () => number = () => performance.now(),
  ) {}

  handle(m: ToReplay): void {
    if (m.kind === 'note') {
      this.cancelled.add(m.id);
      return;
    }
    this.queue = this.queue.then(() => this.answer(m));
  }

  /** Settles once every request received so far is answered (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async answer(m: RequestEnvelope<ReplayRequests>): Promise<void> {
    try {
      if (this.cancelled.has(m.id)) throw new Error(`${m.type}: cancelled`);
      const c = this.context(m.params);
      if (c === undefined) {
        this.post(replyOf(m.id, { result: { missing: true } satisfies Missing }));
        return;
      }
      const got = await this.stateAt(c, m.params.epoch, m.id);
      if (m.type === 'weights') {
        this.post(replyOf(m.id, { result: layersOf(got.state, c.replayer.trainer.net.sizes) }));
        return;
      }
      this.post(replyOf(m.id, { result: this.frame(c, m.params.id, m.params.epoch, got, m.params.boundarySize) }));
    } catch (error) {
      this.post(replyOf(m.id, { error }));
    } finally {
      this.cancelled.delete(m.id);
    }
  }

  /** The replay context of the target's run, made from its record when one came; undefined: ask for it. */
  private context(t: ReplayTarget): Context | undefined {
    let c = this.contexts.get(t.id);
    if (c !== undefined && c.allowOutside !== t.allowOutside) c = undefined;
    if (c === undefined) {
      if (t.record === undefined) return undefined;
      if (t.record.id !== t.id) throw new Error(`the record sent is run ${t.record.id}, not ${t.id}`);
      const { trainer, spec } = replaySetup(t.record, undefined, { allowOutside: t.allowOutside });
      c = { record: t.record, replayer: new Replayer(t.record, trainer), spec, allowOutside: t.allowOutside };
    }
    // most recently used last; the oldest dropped past KEEP
    this.contexts.delete(t.id);
    this.contexts.set(t.id, c);
    while (this.contexts.size > KEEP) {
      const oldest = this.contexts.keys().next().value;
      if (oldest === undefined) break;
      this.contexts.delete(oldest);
    }
    return c;
  }

  /** The state at `epoch`, replayed in slices; throws when request `id` is cancelled meanwhile. */
  private async stateAt(c: Context, epoch: number, id: number): Promise<{ state: TrainerCheckpoint; replayed: number }> {
    const before = c.replayer.replayedEpochs;
    let chunk = 4;
    for (;;) {
      const from = c.replayer.nearest(epoch)?.epoch ?? epoch;
      if (epoch - from <= chunk) break;
      const t0 = this.now();
      c.replayer.stateAt(from + chunk);
      const ms = this.now() - t0;
      chunk = Math.max(1, Math.min(10_000, Math.round((chunk * SLICE_MS) / Math.max(ms, 0.5))));
      await this.yieldNow();
      if (this.cancelled.has(id)) {
        this.replayedEpochs += c.replayer.replayedEpochs - before;
        throw new Error('replay: cancelled (a newer position replaced it)');
      }
    }
    const state = c.replayer.stateAt(epoch);
    const replayed = c.replayer.replayedEpochs - before;
    this.replayedEpochs += replayed;
    return { state, replayed };
  }

  private frame(c: Context, id: string, epoch: number, got: { state: TrainerCheckpoint; replayed: number }, boundarySize: number): RunFrame {
    const trainer = c.replayer.trainer;
    // THE snapshot (worker/views.ts) of the replayed network: its gradient over all the data, the
    // last update of the restored optimizer state (replays recompute every gradient they use)
    const net = trainer.net;
    const summary = summarize(c.spec, net, path.basename(c.record.file), trainer.train, trainer.validation);
    const network = snapshot({ spec: c.spec, net, trainer, train: trainer.train, summary, fileName: c.record.file, updated: got.state.optimizer.steps > 0 });
    const boundary = boundaryView(net, trainer.train, boundarySize, summary.classification);
    return { id, epoch, network, ...(boundary ? { boundary } : {}), fromSnapshot: c.replayer.isSnapshot(epoch), replayed: got.replayed };
  }
}
