/**
 * Activation functions f^l and their derivatives, each forward rule beside its derivative.
 *
 * Element-wise activations give `f(net)` and `df(net, out)` = f'(net), written in terms of the
 * net input and/or the output `out = f(net)` (whichever is exact and cheapest). At a kink (relu and
 * leaky-relu at 0) the derivative is that of the right side: f'(0) = 1 (PyTorch's relu uses 0
 * there; docs/net-json.md, Activations).
 *
 * Softmax is not element-wise: y_j = e^{z_j} / sum_k e^{z_k}, with Jacobian dy_j/dz_i = y_j (δ_ij - y_i).
 * Given g = dE/dy, the delta is J^T g:  delta_i = y_i (g_i - sum_k y_k g_k).
 *
 * The block functions `activate` and `applyDerivative` work on row-major matrices (one row per
 * sample), so the batch path and the single-sample trace use exactly the same arithmetic.
 *
 * An `ActivationTable` maps each element-wise name to its functions; ELEMENTWISE is the engine's.
 * A Network may be given another table (e.g. a test's copy with a wrong derivative, to prove that
 * the gradient check catches it): the block functions then call that table's f and df for every
 * entry that is not the built-in one (`isOwn`), and only the built-in functions get the
 * written-out loops, a kernel's own code or a generated step. The built-in activations are frozen:
 * another f or f' can only come in through a table.
 */
import type { ActivationName } from './spec';

export interface ElementwiseActivation {
  readonly name: Exclude<ActivationName, 'softmax'>;
  /** o = f(net) */
  f(net: number): number;
  /** f'(net), given net and out = f(net) */
  df(net: number, out: number): number;
  /** Net inputs where f' jumps (non-differentiable points); empty for smooth functions. */
  readonly kinks: readonly number[];
  /** The largest value of f' (used for the "saturated" statistic). */
  readonly maxDerivative: number;
}

/**
 * The logistic function 1 / (1 + e^-x), stably: with e = e^{-|x|}, 1 / (1 + e) for x >= 0 and
 * e / (1 + e) for x < 0 (the same value; e^{-|x|} <= 1 never overflows). The one definition of
 * sigmoid: the activation's f, softplus's f', and the generated steps (kernels/compiled.ts) call it.
 */
export function logistic(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return (x >= 0 ? 1 : e) / (1 + e);
}

/** sigmoid: f(x) = 1 / (1 + e^-x) (see logistic);  f'(x) = y (1 - y) */
export const sigmoid: ElementwiseActivation = {
  name: 'sigmoid',
  f: logistic,
  df: (_net, y) => y * (1 - y),
  kinks: [],
  maxDerivative: 0.25,
};

/** tanh: f(x) = (e^x - e^-x) / (e^x + e^-x);  f'(x) = 1 - y^2 */
export const tanh: ElementwiseActivation = {
  name: 'tanh',
  f: (x) => Math.tanh(x),
  df: (_net, y) => 1 - y * y,
  kinks: [],
  maxDerivative: 1,
};

/** relu: f(x) = max(0, x);  f'(x) = 1 if x >= 0 else 0 (right side at the kink x = 0) */
export const relu: ElementwiseActivation = {
  name: 'relu',
  f: (x) => (x > 0 ? x : x === x ? 0 : x), // NaN passes through, so divergence stays visible
  df: (x) => (x >= 0 ? 1 : 0),
  kinks: [0],
  maxDerivative: 1,
};

/** Slope of leaky-relu for negative inputs. */
export const LEAKY_SLOPE = 0.01;

/** leaky-relu: f(x) = x if x >= 0 else 0.01 x;  f'(x) = 1 if x >= 0 else 0.01 */
export const leakyRelu: ElementwiseActivation = {
  name: 'leaky-relu',
  f: (x) => (x >= 0 ? x : LEAKY_SLOPE * x),
  df: (x) => (x >= 0 ? 1 : LEAKY_SLOPE),
  kinks: [0],
  maxDerivative: 1,
};

/**
 * elu (alpha 1): f(x) = x if x >= 0 else e^x - 1;  f'(x) = 1 if x >= 0 else y + 1 (= e^x).
 * With alpha 1 it is differentiable at 0 (both sides have slope 1), so it has no kink; only its
 * second derivative jumps there.
 */
export const elu: ElementwiseActivation = {
  name: 'elu',
  f: (x) => (x >= 0 ? x : Math.expm1(x)),
  df: (x, y) => (x >= 0 ? 1 : y + 1),
  kinks: [],
  maxDerivative: 1,
};

/** softplus: f(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (stable);  f'(x) = sigmoid(x) */
export const softplus: ElementwiseActivation = {
  name: 'softplus',
  f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  df: (x) => logistic(x),
  kinks: [],
  maxDerivative: 1,
};

/** linear: f(x) = x;  f'(x) = 1 */
export const linear: ElementwiseActivation = {
  name: 'linear',
  f: (x) => x,
  df: () => 1,
  kinks: [],
  maxDerivative: 1,
};

/** The element-wise activations by name (see the header). */
export type ActivationTable = Readonly<Record<ElementwiseActivation['name'], ElementwiseActivation>>;

export const ELEMENTWISE: ActivationTable = {
  sigmoid,
  tanh,
  relu,
  'leaky-relu': leakyRelu,
  elu,
  softplus,
  linear,
};

for (const a of Object.values(ELEMENTWISE)) Object.freeze(a);

/** True when the table gives that activation other functions than the built-in ones (ELEMENTWISE). */
export function isOwn(name: ActivationName, table: ActivationTable): boolean {
  return name !== 'softmax' && table !== ELEMENTWISE && table[name] !== ELEMENTWISE[name];
}

/** The element-wise activation of that name, or undefined for softmax. */
export function elementwise(name: ActivationName): ElementwiseActivation | undefined {
  return name === 'softmax' ? undefined : ELEMENTWISE[name];
}

/** Net inputs where the activation's derivative jumps (relu, leaky-relu: [0]). */
export function kinksOf(name: ActivationName, table: ActivationTable = ELEMENTWISE): readonly number[] {
  return name === 'softmax' ? [] : table[name].kinks;
}

/**
 * softmax of one row, stably: y_j = e^{z_j - m} / sum_k e^{z_k - m} with m = max_k z_k
 * (the same value as without m, but e^{z-m} <= 1 never overflows).
 */
export function softmaxRow(z: Float64Array, y: Float64Array, offset: number, n: number): void {
  let m = -Infinity;
  for (let j = 0; j < n; j++) if (z[offset + j] > m) m = z[offset + j];
  let s = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(z[offset + j] - m);
    y[offset + j] = e;
    s += e;
  }
  for (let j = 0; j < n; j++) y[offset + j] /= s;
}

/** out = f(net) for a rows x cols block (row-major); softmax is applied row by row. */
export function activate(name: ActivationName, net: Float64Array, out: Float64Array, rows: number, cols: number, table: ActivationTable = ELEMENTWISE): void {
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) softmaxRow(net, out, r * cols, cols);
    return;
  }
  const count = rows * cols;
  // one loop per activation, each the formula of its `f` above written out (same results, no
  // call per element)
  switch (isOwn(name, table) ? 'own' : name) {
    case 'sigmoid':
      for (let i = 0; i < count; i++) out[i] = logistic(net[i]);
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) out[i] = Math.tanh(net[i]);
      return;
    case 'relu':
      for (let i = 0; i < count; i++) {
        const x = net[i];
        out[i] = x > 0 ? x : x === x ? 0 : x;
      }
      return;
    case 'linear':
      if (out !== net) out.set(net.subarray(0, count));
      return;
    default: {
      const f = table[name as Exclude<ActivationName, 'softmax'>].f;
      for (let i = 0; i < count; i++) out[i] = f(net[i]);
    }
  }
}

/**
 * Turns g = dE/dout (held in `delta` on entry) into delta = dE/dnet, in place:
 *   element-wise:  delta_j = g_j * f'(net_j)
 *   softmax:       delta_i = y_i (g_i - sum_k y_k g_k)   (J^T g, J the softmax Jacobian)
 */
export function applyDerivative(
  name: ActivationName,
  net: Float64Array,
  out: Float64Array,
  delta: Float64Array,
  rows: number,
  cols: number,
  table: ActivationTable = ELEMENTWISE,
): void {
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let yg = 0;
      for (let k = 0; k < cols; k++) yg += out[o + k] * delta[o + k];
      for (let i = 0; i < cols; i++) delta[o + i] = out[o + i] * (delta[o + i] - yg);
    }
    return;
  }
  const count = rows * cols;
  // one loop per activation, each the formula of its `df` above written out
  switch (isOwn(name, table) ? 'own' : name) {
    case 'sigmoid':
      for (let i = 0; i < count; i++) {
        const y = out[i];
        delta[i] *= y * (1 - y);
      }
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) {
        const y = out[i];
        delta[i] *= 1 - y * y;
      }
      return;
    case 'relu':
      for (let i = 0; i < count; i++) delta[i] *= net[i] >= 0 ? 1 : 0;
      return;
    case 'linear':
      return; // f' = 1: delta * 1 = delta
    default: {
      const df = table[name as Exclude<ActivationName, 'softmax'>].df;
      for (let i = 0; i < count; i++) delta[i] *= df(net[i], out[i]);
    }
  }
}

/**
 * f'(net_j) of each unit for display (the factor of the delta rule). For softmax this is the
 * diagonal of the Jacobian, y_j (1 - y_j); the delta itself uses the whole Jacobian.
 */
export function derivatives(
  name: ActivationName,
  net: Float64Array,
  out: Float64Array,
  result: Float64Array,
  count: number,
  table: ActivationTable = ELEMENTWISE,
): void {
  if (name === 'softmax') {
    for (let i = 0; i < count; i++) result[i] = out[i] * (1 - out[i]);
    return;
  }
  const df = table[name].df;
  for (let i = 0; i < count; i++) result[i] = df(net[i], out[i]);
}
