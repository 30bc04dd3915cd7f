/**
 * A batch split across threads (docs/performance.md, "More than one core").
 *
 * `BatchSplit.lossAndGradient` computes what `Network.lossAndGradient` computes, with the batch's
 * B rows cut into S contiguous slices (S = the thread count, fewer for a small batch or a small
 * network, see `slices`; the first B mod S slices get one row more). The calling thread computes
 * slice 0 on the network itself; helpers compute slices 1..S-1, each on its own network of the
 * same shape and kernel (kernels/slice.ts), from the parameters the calling thread wrote into a
 * SharedArrayBuffer. Then the calling thread adds, in slice order, each slice's loss sum and
 * gradient sums to its own (dW = ((Σ_0 + Σ_1) + Σ_2) …), copies the slices' activations into its
 * batch buffers (for the Trainer's checks and accuracy) and divides by B (`meanGradients`).
 *
 * The order of every addition is fixed by (B, S) alone, so a run is bit-reproducible for a given
 * thread count; it differs from the one-thread sum over all rows in the last bits (the batch's
 * gradient is summed in another order). `inThread: true` runs the helpers' code in the calling
 * thread, one slice after the other: the one-thread path with the same split, which the tests
 * compare with the threads bit for bit.
 *
 * Helpers are worker_threads Workers (kernels/threadHelper.ts) waiting in `Atomics.wait` on a
 * shared control word: an idle helper takes no CPU. The calling thread blocks in `Atomics.wait`
 * until its helpers are done (the Trainer is synchronous; the extension trains in a worker thread,
 * so the extension host's loop never waits). `dispose()` stops and terminates them.
 *
 * After a split step the network's batch buffers hold every row's inputs, targets and activations
 * (O), but net inputs (Z) and deltas (Δ) only of slice 0's rows.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Network } from '../network';
import { kernelNamed, outputsLength, packedOf, parameterCount, type SliceBuffers, SliceRunner, type SliceShape } from './slice';

/**
 * A slice goes to a helper only when it has at least this many multiply-adds in its forward
 * products (rows × Σ units_l · units_{l-1}); see docs/performance.md for why.
 */
export const MIN_SLICE_WORK = 1 << 20;

// the control words of a helper (Int32Array over a SharedArrayBuffer)
const SEQ = 0; // the main thread's request number (incremented per request)
const DONE = 1; // the last request number the helper finished
const ROWS = 2; // rows of the current request
const CMD = 3; // 0 run, 1 stop
const STATE = 4; // 0 starting, 1 ready, 2 failed
const CONTROL_WORDS = 8;
export const HELPER_CMD_RUN = 0;
export const HELPER_CMD_STOP = 1;
export const CONTROL = { SEQ, DONE, ROWS, CMD, STATE } as const;

/** How long the calling thread waits for a helper to start or to answer before it gives up. */
const TIMEOUT_MS = 60_000;

interface Helper {
  readonly buf: SliceBuffers;
  start(rows: number): void;
  finish(): void;
  dispose(): Promise<void>;
  /** True while its thread has not exited. */
  readonly alive: boolean;
}

/** What a helper thread is given (workerData). */
export interface HelperData {
  shape: SliceShape;
  params: SharedArrayBuffer;
  slice: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** The views of a slice's shared block: X, T, G, O, loss (see slice.ts), in that order. */
export function sliceViews(shape: SliceShape, params: Float64Array, block: ArrayBufferLike): SliceBuffers {
  const n0 = shape.sizes[0];
  const K = shape.sizes[shape.sizes.length - 1];
  const lengths = [shape.capacity * n0, shape.capacity * K, parameterCount(shape.sizes), outputsLength(shape), 1];
  let at = 0;
  const [X, T, G, O, loss] = lengths.map((n) => {
    const v = new Float64Array(block, at * 8, n);
    at += n;
    return v;
  });
  return { params, X, T, G, O, loss };
}

function sliceBytes(shape: SliceShape): number {
  const n0 = shape.sizes[0];
  const K = shape.sizes[shape.sizes.length - 1];
  return 8 * (shape.capacity * (n0 + K) + parameterCount(shape.sizes) + outputsLength(shape) + 1);
}

/** The same code as a helper thread, run in the calling thread when asked (`finish`). */
class InThreadHelper implements Helper {
  private readonly runner: SliceRunner;
  private rows = 0;
  readonly alive = false;
  constructor(readonly buf: SliceBuffers, shape: SliceShape) {
    this.runner = new SliceRunner(shape, buf);
  }
  start(rows: number): void {
    this.rows = rows;
  }
  finish(): void {
    this.runner.run(this.rows);
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

/** Helper threads of this thread that have started and not yet exited (all splits). */
let live = 0;

/** Number of helper threads started by this thread that have not exited yet (for leak checks). */
export function liveHelperThreads(): number {
  return live;
}

class ThreadHelper implements Helper {
  readonly buf: SliceBuffers;
  private readonly control: Int32Array;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private seq = 0;
  private ready = false;
  alive = true;

  constructor(shape: SliceShape, params: SharedArrayBuffer, script: string) {
    const slice = new SharedArrayBuffer(sliceBytes(shape));
    const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
    this.control = new Int32Array(control);
    this.buf = sliceViews(shape, new Float64Array(params), slice);
    const data: HelperData = { shape, params, slice, control };
    this.worker = new Worker(script, { workerData: data, name: 'backprop helper' });
    this.worker.unref(); // a forgotten dispose does not keep a CLI process alive
    live++;
    this.exited = new Promise((resolve) => this.worker.once('exit', () => {
      this.alive = false;
      live--;
      resolve();
    }));
    this.worker.on('error', () => Atomics.store(this.control, STATE, 2)); // (seen only between batches)
  }

  start(rows: number): void {
    if (!this.ready) {
      // the first request waits until the helper has built its network
      const deadline = Date.now() + TIMEOUT_MS;
      while (Atomics.load(this.control, STATE) === 0 && Date.now() < deadline) Atomics.wait(this.control, STATE, 0, 100);
      if (Atomics.load(this.control, STATE) !== 1) throw new Error('a helper thread did not start');
      this.ready = true;
    }
    this.control[ROWS] = rows;
    this.control[CMD] = HELPER_CMD_RUN;
    this.seq++;
    Atomics.store(this.control, SEQ, this.seq);
    Atomics.notify(this.control, SEQ);
  }

  finish(): void {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      if (done === this.seq) return;
      if (Atomics.load(this.control, STATE) === 2) throw new Error('a helper thread failed');
      if (Date.now() > deadline) throw new Error('a helper thread did not answer');
      Atomics.wait(this.control, DONE, done, 100);
    }
  }

  async dispose(): Promise<void> {
    this.control[CMD] = HELPER_CMD_STOP;
    Atomics.store(this.control, SEQ, this.seq + 1);
    Atomics.notify(this.control, SEQ);
    await this.worker.terminate();
    await this.exited;
  }
}

export interface SplitOptions {
  /** Threads computing a batch, the calling one included (1 = no split). */
  threads: number;
  /** The most rows a batch will have (the Trainer's batch size). */
  maxRows: number;
  /** Run the helpers' code in the calling thread, slice after slice (the tests' one-thread path with the same split). */
  inThread?: boolean;
  /** Override of MIN_SLICE_WORK (the tests split tiny networks). */
  minSliceWork?: number;
  /** The helper script (default: threadHelper.js beside this file, in out/ and in dist/ alike). */
  script?: string;
}

/** Multiply-adds of one row's forward products: Σ units_l · units_{l-1}. */
function forwardWork(sizes: readonly number[]): number {
  return sizes.slice(1).reduce((s, n, i) => s + n * sizes[i], 0);
}

/** Slices of a batch of B rows: at most one per thread and per row, each with at least minSliceWork multiply-adds. */
function slicesOf(B: number, threads: number, perRow: number, minSliceWork: number): number {
  const byWork = minSliceWork <= 0 ? B : Math.floor((B * perRow) / minSliceWork);
  return Math.max(1, Math.min(threads, B, byWork));
}

export class BatchSplit {
  private readonly helpers: Helper[];
  private readonly values: Float64Array;
  private readonly grads: Float64Array;
  private readonly params: Float64Array;
  private readonly perRow: number;
  private readonly capacity: number;
  /** A copy of a slice's sums in the kernel's memory (for its vector addTo), when it has one. */
  private readonly scratch: Float64Array | undefined;
  private disposed = false;

  private constructor(
    readonly net: Network,
    readonly threads: number,
    private readonly maxRows: number,
    private readonly minSliceWork: number,
    values: Float64Array,
    grads: Float64Array,
    makeHelpers: (shape: SliceShape, params: SharedArrayBuffer) => Helper[],
  ) {
    this.values = values;
    this.grads = grads;
    const sizes = net.sizes;
    this.perRow = forwardWork(sizes);
    const shared = new SharedArrayBuffer(values.length * 8);
    this.params = new Float64Array(shared);
    this.scratch = net.kernel.alloc?.(values.length);
    // The most rows a helper's slice can hold: the largest ceil(B / S) over the batch sizes that
    // split (a batch near the size threshold is cut into fewer, larger slices than there are threads).
    let capacity = 1;
    for (let B = 2; B <= maxRows; B++) {
      const S = slicesOf(B, Math.min(threads, maxRows), this.perRow, minSliceWork);
      if (S >= 2) capacity = Math.max(capacity, Math.ceil(B / S));
    }
    this.capacity = capacity;
    const shape: SliceShape = {
      kernel: net.kernel.name,
      sizes: [...sizes],
      activations: net.layers.map((l) => l.activation),
      loss: net.loss,
      capacity: this.capacity,
    };
    this.helpers = makeHelpers(shape, shared);
  }

  /**
   * A split for this network, or undefined when it would never split (one thread, batches too
   * small for the size threshold, a network with its own activation table, a kernel a helper
   * thread cannot make, parameters not packed).
   */
  static create(net: Network, options: SplitOptions): BatchSplit | undefined {
    const threads = Math.max(1, Math.floor(options.threads));
    const maxRows = Math.max(1, Math.floor(options.maxRows));
    const minSliceWork = options.minSliceWork ?? MIN_SLICE_WORK;
    if (threads < 2 || maxRows < 2 || !net.builtinActivations() || kernelNamed(net.kernel.name) !== net.kernel) return undefined;
    if (slicesOf(maxRows, threads, forwardWork(net.sizes), minSliceWork) < 2) return undefined; // (below the size threshold)
    const values = packedOf(net, 'W');
    const grads = packedOf(net, 'dW');
    if (values === undefined || grads === undefined) return undefined;
    const split = new BatchSplit(net, threads, maxRows, minSliceWork, values, grads, (shape, params) => {
      const n = Math.min(threads, maxRows) - 1;
      if (options.inThread === true) {
        return Array.from({ length: n }, () => {
          const block = new ArrayBuffer(sliceBytes(shape));
          return new InThreadHelper(sliceViews(shape, new Float64Array(params), block), shape);
        });
      }
      const script = options.script ?? path.join(__dirname, 'threadHelper.js');
      return Array.from({ length: n }, () => new ThreadHelper(shape, params, script));
    });
    return split;
  }

  /** Number of slices a batch of B rows is cut into: at most one per thread and row, each with at least minSliceWork. */
  slices(B: number): number {
    return B > this.maxRows ? 1 : slicesOf(B, this.helpers.length + 1, this.perRow, this.minSliceWork);
  }

  /** Network.lossAndGradient of the rows at `indices`, split across the threads (see the header). */
  lossAndGradient(inputs: readonly Float64Array[], targets: readonly Float64Array[], l2: number, indices: ArrayLike<number>): number {
    const { net } = this;
    const B = indices.length;
    const S = this.disposed ? 1 : this.slices(B);
    if (S < 2) return net.lossAndGradient(inputs, targets, l2, indices);
    net.loadBatch(inputs, targets, indices);
    const n0 = net.sizes[0];
    const L = net.depth;
    const K = net.sizes[L];
    const view = net.batch(B);
    const X = view.out[0];
    const T = net.batchTargets();
    const base = Math.floor(B / S);
    const extra = B % S;
    const rowsOf = (s: number): number => base + (s < extra ? 1 : 0);
    this.params.set(this.values);
    let at = rowsOf(0);
    for (let s = 1; s < S; s++) {
      const rows = rowsOf(s);
      const h = this.helpers[s - 1];
      h.buf.X.set(X.subarray(at * n0, (at + rows) * n0));
      h.buf.T.set(T.subarray(at * K, (at + rows) * K));
      h.start(rows);
      at += rows;
    }
    // slice 0 here, meanwhile
    const rows0 = rowsOf(0);
    net.forward(rows0);
    let sum = net.batchLoss(rows0, 0);
    net.backward(rows0);
    net.sumGradients(rows0);
    // the slices' sums, in slice order
    at = rows0;
    for (let s = 1; s < S; s++) {
      const rows = rowsOf(s);
      const h = this.helpers[s - 1];
      h.finish();
      sum += h.buf.loss[0];
      this.addSums(h.buf.G);
      let o = 0;
      for (let l = 1; l <= L; l++) {
        const n = net.sizes[l];
        view.out[l].set(h.buf.O.subarray(o, o + rows * n), at * n);
        o += this.capacity * n;
      }
      at += rows;
    }
    net.meanGradients(B, l2);
    return sum / B + net.l2Term(l2);
  }

  /** grads += G, element by element (f64x2 in the kernel's memory when it has one: the same additions). */
  private addSums(G: Float64Array): void {
    const grads = this.grads;
    const scratch = this.scratch;
    if (scratch !== undefined) {
      scratch.set(G);
      if (this.net.kernel.vector?.addTo(scratch, grads) === true) return;
    }
    for (let i = 0; i < grads.length; i++) grads[i] += G[i];
  }

  /** Number of helper threads that have not exited. */
  running(): number {
    return this.helpers.filter((h) => h.alive).length;
  }

  /** Stops and terminates the helper threads (the split then computes in the calling thread alone, unsplit). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.helpers.map((h) => h.dispose()));
  }
}
