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
 * An optimizer keeps per-parameter state (v; m and v), the last update u it applied (the UI shows
 * it and the update/weight ratio), and a copy of everything from before its last step so the
 * trainer can undo a step that made a weight non-finite.
 */
import type { ParamRef } from './network';
import type { OptimizerName, TrainingSpec } from './spec';

export type OptimizerSettings = Pick<TrainingSpec, 'optimizer' | 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon'>;

export interface Optimizer {
  readonly name: OptimizerName;
  learningRate: number;
  /** Steps applied so far (adam's t). */
  readonly steps: number;
  /** One update of every parameter from its current gradient (`ParamRef.grad`). */
  step(): void;
  /** Restores the parameters, the state and the last update to what they were before the last step. */
  undo(): void;
  /** The last update applied to layer l (1-based): u such that w_new = w_old + u. Zero before any step. */
  lastUpdate(layer: number): { W: Float64Array; b: Float64Array };
}

abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: OptimizerName;
  steps = 0;
  /** updates[p] is the last update of params[p]. */
  protected readonly updates: Float64Array[];
  /** Everything a step changes: parameter values, state, last updates (fixed references). */
  private readonly tracked: Float64Array[];
  private readonly saved: Float64Array[];
  private savedSteps = 0;
  private canUndo = false;

  constructor(
    protected readonly params: readonly ParamRef[],
    public learningRate: number,
    /** Per-parameter state arrays, each the size of its parameter (v; or m and v). */
    state: readonly Float64Array[],
  ) {
    this.updates = params.map((p) => new Float64Array(p.value.length));
    this.tracked = [...params.map((p) => p.value), ...state, ...this.updates];
    this.saved = this.tracked.map((a) => new Float64Array(a.length));
  }

  /** Fills `this.updates` from the gradients (and updates the state). */
  protected abstract computeUpdates(): void;

  step(): void {
    for (let i = 0; i < this.tracked.length; i++) this.saved[i].set(this.tracked[i]);
    this.savedSteps = this.steps;
    this.canUndo = true;
    this.steps++;
    this.computeUpdates();
    this.params.forEach((p, i) => {
      const w = p.value;
      const u = this.updates[i];
      for (let q = 0; q < w.length; q++) w[q] += u[q]; // w <- w + u
    });
  }

  undo(): void {
    if (!this.canUndo) throw new Error('there is no step to undo');
    for (let i = 0; i < this.tracked.length; i++) this.tracked[i].set(this.saved[i]);
    this.steps = this.savedSteps;
    this.canUndo = false;
  }

  lastUpdate(layer: number): { W: Float64Array; b: Float64Array } {
    const iw = this.params.findIndex((p) => p.layer === layer && p.kind === 'w');
    const ib = this.params.findIndex((p) => p.layer === layer && p.kind === 'b');
    if (iw < 0 || ib < 0) throw new Error(`there is no layer ${layer}`);
    return { W: this.updates[iw], b: this.updates[ib] };
  }
}

/** sgd: w <- w - lr · g */
export class Sgd extends BaseOptimizer {
  readonly name = 'sgd';
  constructor(params: readonly ParamRef[], learningRate: number) {
    super(params, learningRate, []);
  }
  protected computeUpdates(): void {
    const lr = this.learningRate;
    this.params.forEach((p, i) => {
      const g = p.grad;
      const u = this.updates[i];
      for (let q = 0; q < g.length; q++) u[q] = -lr * g[q];
    });
  }
}

/** momentum: v <- momentum · v - lr · g;  w <- w + v */
export class Momentum extends BaseOptimizer {
  readonly name = 'momentum';
  private readonly v: Float64Array[];
  constructor(params: readonly ParamRef[], learningRate: number, readonly momentum: number) {
    const v = params.map((p) => new Float64Array(p.value.length));
    super(params, learningRate, v);
    this.v = v;
  }
  protected computeUpdates(): void {
    const lr = this.learningRate;
    const mu = this.momentum;
    this.params.forEach((p, i) => {
      const g = p.grad;
      const v = this.v[i];
      const u = this.updates[i];
      for (let q = 0; q < g.length; q++) {
        v[q] = mu * v[q] - lr * g[q];
        u[q] = v[q];
      }
    });
  }
}

/** adam (Kingma & Ba), with bias correction; see the header. */
export class Adam extends BaseOptimizer {
  readonly name = 'adam';
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  constructor(
    params: readonly ParamRef[],
    learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    const m = params.map((p) => new Float64Array(p.value.length));
    const v = params.map((p) => new Float64Array(p.value.length));
    super(params, learningRate, [...m, ...v]);
    this.m = m;
    this.v = v;
  }
  protected computeUpdates(): void {
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const lr = this.learningRate;
    const t = this.steps; // already counts this step
    const c1 = 1 - Math.pow(b1, t); // bias corrections
    const c2 = 1 - Math.pow(b2, t);
    this.params.forEach((p, i) => {
      const g = p.grad;
      const m = this.m[i];
      const v = this.v[i];
      const u = this.updates[i];
      for (let q = 0; q < g.length; q++) {
        m[q] = b1 * m[q] + (1 - b1) * g[q]; // first moment
        v[q] = b2 * v[q] + (1 - b2) * g[q] * g[q]; // second moment
        const mHat = m[q] / c1;
        const vHat = v[q] / c2;
        u[q] = (-lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
  }
}

/** The optimizer a training spec names, bound to a network's parameters. */
export function createOptimizer(settings: OptimizerSettings, params: readonly ParamRef[]): Optimizer {
  switch (settings.optimizer) {
    case 'sgd':
      return new Sgd(params, settings.learningRate);
    case 'momentum':
      return new Momentum(params, settings.learningRate, settings.momentum);
    case 'adam':
      return new Adam(params, settings.learningRate, settings.beta1, settings.beta2, settings.epsilon);
  }
}
