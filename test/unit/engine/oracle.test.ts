/**
 * The engine's loss and gradient against an independent scalar autograd (test/unit/oracle),
 * for every activation in every position it may take and every loss it may be used with,
 * on several seeded random shapes, with and without l2.
 */
import assert from 'node:assert/strict';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import type { ActivationName, LossName } from '../../../src/engine/spec';
import { networkLossAndGradient, type OracleLayer } from '../oracle/autograd';
import { assertClose, makeSpec, randomMatrix, randomTargets, type LayerInput } from './helpers';

const HIDDEN: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'softplus', 'linear'];
/** Output activation x loss pairs the format allows. */
const OUTPUT_PAIRS: [ActivationName, LossName][] = [
  ...(['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'softplus', 'linear', 'softmax'] as ActivationName[]).flatMap(
    (a): [ActivationName, LossName][] => [
      [a, 'half-squared-error'],
      [a, 'mse'],
    ],
  ),
  ['softmax', 'cross-entropy'],
  ['sigmoid', 'binary-cross-entropy'],
];

const REL = 1e-9;
const ABS = 1e-14;

function compare(seed: number, output: ActivationName, loss: LossName, hidden: ActivationName, l2: number): void {
  const rng = new Rng(seed, 'oracle-test');
  const inputs = 1 + rng.int(4);
  const hiddenLayers = 1 + rng.int(2);
  const K = output === 'softmax' ? 2 + rng.int(3) : 1 + rng.int(3);
  const samples = 1 + rng.int(6);
  const layers: LayerInput[] = [];
  let prev = inputs;
  for (let h = 0; h < hiddenLayers; h++) {
    const units = 1 + rng.int(4);
    // alternate the hidden activation with tanh so that two different functions meet in deeper nets
    const activation = h === 0 ? hidden : 'tanh';
    layers.push({ units, activation, weights: randomMatrix(rng, units, prev, 1.2), biases: randomMatrix(rng, 1, units, 0.5)[0] });
    prev = units;
  }
  layers.push({ units: K, activation: output, weights: randomMatrix(rng, K, prev, 1.2), biases: randomMatrix(rng, 1, K, 0.5)[0] });
  const xs = randomMatrix(rng, samples, inputs, 2);
  const ts = randomTargets(rng, samples, K, loss);

  const net = Network.fromSpec(makeSpec({ inputs, layers, loss }));
  const engineLoss = net.lossAndGradient(
    xs.map((x) => Float64Array.from(x)),
    ts.map((t) => Float64Array.from(t)),
    l2,
  );
  const oracle = networkLossAndGradient(
    layers.map((l): OracleLayer => ({ activation: l.activation, weights: l.weights ?? [], biases: l.biases ?? [] })),
    loss,
    xs,
    ts,
    l2,
  );
  const where = `seed ${seed}, ${hidden} hidden, ${output} + ${loss}, l2 ${l2}`;
  assertClose(engineLoss, oracle.loss, REL, 0, `loss (${where})`);
  net.layers.forEach((layer, l) => {
    for (let j = 0; j < layer.units; j++) {
      for (let k = 0; k < layer.inputs; k++) {
        assertClose(layer.dW[j * layer.inputs + k], oracle.gradW[l][j][k], REL, ABS, `dE/dw^${l + 1}_${j + 1},${k + 1} (${where})`);
      }
      assertClose(layer.db[j], oracle.gradB[l][j], REL, ABS, `dE/db^${l + 1}_${j + 1} (${where})`);
    }
  });
}

describe('engine vs independent autograd oracle', () => {
  for (const [output, loss] of OUTPUT_PAIRS) {
    it(`${output} output with ${loss}, every hidden activation, 3 shapes each, l2 0 and 0.1`, () => {
      let seed = 1;
      for (const hidden of HIDDEN) {
        for (let shape = 0; shape < 3; shape++) {
          compare(seed, output, loss, hidden, shape === 2 ? 0.1 : 0);
          seed++;
        }
      }
    });
  }

  it('the oracle itself: E = 1/2 (w x + b - t)² at w = 2, b = 0, x = 1.5, t = 1 gives E = 2, dE/dw = 3, dE/db = 2', () => {
    // guards the oracle against a broken backward pass (closed form by hand)
    const layers: OracleLayer[] = [{ activation: 'linear', weights: [[2]], biases: [0] }];
    // loss = 1/2 (2x - t)^2 at x = 1.5, t = 1: dE/dw = (w x - t) x = (3 - 1)·1.5 = 3, dE/db = 2
    const r = networkLossAndGradient(layers, 'half-squared-error', [[1.5]], [[1]], 0);
    assert.equal(r.loss, 2);
    assert.equal(r.gradW[0][0][0], 3);
    assert.equal(r.gradB[0][0], 2);
  });
});
