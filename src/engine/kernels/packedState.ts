/**
 * How an optimizer's state is stored and applied (optimizers.ts has the formulas). Fast, and bit
 * for bit what applying each formula to each parameter in turn gives:
 *
 * - Double-buffered state: the last update u (momentum's v is u itself) and adam's m and v live in
 *   two sets of packed arrays, `cur` and `next`. A step computes `next` from `cur` and the
 *   gradient, then applies w += u and swaps the sets. So nothing of the state ever needs copying:
 *   `tryStep()` first checks that every new value w + u is finite and applies the step only then
 *   (returns the first parameter that would not be, and changes nothing): the trainer's divergence
 *   check without any backup; `step()` always applies and keeps a copy of the parameter values
 *   only, so `undo()` can restore them (the state is restored by swapping back).
 * - Parameters that are contiguous views of one array (Network.packed) are updated in one loop per
 *   run ("segment").
 * - Given the network's kernel, the state lives in its memory (the WebAssembly arena), and the
 *   optimizers' `vectorCompute`, w += u run in its f64x2 passes (the same operations).
 */
import type { NonFiniteParameter, Optimizer, OptimizerState } from '../optimizers';
import type { ParamRef } from '../network';
import type { OptimizerName } from '../spec';
import type { Kernel } from './types';

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

export abstract class PackedOptimizer implements Optimizer {
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
  protected abstract compute(g: Float64Array, w: Float64Array, offset: number, n: number, t: number): number;

  /**
   * The same computation for segment `seg` in the kernel's element-wise passes (bit for bit
   * `compute`), or undefined when this optimizer has none or the arrays are not the kernel's.
   */
  protected vectorCompute(_vector: NonNullable<Kernel['vector']>, _g: Float64Array, _w: Float64Array, _seg: number): number | undefined {
    return undefined;
  }

  private computeAll(): number {
    let check = 0;
    const segs = this.segs;
    const vector = this.vector;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i];
      const fast = vector === undefined ? undefined : this.vectorCompute(vector, s.grad, s.value, i);
      check += fast ?? this.compute(s.grad, s.value, s.offset, s.value.length, this.steps + 1);
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
   * For a fused step (kernels/fastpath.ts) that computes the update u itself: the arrays to write
   * u into, one per parameter in order (views of the `next` state set; valid until the next step).
   * After the fused code has applied w <- w + u, `acceptUpdate()` makes u the last update, as a
   * successful tryStep would; when it applied nothing, simply do not call it.
   */
  nextUpdate(): readonly Float64Array[] {
    return this.nextViews;
  }

  acceptUpdate(): void {
    this.swap();
    this.steps++;
    this.canUndo = false;
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

  /** Names of the state sets after u (momentum's v is u itself; adam's are m and v). */
  protected stateNames(): string[] {
    return [];
  }

  stateOf(layer: number): { name: string; W: Float64Array; b: Float64Array }[] {
    const iw = this.params.findIndex((p) => p.layer === layer && p.kind === 'w');
    if (iw < 0) throw new Error(`there is no layer ${layer}`);
    const at = this.params.slice(0, iw).reduce((s, p) => s + p.value.length, 0);
    const nW = this.params[iw].value.length;
    const nb = this.params[iw + 1].value.length;
    return this.stateNames().map((name, i) => {
      const set = this.cur.length === 1 ? this.cur[0] : this.cur[i + 1];
      return { name, W: set.slice(at, at + nW), b: set.slice(at + nW, at + nW + nb) };
    });
  }

  saveState(): OptimizerState {
    return { steps: this.steps, learningRate: this.learningRate, sets: this.cur.map((a) => a.slice()) };
  }

  restoreState(state: OptimizerState): void {
    if (state.sets.length !== this.cur.length || state.sets.some((a) => a.length !== this.total)) {
      throw new Error(`the saved ${this.name} state does not fit this network's parameters`);
    }
    state.sets.forEach((a, i) => this.cur[i].set(a));
    this.steps = state.steps;
    this.learningRate = state.learningRate;
    this.canUndo = false;
  }

  lastUpdate(layer: number): { W: Float64Array; b: Float64Array } {
    const iw = this.params.findIndex((p) => p.layer === layer && p.kind === 'w');
    const ib = this.params.findIndex((p) => p.layer === layer && p.kind === 'b');
    if (iw < 0 || ib < 0) throw new Error(`there is no layer ${layer}`);
    return { W: this.curViews[iw], b: this.curViews[ib] };
  }
}

