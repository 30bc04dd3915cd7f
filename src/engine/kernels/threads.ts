/**
 * A batch split across threads (docs/performance.md, "More than one core").
 *
 * `BatchSplit.lossAndGradient` computes what `Network.lossAndGradient` computes, with the batch's
 * B rows cut into S contiguous slices (S = the thread count, fewer for a small batch or a small
 * network, see `slices`; the first B mod S slices get one row more). The calling thread computes
 * slice 0 on the network itself; helpers compute slices 1..S-1, each on its own network of the
 * same shape and kernel (kernels/slice.ts). The slices' loss sums and gradient sums are added to
 * slice 0's in slice order (dW = ((Σ_0 + Σ_1) + Σ_2) …), the slices' activations land in the
 * calling thread's batch buffers (for the Trainer's checks and accuracy), and the calling thread
 * divides by B (`meanGradients`).
 *
 * In place (the WebAssembly kernel, whose memory is shared): a helper computes with the calling
 * thread's parameters themselves, reads its rows from and writes its activations into the calling
 * thread's batch buffers, and writes its gradient sums into a block of the memory; then the sums
 * are added by parameter ranges: the P parameters are cut into S ranges, and thread t adds, for
 * its range t, the sums of slices 1..S-1 in slice order to slice 0's (each element in the same
 * order whoever adds it). Nothing is copied per batch but the rows and activations of a slice.
 * Copying (the JavaScript kernels): the calling thread writes the parameters and the slice's rows
 * into SharedArrayBuffers, the helper copies its sums and activations back, and the calling thread
 * adds every slice's sums.
 *
 * The order of every addition is fixed by (B, S) alone, so a run is bit-reproducible for a given
 * thread count; it differs from the one-thread sum over all rows in the last bits (the batch's
 * gradient is summed in another order). `inThread: true` runs the helpers' code in the calling
 * thread, one slice after the other: the one-thread path with the same split, which the tests
 * compare with the threads bit for bit.
 *
 * Helpers are worker_threads Workers (kernels/threadHelper.ts) waiting on shared control words:
 * each wait first spins briefly (the other side is usually about to write the word), then sleeps
 * in `Atomics.wait`, so an idle helper takes no CPU. The calling thread blocks the same way until
 * its helpers are done (the Trainer is synchronous; the extension trains in a worker thread, so
 * the extension host's loop never waits). `dispose()` stops and terminates them.
 *
 * After a split step the network's batch buffers hold every row's inputs, targets and activations
 * (O), but net inputs (Z) and deltas (Δ) only of slice 0's rows.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Network } from '../network';
import { kernelNamed, outputsLength, packedOf, parameterCount, type SliceBuffers, type SliceInPlace, SliceRunner, type SliceShape } from './slice';
import type { Kernel } from './types';

/**
 * A slice goes to a helper only when it has at least this many multiply-adds in its forward
 * products (rows × Σ units_l · units_{l-1}); see docs/performance.md for why.
 */
export const MIN_SLICE_WORK = 1 << 20;

// The control words (an Int32Array over a SharedArrayBuffer): COMMON words, then SLOT words per helper.
const MAIN_READY = 0; // in place: the request whose slice 0 sums are written
const COMMON = 16;
// a helper's words
const SEQ = 0; // the calling thread's request number (raised per request)
const READY = 1; // the last request whose slice the helper computed (sums, loss and activations written)
const DONE = 2; // the last request the helper finished (in place: its range of the sums added too)
const CMD = 3; // 0 run, 1 stop
const STATE = 4; // 0 starting, 1 ready, 2 failed
const ROWS = 5; // rows of the request
const SLICES = 6; // slices of the request's batch (in place: the ranges of the sums)
const X_AT = 7; // in place: byte offsets of the slice's rows in the calling thread's X and T,
const T_AT = 8; // and of its activations of layer l in the calling thread's O_l at O_AT + l - 1
const O_AT = 10;
const BATCH = 9; // rows of the whole batch (in place: the mean)
export const HELPER_CMD_RUN = 0;
export const HELPER_CMD_STOP = 1;
export const CONTROL = { MAIN_READY, SEQ, READY, DONE, CMD, STATE, ROWS, SLICES, X_AT, T_AT, O_AT, BATCH } as const;

/** Index of the first control word of helper `slot` (0 = slice 1) of a network of `depth` layers. */
export function slotBase(slot: number, depth: number): number {
  return COMMON + slot * 16 * Math.ceil((O_AT + depth) / 16);
}

/** How long a wait lasts before it gives up (a helper that died without a word). */
const TIMEOUT_MS = 60_000;
/** Atomics.load polls before a wait sleeps (some tens of µs): waking a sleeping thread costs more. */
const SPINS = 1 << 14;

/**
 * Waits until control[i] === value: polls SPINS times, then sleeps in Atomics.wait. Throws when
 * `failed()` says the other side failed, or after `timeout` ms (never, without one).
 */
export function awaitWord(control: Int32Array, i: number, value: number, failed?: () => boolean, timeout = TIMEOUT_MS): void {
  for (let k = 0; k < SPINS; k++) if (Atomics.load(control, i) === value) return;
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = Atomics.load(control, i);
    if (v === value) return;
    if (failed?.() === true) throw new Error('a helper thread failed');
    if (Date.now() > deadline) throw new Error('a helper thread did not answer');
    Atomics.wait(control, i, v, 100);
  }
}

/** Range t of S of the P packed parameters, [lo, hi) (cut at even indices, for f64x2). */
export function rangeOf(P: number, S: number, t: number): [number, number] {
  const chunk = 2 * Math.ceil(P / (2 * S));
  return [Math.min(P, t * chunk), Math.min(P, (t + 1) * chunk)];
}

/** grads[lo, hi) += G[lo, hi) for each G of `sums` in order (f64x2 in the kernel's memory when it can: the same additions). */
export function addRange(kernel: Kernel, grads: Float64Array, sums: readonly Float64Array[], lo: number, hi: number): void {
  if (hi <= lo) return;
  const w = grads.subarray(lo, hi);
  for (const G of sums) {
    const u = G.subarray(lo, hi);
    if (kernel.vector?.addTo(u, w) !== true) for (let i = 0; i < w.length; i++) w[i] += u[i];
  }
}

/** Where each layer's weights start, its biases start and end in the packed parameters: [w, b, end] per layer. */
export function layoutOf(sizes: readonly number[]): [number, number, number][] {
  const layout: [number, number, number][] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const b = at + sizes[l] * sizes[l - 1];
    layout.push([at, b, b + sizes[l]]);
    at = b + sizes[l];
  }
  return layout;
}

/**
 * grads[lo, hi) into the mean over a batch of B rows, plus λ w on the weights: what
 * Network.meanGradients does to those elements, with the same operations (so the same bits).
 */
export function meanRange(kernel: Kernel, grads: Float64Array, values: Float64Array, layout: readonly [number, number, number][], B: number, l2: number, lo: number, hi: number): void {
  for (const [w, b, end] of layout) {
    const from = Math.max(lo, w);
    const to = Math.min(hi, b);
    if (from < to) {
      const g = grads.subarray(from, to);
      if (l2 === 0) {
        if (kernel.vector?.divide(g, B) !== true) for (let i = 0; i < g.length; i++) g[i] /= B;
      } else {
        for (let i = from; i < to; i++) grads[i] = grads[i] / B + l2 * values[i];
      }
    }
    for (let i = Math.max(lo, b); i < Math.min(hi, end); i++) grads[i] /= B;
  }
}

/** What a helper thread is given (workerData). */
export interface HelperData {
  shape: SliceShape;
  control: SharedArrayBuffer;
  /** Its index: it computes slice slot + 1 (and in place adds range slot + 1 of the sums). */
  slot: number;
  /** Copying: the parameters and its slice's buffers (see slice.ts). */
  copy?: { params: SharedArrayBuffer; slice: SharedArrayBuffer };
  /** In place: the kernel's memory and byte offsets in it. */
  inPlace?: InPlaceData;
}

export interface InPlaceData {
  memory: WebAssembly.Memory;
  /** The block the helper's kernel allocates from: byte offset, bytes. */
  arena: [number, number];
  /** Number of packed parameters P. */
  count: number;
  /** The calling thread's parameters and gradient (P values each). */
  params: number;
  grads: number;
  /** Every helper's gradient sums block (P values each), by slot. */
  sums: number[];
  /** [0]: the batch's l2; [1 + slot]: every helper's loss sum (a SharedArrayBuffer of float64). */
  scalars: SharedArrayBuffer;
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

interface Helper {
  /** Copying: its slice's buffers (the calling thread writes the rows, reads the results). */
  readonly buf: SliceBuffers | undefined;
  /** Starts request `seq`: a slice of `rows` rows of a batch of `batch` rows cut into `slices`; `io` in place. */
  start(seq: number, rows: number, batch: number, slices: number, io: SliceInPlace | undefined): void;
  /** Waits until the slice's loss, sums and activations are written. */
  awaitSums(): void;
  /** Waits until the helper is done with the request (in place: its range of the sums added). */
  awaitDone(): void;
  /** The slice's loss sum Σ E_r (after awaitSums). */
  loss(): number;
  /** True when it adds its own range of the sums (in place, in its own thread). */
  readonly addsRange: boolean;
  dispose(): Promise<void>;
  /** True while its thread has not exited. */
  readonly alive: boolean;
}

/** The same code as a helper thread, run in the calling thread when its sums are awaited. */
class InThreadHelper implements Helper {
  private rows = 0;
  private io: SliceInPlace | undefined;
  private sum = 0;
  readonly alive = false;
  readonly addsRange = false;
  constructor(readonly buf: SliceBuffers | undefined, private readonly runner: SliceRunner) {}
  start(_seq: number, rows: number, _batch: number, _slices: number, io: SliceInPlace | undefined): void {
    this.rows = rows;
    this.io = io;
  }
  awaitSums(): void {
    if (this.io === undefined) this.runner.run(this.rows);
    else this.sum = this.runner.runIn(this.rows, this.io);
  }
  awaitDone(): void {}
  loss(): number {
    return this.buf?.loss[0] ?? this.sum;
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
  private readonly control: Int32Array;
  private readonly base: number;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly scalars: Float64Array | undefined;
  private readonly slot: number;
  private seq = 0;
  private ready = false;
  readonly addsRange: boolean;
  alive = true;

  constructor(readonly buf: SliceBuffers | undefined, data: HelperData, script: string) {
    this.control = new Int32Array(data.control);
    this.slot = data.slot;
    this.base = slotBase(data.slot, data.shape.sizes.length - 1);
    this.scalars = data.inPlace === undefined ? undefined : new Float64Array(data.inPlace.scalars);
    this.addsRange = data.inPlace !== undefined;
    this.worker = new Worker(script, { workerData: data, name: 'backprop helper' });
    this.worker.unref(); // a forgotten dispose does not keep a CLI process alive
    live++;
    this.exited = new Promise((resolve) => this.worker.once('exit', () => {
      this.alive = false;
      live--;
      resolve();
    }));
    this.worker.on('error', () => Atomics.store(this.control, this.base + STATE, 2)); // (seen only between batches)
  }

  private readonly failed = (): boolean => Atomics.load(this.control, this.base + STATE) === 2;

  start(seq: number, rows: number, batch: number, slices: number, io: SliceInPlace | undefined): void {
    const c = this.control;
    const at = this.base;
    if (!this.ready) {
      // the first request waits until the helper has built its network
      const deadline = Date.now() + TIMEOUT_MS;
      while (Atomics.load(c, at + STATE) === 0 && Date.now() < deadline) Atomics.wait(c, at + STATE, 0, 100);
      if (Atomics.load(c, at + STATE) !== 1) throw new Error('a helper thread did not start');
      this.ready = true;
    }
    c[at + ROWS] = rows;
    c[at + SLICES] = slices;
    c[at + BATCH] = batch;
    c[at + CMD] = HELPER_CMD_RUN;
    if (io !== undefined) {
      c[at + X_AT] = io.X.byteOffset;
      c[at + T_AT] = io.T.byteOffset;
      io.O.forEach((o, l) => (c[at + O_AT + l] = o.byteOffset));
    }
    this.seq = seq;
    Atomics.store(c, at + SEQ, seq);
    Atomics.notify(c, at + SEQ);
  }

  awaitSums(): void {
    awaitWord(this.control, this.base + READY, this.seq, this.failed);
  }

  awaitDone(): void {
    awaitWord(this.control, this.base + DONE, this.seq, this.failed);
  }

  loss(): number {
    return this.scalars?.[1 + this.slot] ?? this.buf?.loss[0] ?? NaN;
  }

  async dispose(): Promise<void> {
    this.control[this.base + CMD] = HELPER_CMD_STOP;
    Atomics.store(this.control, this.base + SEQ, this.seq + 1);
    Atomics.notify(this.control, this.base + SEQ);
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

/** The kernel's memory when it is shared and holds the network's parameters and gradient (the split then works in place). */
function sharedMemory(kernel: Kernel, values: Float64Array, grads: Float64Array): WebAssembly.Memory | undefined {
  const memory = kernel.memory ?? kernel.float64?.memory;
  if (memory === undefined || typeof SharedArrayBuffer !== 'function' || !(memory.buffer instanceof SharedArrayBuffer)) return undefined;
  return values.buffer === memory.buffer && grads.buffer === memory.buffer ? memory : undefined;
}

/** The array, when none of its entries is undefined. */
function whole<T>(a: (T | undefined)[]): T[] | undefined {
  return a.every((v): v is T => v !== undefined) ? a : undefined;
}

/** Values a helper thread's kernel may allocate in place: its batch buffers and the products' scratch blocks, generously. */
function helperArenaLength(shape: SliceShape): number {
  const { sizes, capacity } = shape;
  const units = sizes.reduce((a, b) => a + b, 0);
  const largest = Math.max(...sizes.slice(1).map((n, i) => n * sizes[i]));
  return 8 * capacity * units + 4 * largest + (1 << 17);
}

export class BatchSplit {
  private readonly helpers: Helper[];
  private readonly values: Float64Array;
  private readonly grads: Float64Array;
  private readonly perRow: number;
  private readonly capacity: number;
  private readonly control: Int32Array;
  /** Copying: the parameters as the helpers read them (a SharedArrayBuffer). */
  private readonly params: Float64Array | undefined;
  /** Copying: a copy of a slice's sums in the kernel's memory (for its vector addTo), when it has one. */
  private readonly scratch: Float64Array | undefined;
  /** In place: the memory, every helper's gradient sums (by slot), the blocks lent to the helper threads' kernels, l2 and the loss sums. */
  private readonly inPlace: { memory: WebAssembly.Memory; sums: Float64Array[]; lent: Float64Array[]; scalars: Float64Array } | undefined;
  private readonly layout: [number, number, number][];
  private seq = 0;
  private disposed = false;

  private constructor(
    readonly net: Network,
    readonly threads: number,
    private readonly maxRows: number,
    private readonly minSliceWork: number,
    values: Float64Array,
    grads: Float64Array,
    options: SplitOptions,
  ) {
    this.values = values;
    this.grads = grads;
    const sizes = net.sizes;
    this.perRow = forwardWork(sizes);
    this.layout = layoutOf(sizes);
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
    const n = Math.min(threads, maxRows) - 1;
    const control = new SharedArrayBuffer(4 * slotBase(n, net.depth));
    this.control = new Int32Array(control);
    const inThread = options.inThread === true;
    const script = options.script ?? path.join(__dirname, 'threadHelper.js');
    const slots = Array.from({ length: n }, (_, slot) => slot);
    const memory = sharedMemory(net.kernel, values, grads);
    const alloc = (length: number): Float64Array | undefined => {
      const v = net.kernel.alloc?.(length);
      return v !== undefined && memory !== undefined && v.buffer === memory.buffer ? v : undefined;
    };
    const taken = memory === undefined ? [] : slots.map(() => alloc(values.length));
    const lentTaken = memory === undefined || inThread ? [] : slots.map(() => alloc(helperArenaLength(shape)));
    const sums = memory === undefined ? undefined : whole(taken);
    const lent = memory === undefined ? undefined : whole(lentTaken);
    if (memory === undefined || sums === undefined || lent === undefined) {
      // (they do not all fit: the blocks that did are given back now, not when they are garbage)
      for (const v of [...taken, ...lentTaken]) if (v !== undefined) net.kernel.release?.(v);
    }
    if (memory !== undefined && sums !== undefined && lent !== undefined) {
      const scalars = new SharedArrayBuffer(8 * (1 + n));
      this.inPlace = { memory, sums, lent, scalars: new Float64Array(scalars) };
      this.helpers = slots.map((slot) => {
        if (inThread) return new InThreadHelper(undefined, new SliceRunner(shape, undefined, net.kernel, { params: values, grads: sums[slot] }));
        const block = lent[slot];
        const inPlace: InPlaceData = {
          memory,
          arena: [block.byteOffset, block.byteLength],
          count: values.length,
          params: values.byteOffset,
          grads: grads.byteOffset,
          sums: sums.map((v) => v.byteOffset),
          scalars,
        };
        return new ThreadHelper(undefined, { shape, control, slot, inPlace }, script);
      });
      return;
    }
    const shared = new SharedArrayBuffer(values.length * 8);
    const params = new Float64Array(shared);
    this.params = params;
    this.scratch = net.kernel.alloc?.(values.length);
    this.helpers = slots.map((slot) => {
      if (inThread) {
        const buf = sliceViews(shape, params, new ArrayBuffer(sliceBytes(shape)));
        return new InThreadHelper(buf, new SliceRunner(shape, buf));
      }
      const slice = new SharedArrayBuffer(sliceBytes(shape));
      return new ThreadHelper(sliceViews(shape, new Float64Array(shared), slice), { shape, control, slot, copy: { params: shared, slice } }, script);
    });
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
    return new BatchSplit(net, threads, maxRows, minSliceWork, values, grads, options);
  }

  /** True when the helpers work in place (see the header). */
  get worksInPlace(): boolean {
    return this.inPlace !== undefined;
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
    const inPlace = this.inPlace;
    if (inPlace !== undefined && ![X, T, ...view.out].every((a) => a.buffer === inPlace.memory.buffer)) {
      return net.lossAndGradient(inputs, targets, l2, indices); // (batch buffers outside the memory: only when its arena is full)
    }
    const base = Math.floor(B / S);
    const extra = B % S;
    const rowsOf = (s: number): number => base + (s < extra ? 1 : 0);
    const seq = ++this.seq;
    if (this.params !== undefined) this.params.set(this.values);
    if (inPlace !== undefined) inPlace.scalars[0] = l2;
    const rows0 = rowsOf(0);
    let at = rows0;
    for (let s = 1; s < S; s++) {
      const rows = rowsOf(s);
      const h = this.helpers[s - 1];
      const rowsOfLayer = (a: Float64Array, n: number): Float64Array => a.subarray(at * n, (at + rows) * n);
      if (h.buf !== undefined) {
        h.buf.X.set(rowsOfLayer(X, n0));
        h.buf.T.set(rowsOfLayer(T, K));
      }
      h.start(seq, rows, B, S, inPlace === undefined ? undefined : { X: rowsOfLayer(X, n0), T: rowsOfLayer(T, K), O: view.out.slice(1).map((o, i) => rowsOfLayer(o, net.sizes[i + 1])) });
      at += rows;
    }
    // slice 0 here, meanwhile
    net.forward(rows0);
    let sum = net.batchLoss(rows0, 0);
    net.backward(rows0);
    net.sumGradients(rows0);
    if (inPlace !== undefined) {
      Atomics.store(this.control, MAIN_READY, seq);
      Atomics.notify(this.control, MAIN_READY);
      for (let s = 1; s < S; s++) this.helpers[s - 1].awaitSums();
      // range 0 here (and the ranges of helpers that do not add their own), the others in their threads:
      // the sums in slice order, then the mean
      const sums = inPlace.sums.slice(0, S - 1);
      for (let t = 0; t < S; t++) {
        if (t > 0 && this.helpers[t - 1].addsRange) continue;
        const [lo, hi] = rangeOf(this.grads.length, S, t);
        addRange(net.kernel, this.grads, sums, lo, hi);
        meanRange(net.kernel, this.grads, this.values, this.layout, B, l2, lo, hi);
      }
      for (let s = 1; s < S; s++) {
        const h = this.helpers[s - 1];
        h.awaitDone();
        sum += h.loss();
      }
    } else {
      // the slices' sums and activations, in slice order
      at = rows0;
      for (let s = 1; s < S; s++) {
        const rows = rowsOf(s);
        const h = this.helpers[s - 1];
        h.awaitSums();
        h.awaitDone();
        sum += h.loss();
        if (h.buf === undefined) throw new Error('a copying helper has no buffers');
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
    }
    return sum / B + net.l2Term(l2);
  }

  /** grads += G, element by element (f64x2 in the kernel's memory when it has one: the same additions). */
  private addSums(G: Float64Array): void {
    const scratch = this.scratch;
    if (scratch !== undefined) scratch.set(G);
    addRange(this.net.kernel, this.grads, [scratch ?? G], 0, this.grads.length);
  }

  /** Number of helper threads that have not exited. */
  running(): number {
    return this.helpers.filter((h) => h.alive).length;
  }

  /**
   * Stops and terminates the helper threads (the split then computes in the calling thread alone,
   * unsplit), then gives the blocks it took from the kernel's memory back (the helpers' sums and
   * arenas: tens of MB for a large network, which would otherwise stay taken until the garbage
   * collector happens to see this object, and the next splits would no longer fit).
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.helpers.map((h) => h.dispose()));
    const blocks = [...(this.inPlace?.sums ?? []), ...(this.inPlace?.lent ?? []), ...(this.scratch ? [this.scratch] : [])];
    for (const v of blocks) this.net.kernel.release?.(v);
  }
}
