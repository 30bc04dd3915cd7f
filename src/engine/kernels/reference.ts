/**
 * The reference Kernel: plain loops in float64, the backend the tests trust.
 *
 * Summation order (fixed, so results are reproducible bit for bit):
 * - gemmABt: C[i][j] = (sum_{p=0..k-1} A[i][p]·B[j][p]) + bias[j], products added in order of p;
 * - gemmAtB and gemmAB: C[i][j] = sum_{p=0..k-1} ..., added in order of p, starting from 0.
 */
import type { Kernel } from './types';

export const referenceKernel: Kernel = {
  name: 'reference',

  gemmABt(m, n, k, A, B, C, bias) {
    for (let i = 0; i < m; i++) {
      const a = i * k;
      for (let j = 0; j < n; j++) {
        const b = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += A[a + p] * B[b + p];
        C[i * n + j] = bias === undefined ? s : s + bias[j];
      }
    }
  },

  gemmAtB(m, n, k, A, B, C) {
    C.fill(0, 0, m * n);
    for (let p = 0; p < k; p++) {
      const bRow = p * n;
      for (let i = 0; i < m; i++) {
        const a = A[p * m + i];
        const c = i * n;
        for (let j = 0; j < n; j++) C[c + j] += a * B[bRow + j];
      }
    }
  },

  gemmAB(m, n, k, A, B, C) {
    for (let i = 0; i < m; i++) {
      const c = i * n;
      C.fill(0, c, c + n);
      for (let p = 0; p < k; p++) {
        const a = A[i * k + p];
        const bRow = p * n;
        for (let j = 0; j < n; j++) C[c + j] += a * B[bRow + j];
      }
    }
  },
};
