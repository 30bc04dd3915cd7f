/**
 * The resolved, validated form of a `.net.json` file (format version 1, see docs/net-json.md).
 * Everything here is plain data: no defaults left to apply, no positions. The parser
 * (`format/parse.ts`) produces it together with the source positions of every value it came from.
 */

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'softplus', 'linear', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** The relu family: activations with a kink at 0 whose units can die (output constant 0). */
export const RELU_FAMILY: readonly ActivationName[] = ['relu', 'leaky-relu'];

export function isReluFamily(activation: string): boolean {
  return (RELU_FAMILY as readonly string[]).includes(activation);
}

/**
 * The one rule for a learning rate anyone sets (the file's `training.learningRate`, the
 * inspector's field): a positive, finite number.
 */
export function isLearningRate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/**
 * A parameter's name for people, 1-based as in the notes: `w^2_{1,3}` is the weight from unit 3 of
 * layer 1 to unit 1 of layer 2 (w^l_{j,k}); `b^2_{1}` the bias of unit 1 of layer 2. `j` and `k`
 * are 0-based indices.
 */
export function parameterName(layer: number, j: number, k?: number): string {
  return k === undefined ? `b^${layer}_{${j + 1}}` : `w^${layer}_{${j + 1},${k + 1}}`;
}

export const LOSSES = ['half-squared-error', 'mse', 'cross-entropy', 'binary-cross-entropy'] as const;
export type LossName = (typeof LOSSES)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const PRECISIONS = ['float64', 'float32'] as const;
export type PrecisionName = (typeof PRECISIONS)[number];

export const INITS = ['xavier', 'he'] as const;
export type InitName = (typeof INITS)[number];

export const GENERATORS = ['xor', 'circle', 'gauss', 'spiral', 'moons'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

/** One non-input layer, resolved. `weights` is units x inputs (row j = w^l_j*), row-major. */
export interface LayerSpec {
  units: number;
  activation: ActivationName;
  init: InitName;
  /** Present when the file gives them; otherwise the network initialises them from the seed. */
  weights?: number[][];
  biases?: number[];
}

export interface TrainingSpec {
  optimizer: OptimizerName;
  learningRate: number;
  epochs: number;
  /** Undefined means "all samples" (full batch). */
  batchSize?: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  l2: number;
  shuffle: boolean;
  /** Arithmetic of the matrix products while training; gradient checks are always float64. */
  precision: PrecisionName;
}

export type DataSpec =
  | { kind: 'inline'; inputs: number[][]; targets?: number[][]; labels?: number[] }
  | { kind: 'csv'; file: string; inputs: string[]; targets?: string[]; label?: string }
  | { kind: 'generator'; generator: GeneratorName; samples: number; noise: number; classes: number };

export type ValidationSpec = { kind: 'fraction'; fraction: number } | { kind: 'data'; data: DataSpec };

export interface NetSpec {
  name?: string;
  seed: number;
  /** Number of input units (layers[0].units in the file). */
  inputs: number;
  /** Non-input layers, layer 1 .. L (index 0 here is the file's layers[1]). */
  layers: LayerSpec[];
  loss: LossName;
  training: TrainingSpec;
  data?: DataSpec;
  validation?: ValidationSpec;
}

/** Training data in memory: one Float64Array per sample. */
export interface Dataset {
  inputs: Float64Array[];
  targets: Float64Array[];
  /** Class index per sample, when the data is classification (labels, a label column, a generator). */
  labels?: number[];
  /** Class names for a CSV label column, in class-index order. */
  classNames?: string[];
  /** Column names of the inputs, for CSV data. */
  inputNames?: string[];
}
