/** Optimizer steps against their closed forms; last update; undo restores everything bit-exactly. */
import assert from 'node:assert/strict';
import type { ParamRef } from '../../../src/engine/network';
import { Adam, createOptimizer, Momentum, Sgd } from '../../../src/engine/optimizers';
import { assertClose, parameterBytes, TRAINING_DEFAULTS } from './helpers';

function params(w: number[], b: number[]): ParamRef[] {
  return [
    { layer: 1, kind: 'w', value: Float64Array.from(w), grad: new Float64Array(w.length), rows: 1, cols: w.length },
    { layer: 1, kind: 'b', value: Float64Array.from(b), grad: new Float64Array(b.length), rows: 1, cols: 1 },
  ];
}

function setGrad(p: ParamRef[], gw: number[], gb: number[]): void {
  p[0].grad.set(gw);
  p[1].grad.set(gb);
}

describe('optimizers', () => {
  it('sgd: w <- w - lr·g, and lastUpdate = -lr·g', () => {
    const p = params([1, -2], [0.5]);
    const opt = new Sgd(p, 0.1);
    setGrad(p, [3, -4], [2]);
    opt.step();
    assertClose(p[0].value[0], 1 - 0.1 * 3, 1e-15);
    assertClose(p[0].value[1], -2 + 0.1 * 4, 1e-15);
    assertClose(p[1].value[0], 0.5 - 0.1 * 2, 1e-15);
    assert.deepEqual(Array.from(opt.lastUpdate(1).W), [-0.1 * 3, 0.1 * 4]);
    assert.equal(opt.steps, 1);
  });

  it('momentum, two steps: v1 = -lr g1, w1 = w0 + v1; v2 = m v1 - lr g2, w2 = w1 + v2', () => {
    const lr = 0.1;
    const m = 0.9;
    const p = params([1], [0]);
    const opt = new Momentum(p, lr, m);
    setGrad(p, [2], [-1]);
    opt.step();
    const v1w = -lr * 2;
    const v1b = -lr * -1;
    assertClose(p[0].value[0], 1 + v1w, 1e-15);
    assertClose(p[1].value[0], 0 + v1b, 1e-15);
    setGrad(p, [-3], [0.5]);
    opt.step();
    const v2w = m * v1w - lr * -3;
    const v2b = m * v1b - lr * 0.5;
    assertClose(p[0].value[0], 1 + v1w + v2w, 1e-15);
    assertClose(p[1].value[0], v1b + v2b, 1e-15);
    assertClose(opt.lastUpdate(1).W[0], v2w, 1e-15);
  });

  it('adam, two steps with bias correction (Kingma & Ba, Algorithm 1)', () => {
    const lr = 0.01;
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    const p = params([0.5], [0]);
    const opt = new Adam(p, lr, b1, b2, eps);
    const g1 = 0.2;
    const g2 = -0.6;
    setGrad(p, [g1], [0]);
    opt.step();
    // step 1: m = (1-b1) g1, v = (1-b2) g1², m̂ = g1, v̂ = g1² -> update -lr·g1/(|g1| + eps)
    const w1 = 0.5 - (lr * g1) / (Math.abs(g1) + eps);
    assertClose(p[0].value[0], w1, 1e-15);
    assert.equal(p[1].value[0], 0); // zero gradient: m = v = 0, update 0
    setGrad(p, [g2], [0]);
    opt.step();
    const m2 = b1 * (1 - b1) * g1 + (1 - b1) * g2;
    const v2 = b2 * (1 - b2) * g1 * g1 + (1 - b2) * g2 * g2;
    const mHat = m2 / (1 - b1 * b1);
    const vHat = v2 / (1 - b2 * b2);
    assertClose(p[0].value[0], w1 - (lr * mHat) / (Math.sqrt(vHat) + eps), 1e-14);
    assert.equal(opt.steps, 2);
  });

  it('createOptimizer picks the named optimizer with the spec settings', () => {
    const p = params([1], [1]);
    assert.equal(createOptimizer({ ...TRAINING_DEFAULTS, optimizer: 'sgd' }, p).name, 'sgd');
    assert.equal(createOptimizer({ ...TRAINING_DEFAULTS, optimizer: 'momentum' }, p).name, 'momentum');
    const adam = createOptimizer({ ...TRAINING_DEFAULTS, optimizer: 'adam', learningRate: 0.3 }, p);
    assert.equal(adam.name, 'adam');
    assert.equal(adam.learningRate, 0.3);
  });

  it('undo restores parameters, state and last update bit-exactly (the next step is as if the undone one never happened)', () => {
    for (const make of [(p: ParamRef[]) => new Momentum(p, 0.1, 0.9), (p: ParamRef[]) => new Adam(p, 0.1, 0.9, 0.999, 1e-8)]) {
      const a = params([0.3, -0.7], [0.1]);
      const b = params([0.3, -0.7], [0.1]);
      const oa = make(a);
      const ob = make(b);
      setGrad(a, [1, 2], [3]);
      setGrad(b, [1, 2], [3]);
      oa.step();
      ob.step();
      setGrad(a, [1e300, -5], [7]); // a step we then undo
      oa.step();
      oa.undo();
      assert.equal(oa.steps, 1);
      setGrad(a, [-0.5, 0.25], [1]);
      setGrad(b, [-0.5, 0.25], [1]);
      oa.step();
      ob.step();
      assert.ok(parameterBytes(a.map((p) => p.value)).equals(parameterBytes(b.map((p) => p.value))), oa.name);
      assert.ok(parameterBytes([oa.lastUpdate(1).W]).equals(parameterBytes([ob.lastUpdate(1).W])));
    }
  });
});
