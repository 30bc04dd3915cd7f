/**
 * A faster pure-JavaScript kernel: the reference loops with the accumulators of 4 output columns
 * kept in local variables (register tiling), and gemmABt over an explicit transpose of B so every
 * inner loop reads memory in order. Each C entry is still summed in order of p from 0 with a
 * separate multiply and add, so the results are bit-for-bit those of the reference kernel.
 * Products of fewer than TINY multiply-adds (a 2-8-8-1 network) run as the plain loops of
 * small.ts instead (no transpose, no tiling: the same sums, so the same bits).
 * Used for small products (where a WebAssembly call costs more than it saves) and as the fallback
 * when WebAssembly is not available.
 */
import { TINY, tinyAB, tinyABt, tinyAtB } from './small';
import type { Kernel } from './types';

let scratch = new Float64Array(256);

/** C[m×n] = A·B with A element (i, p) at A[i·sai + p·sap], B k×n row-major. Columns 4 at a time. */
function gemm(m: number, n: number, k: number, A: Float64Array, sai: number, sap: number, B: Float64Array, C: Float64Array): void {
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const a0 = i * sai;
    const c = i * n;
    for (let j = 0; j < n4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, a = a0, b = j; p < k; p++, a += sap, b += n) {
        const x = A[a];
        s0 += x * B[b];
        s1 += x * B[b + 1];
        s2 += x * B[b + 2];
        s3 += x * B[b + 3];
      }
      C[c + j] = s0;
      C[c + j + 1] = s1;
      C[c + j + 2] = s2;
      C[c + j + 3] = s3;
    }
    for (let j = n4; j < n; j++) {
      let s = 0;
      for (let p = 0, a = a0, b = j; p < k; p++, a += sap, b += n) s += A[a] * B[b];
      C[c + j] = s;
    }
  }
}

export const fastJsKernel: Kernel = {
  name: 'fast-js',
  precision: 'float64',
  generatedSteps: true,

  gemmABt(m, n, k, A, B, C, bias) {
    if (m * n * k < TINY) return tinyABt(m, n, k, A, B, C, bias);
    if (n === 1 || k === 1) {
      // Bᵀ has the same memory layout as B: no transpose needed
      gemm(m, n, k, A, k, 1, B, C);
    } else {
      if (scratch.length < n * k) scratch = new Float64Array(n * k);
      const Bt = scratch; // Bt[p][j] = B[j][p]
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) Bt[p * n + j] = B[j * k + p];
      gemm(m, n, k, A, k, 1, Bt, C);
    }
    if (bias !== undefined) {
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[i * n + j] += bias[j];
    }
  },

  gemmAtB(m, n, k, A, B, C) {
    if (m * n * k < TINY) tinyAtB(m, n, k, A, B, C);
    else gemm(m, n, k, A, 1, m, B, C);
  },

  gemmAB(m, n, k, A, B, C) {
    if (m * n * k < TINY) tinyAB(m, n, k, A, B, C);
    else gemm(m, n, k, A, k, 1, B, C);
  },
};
