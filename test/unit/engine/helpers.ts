/**
 * Test helpers: resolved NetSpec objects built directly (no parser), seeded random networks and
 * data sets, and float comparison with an explicit tolerance.
 */
import assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/rng';
import type { ActivationName, Dataset, InitName, LayerSpec, LossName, NetSpec, TrainingSpec } from '../../../src/engine/spec';

export const TRAINING_DEFAULTS: TrainingSpec = {
  optimizer: 'sgd',
  learningRate: 0.1,
  epochs: 10,
  batchSize: undefined,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  l2: 0,
  shuffle: true,
  precision: 'float64',
};

export interface LayerInput {
  units: number;
  activation: ActivationName;
  init?: InitName;
  weights?: number[][];
  biases?: number[];
}

export function makeSpec(options: {
  inputs: number;
  layers: LayerInput[];
  loss?: LossName;
  seed?: number;
  training?: Partial<TrainingSpec>;
}): NetSpec {
  const layers: LayerSpec[] = options.layers.map((l) => ({
    units: l.units,
    activation: l.activation,
    init: l.init ?? (l.activation === 'relu' || l.activation === 'leaky-relu' ? 'he' : 'xavier'),
    ...(l.weights ? { weights: l.weights } : {}),
    ...(l.biases ? { biases: l.biases } : {}),
  }));
  return {
    seed: options.seed ?? 0,
    inputs: options.inputs,
    layers,
    loss: options.loss ?? 'half-squared-error',
    training: { ...TRAINING_DEFAULTS, ...options.training },
  };
}

/** A matrix of uniform draws in [-scale, scale). */
export function randomMatrix(rng: Rng, rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform(-scale, scale)));
}

/** Targets that suit a loss: a probability vector (cross-entropy), values in (0,1) (BCE, also 0/1), reals otherwise. */
export function randomTargets(rng: Rng, samples: number, K: number, loss: LossName): number[][] {
  return Array.from({ length: samples }, (_, s) => {
    if (loss === 'cross-entropy') {
      if (s % 2 === 0) {
        const hot = rng.int(K);
        return Array.from({ length: K }, (_, k) => (k === hot ? 1 : 0));
      }
      const raw = Array.from({ length: K }, () => rng.uniform(0.05, 1));
      const total = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / total);
    }
    if (loss === 'binary-cross-entropy') return Array.from({ length: K }, () => (s % 2 === 0 ? rng.int(2) : rng.uniform(0, 1)));
    return Array.from({ length: K }, () => rng.uniform(-1, 1));
  });
}

export function dataset(inputs: number[][], targets: number[][], labels?: number[]): Dataset {
  const ds: Dataset = { inputs: inputs.map((x) => Float64Array.from(x)), targets: targets.map((t) => Float64Array.from(t)) };
  if (labels) ds.labels = labels;
  return ds;
}

/** |actual - expected| <= rel · max(|actual|, |expected|) + abs */
export function assertClose(actual: number, expected: number, rel: number, abs = 0, what = ''): void {
  const tol = rel * Math.max(Math.abs(actual), Math.abs(expected)) + abs;
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: ${actual} vs expected ${expected} (difference ${Math.abs(actual - expected)}, tolerance ${tol})`,
  );
}

/** The bytes of every weight and bias, for bit-exact comparisons. */
export function parameterBytes(arrays: readonly Float64Array[]): Buffer {
  return Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}
