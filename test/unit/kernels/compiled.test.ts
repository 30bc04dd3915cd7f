/**
 * The generated one-sample step (src/engine/kernels/compiled.ts) against the reference network:
 * bit for bit the same loss, net inputs, outputs, deltas and gradient, on every element-wise
 * activation and every covered loss, with and without l2; what it does not cover is left alone.
 */
import assert from 'node:assert/strict';
import { sigmoid } from '../../../src/engine/activations';
import { compileSample, MAX_WEIGHTS } from '../../../src/engine/kernels/compiled';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import { ACTIVATIONS, type ActivationName, type LossName } from '../../../src/engine/spec';
import { makeSpec, parameterBytes, randomMatrix, randomTargets } from '../engine/helpers';
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

  it("a replaced f' (a test's monkeypatch) is used, not the generated formula", () => {
    const spec = makeSpec({ inputs: 2, seed: 3, layers: [{ units: 4, activation: 'sigmoid' }, { units: 1, activation: 'linear' }] });
    const x = [Float64Array.from([0.3, -0.8])];
    const t = [Float64Array.from([1])];
    const net = Network.fromSpec(spec, backend.float64);
    net.lossAndGradient(x, t, 0, [0]);
    const before = Array.from(net.layers[0].dW);
    const original = sigmoid.df;
    sigmoid.df = (_z, y) => 2 * (y * (1 - y));
    try {
      net.lossAndGradient(x, t, 0, [0]);
      net.layers[0].dW.forEach((v, q) => assert.equal(v, 2 * before[q]));
    } finally {
      sigmoid.df = original;
    }
  });
});
