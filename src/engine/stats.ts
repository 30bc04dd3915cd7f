/**
 * Per-layer statistics for the editor: gradient norms, dead units, saturated units.
 *
 * - gradient norm: the L2 norm of the layer's gradient from the network's last
 *   `lossAndGradient` call, sqrt(Σ dW² + Σ db²) (and separately for dW and db).
 * - dead unit (relu and leaky-relu only): its net input is <= 0 for every sample of the data set
 *   (relu: its output is 0 for every sample, so no gradient flows through it; leaky-relu: it only
 *   ever sees the 0.01 slope). For relu this is exactly "output 0 for every sample".
 * - saturated unit (sigmoid and tanh only): |f'(net)| < 0.01 · max f' (sigmoid: y(1-y) < 0.0025,
 *   max at 0.25; tanh: 1 - y² < 0.01, max 1) on at least 95% of the samples. At that point the
 *   unit passes on less than 1% of the error signal it could, for almost all the data.
 * Shares are fractions of the layer's units in [0, 1]; layers of other activations report 0.
 */
import { elementwise } from './activations';
import type { Network } from './network';
import { isReluFamily, type Dataset } from './spec';

/** A unit is saturated when f' < SATURATION_FACTOR · max f' ... */
export const SATURATION_FACTOR = 0.01;
/** ... on at least this fraction of the samples. */
export const SATURATION_SHARE = 0.95;

export interface LayerStats {
  /** 1-based layer l. */
  layer: number;
  /** sqrt(Σ dW² + Σ db²) of the last computed gradient. */
  gradientNorm: number;
  weightGradientNorm: number;
  biasGradientNorm: number;
  /** Share of dead units (relu family), 0 for other activations. */
  deadShare: number;
  /** 0-based indices of the dead units. */
  deadUnits: number[];
  /** Share of saturated units (sigmoid, tanh), 0 for other activations. */
  saturatedShare: number;
  /** 0-based indices of the saturated units. */
  saturatedUnits: number[];
}

/**
 * Statistics of every layer over a data set. The gradient norms are those of the network's
 * current dW/db (call lossAndGradient first); the unit statistics run a forward pass over `data`.
 */
export function layerStats(net: Network, data: Dataset): LayerStats[] {
  const N = data.inputs.length;
  const L = net.depth;
  const negatives: Int32Array[] = []; // per layer and unit: samples with net <= 0
  const saturated: Int32Array[] = []; // per layer and unit: samples with f' below the threshold
  for (let l = 1; l <= L; l++) {
    negatives.push(new Int32Array(net.sizes[l]));
    saturated.push(new Int32Array(net.sizes[l]));
  }
  const CHUNK = 1024;
  for (let start = 0; start < N; start += CHUNK) {
    const rows = net.loadBatch(data.inputs, undefined, undefined, start, Math.min(CHUNK, N - start));
    net.forward(rows);
    const view = net.batch(rows);
    for (let l = 1; l <= L; l++) {
      const layer = net.layers[l - 1];
      const n = layer.units;
      const Z = view.net[l];
      const O = view.out[l];
      if (isReluFamily(layer.activation)) {
        for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) if (Z[r * n + j] <= 0) negatives[l - 1][j]++;
      } else if (layer.activation === 'sigmoid' || layer.activation === 'tanh') {
        const act = elementwise(layer.activation);
        if (act === undefined) continue;
        const limit = SATURATION_FACTOR * act.maxDerivative;
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < n; j++) {
            const i = r * n + j;
            if (Math.abs(act.df(Z[i], O[i])) < limit) saturated[l - 1][j]++;
          }
        }
      }
    }
  }
  return net.layers.map((layer, index) => {
    const dead: number[] = [];
    const sat: number[] = [];
    const reluFamily = isReluFamily(layer.activation);
    const isSquashing = layer.activation === 'sigmoid' || layer.activation === 'tanh';
    for (let j = 0; j < layer.units; j++) {
      if (reluFamily && N > 0 && negatives[index][j] === N) dead.push(j);
      if (isSquashing && N > 0 && saturated[index][j] >= SATURATION_SHARE * N) sat.push(j);
    }
    const w = sumSquares(layer.dW);
    const b = sumSquares(layer.db);
    return {
      layer: index + 1,
      gradientNorm: Math.sqrt(w + b),
      weightGradientNorm: Math.sqrt(w),
      biasGradientNorm: Math.sqrt(b),
      deadShare: dead.length / layer.units,
      deadUnits: dead,
      saturatedShare: sat.length / layer.units,
      saturatedUnits: sat,
    };
  });
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}
