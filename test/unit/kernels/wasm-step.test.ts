/**
 * The generated WebAssembly sgd step (src/engine/kernels/wasmStep.ts, through fastpath.ts's
 * wasmStepOf) against the reference network: `lossAndGradient` of the row, then `tryStep`, on the
 * reference kernel; bit for bit the same loss, weights, gradient, last update and batch buffers,
 * step after step, for every activation and loss it covers; a step that would make a weight
 * non-finite changes nothing.
 */
import assert from 'node:assert/strict';
import { wasmStepOf } from '../../../src/engine/kernels/fastpath';
import { wasmStepCovers } from '../../../src/engine/kernels/wasmStep';
import { Network } from '../../../src/engine/network';
import { Sgd } from '../../../src/engine/optimizers';
import { Rng } from '../../../src/engine/rng';
import type { ActivationName, LossName } from '../../../src/engine/spec';
import { makeSpec, parameterBytes, randomMatrix, randomTargets } from '../engine/helpers';
import { ensureWasm } from './agreement.test';

describe('generated WebAssembly sgd step', () => {
  const backend = ensureWasm();
  const memory = backend.float64.memory;
  const HIDDEN: ActivationName[] = ['sigmoid', 'relu', 'leaky-relu', 'linear'];
  const CASES: { loss: LossName; output: ActivationName }[] = [
    { loss: 'half-squared-error', output: 'sigmoid' },
    { loss: 'half-squared-error', output: 'linear' },
    { loss: 'mse', output: 'relu' },
    { loss: 'mse', output: 'leaky-relu' },
  ];

  it('covers sigmoid, relu, leaky-relu and linear units with half-squared-error or mse, nothing else', () => {
    assert.ok(memory !== undefined, 'the WebAssembly kernel names its memory');
    assert.equal(wasmStepCovers([2, 8, 8, 1], ['sigmoid', 'sigmoid', 'sigmoid'], 'half-squared-error'), true);
    assert.equal(wasmStepCovers([2, 8, 1], ['tanh', 'sigmoid'], 'half-squared-error'), false);
    assert.equal(wasmStepCovers([2, 8, 1], ['elu', 'linear'], 'mse'), false);
    assert.equal(wasmStepCovers([2, 8, 1], ['sigmoid', 'sigmoid'], 'binary-cross-entropy'), false);
    assert.equal(wasmStepCovers([2, 200, 1], ['relu', 'linear'], 'mse'), false, 'more than MAX_WEIGHTS parameters');
  });

  for (const { loss, output } of CASES) {
    it(`${loss} with a ${output} output, every covered hidden activation: 12 steps bit for bit the reference lossAndGradient + tryStep`, () => {
      for (const act of HIDDEN) {
        const rng = new Rng(77, `${act}-${loss}-${output}`);
        const K = 3;
        const spec = makeSpec({
          inputs: 2,
          loss,
          layers: [
            { units: 5, activation: act, weights: randomMatrix(rng, 5, 2, 1), biases: Array.from({ length: 5 }, () => rng.uniform(-1, 1)) },
            { units: 4, activation: act, weights: randomMatrix(rng, 4, 5, 1), biases: Array.from({ length: 4 }, () => rng.uniform(-1, 1)) },
            { units: K, activation: output, weights: randomMatrix(rng, K, 4, 1) },
          ],
        });
        const inputs = randomMatrix(rng, 6, 2, 2).map((r) => Float64Array.from(r));
        inputs[5] = Float64Array.from([0, -0]); // net inputs of exactly the biases
        const targets = randomTargets(rng, 6, K, loss).map((r) => Float64Array.from(r));
        const ref = Network.fromSpec(spec);
        const refOpt = new Sgd(ref.parameters(), 0.01);
        const net = Network.fromSpec(spec, backend.float64);
        const opt = new Sgd(net.parameters(), 0.01, backend.float64);
        net.loadBatch([inputs[0]], [targets[0]]); // the buffers
        const wasm = wasmStepOf(net, opt, memory!);
        assert.ok(wasm !== undefined, `${act}: covered, and every buffer in the WebAssembly memory`);
        for (let s = 0; s < 12; s++) {
          const i = s % 6;
          const what = `${act} ${loss}/${output} step ${s}`;
          const want = ref.lossAndGradient(inputs, targets, 0, [i]);
          assert.equal(refOpt.tryStep(), undefined);
          wasm.O0.set(inputs[i]);
          net.batchTargets().set(targets[i]);
          const got = wasm.step(opt.nextUpdate()[0].byteOffset, opt.learningRate);
          opt.acceptUpdate();
          assert.ok(Object.is(got, want), `${what}: loss ${got} vs ${want}`);
          for (const field of ['value', 'grad'] as const) {
            assert.ok(parameterBytes(net.parameters().map((p) => p[field])).equals(parameterBytes(ref.parameters().map((p) => p[field]))), `${what}: ${field}`);
          }
          for (let l = 1; l <= 3; l++) {
            const [a, b] = [opt.lastUpdate(l), refOpt.lastUpdate(l)];
            assert.ok(parameterBytes([a.W, a.b]).equals(parameterBytes([b.W, b.b])), `${what}: last update of layer ${l}`);
            for (const field of ['net', 'out', 'delta'] as const) {
              const n = net.sizes[l];
              assert.ok(parameterBytes([net.batch(1)[field][l].subarray(0, n)]).equals(parameterBytes([ref.batch(1)[field][l].subarray(0, n)])), `${what}: ${field} of layer ${l}`);
            }
          }
        }
      }
    });
  }

  it('a step that would make a weight non-finite returns NaN and changes no weight, gradient aside', () => {
    const spec = makeSpec({ inputs: 2, loss: 'half-squared-error', layers: [{ units: 3, activation: 'linear' }, { units: 1, activation: 'linear' }] });
    const net = Network.fromSpec(spec, backend.float64);
    const opt = new Sgd(net.parameters(), 1.7e308, backend.float64);
    net.loadBatch([Float64Array.of(3, 3)], [Float64Array.of(-50)]);
    const wasm = wasmStepOf(net, opt, memory!);
    assert.ok(wasm !== undefined);
    const before = parameterBytes(net.parameters().map((p) => p.value));
    const lastBefore = parameterBytes([opt.lastUpdate(1).W, opt.lastUpdate(1).b]);
    wasm.O0.set([3, 3]);
    net.batchTargets().set([-50]);
    assert.ok(Number.isNaN(wasm.step(opt.nextUpdate()[0].byteOffset, opt.learningRate)));
    assert.ok(parameterBytes(net.parameters().map((p) => p.value)).equals(before), 'weights unchanged');
    assert.ok(parameterBytes([opt.lastUpdate(1).W, opt.lastUpdate(1).b]).equals(lastBefore), 'last update unchanged (not accepted)');
  });
});
