/**
 * Gradient check: the analytic gradient of backpropagation against centred differences, decided
 * for each parameter from that parameter's own numbers.
 *
 * numeric n = Σ_r (E_r(w + h) - E_r(w - h)) / (N · 2h) + the l2 term's centred difference, in
 * float64, E_r the loss of sample r (from the net inputs where the loss has a logit form, see
 * losses.ts). h = 1e-5 by default: the truncation error of centred differences is about
 * h²·|E'''|/6 and the round-off error about ε·|E|/h (ε = 2.2e-16); they balance near
 * h = (3ε)^(1/3) ≈ 1e-5 for quantities of order 1, where both are around 1e-10 relative.
 * (We divide by the steps actually taken, (w + h) - w and w - (w - h), so rounding w ± h costs
 * nothing. The samples are differenced one by one: a sample the parameter does not reach — its
 * output net inputs bit-identical in both evaluations — adds exactly 0 and no noise. The l2 term
 * (λ/2)·Σw² is a quadratic in w, whose centred difference is exactly λ·(w₊ + w₋)/2.)
 *
 * The numeric value's own error, err = round-off + truncation, of THIS parameter:
 *   round-off   8ε · 2·Σ_r S_r / (N · 2h), summed over the samples r the parameter reaches, with
 *               S_r what an error of one ulp in every quantity of sample r's forward pass does to
 *               E_r:  S_r = |E_r| + Σ_k (|δ_k|·A_k + |dE/dy_k|·|y_k|), δ_k = dE_r/dz_k the output
 *               delta, A_k = Σ_j |w_kj|·R_j + |b_k| the size of the sum that gives z_k, R_j the
 *               same running size of each hidden unit (|o_j| + |f'_j|·the size of its own sum, so
 *               that a sum that cancels counts at the size of its terms; R = |x| for the inputs);
 *               the |dE/dy|·|y| term only for losses computed from y, not for the logit forms.
 *   truncation  computed only when the first comparison does not already pass (so most
 *               parameters cost two evaluations): n₂, n₄ the centred differences with steps 2h and
 *               4h; the numeric value becomes the Richardson extrapolation r = (4n - n₂)/3, whose
 *               h² error term cancels, with round-off (4·n's + n₂'s)/3 and truncation |r' - r|/15,
 *               r' = (4n₂ - n₄)/3 (the same extrapolation one step up, whose h⁴ error is 16 times
 *               r's). When the 4h step crosses a kink: n itself, truncation |n₂ - n|/3.
 * err comes from forward passes only: a wrong derivative cannot raise it.
 * The analytic value's own round-off, errA: 8ε·(1/N)·Σ_r (P_rj + 2|δ_rj|)·R_rk for w^l_jk (without
 * R for a bias) + 8ε·λ|w|, P_rj the size of the error of the delta δ_rj: at the output
 * (|y_k| + |t_k| + |f'_k|·A_k)·|f'_k| (the rounding of y - t, which cancels when the network fits
 * the data, and of y itself; f' taken as 1 for the logit forms, whose delta is y - t), and below
 * |f'_j|·Σ_k |w_kj|·(P_k + |δ_k|) layer by layer (see errorModel). Near a perfect fit a gradient
 * of 1e-12 is itself only known to about 1e-4 relative; errA says so. (It grows with |f'| of a
 * wrong derivative, not with its sign or a factor of 1 ± 1e-3, so it cannot hide one either.)
 *
 * The decision, per parameter (a analytic, n numeric, scale = max(|a|, |n|, floor 1e-12)):
 *   relative error  rel = |a - n| / scale                  (the figure shown)
 *   tolerance       tol = max(pass, 4·(err + errA) / scale) (this parameter's resolution, shown too)
 *   ok            rel <= tol <= fail: they agree as closely as the numeric value can tell, and it
 *                 can tell a relative error of `fail`; rel < pass is always enough
 *   warn          tol < rel <= fail
 *   fail          rel > tol and rel > fail: they disagree beyond this parameter's tolerance
 *                 (never ok, whatever other parameters or samples do)
 *   cannot-check  rel <= tol but tol > fail: the loss is flat at float64 resolution along this
 *                 parameter (e.g. a saturated output), the numeric value is only known to ±err,
 *                 too coarse to tell a wrong gradient from a right one; `reason` says so
 *   kink          the ±h step moved the net input of some unit across a kink of its activation
 *                 (relu, leaky-relu at 0) for some sample, compared with the unperturbed network:
 *                 the loss is not differentiable in between, so the comparison means nothing
 * Thresholds, after CS231n ("relative error > 1e-2 usually means the gradient is probably wrong
 * ... 1e-7 and less you should be happy"), stricter in the middle because float64 with a smooth
 * loss reaches 1e-7 easily: pass = 1e-7, fail = 1e-4. The check passes when no entry fails;
 * 'kink' and 'cannot-check' entries are reported with their reason and never count as ok.
 *
 * A network training in float32 (kernel precision 'float32') is checked on a float64 copy.
 *
 * Perturbed evaluations reuse the activations below the perturbed layer: the inputs of every
 * layer are cached for the whole data set once, and a perturbation of layer l recomputes only
 * layers l..L.
 */
import { derivatives, kinksOf } from './activations';
import { referenceKernel } from './kernels/reference';
import { fromLogits, LOSS_FUNCTIONS } from './losses';
import type { Network } from './network';
import { Rng } from './rng';
import { parameterName, type Dataset } from './spec';

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
  /** A parameter's tolerance is at least this many times its numeric value's estimated error. */
  noiseMargin: 4,
} as const;

export interface GradCheckThresholds {
  /** rel < pass: 'ok'. */
  pass: number;
  /** rel > fail (and beyond the entry's tolerance): 'fail'; a tolerance above fail: 'cannot-check'. */
  fail: number;
  /** Least denominator of the relative error. */
  floor: number;
  /** Each entry's tolerance is max(pass, noiseMargin·(numericError + analyticError)/scale). */
  noiseMargin: number;
  /** Step h of the centred differences. */
  h: number;
}

export type GradCheckStatus = 'ok' | 'warn' | 'fail' | 'kink' | 'cannot-check';

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
  /** Estimated round-off of `analytic` (see the header). */
  analyticError: number;
  /** |analytic - numeric| / max(|analytic|, |numeric|, floor): the figure that decided the status. */
  relativeError: number;
  /** This entry's tolerance: max(pass, noiseMargin·(numericError + analyticError) / max(|analytic|, |numeric|, floor)). */
  tolerance: number;
  status: GradCheckStatus;
  /** Why an entry is 'kink' or 'cannot-check', in words. */
  reason?: string;
}

export interface GradCheckReport {
  /** True when no entry has status 'fail'. */
  passed: boolean;
  /** Largest relative error over the entries that were compared (ok, warn, fail; 0 when none). */
  maxRelativeError: number;
  /** Number of parameters checked. */
  parameters: number;
  /** Number of entries with status 'kink'. */
  kinks: number;
  /** Number of entries with status 'cannot-check'. */
  uncheckable: number;
  entries: GradCheckEntry[];
  /** The ten compared entries (ok, warn, fail) with the largest relative error, worst first. */
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
  /** Called after each parameter with the count done and the count to do (for progress output). */
  onProgress?: (done: number, total: number) => void;
}

/** The status of one entry from its numbers (see the header). */
export function decide(
  analytic: number,
  numeric: number,
  /** The estimated error of numeric and analytic together. */
  error: number,
  t: { pass: number; fail: number; floor: number; noiseMargin: number } = GRADCHECK_DEFAULTS,
): { relativeError: number; tolerance: number; status: 'ok' | 'warn' | 'fail' | 'cannot-check' } {
  const scale = Math.max(Math.abs(analytic), Math.abs(numeric), t.floor);
  const relativeError = Math.abs(analytic - numeric) / scale;
  const tolerance = Math.max(t.pass, (t.noiseMargin * error) / scale);
  // (NaN anywhere fails: every comparison below is false for NaN)
  const status =
    relativeError < t.pass || (relativeError <= tolerance && tolerance <= t.fail)
      ? 'ok'
      : relativeError <= tolerance
        ? 'cannot-check'
        : relativeError <= t.fail
          ? 'warn'
          : 'fail';
  return { relativeError, tolerance, status };
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

  // Analytic gradient, and (as a side effect) the forward and backward pass of the whole data set.
  const loss = net.lossAndGradient(data.inputs, data.targets, l2);
  const view = net.batch(N);
  // layerInput[l] = O_{l-1} for all N samples (layerInput[1] = the inputs), cached once.
  const layerInput: Float64Array[] = [new Float64Array(0)];
  // side[l] = for each sample and unit of a layer with kinks, which side of its kink the net input is on.
  const side: (Uint8Array | undefined)[] = [undefined];
  for (let l = 1; l <= L; l++) {
    layerInput.push(view.out[l - 1].slice(0, N * net.sizes[l - 1]));
    const kinks = kinksOf(net.layers[l - 1].activation, net.activations);
    side.push(kinks.length === 0 ? undefined : sidesOf(view.net[l], N * net.sizes[l], kinks));
  }
  const zBase = view.net[L].slice(0, N * K);
  const model = errorModel(net, N);
  const S = model.S;

  const ePlus = new Float64Array(N);
  const eMinus = new Float64Array(N);
  /** Marks in `reached` the samples whose output net inputs differ from the unperturbed ones. */
  const reached = new Uint8Array(N);
  const evaluate = (from: number, into: Float64Array): void => {
    net.forward(N, from, layerInput[from]);
    net.sampleLosses(N, into);
    const Z = net.batch(N).net[L];
    for (let r = 0; r < N; r++) {
      if (reached[r] === 1) continue;
      for (let k = 0; k < K; k++) {
        if (Z[r * K + k] !== zBase[r * K + k]) {
          reached[r] = 1;
          break;
        }
      }
    }
  };
  const crossesKink = (from: number): boolean => {
    const v = net.batch(N);
    for (let m = from; m <= L; m++) {
      const base = side[m];
      if (base === undefined) continue;
      const kinks = kinksOf(net.layers[m - 1].activation, net.activations);
      const Z = v.net[m];
      for (let i = 0; i < base.length; i++) if (sideOf(Z[i], kinks) !== base[i]) return true;
    }
    return false;
  };
  /** Centred difference of arr[i] with step `step`, restoring arr[i] bit-exactly. */
  const centred = (arr: Float64Array, i: number, step: number, from: number, decay: number): { n: number; roundoff: number; kink: boolean } => {
    const saved = arr[i];
    reached.fill(0);
    arr[i] = saved + step;
    const wPlus = arr[i];
    const up = wPlus - saved; // the step actually taken
    evaluate(from, ePlus);
    let kink = crossesKink(from);
    arr[i] = saved - step;
    const wMinus = arr[i];
    const down = saved - wMinus;
    evaluate(from, eMinus);
    kink = crossesKink(from) || kink;
    arr[i] = saved;
    let diff = 0;
    let s = 0;
    for (let r = 0; r < N; r++) {
      if (reached[r] === 0) continue; // bit-identical outputs: E_r(+) - E_r(-) = 0 exactly
      diff += ePlus[r] - eMinus[r];
      s += S[r];
    }
    // d/dw of (λ/2)·w² by its centred difference, exact for a quadratic: λ·(w₊ + w₋)/2
    const l2Part = decay === 0 ? 0 : (decay * (wPlus + wMinus)) / 2;
    return {
      n: diff / N / (up + down) + l2Part,
      roundoff: (roundoffUlps * Number.EPSILON * 2 * s) / N / (up + down),
      kink,
    };
  };

  const entries: GradCheckEntry[] = [];
  const rng = new Rng(options.seed ?? 0, 'gradcheck');
  let toDo = 0;
  for (const layer of net.layers) toDo += Math.min(layer.W.length + layer.b.length, options.maxPerLayer ?? Infinity);
  for (let l = 1; l <= L; l++) {
    const layer = net.layers[l - 1];
    const nW = layer.W.length;
    for (const p of selectParameters(nW + layer.b.length, options.maxPerLayer, rng)) {
      const isW = p < nW;
      const arr = isW ? layer.W : layer.b;
      const i = isW ? p : p - nW;
      const decay = isW ? l2 : 0;
      const analytic = isW ? layer.dW[i] : layer.db[i];
      const j = isW ? Math.floor(i / layer.inputs) : i;
      const analyticError =
        roundoffUlps * Number.EPSILON * (analyticSize(net, model, N, l, j, isW ? i % layer.inputs : undefined) + Math.abs(decay * arr[i]));
      const first = centred(arr, i, h, l, decay);
      let numeric = first.n;
      let numericError = first.roundoff;
      let verdict = decide(analytic, numeric, numericError + analyticError);
      if (!first.kink && verdict.relativeError >= pass) {
        // second opinion: the truncation error, from steps 2h and 4h (unless they cross a kink)
        const second = centred(arr, i, 2 * h, l, decay);
        if (!second.kink) {
          numericError = first.roundoff + Math.abs(second.n - first.n) / 3;
          const fourth = centred(arr, i, 4 * h, l, decay);
          if (!fourth.kink) {
            // Richardson: (4 n_h - n_2h) / 3 cancels the h² term; its error from the same with 2h, 4h
            const r1 = (4 * first.n - second.n) / 3;
            const r2 = (4 * second.n - fourth.n) / 3;
            numeric = r1;
            numericError = (4 * first.roundoff + second.roundoff) / 3 + Math.abs(r2 - r1) / 15;
          }
          verdict = decide(analytic, numeric, numericError + analyticError);
        }
      }
      const status = first.kink ? 'kink' : verdict.status;
      const entry: GradCheckEntry = {
        layer: l,
        kind: isW ? 'w' : 'b',
        j,
        name: parameterName(l, j, isW ? i % layer.inputs : undefined),
        analytic,
        numeric,
        numericError,
        analyticError,
        relativeError: verdict.relativeError,
        tolerance: verdict.tolerance,
        status,
      };
      if (isW) entry.k = i % layer.inputs;
      if (status === 'kink') {
        entry.reason = `the step ±${h} moves a net input across the kink of ${kinkNames(net, l)} at 0, where the loss has no derivative`;
      } else if (status === 'cannot-check') {
        const error = numericError + analyticError;
        entry.reason = Math.max(Math.abs(analytic), Math.abs(numeric)) <= noiseMargin * error
          ? `the gradient is 0 to within what the check can resolve (±${(noiseMargin * error).toPrecision(2)}): ` +
            'the loss is flat at float64 resolution along this parameter'
          : `the loss is flat at float64 resolution along this parameter: the numeric value is only known to ±${numericError.toPrecision(2)} ` +
          `and the analytic one to ±${analyticError.toPrecision(2)}, so the tolerance is ${verdict.tolerance.toPrecision(2)} of the gradient, ` +
          `more than the fail threshold ${fail}`;
      }
      entries.push(entry);
      options.onProgress?.(entries.length, toDo);
    }
  }

  const compared = entries.filter((e) => e.status === 'ok' || e.status === 'warn' || e.status === 'fail');
  const worst = [...compared].sort((a, b) => b.relativeError - a.relativeError).slice(0, 10);
  return {
    passed: !entries.some((e) => e.status === 'fail'),
    maxRelativeError: compared.reduce((m, e) => Math.max(m, e.relativeError), 0),
    parameters: entries.length,
    kinks: entries.filter((e) => e.status === 'kink').length,
    uncheckable: entries.filter((e) => e.status === 'cannot-check').length,
    entries,
    worst,
    thresholds: { pass, fail, floor, noiseMargin, h },
    loss,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The rounding model of the unperturbed forward and backward pass in the network's buffers (see
 * the header), in units of ε:
 *   R^l_j  size of o^l_j's computation: |o_j| + |f'_j|·(Σ_k |w_jk| R^{l-1}_k + |b_j|), R^0 = |x|;
 *          A_k the same sum for the output net inputs z_k (before f)
 *   S_r    what one ulp in every quantity of sample r does to E_r:
 *          |E_r| + Σ_k (|δ_k|·A_k + |dE/dy_k|·|y_k|), the last term for losses computed from y only
 *   P^l_j  size of the error of the delta δ^l_j: at the output (|y_k| + |t_k| + |f'_k|·A_k)·|f'_k|
 *          (the rounding of y - t and of y itself; f' = 1 for the logit forms, whose delta is y - t,
 *          and the Jacobian diagonal for softmax), below it |f'_j|·Σ_k |w_kj|·(P^{l+1}_k + |δ^{l+1}_k|)
 * The analytic dE/dw^l_jk = (1/N) Σ_r δ_rj o_rk is then known to ε·(1/N)·Σ_r ((P_rj + |δ_rj|)·R_rk
 * + |δ_rj|·R_rk), dE/db^l_j to ε·(1/N)·Σ_r (P_rj + |δ_rj|).
 */
interface ErrorModel {
  S: Float64Array;
  /** R[l] (N x units_l); R[0] = |x|. */
  R: Float64Array[];
  /** P[l] (N x units_l), l = 1..L. */
  P: Float64Array[];
}

function errorModel(net: Network, N: number): ErrorModel {
  const L = net.depth;
  const view = net.batch(N);
  const R: Float64Array[] = [Float64Array.from(view.out[0].subarray(0, N * net.sizes[0]), Math.abs)];
  const fp: Float64Array[] = [new Float64Array(0)];
  let A = new Float64Array(0);
  for (let l = 1; l <= L; l++) {
    const layer = net.layers[l - 1];
    const n = layer.units;
    const m = layer.inputs;
    const size = new Float64Array(N * n);
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < n; j++) {
        let a = Math.abs(layer.b[j]);
        for (let k = 0; k < m; k++) a += Math.abs(layer.W[j * m + k]) * R[l - 1][r * m + k];
        size[r * n + j] = a;
      }
    }
    const d = new Float64Array(N * n);
    derivatives(layer.activation, view.net[l], view.out[l], d, N * n, net.activations);
    fp.push(d);
    if (l === L) A = size.slice();
    for (let i = 0; i < N * n; i++) size[i] = Math.abs(view.out[l][i]) + Math.abs(d[i]) * size[i];
    R.push(size);
  }
  const K = net.sizes[L];
  const E = new Float64Array(N);
  net.sampleLosses(N, E);
  const logits = fromLogits(net.loss, net.layers[L - 1].activation);
  const g = new Float64Array(N * K);
  const Y = view.out[L];
  const T = net.batchTargets();
  if (!logits) for (let r = 0; r < N; r++) LOSS_FUNCTIONS[net.loss].gradient(Y, T, g, r * K, K);
  const S = new Float64Array(N);
  const P: Float64Array[] = new Array<Float64Array>(L + 1).fill(new Float64Array(0));
  P[L] = new Float64Array(N * K);
  for (let r = 0; r < N; r++) {
    let s = Math.abs(E[r]);
    for (let k = 0; k < K; k++) {
      const i = r * K + k;
      s += Math.abs(view.delta[L][i]) * A[i];
      // (capped: dE/dy is infinite where a guarded log met y = 0 or 1)
      if (!logits) s += Math.min(Math.abs(g[i] * Y[i]), 1 / Number.EPSILON);
      const f = Math.abs(fp[L][i]);
      P[L][i] = (Math.abs(Y[i]) + Math.abs(T[i]) + f * A[i]) * (logits ? 1 : f);
    }
    S[r] = s;
  }
  for (let l = L - 1; l >= 1; l--) {
    const n = net.sizes[l];
    const above = net.layers[l];
    const Pl = new Float64Array(N * n);
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < n; j++) {
        let a = 0;
        for (let k = 0; k < above.units; k++) a += Math.abs(above.W[k * n + j]) * (P[l + 1][r * above.units + k] + Math.abs(view.delta[l + 1][r * above.units + k]));
        Pl[r * n + j] = Math.abs(fp[l][r * n + j]) * a;
      }
    }
    P[l] = Pl;
  }
  return { S, R, P };
}

/** ε-size of the analytic dE/dw^l_jk (k defined) or dE/db^l_j (see errorModel), before the ulps factor. */
function analyticSize(net: Network, model: ErrorModel, N: number, l: number, j: number, k: number | undefined): number {
  const n = net.sizes[l];
  const m = net.sizes[l - 1];
  const D = net.batch(N).delta[l];
  let s = 0;
  for (let r = 0; r < N; r++) {
    const i = r * n + j;
    const d = model.P[l][i] + 2 * Math.abs(D[i]);
    s += k === undefined ? d : d * model.R[l - 1][r * m + k];
  }
  return s / N;
}

/** The activations with kinks at layer l and above (where a perturbation of layer l can cross one). */
function kinkNames(net: Network, l: number): string {
  const names = new Set<string>();
  for (let m = l; m <= net.depth; m++) if (kinksOf(net.layers[m - 1].activation, net.activations).length > 0) names.add(net.layers[m - 1].activation);
  return [...names].join(' / ');
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
