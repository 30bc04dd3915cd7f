/**
 * A fully connected feed-forward network and backpropagation, in the notation of the notes:
 *
 *   net^l_j = sum_k w^l_jk o^{l-1}_k + b^l_j,     o^l_j = f^l(net^l_j),     o^0 = x
 *   output layer:  delta^L_k = dE/dy_k · f'(net^L_k)      (softmax: J^T dE/dy)
 *   hidden layer:  delta^l_j = f'(net^l_j) · sum_k w^{l+1}_kj delta^{l+1}_k
 *   gradient:      dE/dw^l_jk = delta^l_j · o^{l-1}_k,   dE/db^l_j = delta^l_j
 *
 * The batch path works on a whole mini-batch at once, one row per sample, with every matrix
 * product going through the Kernel:
 *   forward   Z_l = O_{l-1} · W_lᵀ + b_l,   O_l = f(Z_l)
 *   backward  Δ_L = dE/dY ⊙ f'(Z_L),   Δ_l = (Δ_{l+1} · W_{l+1}) ⊙ f'(Z_l)
 *   gradient  dW_l = Δ_lᵀ · O_{l-1} / B + λ W_l,   db_l = (column sums of Δ_l) / B
 * The single-sample trace runs exactly the same code on a batch of one.
 *
 * Buffers (Z, O, Δ per layer) are allocated once for the largest batch seen and reused; the hot
 * loops allocate nothing.
 *
 * Fast backends (docs/performance.md) stay behind two doors: the Kernel (products, and an
 * activation it computes itself: the WebAssembly tanh, within 1e-15 relative of Math.tanh, unless
 * the network was given its own table for it), and kernels/fastpath.ts (`lossAndGradient` of one
 * row on a tiny network as generated straight-line code, these same steps in the same order, bit
 * for bit). The formulas and the order of the steps are the same on every backend.
 *
 * The engine computes any activation/loss combination correctly (softmax anywhere, with its full
 * Jacobian); the format's rules (softmax only at the output, cross-entropy only with softmax,
 * binary cross-entropy only with sigmoid) are the parser's to enforce.
 */
import { activate, applyDerivative, derivatives, ELEMENTWISE, isOwn, type ActivationTable } from './activations';
import { initialParameters } from './init';
import type { Kernel } from './kernels/types';
import { referenceKernel } from './kernels/reference';
import { LOSS_FUNCTIONS, outputDeltas, rowLoss, sampleLoss } from './losses';
import { sampleStep } from './kernels/fastpath';
import type { ActivationName, Dataset, LossName, NetSpec } from './spec';

/** Rows evaluated at once by `evaluate` and `predictAll` (bounds the buffer size for big data sets). */
const EVAL_CHUNK = 1024;

/** One non-input layer l: weights W (units x inputs, row j = w^l_j*), biases b, and their gradients. */
export class DenseLayer {
  /** Gradient of the last `lossAndGradient` (same shape as W). */
  readonly dW: Float64Array;
  /** Gradient of the last `lossAndGradient` (same shape as b). */
  readonly db: Float64Array;
  readonly W: Float64Array;
  readonly b: Float64Array;

  constructor(
    readonly units: number,
    readonly inputs: number,
    readonly activation: ActivationName,
    W?: Float64Array,
    b?: Float64Array,
    /** Buffers for the gradients (zeroed; the network passes views of one packed array). */
    gradients?: { dW: Float64Array; db: Float64Array },
  ) {
    this.W = W ?? new Float64Array(units * inputs);
    this.b = b ?? new Float64Array(units);
    if (this.W.length !== units * inputs || this.b.length !== units) {
      throw new Error(`a ${units}x${inputs} layer got ${this.W.length} weights and ${this.b.length} biases`);
    }
    this.dW = gradients?.dW ?? new Float64Array(units * inputs);
    this.db = gradients?.db ?? new Float64Array(units);
  }

  /** w^l_jk, with j and k 0-based array indices. */
  weight(j: number, k: number): number {
    return this.W[j * this.inputs + k];
  }
}

/** One parameter block (a layer's W or b) with its gradient, for optimizers and the gradient check. */
export interface ParamRef {
  /** 1-based layer l. */
  layer: number;
  kind: 'w' | 'b';
  value: Float64Array;
  grad: Float64Array;
  /** value is rows x cols row-major (b: units x 1). */
  rows: number;
  cols: number;
}

/**
 * Every quantity of one forward and backward pass for one sample, indexed by layer l = 0..L.
 * net[0], delta[0], fprime[0], backSum[0] and backSum[L] are empty; out[0] = x.
 */
export interface SampleTrace {
  x: Float64Array;
  net: Float64Array[];
  out: Float64Array[];
  /** delta[l][j] = dE/dnet^l_j of this sample's loss (no l2 term). */
  delta: Float64Array[];
  /** f'(net^l_j), the factor of the delta rule (softmax: the Jacobian diagonal y_j (1 - y_j)). */
  fprime: Float64Array[];
  /** sum_k w^{l+1}_kj delta^{l+1}_k for hidden layers l = 1..L-1. */
  backSum: Float64Array[];
  /** dE/dy at the output. */
  dEdy: Float64Array;
  /** This sample's loss E (no l2 term). */
  loss: number;
}

/** Views of the batch buffers after forward/backward; valid until the network's next computation. */
export interface BatchView {
  rows: number;
  /** net[l] is rows x units_l (net[0] unused, out[0] = the inputs). */
  net: readonly Float64Array[];
  out: readonly Float64Array[];
  delta: readonly Float64Array[];
}

export class Network {
  /** [inputs, units1, ..., unitsL] */
  readonly sizes: number[];
  readonly layers: DenseLayer[];
  private readonly params: ParamRef[];
  private capacity = 0;
  private readonly Z: Float64Array[] = [];
  private readonly O: Float64Array[] = [];
  private readonly D: Float64Array[] = [];
  private T: Float64Array = new Float64Array(0);
  /** Per layer (index 0 = layer 1): true when the table gives it other functions than the built-in ones. */
  private readonly own: boolean[];
  /** The generated one-sample step (kernels/fastpath.ts): undefined = not tried yet, null = none. */
  private fastSample: ((l2: number) => number) | null | undefined;

  constructor(
    inputs: number,
    layers: DenseLayer[],
    readonly loss: LossName,
    readonly kernel: Kernel = referenceKernel,
    /** The element-wise activations' f and f' (activations.ts; another table only in tests). */
    readonly activations: ActivationTable = ELEMENTWISE,
  ) {
    if (layers.length === 0) throw new Error('a network needs at least one non-input layer');
    this.sizes = [inputs, ...layers.map((l) => l.units)];
    layers.forEach((layer, i) => {
      if (layer.inputs !== this.sizes[i]) {
        throw new Error(`layer ${i + 1} has ${layer.inputs} inputs but layer ${i} has ${this.sizes[i]} units`);
      }
    });
    this.layers = layers;
    this.own = layers.map((l) => isOwn(l.activation, activations));
    this.params = [];
    layers.forEach((layer, i) => {
      this.params.push({ layer: i + 1, kind: 'w', value: layer.W, grad: layer.dW, rows: layer.units, cols: layer.inputs });
      this.params.push({ layer: i + 1, kind: 'b', value: layer.b, grad: layer.db, rows: layer.units, cols: 1 });
    });
  }

  /**
   * The network of a resolved spec: the file's weights where given, the rest from the seed (see
   * init.ts). `kernel` does the matrix products (default: the reference loops; the extension and
   * the CLI pass `defaultKernel()`, see kernels/default.ts).
   */
  static fromSpec(spec: NetSpec, kernel: Kernel = referenceKernel, activations: ActivationTable = ELEMENTWISE): Network {
    const params = initialParameters(spec);
    return Network.packed(
      spec.inputs,
      spec.layers.map((ls, i) => ({ units: ls.units, activation: ls.activation, W: params[i].W, b: params[i].b })),
      spec.loss,
      kernel,
      activations,
    );
  }

  /**
   * A network whose parameters are views of one array (W1, b1, W2, b2, ...) and whose gradients
   * are views of another, both from the kernel's memory when it offers any: the products then need
   * no copies, and the optimizer updates all parameters in one loop.
   */
  static packed(
    inputs: number,
    defs: readonly { units: number; activation: ActivationName; W: Float64Array; b: Float64Array }[],
    loss: LossName,
    kernel: Kernel,
    activations: ActivationTable = ELEMENTWISE,
  ): Network {
    const total = defs.reduce((s, d) => s + d.W.length + d.b.length, 0);
    const alloc = (n: number): Float64Array => (kernel.alloc !== undefined ? kernel.alloc(n) : new Float64Array(n));
    const values = alloc(total);
    const grads = alloc(total);
    let at = 0;
    let fanIn = inputs;
    const layers = defs.map((d) => {
      const nW = d.units * fanIn;
      if (d.W.length !== nW || d.b.length !== d.units) {
        throw new Error(`a ${d.units}x${fanIn} layer got ${d.W.length} weights and ${d.b.length} biases`);
      }
      const W = values.subarray(at, at + nW);
      const b = values.subarray(at + nW, at + nW + d.units);
      W.set(d.W);
      b.set(d.b);
      const layer = new DenseLayer(d.units, fanIn, d.activation, W, b, {
        dW: grads.subarray(at, at + nW),
        db: grads.subarray(at + nW, at + nW + d.units),
      });
      at += nW + d.units;
      fanIn = d.units;
      return layer;
    });
    return new Network(inputs, layers, loss, kernel, activations);
  }

  /** Number of non-input layers L. */
  get depth(): number {
    return this.layers.length;
  }

  /** The output y of one input x (a fresh array). */
  predict(x: Float64Array): Float64Array {
    this.loadBatch([x], undefined);
    this.forward(1);
    return this.O[this.depth].slice(0, this.sizes[this.depth]);
  }

  /** The outputs of many inputs (fresh arrays), computed in batches. */
  predictAll(inputs: readonly Float64Array[]): Float64Array[] {
    const K = this.sizes[this.depth];
    const result: Float64Array[] = [];
    for (let start = 0; start < inputs.length; start += EVAL_CHUNK) {
      const rows = this.loadBatch(inputs, undefined, undefined, start, Math.min(EVAL_CHUNK, inputs.length - start));
      this.forward(rows);
      const Y = this.O[this.depth];
      for (let r = 0; r < rows; r++) result.push(Y.slice(r * K, (r + 1) * K));
    }
    return result;
  }

  /** Every net input, output and delta of one sample (same arithmetic as the batch path). */
  trace(x: Float64Array, t: Float64Array): SampleTrace {
    const L = this.depth;
    this.loadBatch([x], [t]);
    this.forward(1);
    const K = this.sizes[L];
    const dEdy = new Float64Array(K);
    const lossFn = LOSS_FUNCTIONS[this.loss];
    lossFn.gradient(this.O[L], this.T, dEdy, 0, K);
    // E from the net inputs for softmax + cross-entropy and sigmoid + BCE (losses.ts), else from y
    const loss = sampleLoss(this.loss, this.layers[L - 1].activation, this.Z[L], this.O[L], this.T, 0, K);
    this.backward(1);
    const net: Float64Array[] = [new Float64Array(0)];
    const out: Float64Array[] = [x.slice()];
    const delta: Float64Array[] = [new Float64Array(0)];
    const fprime: Float64Array[] = [new Float64Array(0)];
    const backSum: Float64Array[] = [new Float64Array(0)];
    for (let l = 1; l <= L; l++) {
      const n = this.sizes[l];
      net.push(this.Z[l].slice(0, n));
      out.push(this.O[l].slice(0, n));
      delta.push(this.D[l].slice(0, n));
      const fp = new Float64Array(n);
      derivatives(this.layers[l - 1].activation, this.Z[l], this.O[l], fp, n, this.activations);
      fprime.push(fp);
      const bs = new Float64Array(l < L ? n : 0);
      // sum_k w^{l+1}_kj delta^{l+1}_k: the same product the backward pass forms before ⊙ f'
      if (l < L) this.kernel.gemmAB(1, n, this.sizes[l + 1], this.D[l + 1], this.layers[l].W, bs);
      backSum.push(bs);
    }
    return { x: x.slice(), net, out, delta, fprime, backSum, dEdy, loss };
  }

  /**
   * Mean loss over the given samples (all, or those at `indices`) plus (l2/2)·Σw² (weights only),
   * and its gradient, written into every layer's dW and db.
   */
  lossAndGradient(inputs: readonly Float64Array[], targets: readonly Float64Array[], l2: number, indices?: ArrayLike<number>): number {
    const rows = this.loadBatch(inputs, targets, indices);
    if (rows === 0) throw new Error('lossAndGradient needs at least one sample');
    if (rows === 1) {
      // a tiny network on a fast backend: the same steps as below, as generated code (kernels/fastpath.ts)
      if (this.fastSample === undefined) this.fastSample = sampleStep(this) ?? null;
      if (this.fastSample !== null) return this.fastSample(l2) + this.l2Term(l2);
    }
    this.forward(rows);
    const sum = this.batchLoss(rows, 0);
    this.backward(rows);
    this.accumulateGradients(rows, l2);
    return sum / rows + this.l2Term(l2);
  }

  /**
   * Mean loss over a data set plus the l2 term, and the accuracy when the data set has labels:
   * the predicted class is the argmax of the outputs (the first on ties); with a single output
   * unit it is 1 when y >= 0.5, else 0.
   */
  evaluate(ds: Dataset, l2: number): { loss: number; accuracy?: number } {
    const N = ds.inputs.length;
    if (N === 0) throw new Error('evaluate needs at least one sample');
    const L = this.depth;
    const K = this.sizes[L];
    let sum = 0;
    let correct = 0;
    for (let start = 0; start < N; start += EVAL_CHUNK) {
      const rows = this.loadBatch(ds.inputs, ds.targets, undefined, start, Math.min(EVAL_CHUNK, N - start));
      this.forward(rows);
      sum = this.batchLoss(rows, sum);
      if (ds.labels !== undefined) {
        const Y = this.O[L];
        for (let r = 0; r < rows; r++) {
          if (predictedClass(Y, r * K, K) === ds.labels[start + r]) correct++;
        }
      }
    }
    const loss = sum / N + this.l2Term(l2);
    return ds.labels === undefined ? { loss } : { loss, accuracy: correct / N };
  }

  /** The parameter blocks in order: layer 1 W, layer 1 b, layer 2 W, ... (live references). */
  parameters(): ParamRef[] {
    return this.params;
  }

  /** The weights and biases of layers 1..L (index 0 = layer 1) as plain arrays, for writing back. */
  weights(): { weights: number[][]; biases: number[] }[] {
    return this.layers.map((layer) => {
      const weights: number[][] = [];
      for (let j = 0; j < layer.units; j++) weights.push(Array.from(layer.W.subarray(j * layer.inputs, (j + 1) * layer.inputs)));
      return { weights, biases: Array.from(layer.b) };
    });
  }

  /** A deep copy (weights, biases and gradients) sharing the kernel, or on another kernel. */
  clone(kernel: Kernel = this.kernel): Network {
    const copy = Network.packed(
      this.sizes[0],
      this.layers.map((l) => ({ units: l.units, activation: l.activation, W: l.W, b: l.b })),
      this.loss,
      kernel,
      this.activations,
    );
    copy.layers.forEach((l, i) => {
      l.dW.set(this.layers[i].dW);
      l.db.set(this.layers[i].db);
    });
    return copy;
  }

  /** Copies the weights and biases of a network of the same shape into this one. */
  copyParametersFrom(other: Network): void {
    if (other.sizes.join() !== this.sizes.join()) throw new Error(`cannot copy a ${other.sizes.join('-')} network into a ${this.sizes.join('-')} one`);
    this.layers.forEach((layer, i) => {
      layer.W.set(other.layers[i].W);
      layer.b.set(other.layers[i].b);
    });
  }

  /** Σ over all layers of Σ w² (weights only, not biases), layer by layer in order. */
  sumOfSquaredWeights(): number {
    let s = 0;
    for (const layer of this.layers) {
      const W = layer.W;
      for (let i = 0; i < W.length; i++) s += W[i] * W[i];
    }
    return s;
  }

  /** (l2/2)·Σw², or exactly 0 when l2 is 0. */
  l2Term(l2: number): number {
    return l2 === 0 ? 0 : (l2 / 2) * this.sumOfSquaredWeights();
  }

  // ---- the batch machinery (also used by the trainer, the gradient check and the statistics) ----

  /**
   * Copies samples into the input (and target) buffers, one row each: sample `indices[start + r]`
   * (or `start + r` without indices) goes to row r, for r < count. Returns the number of rows.
   */
  loadBatch(
    inputs: readonly Float64Array[],
    targets: readonly Float64Array[] | undefined,
    indices?: ArrayLike<number>,
    start = 0,
    count = (indices ?? inputs).length - start,
  ): number {
    this.ensureCapacity(count);
    const n0 = this.sizes[0];
    const K = this.sizes[this.depth];
    const X = this.O[0];
    for (let r = 0; r < count; r++) {
      const i = indices === undefined ? start + r : indices[start + r];
      const x = inputs[i];
      if (x === undefined || x.length !== n0) throw new Error(`sample ${i + 1} has ${x === undefined ? 'no' : x.length} inputs, the network ${n0}`);
      if (n0 <= 16) for (let q = 0; q < n0; q++) X[r * n0 + q] = x[q]; // (a loop beats a call to set for a few values)
      else X.set(x, r * n0);
      if (targets !== undefined) {
        const t = targets[i];
        if (t === undefined || t.length !== K) throw new Error(`sample ${i + 1} has ${t === undefined ? 'no' : t.length} targets, the network ${K} outputs`);
        if (K <= 16) for (let q = 0; q < K; q++) this.T[r * K + q] = t[q];
        else this.T.set(t, r * K);
      }
    }
    return count;
  }

  /**
   * Forward pass over the loaded rows from layer `from` (1-based) on:
   * Z_l = O_{l-1} · W_lᵀ + b_l, O_l = f(Z_l). `input` replaces O_{from-1} (a rows x units_{from-1}
   * matrix; the gradient check passes cached layer inputs here). `to` stops after layer `to`
   * (the debugger runs one layer at a time).
   */
  forward(rows: number, from = 1, input?: Float64Array, to = this.depth): void {
    for (let l = from; l <= to; l++) {
      const layer = this.layers[l - 1];
      const O_prev = l === from && input !== undefined ? input : this.O[l - 1];
      this.kernel.gemmABt(rows, layer.units, layer.inputs, O_prev, layer.W, this.Z[l], layer.b); // Z = O_{l-1}·Wᵀ + b
      // O = f(Z)  (the kernel may do it faster, see Kernel.activate)
      if (this.own[l - 1] || this.kernel.activate?.(layer.activation, this.Z[l], this.O[l], rows * layer.units) !== true) {
        activate(layer.activation, this.Z[l], this.O[l], rows, layer.units, this.activations);
      }
    }
  }

  /**
   * start + Σ_r E(y_r, t_r) over the loaded rows, added in row order (after `forward`); each E from
   * the net inputs where the loss has a logit form (losses.ts, rowLoss).
   */
  batchLoss(rows: number, start: number): number {
    const L = this.depth;
    const K = this.sizes[L];
    const E = rowLoss(this.loss, this.layers[L - 1].activation);
    let sum = start;
    for (let r = 0; r < rows; r++) sum += E(this.Z[L], this.O[L], this.T, r * K, K);
    return sum;
  }

  /** E_r of each loaded row into `result` (after `forward`), as batchLoss computes them. */
  sampleLosses(rows: number, result: Float64Array): void {
    const L = this.depth;
    const K = this.sizes[L];
    const E = rowLoss(this.loss, this.layers[L - 1].activation);
    for (let r = 0; r < rows; r++) result[r] = E(this.Z[L], this.O[L], this.T, r * K, K);
  }

  /**
   * Backward pass over the loaded rows (after `forward`): the deltas Δ_l = dE_r/dnet of every
   * layer, or of layers `from` down to `to` only (the debugger runs one layer at a time).
   */
  backward(rows: number, from = this.depth, to = 1): void {
    const L = this.depth;
    const out = this.layers[L - 1];
    // Δ_L = dE/dY ⊙ f'(Z_L)   (softmax: J^T dE/dy; softmax+cross-entropy and sigmoid+BCE: Y - T)
    if (from === L) outputDeltas(this.loss, out.activation, this.Z[L], this.O[L], this.T, this.D[L], rows, out.units, this.activations);
    for (let l = Math.min(from, L - 1); l >= to; l--) {
      const layer = this.layers[l - 1];
      const above = this.layers[l];
      // Δ_l = Δ_{l+1} · W_{l+1}            (delta_j = sum_k w^{l+1}_kj delta^{l+1}_k ...)
      this.kernel.gemmAB(rows, layer.units, above.units, this.D[l + 1], above.W, this.D[l]);
      // Δ_l = Δ_l ⊙ f'(Z_l)                (... times f'(net_j))
      applyDerivative(layer.activation, this.Z[l], this.O[l], this.D[l], rows, layer.units, this.activations);
    }
  }

  /** dW_l = Δ_lᵀ · O_{l-1} / B + λ W_l and db_l = Σ_rows Δ_l / B, for every layer or layers `from`..`to` (after `backward`). */
  accumulateGradients(rows: number, l2: number, from = 1, to = this.depth): void {
    this.sumGradients(rows, from, to);
    this.meanGradients(rows, l2, from, to);
  }

  /**
   * dW_l = Δ_lᵀ · O_{l-1} and db_l = Σ_rows Δ_l (sums over the loaded rows, not yet divided), for
   * every layer or layers `from`..`to` (after `backward`). A batch split across threads
   * (kernels/threads.ts) adds the sums of its slices in slice order before `meanGradients`.
   */
  sumGradients(rows: number, from = 1, to = this.depth): void {
    for (let l = from; l <= to; l++) {
      const layer = this.layers[l - 1];
      // dE/dw_jk = Σ_r delta_rj · o_rk
      this.kernel.gemmAtB(layer.units, layer.inputs, rows, this.D[l], this.O[l - 1], layer.dW);
      // dE/db_j = Σ_r delta_rj
      const D = this.D[l];
      const n = layer.units;
      const db = layer.db;
      db.fill(0);
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) db[j] += D[r * n + j];
    }
  }

  /** The gradient sums into the mean over a batch of `rows` rows, plus λ W_l, for every layer or layers `from`..`to` (after `sumGradients`). */
  meanGradients(rows: number, l2: number, from = 1, to = this.depth): void {
    for (let l = from; l <= to; l++) {
      const { dW, db, W } = this.layers[l - 1];
      if (l2 === 0) {
        if (rows !== 1 && this.kernel.vector?.divide(dW, rows) !== true) for (let i = 0; i < dW.length; i++) dW[i] /= rows; // (x / 1 = x exactly)
      } else {
        for (let i = 0; i < dW.length; i++) dW[i] = dW[i] / rows + l2 * W[i]; // + d/dw (λ/2)w² = λw
      }
      for (let j = 0; j < db.length; j++) db[j] /= rows;
    }
  }

  /** Views of the batch buffers (valid until the next computation on this network). */
  batch(rows: number): BatchView {
    return { rows, net: this.Z, out: this.O, delta: this.D };
  }

  /** The targets buffer (rows x K), as loaded by `loadBatch`. */
  batchTargets(): Float64Array {
    return this.T;
  }

  /** True when every layer's activation is the engine's own (not one from another table, see activations.ts). */
  builtinActivations(): boolean {
    return !this.own.includes(true);
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    const cap = Math.max(rows, 1);
    const kernel = this.kernel;
    const alloc = (n: number): Float64Array => (kernel.alloc !== undefined ? kernel.alloc(n) : new Float64Array(n));
    this.sizes.forEach((n, l) => {
      this.O[l] = alloc(cap * n);
      this.Z[l] = l === 0 ? new Float64Array(0) : alloc(cap * n);
      this.D[l] = l === 0 ? new Float64Array(0) : alloc(cap * n);
    });
    this.T = alloc(cap * this.sizes[this.depth]);
    this.capacity = cap;
  }
}

/** argmax of a row (first on ties); for a single output, 1 when y >= 0.5 else 0. */
export function predictedClass(Y: Float64Array, offset: number, K: number): number {
  if (K === 1) return Y[offset] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < K; k++) if (Y[offset + k] > Y[offset + best]) best = k;
  return best;
}
