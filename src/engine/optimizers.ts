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
 * Each optimizer below is its formula, written once as a plain loop over a run of parameters
 * (`compute`: the new state from the current one and the gradient). How the state is stored and
 * applied (two packed sets swapped per step, so that the checked `tryStep` and `undo` need no
 * copies; the WebAssembly memory and its f64x2 passes when the network's kernel offers them) is
 * kernels/packedState.ts's business; the results are the same bit for bit.
 */
import { PackedOptimizer } from './kernels/packedState';
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
  /** The state kept for layer l (momentum: its v; adam: m and v; sgd: none), as copies. For the debugger. */
  stateOf(layer: number): { name: string; W: Float64Array; b: Float64Array }[];
  /** A copy of the whole state (steps, last update, moments), and putting one back: the debugger's snapshots. */
  saveState(): OptimizerState;
  restoreState(state: OptimizerState): void;
}

/** An optimizer's state as saved by `saveState` (learning rate included). */
export interface OptimizerState {
  readonly steps: number;
  readonly learningRate: number;
  readonly sets: readonly Float64Array[];
}

/** sgd: w <- w - lr · g */
export class Sgd extends PackedOptimizer {
  readonly name = 'sgd';
  constructor(params: readonly ParamRef[], learningRate: number, kernel?: Kernel) {
    super(params, learningRate, 0, kernel);
  }

  protected compute(g: Float64Array, w: Float64Array, o: number, n: number): number {
    const lr = this.learningRate;
    const u = this.next[0];
    let check = 0;
    for (let q = 0; q < n; q++) {
      const uq = -lr * g[q];
      u[o + q] = uq;
      const nw = w[q] + uq;
      check += nw - nw;
    }
    return check;
  }

  protected override vectorCompute(vector: NonNullable<Kernel['vector']>, g: Float64Array, w: Float64Array, seg: number): number | undefined {
    return vector.sgd(this.learningRate, g, w, this.nextSegU[seg]);
  }
}

/** momentum: v <- momentum · v - lr · g;  w <- w + v  (v is the last update u) */
export class Momentum extends PackedOptimizer {
  readonly name = 'momentum';
  constructor(params: readonly ParamRef[], learningRate: number, readonly momentum: number, kernel?: Kernel) {
    super(params, learningRate, 0, kernel);
  }

  protected override stateNames(): string[] {
    return ['v']; // (v is the last update u)
  }

  protected compute(g: Float64Array, w: Float64Array, o: number, n: number): number {
    const lr = this.learningRate;
    const mu = this.momentum;
    const v = this.cur[0];
    const u = this.next[0];
    let check = 0;
    for (let q = 0; q < n; q++) {
      const vq = mu * v[o + q] - lr * g[q];
      u[o + q] = vq;
      const nw = w[q] + vq;
      check += nw - nw;
    }
    return check;
  }

  protected override vectorCompute(vector: NonNullable<Kernel['vector']>, g: Float64Array, w: Float64Array, seg: number): number | undefined {
    return vector.momentum(this.momentum, this.learningRate, this.curSegU[seg], g, w, this.nextSegU[seg]);
  }
}

/** adam (Kingma & Ba), with bias correction; see the header. State sets: [u, m, v]. */
export class Adam extends PackedOptimizer {
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
  protected override stateNames(): string[] {
    return ['m', 'v'];
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
