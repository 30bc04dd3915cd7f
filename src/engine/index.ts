/**
 * The engine's public API: network, backpropagation, training, gradient check, statistics,
 * and (from format/ and load.ts) parsing, data loading and write-back.
 * Pure TypeScript, float64 throughout, no `vscode`.
 */
export * from './spec';
export { Rng, type RngState } from './rng';
export * from './activations';
export * from './losses';
export type { Kernel, Precision } from './kernels/types';
export { referenceKernel } from './kernels/reference';
export { fastJsKernel } from './kernels/fast';
export { wasmKernel, wasmBackend } from './kernels/wasm';
export { defaultKernel } from './kernels/default';
export * from './init';
export * from './network';
export * from './optimizers';
export * from './trainer';
export * from './errors';
export * from './stats';
export * from './gradcheck';
export * from './format';
export * from './load';
