/**
 * Initial weights and biases of a network, drawn from the file's seed.
 *
 * - xavier (Glorot uniform): w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out))
 * - he (Kaiming normal):     w ~ N(0, std^2), std = sqrt(2 / fan_in)
 * - biases start at 0 (no draws).
 * fan_in = units of layer l-1, fan_out = units of layer l.
 *
 * Draw order (part of the reproducibility contract): ONE generator `new Rng(seed, 'init')` for the
 * whole network; layers 1..L in order; within a layer the weights row by row, w^l_{1,1}, w^l_{1,2},
 * ..., w^l_{1,n}, w^l_{2,1}, ... (row j = the weights into unit j). A layer whose weights come from
 * the file draws nothing: later layers take the next numbers of the stream (so adding weights to
 * layer 1 of a file changes the initial weights of later layers that have none).
 * `he` uses Rng.normal(), which makes normals in Box-Muller pairs; an unused second value of a
 * pair carries over to the next he layer (the generator is shared).
 */
import { Rng } from './rng';
import type { InitName, LayerSpec } from './spec';

/** a = sqrt(6 / (fan_in + fan_out)), the half-width of the xavier uniform range. */
export function xavierLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/** std = sqrt(2 / fan_in), the standard deviation of he initialisation. */
export function heStd(fanIn: number): number {
  return Math.sqrt(2 / fanIn);
}

/** Fills W (units x inputs, row-major) with fresh draws, in row-major order. */
export function drawWeights(rng: Rng, init: InitName, units: number, inputs: number, W: Float64Array): void {
  const count = units * inputs;
  if (init === 'xavier') {
    const a = xavierLimit(inputs, units);
    for (let i = 0; i < count; i++) W[i] = rng.uniform(-a, a);
  } else {
    const std = heStd(inputs);
    for (let i = 0; i < count; i++) W[i] = rng.normal() * std;
  }
}

export interface LayerParameters {
  /** units x inputs, row-major; row j = w^l_j*. */
  W: Float64Array;
  b: Float64Array;
}

/**
 * The starting parameters of layers 1..L (index 0 = layer 1): the file's weights and biases where
 * given, otherwise drawn as described above. `regenerate` lists 1-based layers whose file weights
 * and biases are to be ignored (drawn fresh, biases 0) — what the "regenerate weights" fix writes.
 */
export function initialParameters(
  spec: { seed: number; inputs: number; layers: readonly LayerSpec[] },
  regenerate: readonly number[] = [],
): LayerParameters[] {
  const rng = new Rng(spec.seed, 'init');
  const result: LayerParameters[] = [];
  let inputs = spec.inputs;
  spec.layers.forEach((layer, index) => {
    const fresh = regenerate.includes(index + 1);
    const W = new Float64Array(layer.units * inputs);
    const b = new Float64Array(layer.units);
    if (layer.weights !== undefined && !fresh) {
      checkShape(layer.weights.length === layer.units, index + 1, `has ${layer.weights.length} weight rows, expected ${layer.units}`);
      layer.weights.forEach((row, j) => {
        checkShape(row.length === inputs, index + 1, `weight row ${j + 1} has ${row.length} values, expected ${inputs}`);
        W.set(row, j * inputs);
      });
    } else {
      drawWeights(rng, layer.init, layer.units, inputs, W);
    }
    if (layer.biases !== undefined && !fresh) {
      checkShape(layer.biases.length === layer.units, index + 1, `has ${layer.biases.length} biases, expected ${layer.units}`);
      b.set(layer.biases);
    }
    result.push({ W, b });
    inputs = layer.units;
  });
  return result;
}

function checkShape(ok: boolean, layer: number, message: string): void {
  if (!ok) throw new Error(`layer ${layer} ${message}`);
}
