/**
 * Gradient check: the analytic gradient of backpropagation against centred differences.
 *
 * numeric n = (E(w + h) - E(w - h)) / 2h, in float64, E the mean loss over the whole data set plus
 * the l2 term. h = 1e-5 by default: the truncation error of centred differences is about
 * h²·|E'''|/6 and the round-off error about ε·|E|/h (ε = 2.2e-16); they balance near
 * h = (3ε)^(1/3) ≈ 1e-5 for quantities of order 1, where both are around 1e-10 relative.
 * (We divide by the steps actually taken, (w + h) - w and w - (w - h), so rounding w ± h costs nothing.)
 *
 * Relative error (CS231n, "Gradient checks"):  rel = |a - n| / max(|a|, |n|, floor),
 * floor = max(1e-12, 4·err / pass), where err estimates the error of the numeric value n itself:
 *   round-off   8ε·(S₊ + S₋) / 2h, with S = |E| + mean over samples of what an error of one ulp
 *               in every output does to the loss: Σ_k |dE/dy_k|·max_samples|y_k| for the squared
 *               errors (an output is a sum whose rounding scales with the outputs' size even where
 *               it cancels to 0), Σ_k t_k for cross-entropy (softmax outputs are accurate relative
 *               to y), Σ_k (|dE/dy_k|·y_k + 1) for binary cross-entropy (log(1 - y) loses absolute
 *               digits). The loss can be tiny while its rounding is not: with y = 1 - 1e-8 and
 *               t = 1, E ≈ 1e-8, but y is only known to 1e-16.
 *   truncation  |n₂ - n| / 3, n₂ the centred difference with step 2h (its truncation error is 4
 *               times n's, so their difference measures it); computed only when the first
 *               comparison does not already pass, so most parameters cost two evaluations, not four.
 * Without this floor a correct gradient of 1e-9 (a nearly trained network, a saturated unit) would
 * fail for want of digits in the numeric estimate. With it, a difference within four times the
 * estimate's own error scores at most the pass threshold; larger differences still warn and fail.
 * The constant 1e-12 only guards 0/0 when both values are 0.
 *
 * Thresholds, after CS231n ("relative error > 1e-2 usually means the gradient is probably wrong
 * ... 1e-7 and less you should be happy"), stricter in the middle because float64 with a smooth
 * loss reaches 1e-7 easily:
 *   ok    rel < 1e-7
 *   warn  1e-7 <= rel <= 1e-4 (suspicious; worth a look)
 *   fail  rel > 1e-4
 *   kink  the ±h perturbation moved the net input of some unit across a kink of its activation
 *         (relu, leaky-relu at 0) for some sample, compared with the unperturbed network: the
 *         loss is not differentiable in between, so the comparison means nothing; does not fail.
 * The check passes when no entry fails (warnings are reported but pass).
 *
 * A network training in float32 (kernel precision 'float32') is checked on a float64 copy.
 *
 * Perturbed evaluations reuse the activations below the perturbed layer: the inputs of every
 * layer are cached for the whole data set once, and a perturbation of layer l recomputes only
 * layers l..L.
 */
import { kinksOf } from './activations';
import { referenceKernel } from './kernels/reference';
import { LOSS_FUNCTIONS } from './losses';
import type { Network } from './network';
import { Rng } from './rng';
import type { Dataset } from './spec';

export const GRADCHECK_DEFAULTS = {
  /** Step of the centred differences. */
  h: 1e-5,
  /** Below this relative error an entry is 'ok'. */
  pass: 1e-7,
  /** Above this relative error an entry 'fail's. */
  fail: 1e-4,
  /** Least denominator of the relative error. */
  floor: 1e-12,
  /** Round-off of one loss evaluation, in ulps of S (see the header). */
  roundoffUlps: 8,
  /** Differences up to this many times the numeric value's estimated error score <= pass. */
  noiseMargin: 4,
} as const;

export interface GradCheckThresholds {
  /** rel < pass: 'ok'. */
  pass: number;
  /** rel > fail: 'fail' (between: 'warn'). */
  fail: number;
  /** Least denominator of the relative error; each entry's denominator is also at least noiseMargin·numericError/pass. */
  floor: number;
  noiseMargin: number;
  /** Step h of the centred differences. */
  h: number;
}

export interface GradCheckEntry {
  /** 1-based layer l. */
  layer: number;
  kind: 'w' | 'b';
  /** 0-based unit index j in layer l (row of `weights`, index of `biases`). */
  j: number;
  /** 0-based unit index k in layer l-1 (column of `weights`); only for kind 'w'. */
  k?: number;
  /** 1-based name for people: 'w^2_{1,3}' is w^l_jk with l = 2, j = 1, k = 3; 'b^2_{1}'. */
  name: string;
  analytic: number;
  numeric: number;
  /** Estimated error of `numeric` (round-off, and truncation when it was measured). */
  numericError: number;
  relativeError: number;
  status: 'ok' | 'warn' | 'fail' | 'kink';
}

export interface GradCheckReport {
  /** True when no entry has status 'fail'. */
  passed: boolean;
  /** Largest relative error over the entries that are not kinks (0 when there are none). */
  maxRelativeError: number;
  /** Number of parameters checked. */
  parameters: number;
  /** Number of entries with status 'kink'. */
  kinks: number;
  entries: GradCheckEntry[];
  /** The ten entries with the largest relative error, kinks excluded, worst first. */
  worst: GradCheckEntry[];
  thresholds: GradCheckThresholds;
  /** The loss at the unperturbed parameters. */
  loss: number;
  seconds: number;
}

export interface GradCheckOptions {
  /** Check only this many parameters per layer (a seeded sample of its weights and biases). */
  maxPerLayer?: number;
  /** Seed of that sample (default 0); drawn from new Rng(seed, 'gradcheck'). */
  seed?: number;
  /** The step h (default 1e-5). */
  eps?: number;
}

/**
 * Gradient check of `net` on `data` with weight decay `l2`. Every perturbed parameter is set back
 * to its saved value right after its evaluations; afterwards every layer's dW/db hold the analytic
 * gradient over the whole data set. See checkNetwork for a version that also restores every
 * parameter if something throws.
 */
export function gradientCheck(net: Network, data: Dataset, l2: number, options: GradCheckOptions = {}): GradCheckReport {
  if (net.kernel.precision === 'float32') {
    // gradient checks stay float64: check a float64 copy, then hand its analytic gradient back
    const copy = net.clone(net.kernel.float64 ?? referenceKernel);
    const report = gradientCheck(copy, data, l2, options);
    net.layers.forEach((layer, i) => {
      layer.dW.set(copy.layers[i].dW);
      layer.db.set(copy.layers[i].db);
    });
    return report;
  }
  const started = performance.now();
  const h = options.eps ?? GRADCHECK_DEFAULTS.h;
  const { pass, fail, floor, roundoffUlps, noiseMargin } = GRADCHECK_DEFAULTS;
  const N = data.inputs.length;
  const L = net.depth;
  const K = net.sizes[L];

  // Analytic gradient, and (as a side effect) the forward pass of the whole data set in the buffers.
  const loss = net.lossAndGradient(data.inputs, data.targets, l2);
  const view = net.batch(N);
  // layerInput[l] = O_{l-1} for all N samples (layerInput[1] = the inputs), cached once.
  const layerInput: Float64Array[] = [new Float64Array(0)];
  // side[l] = for each sample and unit of a layer with kinks, which side of its kink the net input is on.
  const side: (Uint8Array | undefined)[] = [undefined];
  for (let l = 1; l <= L; l++) {
    layerInput.push(view.out[l - 1].slice(0, N * net.sizes[l - 1]));
    const kinks = kinksOf(net.layers[l - 1].activation);
    side.push(kinks.length === 0 ? undefined : sidesOf(view.net[l], N * net.sizes[l], kinks));
  }

  const lossFn = LOSS_FUNCTIONS[net.loss];
  const g = new Float64Array(N * K);
  const yMax = new Float64Array(K);
  /** E with the current parameters, recomputing layers from..L; and S (see the header). */
  const evaluate = (from: number): { E: number; S: number } => {
    net.forward(N, from, layerInput[from]);
    const E = net.batchLoss(N, 0) / N + net.l2Term(l2);
    const Y = net.batch(N).out[L];
    const T = net.batchTargets();
    for (let r = 0; r < N; r++) lossFn.gradient(Y, T, g, r * K, K);
    let s = 0;
    if (net.loss === 'cross-entropy') {
      // softmax outputs are accurate relative to y: a few ulps of y change E by a few ulps of t
      for (let i = 0; i < N * K; i++) s += Math.abs(T[i]);
    } else if (net.loss === 'binary-cross-entropy') {
      // sigmoid outputs: relative ulps of y, and absolute ulps of 1 - y
      for (let i = 0; i < N * K; i++) s += Math.min(Math.abs(g[i] * Y[i]), 1 / Number.EPSILON) + 1;
    } else {
      // squared errors: y is a sum whose rounding scales with the outputs' typical size (y may cancel to 0)
      yMax.fill(0);
      for (let i = 0; i < N * K; i++) yMax[i % K] = Math.max(yMax[i % K], Math.abs(Y[i]));
      for (let i = 0; i < N * K; i++) s += Math.abs(g[i]) * yMax[i % K];
    }
    return { E, S: Math.abs(E) + s / N };
  };
  const crossesKink = (from: number): boolean => {
    const v = net.batch(N);
    for (let m = from; m <= L; m++) {
      const base = side[m];
      if (base === undefined) continue;
      const kinks = kinksOf(net.layers[m - 1].activation);
      const Z = v.net[m];
      for (let i = 0; i < base.length; i++) if (sideOf(Z[i], kinks) !== base[i]) return true;
    }
    return false;
  };
  /** Centred difference of arr[i] with step `step`, restoring arr[i] bit-exactly. */
  const centred = (arr: Float64Array, i: number, step: number, from: number): { n: number; roundoff: number; kink: boolean } => {
    const saved = arr[i];
    arr[i] = saved + step;
    const up = arr[i] - saved; // the step actually taken
    const plus = evaluate(from);
    let kink = crossesKink(from);
    arr[i] = saved - step;
    const down = saved - arr[i];
    const minus = evaluate(from);
    kink = crossesKink(from) || kink;
    arr[i] = saved;
    return {
      n: (plus.E - minus.E) / (up + down),
      roundoff: (roundoffUlps * Number.EPSILON * (plus.S + minus.S)) / (up + down),
      kink,
    };
  };
  const relative = (a: number, n: number, err: number): number =>
    Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor, (noiseMargin * err) / pass);

  const entries: GradCheckEntry[] = [];
  const rng = new Rng(options.seed ?? 0, 'gradcheck');
  for (let l = 1; l <= L; l++) {
    const layer = net.layers[l - 1];
    const nW = layer.W.length;
    for (const p of selectParameters(nW + layer.b.length, options.maxPerLayer, rng)) {
      const isW = p < nW;
      const arr = isW ? layer.W : layer.b;
      const i = isW ? p : p - nW;
      const analytic = isW ? layer.dW[i] : layer.db[i];
      const first = centred(arr, i, h, l);
      let numericError = first.roundoff;
      let relativeError = relative(analytic, first.n, numericError);
      if (!first.kink && relativeError >= pass) {
        // second opinion: measure the truncation error with step 2h (unless that crosses a kink)
        const second = centred(arr, i, 2 * h, l);
        if (!second.kink) {
          numericError = first.roundoff + Math.abs(second.n - first.n) / 3;
          relativeError = relative(analytic, first.n, numericError);
        }
      }
      const status = first.kink ? 'kink' : relativeError < pass ? 'ok' : relativeError <= fail ? 'warn' : 'fail';
      const j = isW ? Math.floor(i / layer.inputs) : i;
      const common = { layer: l, analytic, numeric: first.n, numericError, relativeError, status } as const;
      entries.push(
        isW
          ? { ...common, kind: 'w', j, k: i % layer.inputs, name: `w^${l}_{${j + 1},${(i % layer.inputs) + 1}}` }
          : { ...common, kind: 'b', j, name: `b^${l}_{${j + 1}}` },
      );
    }
  }

  const counted = entries.filter((e) => e.status !== 'kink');
  const worst = [...counted].sort((a, b) => b.relativeError - a.relativeError).slice(0, 10);
  return {
    passed: !entries.some((e) => e.status === 'fail'),
    maxRelativeError: counted.reduce((m, e) => Math.max(m, e.relativeError), 0),
    parameters: entries.length,
    kinks: entries.length - counted.length,
    entries,
    worst,
    thresholds: { pass, fail, floor, noiseMargin, h },
    loss,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * gradientCheck, with every weight and bias of the network restored bit-exactly afterwards from
 * a copy taken before it starts — also when the check throws.
 */
export function checkNetwork(net: Network, data: Dataset, l2: number, options: GradCheckOptions = {}): GradCheckReport {
  const saved = net.parameters().map((p) => p.value.slice());
  try {
    return gradientCheck(net, data, l2, options);
  } finally {
    net.parameters().forEach((p, i) => p.value.set(saved[i]));
  }
}

/** Indices 0..total-1 to check: all, or a seeded sample of `max` of them, in increasing order. */
function selectParameters(total: number, max: number | undefined, rng: Rng): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  if (max === undefined || max >= total) return all;
  const m = Math.max(0, Math.floor(max));
  for (let i = 0; i < m; i++) {
    // partial Fisher-Yates: position i gets a uniform pick of the remaining ones
    const j = i + rng.int(total - i);
    const tmp = all[i];
    all[i] = all[j];
    all[j] = tmp;
  }
  return all.slice(0, m).sort((a, b) => a - b);
}

function sideOf(z: number, kinks: readonly number[]): number {
  let s = 0;
  for (const k of kinks) if (z >= k) s++;
  return s;
}

function sidesOf(Z: Float64Array, count: number, kinks: readonly number[]): Uint8Array {
  const s = new Uint8Array(count);
  for (let i = 0; i < count; i++) s[i] = sideOf(Z[i], kinks);
  return s;
}
