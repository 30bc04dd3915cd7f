/**
 * The dense-arithmetic backend of the engine. Every matrix product of training goes through a
 * Kernel, so a faster backend (WebAssembly) can replace the reference loops and be tested
 * against them. Matrices are Float64Array, row-major; a buffer may be longer than its matrix
 * (only the first rows·cols entries are read or written).
 */
import type { ActivationName } from '../spec';

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
   * Gives a buffer `alloc` handed out back at once instead of when it is garbage (a block held by
   * an object that may live on, or that the garbage collector may not see for a long time); the
   * caller never uses it again. Anything else: no effect.
   */
  release?(a: Float64Array): void;
  /** The memory that `alloc` hands out views of (the WebAssembly kernel), for code generated against it. */
  readonly memory?: WebAssembly.Memory;
  /**
   * True when networks on this kernel may take the generated fast paths of kernels/fastpath.ts
   * (a straight-line one-sample step, the fused batch-1 sgd step), which compute in float64
   * exactly what the reference kernel's loops compute (the fast float64 kernels; not a float32
   * kernel, not the reference kernel the tests trust, not a test kernel).
   */
  readonly generatedSteps?: boolean;
  /**
   * out = f(net) for `count` values, in float64, when the kernel has a faster way for this
   * activation and these arrays (the WebAssembly kernel: tanh in f64x2 on arrays in its memory,
   * within a few units in the last place of Math.tanh). Returns false when it did nothing (the
   * caller then uses activations.ts).
   */
  activate?(name: ActivationName, net: Float64Array, out: Float64Array, count: number): boolean;
  /**
   * The activations `activate` computes itself (on arrays in its memory, whatever their number),
   * so that code generated for a network (kernels/compiled.ts) can stay out of their way.
   */
  readonly activates?: readonly ActivationName[];
  /**
   * Element-wise passes of the optimizers and the gradient, on arrays of equal length in this
   * kernel's memory (the WebAssembly kernel, in f64x2): bit for bit the JavaScript loops of
   * optimizers.ts and network.ts. Each returns undefined / false, doing nothing, when an array is
   * not in its memory. The update passes return Σ (w + u) - (w + u): 0 when every w + u is finite.
   */
  vector?: {
    /** u = -lr · g */
    sgd(lr: number, g: Float64Array, w: Float64Array, u: Float64Array): number | undefined;
    /** u = mu · v - lr · g */
    momentum(mu: number, lr: number, v: Float64Array, g: Float64Array, w: Float64Array, u: Float64Array): number | undefined;
    /** w += u */
    addTo(u: Float64Array, w: Float64Array): boolean;
    /** a /= d */
    divide(a: Float64Array, d: number): boolean;
  };
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
