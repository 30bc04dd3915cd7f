/** Each activation: exact values of f and f' at chosen points, stability at the extremes, softmax and its Jacobian. */
import assert from 'node:assert/strict';
import {
  activate,
  applyDerivative,
  derivatives,
  elu,
  kinksOf,
  leakyRelu,
  linear,
  relu,
  sigmoid,
  softmaxRow,
  softplus,
  tanh,
} from '../../../src/engine/activations';
import { assertClose } from './helpers';

describe('activations', () => {
  it('sigmoid: f(0) = 1/2, f(ln 3) = 3/4, f\'(0) = 1/4; no overflow at ±1000', () => {
    assert.equal(sigmoid.f(0), 0.5);
    assertClose(sigmoid.f(Math.log(3)), 0.75, 1e-15);
    assertClose(sigmoid.f(-Math.log(3)), 0.25, 1e-15);
    assert.equal(sigmoid.df(0, 0.5), 0.25);
    assert.equal(sigmoid.f(1000), 1);
    assert.equal(sigmoid.f(-1000), 0);
    assert.equal(sigmoid.f(-800), 0); // e^-800 underflows; the stable branch gives 0, not NaN
    assertClose(sigmoid.f(-30), Math.exp(-30) / (1 + Math.exp(-30)), 1e-15); // small outputs keep their digits
  });

  it('tanh: f(ln 2) = 3/5, f\'= 1 - y² = 16/25', () => {
    // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5
    assertClose(tanh.f(Math.log(2)), 0.6, 1e-15);
    assertClose(tanh.df(Math.log(2), 0.6), 0.64, 1e-15);
  });

  it('relu: max(0, x), derivative of the right side at 0; NaN passes through', () => {
    assert.equal(relu.f(-2), 0);
    assert.equal(relu.f(3), 3);
    assert.equal(relu.df(-1e-300, 0), 0);
    assert.equal(relu.df(0, 0), 1);
    assert.equal(relu.df(2, 2), 1);
    assert.ok(Number.isNaN(relu.f(NaN)));
    assert.deepEqual(kinksOf('relu'), [0]);
  });

  it('leaky-relu: slope 0.01 below 0, 1 at and above 0', () => {
    assert.equal(leakyRelu.f(-2), -0.02);
    assert.equal(leakyRelu.f(5), 5);
    assert.equal(leakyRelu.df(-3, -0.03), 0.01);
    assert.equal(leakyRelu.df(0, 0), 1);
    assert.deepEqual(kinksOf('leaky-relu'), [0]);
  });

  it('elu (alpha 1): e^x - 1 below 0 with derivative e^x, identity above', () => {
    assertClose(elu.f(-1), Math.exp(-1) - 1, 1e-15);
    assertClose(elu.df(-1, elu.f(-1)), Math.exp(-1), 1e-15);
    assert.equal(elu.f(2), 2);
    assert.equal(elu.df(2, 2), 1);
    assertClose(elu.f(-1e-10), -1e-10, 1e-9); // expm1 keeps small values exact
    assert.deepEqual(kinksOf('elu'), []); // differentiable at 0 with alpha = 1
  });

  it('softplus: log 2 at 0, derivative sigmoid; stable for large |x|', () => {
    assertClose(softplus.f(0), Math.LN2, 1e-15);
    assert.equal(softplus.df(0, Math.LN2), 0.5);
    assert.equal(softplus.f(1000), 1000);
    assert.equal(softplus.f(-1000), 0);
    assertClose(softplus.f(-40), Math.exp(-40), 1e-12); // log(1 + e^-40) ≈ e^-40
    assertClose(softplus.f(2), Math.log(1 + Math.exp(2)), 1e-15);
  });

  it('linear: identity with derivative 1', () => {
    assert.equal(linear.f(-7.25), -7.25);
    assert.equal(linear.df(-7.25, -7.25), 1);
  });

  it('softmax: [0, ln 3] -> [1/4, 3/4]; huge equal inputs -> uniform, no NaN', () => {
    const y = new Float64Array(2);
    softmaxRow(Float64Array.from([0, Math.log(3)]), y, 0, 2);
    assertClose(y[0], 0.25, 1e-15);
    assertClose(y[1], 0.75, 1e-15);
    const big = new Float64Array(3);
    softmaxRow(Float64Array.from([1000, 1000, 1000]), big, 0, 3);
    for (const v of big) assertClose(v, 1 / 3, 1e-15);
    const tiny = new Float64Array(2);
    softmaxRow(Float64Array.from([-1000, 0]), tiny, 0, 2);
    assert.deepEqual(Array.from(tiny), [0, 1]);
  });

  it('softmax block: rows are independent', () => {
    const z = Float64Array.from([0, Math.log(3), 5, 5]);
    const y = new Float64Array(4);
    activate('softmax', z, y, 2, 2);
    assertClose(y[1], 0.75, 1e-15);
    assert.equal(y[2], 0.5);
    assert.equal(y[3], 0.5);
  });

  it('softmax backward is J^T g with J_ij = y_i (δ_ij - y_j), checked against the explicit matrix', () => {
    const z = Float64Array.from([0.3, -1.2, 2.0]);
    const y = new Float64Array(3);
    activate('softmax', z, y, 1, 3);
    const g = [0.7, -0.4, 1.3];
    const expected = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + y[j] * ((i === j ? 1 : 0) - y[i]) * g[j], 0));
    const delta = Float64Array.from(g);
    applyDerivative('softmax', z, y, delta, 1, 3);
    for (let i = 0; i < 3; i++) assertClose(delta[i], expected[i], 1e-14, 1e-16);
  });

  it('element-wise backward multiplies by f\'(net); derivatives() gives the softmax Jacobian diagonal', () => {
    const z = Float64Array.from([-1, 0, 2]);
    const o = new Float64Array(3);
    activate('relu', z, o, 1, 3);
    const delta = Float64Array.from([5, 6, 7]);
    applyDerivative('relu', z, o, delta, 1, 3);
    assert.deepEqual(Array.from(delta), [0, 6, 7]);
    const y = Float64Array.from([0.25, 0.75]);
    const d = new Float64Array(2);
    derivatives('softmax', new Float64Array(2), y, d, 2);
    assert.deepEqual(Array.from(d), [0.1875, 0.1875]);
  });
});
