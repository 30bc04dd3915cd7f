/**
 * Optimizer.tryStep (the trainer's checked step): the same update as step() bit for bit, and when
 * a new value would not be finite it names the parameter and changes nothing; packed parameters
 * (one array, as Network.packed makes them) update exactly like separate arrays.
 */
import assert from 'node:assert/strict';
import type { ParamRef } from '../../../src/engine/network';
import { Adam, Momentum, type Optimizer, Sgd } from '../../../src/engine/optimizers';
import { DivergenceError } from '../../../src/engine/errors';
import { Network } from '../../../src/engine/network';
import { Trainer } from '../../../src/engine/trainer';
import { dataset, makeSpec, parameterBytes } from './helpers';

function params(w: number[], b: number[]): ParamRef[] {
  return [
    { layer: 1, kind: 'w', value: Float64Array.from(w), grad: new Float64Array(w.length), rows: 1, cols: w.length },
    { layer: 1, kind: 'b', value: Float64Array.from(b), grad: new Float64Array(b.length), rows: 1, cols: 1 },
  ];
}

/** The same parameters as views of one array (values) and another (gradients). */
function packedParams(w: number[], b: number[]): ParamRef[] {
  const values = Float64Array.from([...w, ...b]);
  const grads = new Float64Array(w.length + b.length);
  return [
    { layer: 1, kind: 'w', value: values.subarray(0, w.length), grad: grads.subarray(0, w.length), rows: 1, cols: w.length },
    { layer: 1, kind: 'b', value: values.subarray(w.length), grad: grads.subarray(w.length), rows: 1, cols: 1 },
  ];
}

const setGrad = (p: ParamRef[], gw: number[], gb: number[]): void => {
  p[0].grad.set(gw);
  p[1].grad.set(gb);
};

const MAKERS: ((p: ParamRef[]) => Optimizer)[] = [
  (p) => new Sgd(p, 0.1),
  (p) => new Momentum(p, 0.1, 0.9),
  (p) => new Adam(p, 0.1, 0.9, 0.999, 1e-8),
];
const GRADS: [number[], number[]][] = [[[1, 2], [3]], [[-0.5, 0.25], [1]], [[2e-3, -7], [0]]];

describe('optimizer tryStep', () => {
  it('applies exactly what step() applies (values, last update, state), on separate and packed parameters', () => {
    for (const make of MAKERS) {
      const a = params([0.3, -0.7], [0.1]);
      const b = params([0.3, -0.7], [0.1]);
      const c = packedParams([0.3, -0.7], [0.1]);
      const [oa, ob, oc] = [make(a), make(b), make(c)];
      for (const [gw, gb] of GRADS) {
        [a, b, c].forEach((p) => setGrad(p, gw, gb));
        oa.step();
        assert.equal(ob.tryStep(), undefined);
        assert.equal(oc.tryStep(), undefined);
        const want = parameterBytes(a.map((p) => p.value));
        assert.ok(parameterBytes(b.map((p) => p.value)).equals(want), oa.name);
        assert.ok(parameterBytes(c.map((p) => p.value)).equals(want), `${oa.name} packed`);
        for (const o of [ob, oc]) {
          assert.ok(parameterBytes([o.lastUpdate(1).W, o.lastUpdate(1).b]).equals(parameterBytes([oa.lastUpdate(1).W, oa.lastUpdate(1).b])));
        }
      }
      assert.equal(ob.steps, GRADS.length);
    }
  });

  it('a step that would overflow a weight names it and changes nothing (the next step is as if it never happened)', () => {
    for (const make of MAKERS) {
      const a = params([0.3, 1.7e308], [0.1]);
      const b = params([0.3, 1.7e308], [0.1]);
      const [oa, ob] = [make(a), make(b)];
      setGrad(a, [1, 2], [3]);
      setGrad(b, [1, 2], [3]);
      oa.tryStep();
      ob.tryStep();
      const before = parameterBytes([...a.map((p) => p.value), oa.lastUpdate(1).W, oa.lastUpdate(1).b]);
      // sgd, momentum: w_2 + u = 1.7e308 + ~1e307 overflows to +Infinity; adam's update is at
      // most about lr, so it gets an infinite gradient (m̂/√v̂ = ∞/∞ = NaN)
      const adam = oa.name === 'adam';
      setGrad(a, [0.5, adam ? -Infinity : -1e308], [1]);
      const bad = oa.tryStep();
      assert.ok(bad !== undefined, oa.name);
      assert.equal(bad.param, a[0]);
      assert.equal(bad.index, 1);
      assert.ok(adam ? Number.isNaN(bad.value) : bad.value === Infinity, `${oa.name}: ${bad.value}`);
      assert.equal(oa.steps, 1);
      assert.ok(parameterBytes([...a.map((p) => p.value), oa.lastUpdate(1).W, oa.lastUpdate(1).b]).equals(before), `${oa.name}: unchanged`);
      setGrad(a, [-0.5, 0.25], [1]);
      setGrad(b, [-0.5, 0.25], [1]);
      oa.tryStep();
      ob.tryStep();
      assert.ok(parameterBytes(a.map((p) => p.value)).equals(parameterBytes(b.map((p) => p.value))), oa.name);
    }
  });

  describe('in the trainer (a failing batch before the last one of its epoch)', () => {
    const run = (x: number, t: number, learningRate = 0.1): { error: unknown; net: Network; trainer: Trainer; before: Buffer } => {
      // batch 1 (x = 0, t = 0) has zero gradient; batch 2 is the failing one; batch 3 is fine
      const ds = dataset([[0], [x], [0]], [[0], [t], [0]]);
      const spec = makeSpec({
        inputs: 1,
        layers: [{ units: 1, activation: 'linear', weights: [[1e-308]], biases: [0] }],
        training: { optimizer: 'sgd', learningRate, batchSize: 1, shuffle: false },
      });
      const net = Network.fromSpec(spec);
      const trainer = new Trainer(net, ds, spec.training, 0);
      const before = parameterBytes(net.parameters().map((p) => p.value));
      try {
        trainer.runEpoch();
      } catch (error) {
        return { error, net, trainer, before };
      }
      return { error: undefined, net, trainer, before };
    };

    it('an infinite gradient with finite activations and loss is named as the gradient; nothing was applied', () => {
      // y = 1e-308 · 1e308 = 1, E = (1 + 10)²/2, dE/dw = 11 · 1e308 = Infinity
      const { error, net, trainer, before } = run(1e308, -10);
      assert.ok(error instanceof DivergenceError, String(error));
      assert.equal(error.batch, 2);
      assert.equal(error.layer, 1);
      assert.equal(error.what, 'gradient');
      assert.equal(error.value, Infinity);
      assert.ok(parameterBytes(net.parameters().map((p) => p.value)).equals(before));
      assert.equal(trainer.epoch, 0);
    });

    it('a finite gradient whose update overflows a weight is named as the weight; nothing was applied', () => {
      // dE/dw = dE/db = 1e-308 - 5 ≈ -5 (finite); with lr = MAX_VALUE, w + u = 5·MAX overflows
      const { error, net, before } = run(1, 5, Number.MAX_VALUE);
      assert.ok(error instanceof DivergenceError, String(error));
      assert.equal(error.batch, 2);
      assert.equal(error.what, 'weight');
      assert.equal(error.layer, 1);
      assert.equal(error.value, Infinity);
      assert.ok(parameterBytes(net.parameters().map((p) => p.value)).equals(before));
    });
  });
});
