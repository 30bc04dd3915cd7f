/** The reference kernel on small matrices worked by hand; it reads and writes only the m×n block. */
import assert from 'node:assert/strict';
import { referenceKernel as K } from '../../../src/engine/kernels/reference';

const f = (...v: number[]): Float64Array => Float64Array.from(v);

describe('reference kernel', () => {
  it('gemmABt: C = A·Bᵀ + bias', () => {
    // A = [[1,2],[3,4]] (2x2), B = [[1,0],[1,1],[0,2]] (3x2) -> A·Bᵀ = [[1,3,4],[3,7,8]]
    const C = new Float64Array(6);
    K.gemmABt(2, 3, 2, f(1, 2, 3, 4), f(1, 0, 1, 1, 0, 2), C, f(10, 20, 30));
    assert.deepEqual(Array.from(C), [11, 23, 34, 13, 27, 38]);
    K.gemmABt(2, 3, 2, f(1, 2, 3, 4), f(1, 0, 1, 1, 0, 2), C);
    assert.deepEqual(Array.from(C), [1, 3, 4, 3, 7, 8]);
  });

  it('gemmAtB: C = Aᵀ·B', () => {
    // A = [[1,2],[3,4],[5,6]] (3x2), B = [[1],[0],[2]] (3x1) -> Aᵀ·B = [[1+10],[2+12]] = [[11],[14]]
    const C = f(99, 99);
    K.gemmAtB(2, 1, 3, f(1, 2, 3, 4, 5, 6), f(1, 0, 2), C);
    assert.deepEqual(Array.from(C), [11, 14]);
  });

  it('gemmAB: C = A·B', () => {
    // A = [[1,2]] (1x2), B = [[1,2,3],[4,5,6]] (2x3) -> [[9,12,15]]
    const C = f(7, 7, 7);
    K.gemmAB(1, 3, 2, f(1, 2), f(1, 2, 3, 4, 5, 6), C);
    assert.deepEqual(Array.from(C), [9, 12, 15]);
  });

  it('buffers longer than the matrix: only the m×n block is written', () => {
    const C = f(0, 0, -1, -1);
    K.gemmABt(1, 2, 1, f(2, 100), f(3, 4), C);
    assert.deepEqual(Array.from(C), [6, 8, -1, -1]);
    const D = f(5, 5, -1);
    K.gemmAB(1, 2, 1, f(2), f(1, 3), D);
    assert.deepEqual(Array.from(D), [2, 6, -1]);
    const E = f(5, -1);
    K.gemmAtB(1, 1, 2, f(1, 2, 9), f(3, 4, 9), E);
    assert.deepEqual(Array.from(E), [11, -1]);
  });
});
