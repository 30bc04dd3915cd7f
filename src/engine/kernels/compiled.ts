/**
 * One training sample through a tiny network as straight-line JavaScript, generated once per
 * network shape (what makes synaptic fast on W1): no loops of length 2 or 8, no calls per layer,
 * every index a constant. The code is the delta rule of network.ts written out operation by
 * operation in the same order (each sum from 0 in order of its index, then the bias; f and f' as
 * in activations.ts; the loss (binary cross-entropy from the net inputs) and the output delta as
 * in losses.ts), so its results are bit for bit those of the reference path
 * (test/unit/kernels/compiled.test.ts).
 *
 * Covered: batch of one row, element-wise activations, half-squared-error and mse on any output,
 * binary-cross-entropy on a sigmoid output (delta = y - t); at most MAX_WEIGHTS parameters.
 * Anything else (softmax, larger networks, batches) takes the general path.
 */
import { LEAKY_SLOPE, logistic } from '../activations';
import { bceFromLogit } from '../losses';
import type { ActivationName, LossName } from '../spec';

/** Networks with more parameters than this are not compiled (the code grows with the weights). */
export const MAX_WEIGHTS = 400;

/** Buffers by layer l = 0..L (index 0 unused except O[0] = the input row). */
export interface SampleBuffers {
  Z: readonly Float64Array[];
  O: readonly Float64Array[];
  D: readonly Float64Array[];
  T: Float64Array;
  W: readonly Float64Array[];
  b: readonly Float64Array[];
  dW: readonly Float64Array[];
  db: readonly Float64Array[];
}

/** Writes Z, O, D of row 0, the gradient (dW, db, with λ·W added when l2 ≠ 0); returns 0 + E. */
export type SampleStep = (buf: SampleBuffers, l2: number) => number;

/**
 * The branching activations as small functions (the formulas of activations.ts): one shared
 * function per activation warms up on the first sample and is inlined at every call site, where an
 * expression repeated at each site would meet each of its branches for the first time later, in
 * optimised code (a deoptimisation each time, until V8 gives up optimising the step).
 */
const HELPERS = {
  sigmoid: logistic, // (written in little bytecode, so V8's inlining budget covers every call site of a W1-sized step)
  relu: (x: number): number => (x > 0 ? x : x === x ? 0 : x),
  leaky: (x: number): number => (x >= 0 ? x : LEAKY_SLOPE * x),
  elu: (x: number): number => (x >= 0 ? x : Math.expm1(x)),
  step: (x: number, below: number): number => (x >= 0 ? 1 : below),
  eluDf: (x: number, y: number): number => (x >= 0 ? 1 : y + 1),
  // one term of binary cross-entropy after a sigmoid, from the net input (losses.ts)
  bce: bceFromLogit,
};

/** o = f(z) as an expression. */
function fExpr(a: ActivationName, z: string): string | undefined {
  switch (a) {
    case 'sigmoid': return `H.sigmoid(${z})`;
    case 'tanh': return `Math.tanh(${z})`;
    case 'relu': return `H.relu(${z})`;
    case 'leaky-relu': return `H.leaky(${z})`;
    case 'elu': return `H.elu(${z})`;
    case 'softplus': return `(Math.max(${z}, 0) + Math.log1p(Math.exp(-Math.abs(${z}))))`;
    case 'linear': return z;
    default: return undefined;
  }
}

/** f'(z) given z and o = f(z), as an expression. */
function dfExpr(a: ActivationName, z: string, o: string): string | undefined {
  switch (a) {
    case 'sigmoid': return `(${o} * (1 - ${o}))`;
    case 'tanh': return `(1 - ${o} * ${o})`;
    case 'relu': return `H.step(${z}, 0)`;
    case 'leaky-relu': return `H.step(${z}, ${LEAKY_SLOPE})`;
    case 'elu': return `H.eluDf(${z}, ${o})`;
    case 'softplus': return `H.sigmoid(${z})`;
    case 'linear': return '1';
    default: return undefined;
  }
}

/** Whether a network is covered (see the header); its parameter count is at most MAX_WEIGHTS. */
function covered(sizes: readonly number[], activations: readonly ActivationName[], loss: LossName, kernelActivations: readonly ActivationName[]): boolean {
  const L = sizes.length - 1;
  let weights = 0;
  for (let l = 1; l <= L; l++) weights += sizes[l] * (sizes[l - 1] + 1);
  if (weights > MAX_WEIGHTS) return false;
  const out = activations[L - 1];
  if (loss === 'cross-entropy' || (loss === 'binary-cross-entropy' && out !== 'sigmoid')) return false;
  return !activations.some((a) => fExpr(a, 'x') === undefined || kernelActivations.includes(a));
}

/**
 * The lines shared by both steps: the buffers, the input row (from O[0] and T, or, when `direct`,
 * from the arrays x and t, copied into O[0] and T), the forward pass, E and every delta.
 */
function stepLines(sizes: readonly number[], activations: readonly ActivationName[], loss: LossName, direct: boolean): string[] {
  const L = sizes.length - 1;
  const out = activations[L - 1];
  const c: string[] = [];
  for (let l = 0; l <= L; l++) c.push(`const O${l} = buf.O[${l}];`);
  for (let l = 1; l <= L; l++) {
    c.push(`const Z${l} = buf.Z[${l}], D${l} = buf.D[${l}], W${l} = buf.W[${l - 1}], b${l} = buf.b[${l - 1}], dW${l} = buf.dW[${l - 1}], db${l} = buf.db[${l - 1}];`);
  }
  c.push('const T = buf.T;');
  // inputs
  for (let i = 0; i < sizes[0]; i++) c.push(direct ? `const o0_${i} = x[${i}]; O0[${i}] = o0_${i};` : `const o0_${i} = O0[${i}];`);
  // forward: net_j = (Σ_k w_jk o_k, from 0 in order of k) + b_j;  o_j = f(net_j)
  for (let l = 1; l <= L; l++) {
    const n = sizes[l];
    const k = sizes[l - 1];
    for (let j = 0; j < n; j++) {
      const terms = Array.from({ length: k }, (_, p) => ` + o${l - 1}_${p} * W${l}[${j * k + p}]`).join('');
      c.push(`const z${l}_${j} = (0${terms}) + b${l}[${j}]; Z${l}[${j}] = z${l}_${j};`);
      c.push(`const o${l}_${j} = ${fExpr(activations[l - 1], `z${l}_${j}`)}; O${l}[${j}] = o${l}_${j};`);
    }
  }
  // loss E of the row, and the output deltas
  const K = sizes[L];
  for (let k = 0; k < K; k++) c.push(direct ? `const t${k} = t[${k}]; T[${k}] = t${k};` : `const t${k} = T[${k}];`);
  if (loss === 'binary-cross-entropy') {
    // E = Σ_k softplus(z_k) - t_k z_k, from the net inputs (losses.ts: rowLoss, bceFromLogit)
    c.push('let E = 0;');
    for (let k = 0; k < K; k++) {
      c.push(`E += H.bce(z${L}_${k}, t${k});`);
      c.push(`const d${L}_${k} = o${L}_${k} - t${k}; D${L}[${k}] = d${L}_${k};`); // sigmoid + BCE: y - t
    }
  } else {
    const sq = Array.from({ length: K }, (_, k) => ` + (t${k} - o${L}_${k}) * (t${k} - o${L}_${k})`).join('');
    c.push(loss === 'half-squared-error' ? `const E = 0.5 * (0${sq});` : `const E = (0${sq}) / ${K};`);
    for (let k = 0; k < K; k++) {
      const g = loss === 'half-squared-error' ? `(o${L}_${k} - t${k})` : `((2 * (o${L}_${k} - t${k})) / ${K})`;
      c.push(`const d${L}_${k} = ${g} * ${dfExpr(out, `z${L}_${k}`, `o${L}_${k}`)}; D${L}[${k}] = d${L}_${k};`);
    }
  }
  // hidden deltas: delta_j = (Σ_k w^{l+1}_kj delta^{l+1}_k, from 0 in order of k) · f'(net_j)
  for (let l = L - 1; l >= 1; l--) {
    const n = sizes[l];
    const above = sizes[l + 1];
    for (let j = 0; j < n; j++) {
      const terms = Array.from({ length: above }, (_, k) => ` + d${l + 1}_${k} * W${l + 1}[${k * n + j}]`).join('');
      c.push(`const d${l}_${j} = (0${terms}) * ${dfExpr(activations[l - 1], `z${l}_${j}`, `o${l}_${j}`)}; D${l}[${j}] = d${l}_${j};`);
    }
  }
  return c;
}

/**
 * The generated step of a network, or undefined when it is not covered (see the header) or uses
 * an activation that the kernel computes itself (`kernelActivations`, e.g. the WebAssembly tanh:
 * the trace and batches use that one, so a sample step must too).
 */
export function compileSample(
  sizes: readonly number[],
  activations: readonly ActivationName[],
  loss: LossName,
  kernelActivations: readonly ActivationName[] = [],
): SampleStep | undefined {
  if (!covered(sizes, activations, loss, kernelActivations)) return undefined;
  const L = sizes.length - 1;
  const c = stepLines(sizes, activations, loss, false);
  // gradient of one row: dE/dw_jk = 0 + delta_j · o_k (+ λ w_jk), dE/db_j = 0 + delta_j
  c.push('if (l2 === 0) {');
  for (let l = 1; l <= L; l++) {
    const k = sizes[l - 1];
    for (let j = 0; j < sizes[l]; j++) {
      for (let p = 0; p < k; p++) c.push(`dW${l}[${j * k + p}] = 0 + d${l}_${j} * o${l - 1}_${p};`);
    }
  }
  c.push('} else {');
  for (let l = 1; l <= L; l++) {
    const k = sizes[l - 1];
    for (let j = 0; j < sizes[l]; j++) {
      for (let p = 0; p < k; p++) c.push(`dW${l}[${j * k + p}] = (0 + d${l}_${j} * o${l - 1}_${p}) + l2 * W${l}[${j * k + p}];`);
    }
  }
  c.push('}');
  for (let l = 1; l <= L; l++) for (let j = 0; j < sizes[l]; j++) c.push(`db${l}[${j}] = 0 + d${l}_${j};`);
  c.push('return 0 + E;');
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('H', `return function sampleStep(buf, l2) {\n${c.join('\n')}\n};`) as (h: typeof HELPERS) => SampleStep;
    return make(HELPERS);
  } catch {
    return undefined; // no code generation here (a content security policy): the general path
  }
}

/**
 * One batch-1 step of plain sgd, fused: loads the row x, t (into O[0] and T as well), computes
 * Z, O, D and the gradient (into dW, db) as SampleStep does, the update u = -lr · g of every
 * parameter into U (the optimizer's packed update views, in parameter order: W1, b1, W2, …) and the
 * new values w + u, the operations of optimizers.ts's Sgd in its order. It applies w <- w + u only
 * when the row's outputs of every layer, the loss E + l2t (l2t: the network's l2 term) and every
 * new value are finite, and returns the loss E + l2t; otherwise it changes no parameter and returns NaN (also for
 * a row of the wrong length): the caller then runs the general path, which names the failure.
 */
export type FusedSgdStep = (
  buf: SampleBuffers,
  U: readonly Float64Array[],
  x: Float64Array,
  t: Float64Array,
  l2: number,
  l2t: number,
  lr: number,
) => number;

/** The fused sgd step of a network, or undefined when compileSample would not cover it. */
export function compileSgdSample(
  sizes: readonly number[],
  activations: readonly ActivationName[],
  loss: LossName,
  kernelActivations: readonly ActivationName[] = [],
): FusedSgdStep | undefined {
  if (!covered(sizes, activations, loss, kernelActivations)) return undefined;
  // one function with and one without the l2 term (each half the size: V8 then inlines the
  // activation helpers into them, which it stops doing in a function twice as long)
  const plain = fusedVariant(sizes, activations, loss, false);
  const withL2 = fusedVariant(sizes, activations, loss, true);
  if (plain === undefined || withL2 === undefined) return undefined;
  return (buf, U, x, t, l2, l2t, lr) => (l2 === 0 ? plain : withL2)(buf, U, x, t, l2, l2t, lr);
}

function fusedVariant(sizes: readonly number[], activations: readonly ActivationName[], loss: LossName, withL2: boolean): FusedSgdStep | undefined {
  const L = sizes.length - 1;
  const c = [`if (x === undefined || x.length !== ${sizes[0]} || t === undefined || t.length !== ${sizes[L]}) return NaN;`];
  c.push(...stepLines(sizes, activations, loss, true));
  // everything the trainer checks before an update: the outputs of every layer and the loss
  c.push('const loss = E + l2t;', 'let check = loss - loss;');
  for (let l = 1; l <= L; l++) {
    c.push(`check += ${Array.from({ length: sizes[l] }, (_, j) => `(o${l}_${j} - o${l}_${j})`).join(' + ')};`);
    c.push(`const UW${l} = U[${2 * (l - 1)}], Ub${l} = U[${2 * (l - 1) + 1}];`);
  }
  // g, u = -lr · g and w + u (checked: in ACC independent sums, not one long chain of additions),
  // then w <- w + u; with and without the l2 term of g
  const ACC = 6;
  {
    c.push(Array.from({ length: ACC }, (_, a) => `c${a} = 0`).join(', ').replace(/^/, 'let ') + ';');
    const apply: string[] = [];
    let acc = 0;
    const checked = (name: string): string => `c${acc++ % ACC} += ${name} - ${name};`;
    for (let l = 1; l <= L; l++) {
      const k = sizes[l - 1];
      for (let j = 0; j < sizes[l]; j++) {
        for (let p = 0; p < k; p++) {
          const q = j * k + p;
          const g = withL2 ? `(0 + d${l}_${j} * o${l - 1}_${p}) + l2 * W${l}[${q}]` : `0 + d${l}_${j} * o${l - 1}_${p}`;
          // (an assignment's value is the number assigned: g and u exactly as stored)
          c.push(`{ const w = W${l}[${q}] + (UW${l}[${q}] = -lr * (dW${l}[${q}] = ${g})); ${checked('w')} }`);
          apply.push(`W${l}[${q}] += UW${l}[${q}];`);
        }
      }
      for (let j = 0; j < sizes[l]; j++) {
        c.push(`{ const w = b${l}[${j}] + (Ub${l}[${j}] = -lr * (db${l}[${j}] = 0 + d${l}_${j})); ${checked('w')} }`);
        apply.push(`b${l}[${j}] += Ub${l}[${j}];`);
      }
    }
    c.push(`if (check + ${Array.from({ length: ACC }, (_, a) => `c${a}`).join(' + ')} !== 0) return NaN;`, ...apply);
  }
  c.push('return loss;');
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('H', `return function fusedSgdStep(buf, U, x, t, l2, l2t, lr) {\n${c.join('\n')}\n};`) as (h: typeof HELPERS) => FusedSgdStep;
    return make(HELPERS);
  } catch {
    return undefined;
  }
}
