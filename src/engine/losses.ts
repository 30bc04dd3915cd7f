/**
 * Loss functions per sample (K output units, output y, target t), each value beside its dE/dy,
 * and the output-layer delta delta_k = dE/dnet_k that starts backpropagation.
 *
 * Values from the net inputs ("logits"): for the two pairings the format allows for the log losses,
 * the value is computed from the output layer's net inputs z, never from log y, so it is exact to a
 * few ulps at any z (|z| up to 1e4 and beyond):
 *   softmax + cross-entropy:        E = sum_k t_k (lse(z) - z_k),  lse(z) = m + log1p(sum_{k != k*} e^{z_k - m}),
 *                                   m = z_{k*} = max_k z_k   (log-sum-exp; log1p keeps E exact when
 *                                   the target class is far ahead and E is tiny)
 *   sigmoid + binary-cross-entropy: E = sum_k softplus(z_k) - t_k z_k, written for z >= 0 as
 *                                   (1 - t) z + log1p(e^-z), for z < 0 as -t z + log1p(e^z)
 *                                   (two non-negative terms for 0 <= t <= 1: no cancellation)
 * `rowLoss` (and `sampleLoss`) pick these forms; every loss value of the engine (trace, batches,
 * evaluation, the gradient check, the generated steps of kernels/compiled.ts) goes through them or
 * through `bceFromLogit`.
 *
 * The guard of the other pairings (cross-entropy after a non-softmax output, binary cross-entropy
 * after a non-sigmoid one: the format refuses both, engine users may build them): `log(y)` is
 * evaluated as `log(max(y, Number.MIN_VALUE))`, i.e. the argument is raised only when it is exactly
 * 0 (an output that underflowed), to the smallest positive double 5e-324, so the loss is at most
 * about 744.4 per term instead of Infinity. Nothing else is clamped. Terms whose target weight is
 * exactly 0 are skipped (0 · log 0 = 0).
 *
 * All functions work on one row of row-major matrices: the row starts at `o` in y, z and t.
 */
import { applyDerivative, ELEMENTWISE, type ActivationTable } from './activations';
import type { ActivationName, LossName } from './spec';

export interface Loss {
  readonly name: LossName;
  /** E for one sample. */
  value(y: Float64Array, t: Float64Array, o: number, K: number): number;
  /** g = dE/dy for one sample. */
  gradient(y: Float64Array, t: Float64Array, g: Float64Array, o: number, K: number): void;
}

/** log(y) with the argument raised to 5e-324 only when it is 0 (see the header). */
export function safeLog(y: number): number {
  return Math.log(y === 0 ? Number.MIN_VALUE : y);
}

/** half-squared-error: E = 1/2 sum_k (t_k - y_k)^2;  dE/dy_k = y_k - t_k */
export const halfSquaredError: Loss = {
  name: 'half-squared-error',
  value(y, t, o, K) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const d = t[o + k] - y[o + k];
      s += d * d;
    }
    return 0.5 * s;
  },
  gradient(y, t, g, o, K) {
    for (let k = 0; k < K; k++) g[o + k] = y[o + k] - t[o + k];
  },
};

/** mse: E = (1/K) sum_k (t_k - y_k)^2;  dE/dy_k = 2 (y_k - t_k) / K */
export const meanSquaredError: Loss = {
  name: 'mse',
  value(y, t, o, K) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const d = t[o + k] - y[o + k];
      s += d * d;
    }
    return s / K;
  },
  gradient(y, t, g, o, K) {
    for (let k = 0; k < K; k++) g[o + k] = (2 * (y[o + k] - t[o + k])) / K;
  },
};

/**
 * cross-entropy: E = -sum_k t_k log y_k;  dE/dy_k = -t_k / y_k.
 * (This value from y is the guarded form; after a softmax the engine uses
 * softmaxCrossEntropyFromLogits.)
 * (With softmax outputs backprop never divides by y: the delta is y_k sum_i t_i - t_k, see below;
 * this dE/dy is for display and is -Infinity where y_k underflowed to 0 and t_k > 0.)
 */
export const crossEntropy: Loss = {
  name: 'cross-entropy',
  value(y, t, o, K) {
    let s = 0;
    for (let k = 0; k < K; k++) if (t[o + k] !== 0) s -= t[o + k] * safeLog(y[o + k]);
    return s;
  },
  gradient(y, t, g, o, K) {
    for (let k = 0; k < K; k++) g[o + k] = t[o + k] === 0 ? 0 : -t[o + k] / y[o + k];
  },
};

/**
 * binary-cross-entropy: E = -sum_k [t_k log y_k + (1 - t_k) log(1 - y_k)];
 * dE/dy_k = (1 - t_k) / (1 - y_k) - t_k / y_k.
 * (With sigmoid outputs backprop uses the delta y_k - t_k directly, see below, and the value is
 * bceFromLogit's; this value from y is the guarded form.)
 */
export const binaryCrossEntropy: Loss = {
  name: 'binary-cross-entropy',
  value(y, t, o, K) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const tk = t[o + k];
      const yk = y[o + k];
      if (tk !== 0) s -= tk * safeLog(yk);
      if (tk !== 1) s -= (1 - tk) * safeLog(1 - yk);
    }
    return s;
  },
  gradient(y, t, g, o, K) {
    for (let k = 0; k < K; k++) {
      const tk = t[o + k];
      const yk = y[o + k];
      g[o + k] = (tk === 1 ? 0 : (1 - tk) / (1 - yk)) - (tk === 0 ? 0 : tk / yk);
    }
  },
};

/**
 * One term of binary cross-entropy after a sigmoid, from the net input z:
 *   -[t log σ(z) + (1 - t) log(1 - σ(z))] = softplus(z) - t z = max(z, 0) - t z + log1p(e^-|z|),
 * computed as (1 - t) z + log1p(e^-z) for z >= 0 and -t z + log1p(e^z) for z < 0.
 * dE/dz = σ(z) - t (the delta of outputDeltas below).
 */
export function bceFromLogit(z: number, t: number): number {
  return z >= 0 ? (1 - t) * z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)) - t * z;
}

/**
 * Cross-entropy after a softmax, from the net inputs z of one row:
 *   E = -sum_k t_k log softmax(z)_k = sum_k t_k (lse(z) - z_k)
 * with lse(z) - z_k = (m - z_k) + log1p(s'), m = max z (first index k* on ties) and
 * s' = sum_{k != k*} e^{z_k - m}. dE/dz_k = y_k sum_i t_i - t_k (outputDeltas below).
 */
export function softmaxCrossEntropyFromLogits(z: Float64Array, t: Float64Array, o: number, K: number): number {
  let top = 0;
  for (let k = 1; k < K; k++) if (z[o + k] > z[o + top]) top = k;
  const m = z[o + top];
  let rest = 0;
  for (let k = 0; k < K; k++) if (k !== top) rest += Math.exp(z[o + k] - m);
  const log1pRest = Math.log1p(rest);
  let s = 0;
  for (let k = 0; k < K; k++) if (t[o + k] !== 0) s += t[o + k] * (m - z[o + k] + log1pRest);
  return s;
}

/** Whether a loss after that output activation is computed from the net inputs (see the header). */
export function fromLogits(loss: LossName, activation: ActivationName): boolean {
  return (loss === 'cross-entropy' && activation === 'softmax') || (loss === 'binary-cross-entropy' && activation === 'sigmoid');
}

/** E of one row starting at o, from the output layer's net inputs z and/or outputs y = f(z). */
export type RowLoss = (z: Float64Array, y: Float64Array, t: Float64Array, o: number, K: number) => number;

/** sigmoid + binary cross-entropy of one row: Σ_k bceFromLogit(z_k, t_k). */
function bceRowFromLogits(z: Float64Array, _y: Float64Array, t: Float64Array, o: number, K: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) s += bceFromLogit(z[o + k], t[o + k]);
  return s;
}

/**
 * The loss of a row for a loss after that output activation: from the net inputs for softmax +
 * cross-entropy and sigmoid + BCE (see the header), from y otherwise (chosen once per batch).
 */
export function rowLoss(loss: LossName, activation: ActivationName): RowLoss {
  if (loss === 'cross-entropy' && activation === 'softmax') return (z, _y, t, o, K) => softmaxCrossEntropyFromLogits(z, t, o, K);
  if (loss === 'binary-cross-entropy' && activation === 'sigmoid') return bceRowFromLogits;
  const L = LOSS_FUNCTIONS[loss];
  return (_z, y, t, o, K) => L.value(y, t, o, K);
}

/** E of one row (starting at o) given the output layer's net inputs z and outputs y = f(z) (rowLoss). */
export function sampleLoss(
  loss: LossName,
  activation: ActivationName,
  z: Float64Array,
  y: Float64Array,
  t: Float64Array,
  o: number,
  K: number,
): number {
  return rowLoss(loss, activation)(z, y, t, o, K);
}

export const LOSS_FUNCTIONS: Readonly<Record<LossName, Loss>> = {
  'half-squared-error': halfSquaredError,
  mse: meanSquaredError,
  'cross-entropy': crossEntropy,
  'binary-cross-entropy': binaryCrossEntropy,
};

/**
 * Output-layer deltas for a rows x K block: delta_k = dE/dnet_k.
 *
 * - softmax + cross-entropy:  delta_k = y_k sum_i t_i - t_k   (= J^T (-t/y); y_k - t_k for one-hot t)
 * - sigmoid + binary-cross-entropy:  delta_k = y_k - t_k      (= (dE/dy_k) y_k (1 - y_k))
 * - otherwise:  delta = dE/dy ⊙ f'(net), or J^T dE/dy for softmax (general chain rule).
 * The two fused forms are algebraically identical to the general one but never divide by y or 1 - y.
 */
export function outputDeltas(
  loss: LossName,
  activation: ActivationName,
  net: Float64Array,
  out: Float64Array,
  targets: Float64Array,
  delta: Float64Array,
  rows: number,
  K: number,
  table: ActivationTable = ELEMENTWISE,
): void {
  if (loss === 'cross-entropy' && activation === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const o = r * K;
      let st = 0;
      for (let k = 0; k < K; k++) st += targets[o + k];
      for (let k = 0; k < K; k++) delta[o + k] = out[o + k] * st - targets[o + k];
    }
    return;
  }
  if (loss === 'binary-cross-entropy' && activation === 'sigmoid') {
    const count = rows * K;
    for (let i = 0; i < count; i++) delta[i] = out[i] - targets[i];
    return;
  }
  const L = LOSS_FUNCTIONS[loss];
  for (let r = 0; r < rows; r++) L.gradient(out, targets, delta, r * K, K);
  applyDerivative(activation, net, out, delta, rows, K, table);
}
