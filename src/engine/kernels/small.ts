/**
 * Products of tiny matrices (a 2-8-8-1 network, batch 1 or a few rows), as direct loops: no
 * kernel dispatch, no transposes, no scratch buffers. The fast float64 kernel (fast.ts, and through
 * it the WebAssembly one) runs products of fewer than TINY multiply-adds here. Each C entry is summed in
 * order of p from 0 with a separate multiply and add, exactly like the reference kernel
 * (reference.ts), so the results are bit-for-bit the same.
 */

/** Products with fewer multiply-adds than this are computed here by the fast float64 networks. */
export const TINY = 128;

/** C[m×n] = A[m×k]·B[n×k]ᵀ (+ bias): C[i][j] = (Σ_p A[i][p]·B[j][p]) + bias[j]. */
export function tinyABt(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, bias?: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const a = i * k;
    const c = i * n;
    for (let j = 0; j < n; j++) {
      const b = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a + p] * B[b + p];
      C[c + j] = bias === undefined ? s : s + bias[j];
    }
  }
}

/** C[m×n] = A[k×m]ᵀ·B[k×n]: C[i][j] = Σ_p A[p][i]·B[p][j]. */
export function tinyAtB(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const c = i * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[p * m + i] * B[p * n + j];
      C[c + j] = s;
    }
  }
}

/** C[m×n] = A[m×k]·B[k×n]: C[i][j] = Σ_p A[i][p]·B[p][j]. */
export function tinyAB(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const a = i * k;
    const c = i * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a + p] * B[p * n + j];
      C[c + j] = s;
    }
  }
}
