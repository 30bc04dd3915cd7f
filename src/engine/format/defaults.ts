/**
 * Defaults and limits of the `.net.json` format, version 1. The documentation (docs/net-json.md)
 * and the JSON Schema (schemas/net-json.schema.json) state the same values; a unit test checks
 * that the schema's defaults agree with these.
 */
import type { ActivationName, GeneratorName, InitName, LossName, TrainingSpec } from '../spec';

export const FORMAT_VERSION = 1;

/** Training settings used when the file leaves them out (`batchSize` absent = all samples). */
export const DEFAULT_TRAINING: Readonly<TrainingSpec> = Object.freeze({
  optimizer: 'sgd',
  learningRate: 0.1,
  epochs: 100,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  l2: 0,
  shuffle: true,
  precision: 'float64',
});

export const DEFAULT_SEED = 0;

/** Generated data when `samples`, `noise` or `classes` are left out. */
export const DEFAULT_GENERATOR = Object.freeze({ samples: 200, noise: 0.1, classes: 2 });

/** Generators that only make two classes. */
export const TWO_CLASS_GENERATORS: readonly GeneratorName[] = ['xor', 'moons'];

/** Sizes the format refuses before any memory is taken for them. */
export const LIMITS = Object.freeze({
  /** Units in one layer. */
  maxUnits: 1_000_000,
  /** Weights and biases of the whole network. */
  maxParameters: 10_000_000,
  /** Samples a generator may make. */
  maxSamples: 1_000_000,
  /** Classes a generator may make. */
  maxClasses: 1000,
  /** Epochs in one training run. */
  maxEpochs: 100_000_000,
  /** Largest seed: seeds are 32-bit unsigned integers. */
  maxSeed: 4294967295,
  /** Size of a `.net.json` file, in bytes (UTF-8 on disk) or UTF-16 code units (an editor's text). */
  maxFileBytes: 64 * 1024 * 1024,
  /** JSON values (numbers, strings, arrays, objects, ...) in one `.net.json` file. */
  maxValues: 2_000_000,
  /** Depth of nested arrays and objects in a `.net.json` file (the format itself needs 5). */
  maxDepth: 64,
  /** Size of a CSV data file, in bytes. */
  maxDataFileBytes: 16 * 1024 * 1024,
  /** Samples x units of all layers (inputs included): the activations of one pass over all the data. */
  maxActivations: 20_000_000,
  /** Threads one batch may be split across (`--threads`, `backprop.threads`, a recorded run's count). */
  maxThreads: 256,
});

/** he for the relu family (relu, leaky-relu, elu), xavier otherwise. */
export function defaultInit(activation: ActivationName): InitName {
  return activation === 'relu' || activation === 'leaky-relu' || activation === 'elu' ? 'he' : 'xavier';
}

/** cross-entropy when the output layer is softmax, else half-squared-error. */
export function defaultLoss(outputActivation: ActivationName): LossName {
  return outputActivation === 'softmax' ? 'cross-entropy' : 'half-squared-error';
}
