/**
 * The fast networks' own code against the reference: the WebAssembly tanh against Math.tanh, the
 * tiny-product loops against the reference kernel bit for bit, and networks small enough to use
 * them (batch 1, a few units) against reference networks to 1e-12 on every activation and loss;
 * seeded training on the fast backend is bit-identical run to run.
 */
import assert from 'node:assert/strict';
import { referenceKernel } from '../../../src/engine/kernels/reference';
import { tinyAB, tinyABt, tinyAtB } from '../../../src/engine/kernels/small';
import { Network } from '../../../src/engine/network';
import { createOptimizer } from '../../../src/engine/optimizers';
import { Rng } from '../../../src/engine/rng';
import { ACTIVATIONS, type ActivationName, type LossName } from '../../../src/engine/spec';
import { Trainer } from '../../../src/engine/trainer';
import { makeSpec, parameterBytes, randomMatrix, randomTargets, TRAINING_DEFAULTS } from '../engine/helpers';
import { ensureWasm } from './agreement.test';

describe('fast paths agree with the reference', function () {
  this.timeout(20000);
  const backend = ensureWasm();

  it('wasm tanh: within 1e-15 relative of Math.tanh everywhere, exact at 0, -0, ±Infinity, NaN; writes only count values', () => {
    const k = backend.float64;
    const n = 20001; // odd: the last value goes through the one-lane tail
    const x = k.alloc!(n + 1);
    const y = k.alloc!(n + 1);
    const rng = new Rng(7, 'tanh');
    const scales = [1e-300, 1e-9, 1e-3, 0.1, 0.3465, 0.35, 0.7, 1, 3, 10, 21.9, 22.1, 40, 1e10];
    for (let i = 0; i < n; i++) x[i] = rng.uniform(-1, 1) * scales[i % scales.length];
    const specials = [0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MAX_VALUE, Math.LN2 / 2, -Math.LN2 / 2];
    specials.forEach((v, i) => (x[i] = v));
    y[n] = 12345;
    assert.equal(k.activate!('tanh', x, y, n), true);
    for (let i = 0; i < n; i++) {
      const want = Math.tanh(x[i]);
      if (Number.isNaN(want) || want === 0) assert.ok(Object.is(y[i], want), `tanh(${x[i]}) = ${y[i]}`);
      else assert.ok(Math.abs(y[i] - want) <= 1e-15 * Math.abs(want), `tanh(${x[i]}) = ${y[i]}, Math.tanh ${want}`);
    }
    assert.equal(y[n], 12345);
    // other activations, and arrays outside its memory, are left to activations.ts
    assert.equal(k.activate!('sigmoid', x, y, n), false);
    assert.equal(k.activate!('tanh', new Float64Array(8), new Float64Array(8), 8), false);
  });

  it('tiny products: bit for bit the reference kernel', () => {
    const rng = new Rng(8, 'tiny');
    for (const [m, n, k] of [[1, 1, 1], [1, 8, 2], [1, 8, 8], [1, 1, 8], [2, 3, 5], [4, 4, 4], [8, 1, 3]]) {
      const A = Float64Array.from({ length: m * k }, () => rng.uniform(-3, 3));
      const B = Float64Array.from({ length: n * k }, () => rng.uniform(-3, 3));
      const bias = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
      const want = new Float64Array(m * n);
      const got = new Float64Array(m * n);
      referenceKernel.gemmABt(m, n, k, A, B, want, bias);
      tinyABt(m, n, k, A, B, got, bias);
      assert.deepEqual(Array.from(got), Array.from(want), `ABt ${m}x${n}x${k}`);
      const At = Float64Array.from({ length: k * m }, () => rng.uniform(-3, 3));
      const Bk = Float64Array.from({ length: k * n }, () => rng.uniform(-3, 3));
      referenceKernel.gemmAtB(m, n, k, At, Bk, want);
      tinyAtB(m, n, k, At, Bk, got);
      assert.deepEqual(Array.from(got), Array.from(want), `AtB ${m}x${n}x${k}`);
      referenceKernel.gemmAB(m, n, k, A, Bk, want);
      tinyAB(m, n, k, A, Bk, got);
      assert.deepEqual(Array.from(got), Array.from(want), `AB ${m}x${n}x${k}`);
    }
  });

  const LOSSES: { loss: LossName; output: ActivationName }[] = [
    { loss: 'half-squared-error', output: 'sigmoid' },
    { loss: 'mse', output: 'linear' },
    { loss: 'cross-entropy', output: 'softmax' },
    { loss: 'binary-cross-entropy', output: 'sigmoid' },
  ];
  for (const { loss, output } of LOSSES) {
    it(`tiny networks (2-8-8-K, batches of 1 and 32) on every hidden activation with ${loss}: 1e-12 of the reference, trace included`, () => {
      for (const act of ACTIVATIONS.filter((a) => a !== 'softmax')) {
        const rng = new Rng(21, `${act}-${loss}`);
        const K = output === 'softmax' ? 2 : 1;
        const spec = makeSpec({
          inputs: 2,
          layers: [
            { units: 8, activation: act, weights: randomMatrix(rng, 8, 2, 1), biases: Array.from({ length: 8 }, () => rng.uniform(-0.5, 0.5)) },
            { units: 8, activation: act, weights: randomMatrix(rng, 8, 8, 1), biases: Array.from({ length: 8 }, () => rng.uniform(-0.5, 0.5)) },
            { units: K, activation: output, weights: randomMatrix(rng, K, 8, 1) },
          ],
          loss,
        });
        const inputs = randomMatrix(rng, 32, 2, 2).map((r) => Float64Array.from(r));
        const targets = randomTargets(rng, 32, K, loss).map((r) => Float64Array.from(r));
        for (const kernel of [backend.float64]) {
          const ref = Network.fromSpec(spec);
          const net = Network.fromSpec(spec, kernel);
          for (const indices of [[5], undefined]) {
            const lr = ref.lossAndGradient(inputs, targets, 0.01, indices);
            const l = net.lossAndGradient(inputs, targets, 0.01, indices);
            assert.ok(Math.abs(l - lr) <= 1e-12 * Math.abs(lr), `${act} ${loss} loss ${l} vs ${lr}`);
            net.layers.forEach((layer, i) => {
              for (const [got, want] of [[layer.dW, ref.layers[i].dW], [layer.db, ref.layers[i].db]]) {
                const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
                want.forEach((w, q) => assert.ok(Math.abs(got[q] - w) <= 1e-12 * scale, `${act} ${loss} layer ${i + 1}`));
              }
            });
          }
          const tr = ref.trace(inputs[3], targets[3]);
          const t = net.trace(inputs[3], targets[3]);
          for (const field of ['net', 'out', 'delta', 'fprime', 'backSum'] as const) {
            t[field].forEach((row, l) => row.forEach((v, j) => {
              const w = tr[field][l][j];
              assert.ok(Math.abs(v - w) <= 1e-12 * Math.max(Math.abs(w), 1e-300), `${act} ${loss} trace ${field}[${l}][${j}]`);
            }));
          }
        }
      }
    });
  }

  it('gradient means and optimizer steps in WebAssembly (sgd, momentum) are bit for bit the JavaScript loops; a failing tryStep changes nothing', () => {
    const rng = new Rng(41, 'vector');
    const spec = makeSpec({
      seed: 9,
      inputs: 30,
      layers: [{ units: 20, activation: 'relu' }, { units: 7, activation: 'sigmoid' }],
      loss: 'binary-cross-entropy',
    });
    const inputs = randomMatrix(rng, 40, 30, 1).map((r) => Float64Array.from(r));
    const targets = randomTargets(rng, 40, 7, 'binary-cross-entropy').map((r) => Float64Array.from(r));
    for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
      const ref = Network.fromSpec(spec);
      const net = Network.fromSpec(spec, backend.float64);
      const settings = { ...TRAINING_DEFAULTS, optimizer, learningRate: 0.05 };
      const oRef = createOptimizer(settings, ref.parameters());
      const o = createOptimizer(settings, net.parameters(), backend.float64);
      const bytes = (n: Network, what: 'value' | 'grad'): Buffer => parameterBytes(n.parameters().map((p) => p[what]));
      for (let step = 0; step < 4; step++) {
        const batch = [step, step + 10, step + 20, step + 30, 39 - step];
        ref.lossAndGradient(inputs, targets, step === 2 ? 0.01 : 0, batch);
        net.lossAndGradient(inputs, targets, step === 2 ? 0.01 : 0, batch);
        assert.ok(bytes(net, 'grad').equals(bytes(ref, 'grad')), `${optimizer} gradient, step ${step}`);
        if (step === 3) o.step();
        else assert.equal(o.tryStep(), undefined);
        oRef.step();
        assert.ok(bytes(net, 'value').equals(bytes(ref, 'value')), `${optimizer} parameters, step ${step}`);
        assert.ok(parameterBytes([o.lastUpdate(2).W]).equals(parameterBytes([oRef.lastUpdate(2).W])));
      }
      // a weight about to overflow: tryStep names it and leaves everything as it was
      net.layers[1].W[3] = 1.7976931348623157e308;
      net.layers[1].dW.fill(-1e308);
      const before = Buffer.concat([bytes(net, 'value'), parameterBytes([o.lastUpdate(2).W])]);
      const bad = o.tryStep();
      if (optimizer === 'adam') {
        assert.equal(bad, undefined); // adam's step is at most about lr: no overflow
      } else {
        assert.ok(bad !== undefined && bad.param.layer === 2 && bad.param.kind === 'w' && bad.index === 3 && bad.value === Infinity, optimizer);
        assert.ok(Buffer.concat([bytes(net, 'value'), parameterBytes([o.lastUpdate(2).W])]).equals(before), `${optimizer}: unchanged`);
      }
    }
  });

  it('seeded training on the WebAssembly backend is bit-identical run to run, and stays within 1e-9 of the reference', () => {
    const train = (kernel = backend.float64): Buffer => {
      const rng = new Rng(31, 'data');
      const spec = makeSpec({
        seed: 4,
        inputs: 2,
        layers: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
        loss: 'cross-entropy',
      });
      const inputs = randomMatrix(rng, 100, 2, 2).map((r) => Float64Array.from(r));
      const targets = randomTargets(rng, 100, 2, 'cross-entropy').map((r) => Float64Array.from(r));
      const net = Network.fromSpec(spec, kernel);
      const trainer = new Trainer(net, { inputs, targets }, { ...TRAINING_DEFAULTS, optimizer: 'momentum', batchSize: 16 }, 4);
      trainer.run(5);
      return parameterBytes(net.parameters().map((p) => p.value));
    };
    const a = train();
    assert.ok(a.equals(train()));
    const floats = (b: Buffer): Float64Array => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    const got = floats(a);
    const ref = floats(train(referenceKernel));
    got.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) <= 1e-9 * Math.max(1, Math.abs(ref[i])), `parameter ${i}`));
  });
});
