/** Each loss: exact values and dE/dy, the log clamp, and the fused output deltas against the general chain rule. */
import assert from 'node:assert/strict';
import { activate, applyDerivative } from '../../../src/engine/activations';
import { binaryCrossEntropy, crossEntropy, halfSquaredError, meanSquaredError, outputDeltas, safeLog } from '../../../src/engine/losses';
import { assertClose } from './helpers';

const f = (...v: number[]): Float64Array => Float64Array.from(v);

describe('losses', () => {
  it('half-squared-error: 1/2 Σ (t - y)², dE/dy = y - t', () => {
    assert.equal(halfSquaredError.value(f(1, 2), f(0, 0), 0, 2), 2.5);
    const g = new Float64Array(2);
    halfSquaredError.gradient(f(1, 2), f(0, 3), g, 0, 2);
    assert.deepEqual(Array.from(g), [1, -1]);
  });

  it('mse: (1/K) Σ (t - y)², dE/dy = 2 (y - t) / K', () => {
    assert.equal(meanSquaredError.value(f(1, 2), f(0, 0), 0, 2), 2.5);
    const g = new Float64Array(2);
    meanSquaredError.gradient(f(1, 2), f(0, 3), g, 0, 2);
    assert.deepEqual(Array.from(g), [1, -1]);
    assert.equal(meanSquaredError.value(f(0, 0, 3), f(0, 0, 0), 0, 3), 3);
  });

  it('cross-entropy: -Σ t log y, dE/dy = -t/y; zero targets contribute nothing', () => {
    assertClose(crossEntropy.value(f(0.25, 0.75), f(0, 1), 0, 2), -Math.log(0.75), 1e-15);
    assertClose(crossEntropy.value(f(0.5, 0.5), f(0.5, 0.5), 0, 2), Math.LN2, 1e-15);
    assert.equal(crossEntropy.value(f(0, 1), f(0, 1), 0, 2), 0); // 0·log 0 = 0
    const g = new Float64Array(2);
    crossEntropy.gradient(f(0.25, 0.75), f(0, 1), g, 0, 2);
    assert.equal(g[0], 0);
    assertClose(g[1], -1 / 0.75, 1e-15);
  });

  it('cross-entropy: an output that underflowed to 0 gives -log(5e-324) ≈ 744.44, not Infinity', () => {
    const e = crossEntropy.value(f(0, 1), f(1, 0), 0, 2);
    assert.ok(Number.isFinite(e));
    assertClose(e, 1074 * Math.LN2 , 1e-15); // 5e-324 = 2^-1074
    assert.equal(safeLog(0), Math.log(Number.MIN_VALUE));
    assert.equal(safeLog(0.5), Math.log(0.5));
  });

  it('binary-cross-entropy: -Σ [t log y + (1-t) log(1-y)], dE/dy = (1-t)/(1-y) - t/y', () => {
    assertClose(binaryCrossEntropy.value(f(0.5), f(1), 0, 1), Math.LN2, 1e-15);
    assertClose(binaryCrossEntropy.value(f(0.2), f(0), 0, 1), -Math.log(0.8), 1e-15);
    assertClose(binaryCrossEntropy.value(f(0.2, 0.9), f(0.5, 1), 0, 2), -(0.5 * Math.log(0.2) + 0.5 * Math.log(0.8)) - Math.log(0.9), 1e-15);
    const g = new Float64Array(2);
    binaryCrossEntropy.gradient(f(0.2, 0.9), f(0.5, 1), g, 0, 2);
    assertClose(g[0], 0.5 / 0.8 - 0.5 / 0.2, 1e-15);
    assertClose(g[1], -1 / 0.9, 1e-15);
    assert.ok(Number.isFinite(binaryCrossEntropy.value(f(1), f(0), 0, 1))); // log(1 - 1) clamped
  });

  it('rows are addressed by offset', () => {
    assert.equal(halfSquaredError.value(f(9, 9, 1, 2), f(9, 9, 0, 0), 2, 2), 2.5);
  });

  it('softmax + cross-entropy delta y·Σt - t equals the general J^T (-t/y), also for targets not summing to 1', () => {
    const z = f(0.4, -0.3, 1.1, 2, -1, 0.5);
    const y = new Float64Array(6);
    activate('softmax', z, y, 2, 3);
    const t = f(0, 1, 0, 0.2, 0.3, 0.1);
    const fused = new Float64Array(6);
    outputDeltas('cross-entropy', 'softmax', z, y, t, fused, 2, 3);
    const general = new Float64Array(6);
    for (let r = 0; r < 2; r++) crossEntropy.gradient(y, t, general, r * 3, 3);
    applyDerivative('softmax', z, y, general, 2, 3);
    for (let i = 0; i < 6; i++) assertClose(fused[i], general[i], 1e-14, 1e-16);
    assertClose(fused[1], y[1] - 1, 1e-15); // one-hot: y - t
  });

  it('sigmoid + binary-cross-entropy delta y - t equals dE/dy · y(1-y)', () => {
    const z = f(0.7, -2);
    const y = new Float64Array(2);
    activate('sigmoid', z, y, 1, 2);
    const t = f(1, 0.25);
    const fused = new Float64Array(2);
    outputDeltas('binary-cross-entropy', 'sigmoid', z, y, t, fused, 1, 2);
    const general = new Float64Array(2);
    binaryCrossEntropy.gradient(y, t, general, 0, 2);
    applyDerivative('sigmoid', z, y, general, 1, 2);
    for (let i = 0; i < 2; i++) assertClose(fused[i], general[i], 1e-14);
    assert.equal(fused[0], y[0] - 1);
  });

  it('softmax + half-squared-error uses the full Jacobian: delta_i = y_i ((y_i - t_i) - Σ_k y_k (y_k - t_k))', () => {
    const z = f(1, 2);
    const y = new Float64Array(2);
    activate('softmax', z, y, 1, 2);
    const t = f(1, 0);
    const d = new Float64Array(2);
    outputDeltas('half-squared-error', 'softmax', z, y, t, d, 1, 2);
    const g = [y[0] - 1, y[1]];
    const s = y[0] * g[0] + y[1] * g[1];
    assertClose(d[0], y[0] * (g[0] - s), 1e-15);
    assertClose(d[1], y[1] * (g[1] - s), 1e-15);
    // and not the diagonal-only shortcut g ⊙ y(1-y)
    assert.ok(Math.abs(d[0] - g[0] * y[0] * (1 - y[0])) > 1e-3);
  });
});
