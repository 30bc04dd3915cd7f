/**
 * Optimizers: turn the gradient g of the batch loss into an update u and apply w <- w + u.
 *
 *   sgd:       u = -lr · g
 *   momentum:  v <- momentum · v - lr · g;  u = v
 *   adam:      m <- β1 m + (1 - β1) g;  v <- β2 v + (1 - β2) g²;          (Kingma & Ba 2015,
 *              m̂ = m / (1 - β1^t);  v̂ = v / (1 - β2^t);  u = -lr m̂ / (√v̂ + ε)   Algorithm 1)
 *
 * L2: the gradient an optimizer receives already contains λ·w for the weights (not the biases),
 * added by Network.lossAndGradient(…, l2), which is where the l2 term of the loss is; the
 * optimizers do not add it again.
 *
 * State, double-buffered: the last update u (momentum's v is u itself) and adam's m and v live in
 * two sets of packed arrays, `cur` and `next`. A step computes `next` from `cur` and the gradient,
 * then applies w += u and swaps the sets. So nothing of the state ever needs copying:
 *   - `tryStep()` first checks that every new value w + u is finite and applies the step only then
 *     (returns the first parameter that would not be, and changes nothing): the trainer's
 *     divergence check without any backup;
 *   - `step()` always applies and keeps a copy of the parameter values only, so `undo()` can
 *     restore them (the state is restored by swapping back).
 * Parameters that are contiguous views of one array (Network.packed) are updated in one loop;
 * when the network's kernel is passed and offers `vector` passes (WebAssembly), the state lives in
 * its memory and sgd and momentum run there (bit for bit the loops below).
 */
import type { Kernel } from './kernels/types';
import type { ParamRef } from './network';
import type { OptimizerName, TrainingSpec } from './spec';

export type OptimizerSettings = Pick<TrainingSpec, 'optimizer' | 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon'>;

/** A parameter that a step would make (or made) non-finite. */
export interface NonFiniteParameter {
  param: ParamRef;
  /** Index within param.value. */
  index: number;
  /** The non-finite new value w + u. */
  value: number;
}

export interface Optimizer {
  readonly name: OptimizerName;
  learningRate: number;
  /** Steps applied so far (adam's t). */
  readonly steps: number;
  /** One update of every parameter from its current gradient (`ParamRef.grad`); undoable. */
  step(): void;
  /**
   * The same update, applied only when every new parameter value is finite. Otherwise nothing
   * changes (parameters, state, last update, steps) and the first offending parameter is returned.
   */
  tryStep(): NonFiniteParameter | undefined;
  /** Restores the parameters, the state and the last update to what they were before the last `step()`. */
  undo(): void;
  /** The last update applied to layer l (1-based): u such that w_new = w_old + u. Zero before any step. */
  lastUpdate(layer: number): { W: Float64Array; b: Float64Array };
}

/** A run of parameters stored contiguously: values and gradients, at `offset` in the packed state. */
interface Segment {
  value: Float64Array;
  grad: Float64Array;
  offset: number;
}

/** Splits parameter blocks into maximal runs that are contiguous in both values and gradients. */
function segments(params: readonly ParamRef[]): Segment[] {
  const out: Segment[] = [];
  let offset = 0;
  let i = 0;
  while (i < params.length) {
    const first = params[i];
    let n = first.value.length;
    let j = i + 1;
    for (; j < params.length; j++) {
      const p = params[j];
      const contiguous =
        p.value.buffer === first.value.buffer && p.grad.buffer === first.grad.buffer &&
        p.value.byteOffset === first.value.byteOffset + 8 * n && p.grad.byteOffset === first.grad.byteOffset + 8 * n &&
        p.value.length === p.grad.length;
      if (!contiguous) break;
      n += p.value.length;
    }
    out.push({
      value: new Float64Array(first.value.buffer, first.value.byteOffset, n),
      grad: new Float64Array(first.grad.buffer, first.grad.byteOffset, n),
      offset,
    });
    offset += n;
    i = j;
  }
  return out;
}

abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: OptimizerName;
  steps = 0;
  private readonly segs: Segment[];
  private readonly total: number;
  /** The state sets: [u, ...extra state] each, packed over all parameters. */
  protected cur: Float64Array[];
  protected next: Float64Array[];
  /** The kernel's element-wise passes, when it has them. */
  protected readonly vector: Kernel['vector'];
  /** Per-parameter views of u in each set, for lastUpdate. */
  private curViews: Float64Array[];
  private nextViews: Float64Array[];
  /** Per-segment views of u in each set (no subarray per step). */
  protected curSegU: Float64Array[];
  protected nextSegU: Float64Array[];
  private saved: Float64Array | undefined;
  private canUndo = false;

  constructor(
    protected readonly params: readonly ParamRef[],
    public learningRate: number,
    /** Number of packed state arrays besides u (momentum 0: v is u; adam 2: m and v). */
    extraState: number,
    kernel?: Kernel,
  ) {
    this.segs = segments(params);
    this.total = params.reduce((s, p) => s + p.value.length, 0);
    this.vector = kernel?.vector;
    const alloc = (n: number): Float64Array => (kernel?.alloc !== undefined ? kernel.alloc(n) : new Float64Array(n));
    const set = (): Float64Array[] => Array.from({ length: 1 + extraState }, () => alloc(this.total));
    this.cur = set();
    this.next = set();
    const views = (u: Float64Array): Float64Array[] => {
      let at = 0;
      return params.map((p) => u.subarray(at, (at += p.value.length)));
    };
    this.curViews = views(this.cur[0]);
    this.nextViews = views(this.next[0]);
    this.curSegU = this.segs.map((sg) => this.cur[0].subarray(sg.offset, sg.offset + sg.value.length));
    this.nextSegU = this.segs.map((sg) => this.next[0].subarray(sg.offset, sg.offset + sg.value.length));
  }

  /**
   * Computes the new state `next` (next[0] = u) from `cur`, the gradient g and t = steps + 1 for
   * `n` entries at `offset` of the packed state; returns Σ (w + u) - (w + u), which is 0 exactly
   * when every new value is finite (NaN otherwise).
   */
  protected abstract compute(g: Float64Array, w: Float64Array, offset: number, n: number, t: number, seg: number): number;

  private computeAll(): number {
    let check = 0;
    const segs = this.segs;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i];
      check += this.compute(s.grad, s.value, s.offset, s.value.length, this.steps + 1, i);
    }
    return check;
  }

  /** w += u for every parameter, then the new state becomes the current one. */
  private commit(): void {
    const u = this.next[0];
    const segs = this.segs;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i];
      const w = s.value;
      const o = s.offset;
      if (this.vector?.addTo(this.nextSegU[i], w) === true) continue;
      for (let q = 0; q < w.length; q++) w[q] += u[o + q]; // w <- w + u
    }
    this.swap();
    this.steps++;
  }

  /**
   * Records an update that was computed into `nextViews` (the `next` set) and applied to the
   * parameters by someone else (the fused sgd step, see Sgd.nextUpdate): as tryStep's success.
   */
  protected recordApplied(): void {
    this.swap();
    this.steps++;
    this.canUndo = false;
  }

  /** Per-parameter views of u in the `next` set (valid until the next step or swap). */
  protected nextUpdateViews(): readonly Float64Array[] {
    return this.nextViews;
  }

  private swap(): void {
    [this.cur, this.next] = [this.next, this.cur];
    [this.curViews, this.nextViews] = [this.nextViews, this.curViews];
    [this.curSegU, this.nextSegU] = [this.nextSegU, this.curSegU];
  }

  step(): void {
    this.computeAll();
    if (this.saved === undefined) this.saved = new Float64Array(this.total);
    for (const s of this.segs) this.saved.set(s.value, s.offset);
    this.commit();
    this.canUndo = true;
  }

  tryStep(): NonFiniteParameter | undefined {
    const check = this.computeAll();
    this.canUndo = false;
    if (check === 0) {
      this.commit();
      return undefined;
    }
    // find the first parameter whose new value is not finite (nothing was changed)
    const u = this.next[0];
    let at = 0;
    for (const param of this.params) {
      const w = param.value;
      for (let q = 0; q < w.length; q++) {
        const nw = w[q] + u[at + q];
        if (nw - nw !== 0) return { param, index: q, value: nw };
      }
      at += w.length;
    }
    throw new Error('a non-finite update that no parameter shows'); // unreachable: check summed these
  }

  undo(): void {
    if (!this.canUndo || this.saved === undefined) throw new Error('there is no step to undo');
    for (const s of this.segs) s.value.set(this.saved.subarray(s.offset, s.offset + s.value.length));
    this.swap(); // the state before the step is still intact in the other set
    this.steps--;
    this.canUndo = false;
  }

  lastUpdate(layer: number): { W: Float64Array; b: Float64Array } {
    const iw = this.params.findIndex((p) => p.layer === layer && p.kind === 'w');
    const ib = this.params.findIndex((p) => p.layer === layer && p.kind === 'b');
    if (iw < 0 || ib < 0) throw new Error(`there is no layer ${layer}`);
    return { W: this.curViews[iw], b: this.curViews[ib] };
  }
}

/** sgd: w <- w - lr · g */
export class Sgd extends BaseOptimizer {
  readonly name = 'sgd';
  constructor(params: readonly ParamRef[], learningRate: number, kernel?: Kernel) {
    super(params, learningRate, 0, kernel);
  }

  /**
   * For a fused step (kernels/compiled.ts, compileSgdSample) that computes u = -lr · g itself:
   * the arrays to write u into, one per parameter in order (views of the `next` state set).
   * After the fused code has applied w <- w + u, `acceptUpdate()` makes u the last update, as a
   * successful tryStep would; when it applied nothing, simply do not call it.
   */
  nextUpdate(): readonly Float64Array[] {
    return this.nextUpdateViews();
  }

  acceptUpdate(): void {
    this.recordApplied();
  }

  protected compute(g: Float64Array, w: Float64Array, o: number, n: number, _t: number, seg: number): number {
    const lr = this.learningRate;
    const u = this.next[0];
    const fast = this.vector?.sgd(lr, g, w, this.nextSegU[seg]);
    if (fast !== undefined) return fast;
    let check = 0;
    for (let q = 0; q < n; q++) {
      const uq = -lr * g[q];
      u[o + q] = uq;
      const nw = w[q] + uq;
      check += nw - nw;
    }
    return check;
  }
}

/** momentum: v <- momentum · v - lr · g;  w <- w + v  (v is the last update u) */
export class Momentum extends BaseOptimizer {
  readonly name = 'momentum';
  constructor(params: readonly ParamRef[], learningRate: number, readonly momentum: number, kernel?: Kernel) {
    super(params, learningRate, 0, kernel);
  }
  protected compute(g: Float64Array, w: Float64Array, o: number, n: number, _t: number, seg: number): number {
    const lr = this.learningRate;
    const mu = this.momentum;
    const v = this.cur[0];
    const u = this.next[0];
    const fast = this.vector?.momentum(mu, lr, this.curSegU[seg], g, w, this.nextSegU[seg]);
    if (fast !== undefined) return fast;
    let check = 0;
    for (let q = 0; q < n; q++) {
      const vq = mu * v[o + q] - lr * g[q];
      u[o + q] = vq;
      const nw = w[q] + vq;
      check += nw - nw;
    }
    return check;
  }
}

/** adam (Kingma & Ba), with bias correction; see the header. State sets: [u, m, v]. */
export class Adam extends BaseOptimizer {
  readonly name = 'adam';
  constructor(
    params: readonly ParamRef[],
    learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
    kernel?: Kernel,
  ) {
    super(params, learningRate, 2, kernel);
  }
  protected compute(g: Float64Array, w: Float64Array, o: number, n: number, t: number): number {
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const lr = this.learningRate;
    const c1 = 1 - Math.pow(b1, t); // bias corrections
    const c2 = 1 - Math.pow(b2, t);
    const [, m0, v0] = this.cur;
    const [u, m, v] = this.next;
    let check = 0;
    for (let q = 0; q < n; q++) {
      const gq = g[q];
      const mq = b1 * m0[o + q] + (1 - b1) * gq; // first moment
      const vq = b2 * v0[o + q] + (1 - b2) * gq * gq; // second moment
      m[o + q] = mq;
      v[o + q] = vq;
      const mHat = mq / c1;
      const vHat = vq / c2;
      const uq = (-lr * mHat) / (Math.sqrt(vHat) + eps);
      u[o + q] = uq;
      const nw = w[q] + uq;
      check += nw - nw;
    }
    return check;
  }
}

/** The optimizer a training spec names, bound to a network's parameters (and its kernel, see the header). */
export function createOptimizer(settings: OptimizerSettings, params: readonly ParamRef[], kernel?: Kernel): Optimizer {
  switch (settings.optimizer) {
    case 'sgd':
      return new Sgd(params, settings.learningRate, kernel);
    case 'momentum':
      return new Momentum(params, settings.learningRate, settings.momentum, kernel);
    case 'adam':
      return new Adam(params, settings.learningRate, settings.beta1, settings.beta2, settings.epsilon, kernel);
  }
}
