/**
 * Loss functions per sample (K output units, output y, target t), each value beside its dE/dy,
 * and the output-layer delta delta_k = dE/dnet_k that starts backpropagation.
 *
 * Logarithms: `log(y)` is evaluated as `log(max(y, Number.MIN_VALUE))`, i.e. the argument is raised
 * only when it is exactly 0 (an output that underflowed), to the smallest positive double 5e-324,
 * so the loss is at most about 744.4 per term instead of Infinity. Nothing else is clamped. Terms
 * whose target weight is exactly 0 are skipped (0 · log 0 = 0).
 *
 * All functions work on one row of row-major matrices: the row starts at `o` in both y and t.
 */
import { applyDerivative } from './activations';
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
 * (With sigmoid outputs backprop uses the delta y_k - t_k directly, see below.)
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
  applyDerivative(activation, net, out, delta, rows, K);
}
