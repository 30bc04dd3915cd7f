/**
 * The generated one-sample step (src/engine/kernels/compiled.ts) against the reference network:
 * bit for bit the same loss, net inputs, outputs, deltas and gradient, on every element-wise
 * activation and every covered loss, with and without l2; what it does not cover is left alone.
 * The fused batch-1 sgd step (compileSgdSample, kernels/fastpath.ts's fusedSgd) against the Trainer's
 * general path: the same bits after several epochs, and the same DivergenceError and state.
 */
import assert from 'node:assert/strict';
import { ELEMENTWISE, sigmoid } from '../../../src/engine/activations';
import { compileSample, MAX_WEIGHTS } from '../../../src/engine/kernels/compiled';
import { Network } from '../../../src/engine/network';
import { DivergenceError } from '../../../src/engine/errors';
import { Sgd } from '../../../src/engine/optimizers';
import { Rng } from '../../../src/engine/rng';
import { type EpochLoss, Trainer } from '../../../src/engine/trainer';
import type { Kernel } from '../../../src/engine/kernels/types';
import type { Dataset, NetSpec } from '../../../src/engine/spec';
import { ACTIVATIONS, type ActivationName, type LossName } from '../../../src/engine/spec';
import { dataset, makeSpec, parameterBytes, randomMatrix, randomTargets } from '../engine/helpers';
import { ensureWasm } from './agreement.test';

describe('generated one-sample step', () => {
  const backend = ensureWasm();
  const CASES: { loss: LossName; output: ActivationName }[] = [
    { loss: 'half-squared-error', output: 'sigmoid' },
    { loss: 'half-squared-error', output: 'linear' },
    { loss: 'half-squared-error', output: 'elu' },
    { loss: 'mse', output: 'relu' },
    { loss: 'binary-cross-entropy', output: 'sigmoid' },
  ];
  const bytes = (arrays: readonly Float64Array[], n: (l: number) => number): Buffer =>
    parameterBytes(arrays.slice(1).map((a, i) => a.subarray(0, n(i + 1))));

  for (const { loss, output } of CASES) {
    it(`${loss} with a ${output} output, every hidden activation: bit for bit the reference network (batch of one, l2 0 and 0.01)`, () => {
      // (tanh is the WebAssembly kernel's own, so networks with it are not compiled: see below)
      for (const act of ACTIVATIONS.filter((a) => a !== 'softmax' && a !== 'tanh')) {
        const rng = new Rng(51, `${act}-${loss}-${output}`);
        const K = 3;
        const spec = makeSpec({
          inputs: 2,
          layers: [
            { units: 8, activation: act, weights: randomMatrix(rng, 8, 2, 1.5), biases: Array.from({ length: 8 }, () => rng.uniform(-1, 1)) },
            { units: 5, activation: act, weights: randomMatrix(rng, 5, 8, 1.5), biases: Array.from({ length: 5 }, () => rng.uniform(-1, 1)) },
            { units: K, activation: output, weights: randomMatrix(rng, K, 5, 1.5) },
          ],
          loss,
        });
        const inputs = randomMatrix(rng, 6, 2, 3).map((r) => Float64Array.from(r));
        inputs[5] = Float64Array.from([0, -0]); // net inputs of exactly the biases
        const targets = randomTargets(rng, 6, K, loss).map((r) => Float64Array.from(r));
        const ref = Network.fromSpec(spec);
        const net = Network.fromSpec(spec, backend.float64);
        for (let i = 0; i < 6; i++) {
          for (const l2 of [0, 0.01]) {
            const want = ref.lossAndGradient(inputs, targets, l2, [i]);
            const got = net.lossAndGradient(inputs, targets, l2, [i]);
            const what = `${act} ${loss}/${output} sample ${i} l2 ${l2}`;
            assert.ok(Object.is(got, want), `${what}: loss ${got} vs ${want}`);
            assert.ok(parameterBytes(net.parameters().map((p) => p.grad)).equals(parameterBytes(ref.parameters().map((p) => p.grad))), `${what}: gradient`);
            const [a, b] = [net.batch(1), ref.batch(1)];
            for (const field of ['net', 'out', 'delta'] as const) {
              assert.ok(bytes(a[field], (l) => net.sizes[l]).equals(bytes(b[field], (l) => ref.sizes[l])), `${what}: ${field}`);
            }
          }
        }
      }
    });
  }

  it('leaves softmax, cross-entropy, BCE on a non-sigmoid output, large networks and the kernel\'s own activations to the general path', () => {
    assert.equal(compileSample([2, 4, 2], ['tanh', 'softmax'], 'cross-entropy'), undefined);
    assert.equal(compileSample([2, 4, 2], ['tanh', 'tanh'], 'binary-cross-entropy'), undefined);
    assert.equal(compileSample([2, 4, 1], ['tanh', 'sigmoid'], 'binary-cross-entropy') !== undefined, true);
    assert.equal(compileSample([2, 4, 1], ['tanh', 'sigmoid'], 'binary-cross-entropy', ['tanh']), undefined);
    const wide = Math.ceil(MAX_WEIGHTS / 3);
    assert.equal(compileSample([2, wide, 1], ['tanh', 'linear'], 'mse'), undefined);
  });

  it("an injected f' (another ActivationTable) is used, not the generated formula", () => {
    const spec = makeSpec({ inputs: 2, seed: 3, layers: [{ units: 4, activation: 'sigmoid' }, { units: 1, activation: 'linear' }] });
    const x = [Float64Array.from([0.3, -0.8])];
    const t = [Float64Array.from([1])];
    const net = Network.fromSpec(spec, backend.float64);
    net.lossAndGradient(x, t, 0, [0]);
    const before = Array.from(net.layers[0].dW);
    const doubled = Network.fromSpec(spec, backend.float64, { ...ELEMENTWISE, sigmoid: { ...sigmoid, df: (_z, y) => 2 * (y * (1 - y)) } });
    doubled.lossAndGradient(x, t, 0, [0]);
    doubled.layers[0].dW.forEach((v, q) => assert.equal(v, 2 * before[q]));
  });

  describe('fused batch-1 sgd step in the Trainer', () => {
    const XOR = dataset([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]);
    const w1 = (training: Partial<NetSpec['training']>, loss: LossName = 'half-squared-error', hidden: ActivationName = 'sigmoid', output: ActivationName = 'sigmoid'): NetSpec =>
      makeSpec({ inputs: 2, seed: 7, loss, layers: [{ units: 8, activation: hidden }, { units: 8, activation: hidden }, { units: 1, activation: output }], training: { optimizer: 'sgd', batchSize: 1, shuffle: true, learningRate: 0.5, ...training } });

    /** Runs `epochs` epochs; the tryStep calls made, the stats or the error, and every byte of state. */
    function train(spec: NetSpec, data: Dataset, kernel: Kernel | undefined, fused: boolean, epochs: number, epochLoss: EpochLoss = 'exact') {
      const net = Network.fromSpec(spec, kernel);
      const trainer = new Trainer(net, data, spec.training, 5, undefined, { fused, epochLoss });
      let trySteps = 0;
      const original = Sgd.prototype.tryStep;
      Sgd.prototype.tryStep = function (this: Sgd) {
        trySteps++;
        return original.call(this);
      };
      const log: string[] = [];
      let error: DivergenceError | undefined;
      try {
        for (let e = 0; e < epochs; e++) {
          const s = trainer.runEpoch();
          log.push(`${s.epoch} ${Buffer.from(Float64Array.of(s.loss).buffer).toString('hex')} ${s.accuracy}`);
        }
      } catch (err) {
        if (!(err instanceof DivergenceError)) throw err;
        error = err;
      } finally {
        Sgd.prototype.tryStep = original;
      }
      const L = net.depth;
      const updates = Array.from({ length: L }, (_, l) => trainer.lastUpdate(l + 1)).flatMap((u) => [u.W, u.b]);
      return {
        trySteps, log, error, epoch: trainer.epoch,
        values: parameterBytes(net.parameters().map((p) => p.value)),
        grads: parameterBytes(net.parameters().map((p) => p.grad)),
        updates: parameterBytes(updates),
      };
    }

    function assertSame(a: ReturnType<typeof train>, b: ReturnType<typeof train>, what: string): void {
      assert.deepEqual(a.log, b.log, `${what}: epoch statistics`);
      assert.equal(a.epoch, b.epoch, `${what}: epochs done`);
      assert.ok(a.values.equals(b.values), `${what}: weights and biases`);
      assert.ok(a.grads.equals(b.grads), `${what}: gradients`);
      assert.ok(a.updates.equals(b.updates), `${what}: lastUpdate`);
      assert.equal(a.error?.message, b.error?.message, `${what}: error`);
      if (a.error !== undefined && b.error !== undefined) {
        for (const k of ['epoch', 'batch', 'layer', 'what', 'parameter'] as const) assert.equal(a.error[k], b.error[k], `${what}: error ${k}`);
        assert.ok(Object.is(a.error.value, b.error.value), `${what}: error value`);
      }
    }

    const XOR64 = dataset(Array.from({ length: 64 }, (_, i) => [i & 1, (i >> 1) & 1]), Array.from({ length: 64 }, (_, i) => [(i & 1) ^ ((i >> 1) & 1)]));
    const cases: { name: string; spec: NetSpec; data: Dataset }[] = [
      { name: 'W1 (2-8-8-1 sigmoid, half squared error)', spec: w1({}), data: XOR },
      { name: 'W1 with l2 0.01, 64 rows', spec: w1({ l2: 0.01 }), data: XOR64 },
      { name: 'relu/linear, mse, lr 0.05', spec: w1({ learningRate: 0.05 }, 'mse', 'relu', 'linear'), data: XOR64 },
      { name: 'elu/sigmoid, binary cross-entropy', spec: w1({ learningRate: 0.2 }, 'binary-cross-entropy', 'elu', 'sigmoid'), data: XOR64 },
    ];
    for (const { name, spec, data } of cases) {
      it(`${name}: 6 epochs bit for bit the general path (reference kernel), and the wasm float64 kernel too`, () => {
        const general = train(spec, data, undefined, false, 6);
        const fused = train(spec, data, undefined, true, 6);
        assert.equal(general.trySteps, 6 * (data.inputs.length - 1), 'the general path steps with tryStep');
        // every batch but each epoch's last, and the run's first (the network has no buffers before it)
        assert.equal(fused.trySteps, 1, 'the fused path took the other batches');
        assert.equal(general.error, undefined);
        assertSame(fused, general, name);
        const wasm = train(spec, data, backend.float64, true, 6);
        assert.equal(wasm.trySteps, 1);
        assertSame(wasm, general, `${name} on wasm float64`);
        // float32 products are not the fused code's: a float32 kernel keeps the general path
        assert.equal(train(spec, data, backend.float32, true, 1).trySteps, data.inputs.length - 1);
      });

      it(`${name}, epoch loss 'batch-mean': 6 epochs bit for bit the general path, the epoch's last batch fused too`, () => {
        const general = train(spec, data, undefined, false, 6, 'batch-mean');
        const fused = train(spec, data, undefined, true, 6, 'batch-mean');
        assert.equal(general.trySteps, 6 * data.inputs.length, 'the general path steps every batch with tryStep');
        assert.equal(fused.trySteps, 1, 'the fused path took every batch but the run\'s first');
        assert.equal(general.error, undefined);
        assertSame(fused, general, `${name}, batch-mean`);
        assertSame(train(spec, data, backend.float64, true, 6, 'batch-mean'), general, `${name}, batch-mean, on wasm float64`);
      });
    }

    it('divergence: the same DivergenceError and the same state as the general path, for every check', () => {
      const bad = dataset([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5]], [[0], [1], [1], [0], [1]]);
      const scenarios: { what: string; spec: NetSpec; data: Dataset; expect: [number, string] }[] = [
        // lr 1e300: the first update leaves weights near 1e300, the next net inputs overflow
        { what: 'activation overflow', spec: w1({ learningRate: 1e300, shuffle: false }, 'half-squared-error', 'linear', 'linear'), data: bad, expect: [2, 'activation'] },
        // a weight w + u overflows (u = -lr·g with lr 1e308 and a gradient above 1)
        { what: 'new weight not finite', spec: w1({ learningRate: 1.7e308, shuffle: false }, 'half-squared-error', 'linear', 'linear'), data: dataset([[3, 3], [2, 2], [1, 1]], [[-50], [0], [0]]), expect: [1, 'weight'] },
        // a NaN in the third row: its activations
        { what: 'NaN input', spec: w1({ shuffle: false }), data: dataset([[0, 0], [0, 1], [NaN, 0], [1, 1]], [[0], [1], [1], [0]]), expect: [1, 'activation'] },
        // an infinite target: the loss (the activations are finite)
        { what: 'infinite target', spec: w1({ shuffle: false }), data: dataset([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [Infinity], [1], [0]]), expect: [0, 'loss'] },
      ];
      for (const { what, spec, data, expect } of scenarios) {
        const general = train(spec, data, undefined, false, 3);
        const fused = train(spec, data, undefined, true, 3);
        assert.ok(general.error !== undefined, `${what}: the general path diverges`);
        assert.equal(general.error.what, expect[1], `${what}: what`);
        if (expect[1] !== 'weight') assert.equal(general.error.layer, expect[0], `${what}: layer`);
        assert.ok(general.error.batch < data.inputs.length, `${what}: not the epoch's last batch`);
        assertSame(fused, general, what);
        assertSame(train(spec, data, undefined, true, 3, 'batch-mean'), train(spec, data, undefined, false, 3, 'batch-mean'), `${what}, batch-mean`);
      }
    });

    it('an infinite l2 term (finite weights near 1e200) is a loss error before any update, as on the general path', () => {
      const big = Array.from({ length: 8 }, () => [1e200, -1e200]);
      const spec = makeSpec({ inputs: 2, loss: 'half-squared-error', layers: [{ units: 8, activation: 'sigmoid', weights: big }, { units: 1, activation: 'sigmoid' }], training: { batchSize: 1, l2: 0.01, shuffle: false } });
      const general = train(spec, XOR, undefined, false, 1);
      const fused = train(spec, XOR, undefined, true, 1);
      assert.equal(general.error?.what, 'loss');
      assert.equal(general.error?.batch, 1);
      assert.equal(general.error?.value, Infinity);
      assertSame(fused, general, 'l2 term');
    });

    it('a row of the wrong length throws the general path\'s error, after the same updates', () => {
      const data = dataset([[0, 0], [0, 1], [1, 0, 5], [1, 1]], [[0], [1], [1], [0]]);
      const spec = w1({ shuffle: false });
      const errorOf = (fused: boolean): { message: string; values: Buffer } => {
        const net = Network.fromSpec(spec);
        const trainer = new Trainer(net, data, spec.training, 5, undefined, { fused });
        let text = '';
        try {
          trainer.runEpoch();
        } catch (e) {
          text = (e as Error).message;
        }
        return { message: text, values: parameterBytes(net.parameters().map((p) => p.value)) };
      };
      const [a, b] = [errorOf(true), errorOf(false)];
      assert.match(b.message, /sample 3 has 3 inputs/);
      assert.equal(a.message, b.message);
      assert.ok(a.values.equals(b.values));
      assert.ok(!a.values.equals(parameterBytes(Network.fromSpec(spec).parameters().map((p) => p.value))), 'two rows were trained on before');
    });
  });
});
