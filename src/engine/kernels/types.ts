/**
 * The dense-arithmetic backend of the engine. Every matrix product of training goes through a
 * Kernel, so a faster backend (WebAssembly) can replace the reference loops and be tested
 * against them. Matrices are Float64Array, row-major; a buffer may be longer than its matrix
 * (only the first rows·cols entries are read or written).
 */
/** The arithmetic of a kernel's matrix products. */
export type Precision = 'float64' | 'float32';

export interface Kernel {
  readonly name: string;
  /**
   * 'float64' (default when absent): products in float64. 'float32': the products round their
   * inputs to float32 and accumulate in float32 (opt-in training mode; everything else, and every
   * gradient check, stays float64).
   */
  readonly precision?: Precision;
  /** The float64 kernel of the same backend (a float32 kernel's twin), for gradient checks. */
  readonly float64?: Kernel;
  /**
   * A zeroed buffer of `length` float64 values that this kernel reads and writes without copying
   * (the WebAssembly kernel: a view of its memory). The network allocates its parameters and
   * batch buffers here when the kernel offers it.
   */
  alloc?(length: number): Float64Array;
  /**
   * C[m×n] = A[m×k] · B[n×k]ᵀ (+ bias[n] added to every row).
   * Forward pass: Z = X · Wᵀ + b  (m = batch, n = units, k = inputs).
   */
  gemmABt(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, bias?: Float64Array): void;
  /**
   * C[m×n] = A[k×m]ᵀ · B[k×n].
   * Weight gradient: dW = Δᵀ · X  (m = units, n = inputs, k = batch).
   */
  gemmAtB(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
  /**
   * C[m×n] = A[m×k] · B[k×n].
   * Back-propagated error: dX = Δ · W  (m = batch, n = inputs, k = units).
   */
  gemmAB(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void;
}
