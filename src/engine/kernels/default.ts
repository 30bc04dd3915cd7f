/**
 * The kernel the extension and the CLI train with: the WebAssembly SIMD kernel when it loads,
 * otherwise the fast JavaScript kernel (bit-for-bit the reference kernel's results, faster). In
 * float32 without WebAssembly there is no float32 kernel, so training falls back to float64.
 */
import { fastJsKernel } from './fast';
import type { Kernel, Precision } from './types';
import { wasmKernel } from './wasm';

export function defaultKernel(precision: Precision = 'float64'): Kernel {
  return wasmKernel(precision) ?? fastJsKernel;
}
