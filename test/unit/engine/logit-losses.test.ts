/**
 * Loss values from the net inputs (softmax + cross-entropy by log-sum-exp, sigmoid + binary
 * cross-entropy by softplus), against oracles written here with other formulas: series of
 * log(1 + u) for small u, and direct sums where nothing cancels. Every place a loss value is
 * computed: losses.ts, the trace, lossAndGradient (batch and generated one-row step), evaluate, the
 * gradient check's loss, the trainer's epoch loss (fused step), float32 training.
 * (This file is rerun on the fast kernels by test/unit/kernels/engine-suite.test.ts.)
 */
import assert from 'node:assert/strict';
import { bceFromLogit, fromLogits, sampleLoss, softmaxCrossEntropyFromLogits } from '../../../src/engine/losses';
import { gradientCheck } from '../../../src/engine/gradcheck';
import { wasmBackend } from '../../../src/engine/kernels/wasm';
import { Network } from '../../../src/engine/network';
import { Trainer } from '../../../src/engine/trainer';
import type { LossName } from '../../../src/engine/spec';
import { assertClose, dataset, makeSpec } from './helpers';

const f = (...v: number[]): Float64Array => Float64Array.from(v);

/** log(1 + u) for 0 <= u: the alternating series for u < 1e-3 (exact to double precision there), else Math.log. */
function log1pOracle(u: number): number {
  if (u < 1e-3) {
    let s = 0;
    let p = u;
    for (let n = 1; n <= 8; n++, p *= u) s += ((n % 2 === 1 ? 1 : -1) * p) / n;
    return s;
  }
  return Math.log(1 + u);
}

/**
 * Binary cross-entropy after a sigmoid, E = -t log σ(z) - (1 - t) log(1 - σ(z)), by the identities
 * -log σ(z) = log(1 + e^-z) and -log(1 - σ(z)) = z + log(1 + e^-z), each log(1 + u) by the oracle
 * above (for z < 0 with the roles swapped).
 */
function bceOracle(z: number, t: number): number {
  if (z >= 0) {
    const l = log1pOracle(Math.exp(-z));
    return t * l + (1 - t) * (z + l);
  }
  const l = log1pOracle(Math.exp(z));
  return t * (-z + l) + (1 - t) * l;
}

/** -log softmax(z)_k = log Σ_j e^{z_j - z_k}, summing the terms from the smallest up (another order). */
function ceOracle(z: number[], k: number): number {
  const terms = z.filter((_, j) => j !== k).map((zj) => Math.exp(zj - z[k])).sort((a, b) => a - b);
  const u = terms.reduce((a, b) => a + b, 0);
  // (u may be huge when class k is far behind: then log(1 + u) = log u + log(1 + 1/u))
  if (u > 1e300 || !Number.isFinite(u)) {
    const m = Math.max(...z);
    return m - z[k] + log1pOracle(z.filter((zj) => zj !== m).map((zj) => Math.exp(zj - m)).reduce((a, b) => a + b, 0));
  }
  return u > 1 ? Math.log(u) + log1pOracle(1 / u) : log1pOracle(u);
}

const ZS = [20, 30, 40, 1000, 1e4, -1e4, -40, 0.5, -3, 0];

describe('losses from the net inputs', () => {
  it('binary cross-entropy from z: within 1e-12 of the oracle at z = ±20, 30, 40, 1000, ±1e4, for targets 0, 1, 0.5, 0.3', () => {
    for (const z of ZS) {
      for (const t of [0, 1, 0.5, 0.3]) assertClose(bceFromLogit(z, t), bceOracle(z, t), 1e-12, 0, `z ${z} t ${t}`);
    }
    // the numbers: z = 40, t = 0 is 40 (+ 4.2e-18), not 744.44; z = 20 and 30 exactly too
    assertClose(bceFromLogit(40, 0), 40, 1e-15);
    assertClose(bceFromLogit(20, 0), 20 + 2.061153622438558e-9, 1e-15);
    assertClose(bceFromLogit(30, 0), 30 + 9.357622968840175e-14, 1e-15);
    assert.equal(bceFromLogit(-1e4, 0), 0); // log(1 + e^-1e4) underflows to 0: the exact double
    assert.ok(bceFromLogit(40, 1) > 0 && bceFromLogit(40, 1) < 5e-18);
  });

  it('softmax cross-entropy from z: within 1e-12 of the oracle, also for gaps of 1000 and 1e4 and a tiny loss', () => {
    const cases: [number[], number][] = [
      [[1000, -1000], 1],
      [[1000, -1000], 0],
      [[1e4, 0, -1e4], 2],
      [[1e4, 0, -1e4], 1],
      [[40, 0], 0], // E = log(1 + e^-40) ≈ 4.2e-18: exact through log1p
      [[20, 30, 40], 0],
      [[0.3, -1.2, 2.5], 1],
      [[-1e4, -1e4 + 1], 0],
    ];
    for (const [z, k] of cases) {
      const t = new Float64Array(z.length);
      t[k] = 1;
      assertClose(softmaxCrossEntropyFromLogits(Float64Array.from(z), t, 0, z.length), ceOracle(z, k), 1e-12, 0, `z ${z} class ${k}`);
    }
    assert.equal(softmaxCrossEntropyFromLogits(f(1000, -1000), f(0, 1), 0, 2), 2000);
    // soft targets: Σ_k t_k (-log softmax_k), and rows at an offset
    const z = [2, -1, 0.5];
    const want = 0.2 * ceOracle(z, 0) + 0.5 * ceOracle(z, 1) + 0.3 * ceOracle(z, 2);
    assertClose(softmaxCrossEntropyFromLogits(f(9, 9, ...z), f(9, 9, 0.2, 0.5, 0.3), 2, 3), want, 1e-14);
  });

  it('sampleLoss takes the logit forms only for softmax + cross-entropy and sigmoid + BCE; elsewhere the guarded log of y', () => {
    assert.equal(fromLogits('cross-entropy', 'softmax'), true);
    assert.equal(fromLogits('binary-cross-entropy', 'sigmoid'), true);
    assert.equal(fromLogits('cross-entropy', 'sigmoid'), false);
    assert.equal(fromLogits('half-squared-error', 'sigmoid'), false);
    // the guard: a BCE after a linear output whose y is exactly 1 with target 0 stays finite (-log 5e-324)
    assertClose(sampleLoss('binary-cross-entropy', 'linear', f(1), f(1), f(0), 0, 1), 1074 * Math.LN2, 1e-15);
    const hse: LossName = 'half-squared-error';
    assert.equal(sampleLoss(hse, 'sigmoid', f(0), f(0.25), f(1), 0, 1), 0.5 * 0.75 * 0.75);
  });

  // the reproducers
  const bceNet = (z: number, t: number) => ({
    spec: makeSpec({ inputs: 1, loss: 'binary-cross-entropy', training: { optimizer: 'sgd', batchSize: 1, learningRate: 1e-30, epochs: 1 }, layers: [{ units: 1, activation: 'sigmoid', weights: [[z]], biases: [0] }] }),
    data: dataset([[1]], [[t]]),
  });
  const ceNet = () => ({
    spec: makeSpec({ inputs: 1, loss: 'cross-entropy', training: { optimizer: 'sgd', batchSize: 1, learningRate: 1e-30, epochs: 1 }, layers: [{ units: 2, activation: 'softmax', weights: [[1000], [-1000]], biases: [0, 0] }] }),
    data: dataset([[1]], [[0, 1]]),
  });

  it('every place a loss is computed gives the logit-form value: trace, lossAndGradient (one row and a batch), evaluate, gradient check, an epoch', () => {
    const cases = [
      { ...bceNet(40, 0), want: bceOracle(40, 0) },
      { ...bceNet(30, 0), want: bceOracle(30, 0) },
      { ...bceNet(-1e4, 1), want: bceOracle(-1e4, 1) },
      { ...bceNet(40, 0.5), want: bceOracle(40, 0.5) },
      { ...ceNet(), want: 2000 },
    ];
    for (const { spec, data, want } of cases) {
      const what = `${spec.loss} ${spec.layers[0].weights?.join()} t ${data.targets[0].join()}`;
      const net = Network.fromSpec(spec);
      assertClose(net.trace(data.inputs[0], data.targets[0]).loss, want, 1e-12, 0, `${what} trace`);
      assertClose(net.lossAndGradient(data.inputs, data.targets, 0, [0]), want, 1e-12, 0, `${what} one row`);
      const two = { inputs: [data.inputs[0], data.inputs[0]], targets: [data.targets[0], data.targets[0]] };
      assertClose(net.lossAndGradient(two.inputs, two.targets, 0), want, 1e-12, 0, `${what} batch of two`);
      assertClose(net.evaluate(data, 0).loss, want, 1e-12, 0, `${what} evaluate`);
      assertClose(gradientCheck(net, data, 0).loss, want, 1e-12, 0, `${what} gradient check`);
      const epoch = new Trainer(net, data, spec.training, 0).runEpoch();
      assertClose(epoch.loss, want, 1e-12, 0, `${what} epoch`);
    }
  });

  it('gradients are unchanged: dE/dz = σ(z) - t and softmax(z) - t, as before', () => {
    const { spec, data } = bceNet(40, 0.5);
    const net = Network.fromSpec(spec);
    net.lossAndGradient(data.inputs, data.targets, 0);
    assert.equal(net.layers[0].dW[0], 1 / (1 + Math.exp(-40)) - 0.5);
    const ce = ceNet();
    const n2 = Network.fromSpec(ce.spec);
    n2.lossAndGradient(ce.data.inputs, ce.data.targets, 0);
    assert.deepEqual(Array.from(n2.layers[0].dW), [1, -1]);
  });

  it('float32 training: the loss is the float64 logit form of the net inputs the float32 products give', function () {
    const backend = wasmBackend();
    if (backend === undefined) this.skip();
    for (const { spec, data, want } of [{ ...bceNet(40, 0), want: bceOracle(40, 0) }, { ...ceNet(), want: 2000 }]) {
      const net = Network.fromSpec(spec, backend.float32);
      assert.equal(net.kernel.precision, 'float32');
      // (1 · 40 and 1 · ±1000 are exact in float32, so z is the same as in float64)
      assertClose(net.lossAndGradient(data.inputs, data.targets, 0), want, 1e-12);
      assertClose(net.evaluate(data, 0).loss, want, 1e-12);
    }
  });
});
