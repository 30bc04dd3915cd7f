/**
 * The debugger's exception checks, run after each stage (in the worker, so a run with nothing to
 * stop at stays fast). Each finds the first problem and names where it is: the layer, the
 * parameter (w_jk, b_j, or a whole unit) and the sample (0-based index into the training data).
 *
 * - nan:        a NaN or ±Infinity in a layer's net input or output (forward), the loss, a delta or
 *               the gradient (backward), or a weight or bias (update)
 * - vanishing:  after backward l: ‖dW_l‖ < threshold (default 1e-7)
 * - exploding:  after backward l: ‖dW_l‖ > threshold (default 1e3)
 * - deadRelu:   after forward l of a relu layer: the share of units whose output is 0 for every
 *               sample of the batch is above threshold (default 0: any dead unit)
 * - lossIncreased: at an epoch's end: the epoch loss rose above the previous one by more than
 *               threshold (relative, default 0)
 */
import { firstNonFinite } from '../trainer';
import { LOSS_FUNCTIONS } from '../losses';
import type { DebugRun } from './run';

export type FilterId = 'nan' | 'vanishing' | 'exploding' | 'deadRelu' | 'lossIncreased';

export const FILTER_DEFAULTS: Readonly<Record<FilterId, number>> = { nan: 0, vanishing: 1e-7, exploding: 1e3, deadRelu: 0, lossIncreased: 0 };

/** Enabled filters with their thresholds. */
export type Filters = Partial<Record<FilterId, number>>;

/** A parameter: w_jk (k given) or b_j of a layer, 0-based j, k; or a whole unit j. */
export type ParamAt = { kind: 'w'; j: number; k: number } | { kind: 'b'; j: number } | { kind: 'unit'; j: number };

export interface Finding {
  filter: FilterId;
  layer: number;
  /**
   * What was found, in words without numbers (the debugger writes those, src/shared/format.ts):
   * "NaN in the output", "vanishing gradient", "the epoch loss increased".
   */
  what: string;
  param?: ParamAt;
  /** 0-based training sample, when one sample is to blame. */
  sample?: number;
  /** The value found: the non-finite value, ‖dW‖, the dead share, the epoch loss. */
  value: number;
  /** The filter's threshold it crossed (vanishing, exploding, deadRelu). */
  threshold?: number;
  /** The previous epoch's loss (lossIncreased). */
  previous?: number;
}

export function checkStage(run: DebugRun, filters: Filters): Finding | undefined {
  const stage = run.position.stage;
  const { net } = run;
  const rows = run.rows;
  const buf = run.batchBuffers();
  if (stage.kind === 'forward') {
    const l = stage.layer;
    const n = net.sizes[l];
    if (filters.nan !== undefined) {
      for (let which = 0; which < 2; which++) {
        const a = which === 0 ? buf.net[l] : buf.out[l];
        const i = firstNonFinite(a, rows * n);
        if (i >= 0) return { filter: 'nan', layer: l, what: `${word(a[i])} in the ${which === 0 ? 'net input' : 'output'}`, param: { kind: 'unit', j: i % n }, sample: run.sampleOf(Math.floor(i / n)), value: a[i] };
      }
    }
    const act = net.layers[l - 1].activation;
    if (filters.deadRelu !== undefined && act === 'relu') {
      const O = buf.out[l];
      let dead = 0;
      let first = -1;
      for (let j = 0; j < n; j++) {
        let alive = false;
        for (let r = 0; r < rows && !alive; r++) alive = O[r * n + j] !== 0;
        if (!alive) {
          dead++;
          if (first < 0) first = j;
        }
      }
      if (dead > 0 && dead / n > filters.deadRelu) {
        return { filter: 'deadRelu', layer: l, what: `${dead} of ${n} ReLU units output 0 for all ${rows} samples of the batch`, param: { kind: 'unit', j: first }, value: dead / n };
      }
    }
    return undefined;
  }
  if (stage.kind === 'loss') {
    const loss = run.currentBatch.loss;
    if (filters.nan !== undefined && !Number.isFinite(loss)) {
      const worst = worstSample(run);
      return { filter: 'nan', layer: net.depth, what: `${word(loss)} loss`, param: { kind: 'unit', j: worst.unit }, sample: run.sampleOf(worst.row), value: loss };
    }
    return undefined;
  }
  if (stage.kind === 'backward') {
    const l = stage.layer;
    const layer = net.layers[l - 1];
    const n = layer.units;
    if (filters.nan !== undefined) {
      const d = buf.delta[l];
      const i = firstNonFinite(d, rows * n);
      if (i >= 0) return { filter: 'nan', layer: l, what: `${word(d[i])} in delta`, param: { kind: 'unit', j: i % n }, sample: run.sampleOf(Math.floor(i / n)), value: d[i] };
      const iw = firstNonFinite(layer.dW);
      if (iw >= 0) return { filter: 'nan', layer: l, what: `${word(layer.dW[iw])} in dW`, param: { kind: 'w', j: Math.floor(iw / layer.inputs), k: iw % layer.inputs }, sample: worstRow(run, l), value: layer.dW[iw] };
      const ib = firstNonFinite(layer.db);
      if (ib >= 0) return { filter: 'nan', layer: l, what: `${word(layer.db[ib])} in db`, param: { kind: 'b', j: ib }, sample: worstRow(run, l), value: layer.db[ib] };
    }
    if (filters.vanishing !== undefined || filters.exploding !== undefined) {
      let s = 0;
      let big = 0;
      for (let i = 0; i < layer.dW.length; i++) {
        s += layer.dW[i] * layer.dW[i];
        if (Math.abs(layer.dW[i]) > Math.abs(layer.dW[big])) big = i;
      }
      const norm = Math.sqrt(s);
      const param: ParamAt = { kind: 'w', j: Math.floor(big / layer.inputs), k: big % layer.inputs };
      if (filters.vanishing !== undefined && norm < filters.vanishing) {
        return { filter: 'vanishing', layer: l, what: 'vanishing gradient', param, sample: worstRow(run, l), value: norm, threshold: filters.vanishing };
      }
      if (filters.exploding !== undefined && norm > filters.exploding) {
        return { filter: 'exploding', layer: l, what: 'exploding gradient', param, sample: worstRow(run, l), value: norm, threshold: filters.exploding };
      }
    }
    return undefined;
  }
  // update (the optimizer's tryStep has checked every new value already)
  if (filters.nan !== undefined && !run.updateFinite) {
    for (const p of net.parameters()) {
      const i = firstNonFinite(p.value);
      if (i >= 0) {
        const param: ParamAt = p.kind === 'w' ? { kind: 'w', j: Math.floor(i / p.cols), k: i % p.cols } : { kind: 'b', j: i };
        return { filter: 'nan', layer: p.layer, what: `${word(p.value[i])} in ${p.kind === 'w' ? 'W' : 'b'} after the update`, param, sample: worstRow(run, p.layer), value: p.value[i] };
      }
    }
  }
  if (filters.lossIncreased !== undefined && run.atEpochEnd) {
    const r = run.epochResults;
    if (r.length >= 2) {
      const prev = r[r.length - 2].loss;
      const now = r[r.length - 1].loss;
      if (now > prev * (1 + filters.lossIncreased)) {
        // the parameter that moved most in the last update, and the sample with the largest loss now
        let best: { layer: number; param: ParamAt; size: number } | undefined;
        for (let l = 1; l <= net.depth; l++) {
          const u = run.optimizer.lastUpdate(l).W;
          const cols = net.layers[l - 1].inputs;
          for (let i = 0; i < u.length; i++) {
            if (best === undefined || Math.abs(u[i]) > best.size) best = { layer: l, param: { kind: 'w', j: Math.floor(i / cols), k: i % cols }, size: Math.abs(u[i]) };
          }
        }
        return { filter: 'lossIncreased', layer: best?.layer ?? net.depth, what: 'the epoch loss increased', param: best?.param, sample: largestLossSample(run), value: now, previous: prev };
      }
    }
  }
  return undefined;
}

function word(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** The sample of the batch whose delta row at layer l is largest (or is not finite). */
function worstRow(run: DebugRun, l: number): number {
  const rows = run.rows;
  const n = run.net.sizes[l];
  const D = run.batchBuffers().delta[l];
  let worst = 0;
  let size = -1;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += D[r * n + j] * D[r * n + j];
    if (!Number.isFinite(s)) return run.sampleOf(r);
    if (s > size) {
      size = s;
      worst = r;
    }
  }
  return run.sampleOf(worst);
}

/** The batch row with the largest (or a non-finite) loss, and its output unit farthest from its target. */
function worstSample(run: DebugRun): { row: number; unit: number } {
  const { net } = run;
  const K = net.sizes[net.depth];
  const buf = run.batchBuffers();
  const Y = buf.out[net.depth];
  const fn = LOSS_FUNCTIONS[net.loss];
  let worst = 0;
  let size = -Infinity;
  for (let r = 0; r < run.rows; r++) {
    const e = fn.value(Y, buf.targets, r * K, K);
    if (!(e <= size)) {
      size = e;
      worst = r;
      if (!Number.isFinite(e)) break;
    }
  }
  let unit = 0;
  let gap = -1;
  for (let k = 0; k < K; k++) {
    const d = Math.abs(Y[worst * K + k] - buf.targets[worst * K + k]);
    if (!(d <= gap)) {
      gap = d;
      unit = k;
      if (!Number.isFinite(d)) break;
    }
  }
  return { row: worst, unit };
}

/** The training sample with the largest loss at the current weights. */
function largestLossSample(run: DebugRun): number {
  const { net, train } = run;
  const K = net.sizes[net.depth];
  const fn = LOSS_FUNCTIONS[net.loss];
  const outs = net.predictAll(train.inputs);
  let worst = 0;
  let size = -Infinity;
  outs.forEach((y, i) => {
    const e = fn.value(y, train.targets[i], 0, K);
    if (e > size) {
      size = e;
      worst = i;
    }
  });
  return worst;
}
