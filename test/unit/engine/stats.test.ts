/** Layer statistics: gradient norms, dead relu units, saturated sigmoid/tanh units. */
import assert from 'node:assert/strict';
import { Network } from '../../../src/engine/network';
import { layerStats } from '../../../src/engine/stats';
import { assertClose, dataset, makeSpec } from './helpers';

describe('layer statistics', () => {
  const data = dataset(
    Array.from({ length: 20 }, (_, i) => [i / 10 - 1, 0.5]),
    Array.from({ length: 20 }, (_, i) => [i % 2]),
  );

  it('dead relu units: net <= 0 (output 0) for every sample', () => {
    const net = Network.fromSpec(
      makeSpec({
        inputs: 2,
        layers: [
          // x1 runs from -1 to 0.9: unit 1 always negative (bias -10), unit 2 alive, unit 3 positive only for x1 = 0.9
          { units: 3, activation: 'relu', weights: [[1, 1], [1, 0], [1, 0]], biases: [-10, 2, -0.85] },
          { units: 1, activation: 'linear', weights: [[1, 1, 1]], biases: [0] },
        ],
      }),
    );
    const s = layerStats(net, data);
    assert.deepEqual(s[0].deadUnits, [0]);
    assertClose(s[0].deadShare, 1 / 3, 1e-15);
    assert.deepEqual(s[1].deadUnits, []); // linear layers report none
  });

  it('saturated sigmoid and tanh units: f\' < 1% of its maximum on >= 95% of samples', () => {
    const net = Network.fromSpec(
      makeSpec({
        inputs: 2,
        layers: [
          // sigmoid unit 1 saturated (net = 50 x2 + 20 >= 20), unit 2 not, unit 3 saturated except near x1 = 0
          { units: 3, activation: 'sigmoid', weights: [[0, 50], [1, 0], [100, 0]], biases: [20, 0, 0] },
          { units: 2, activation: 'tanh', weights: [[10, 0, 0], [0.1, 0.1, 0.1]], biases: [0, 0] },
        ],
      }),
    );
    const s = layerStats(net, data);
    // sigmoid unit 3: |100 x1| < 6 (y(1-y) >= 0.0025) only for x1 = 0 -> 1 sample in 20 -> 95% saturated
    assert.deepEqual(s[0].saturatedUnits, [0, 2]);
    assertClose(s[0].saturatedShare, 2 / 3, 1e-15);
    // tanh unit 1: net = 10·o1 ≈ 10, 1 - tanh²(10) ≈ 8e-9; unit 2: |net| < 0.3, not saturated
    assert.deepEqual(s[1].saturatedUnits, [0]);
  });

  it('gradient norm = sqrt(Σ dW² + Σ db²) of the last lossAndGradient', () => {
    const net = Network.fromSpec(
      makeSpec({ inputs: 2, layers: [{ units: 2, activation: 'tanh', weights: [[0.3, -0.1], [0.2, 0.4]], biases: [0, 0.1] }, { units: 1, activation: 'linear', weights: [[1, -1]], biases: [0] }] }),
    );
    net.lossAndGradient(data.inputs, data.targets, 0);
    const s = layerStats(net, data);
    net.layers.forEach((layer, i) => {
      const w = Array.from(layer.dW).reduce((a, g) => a + g * g, 0);
      const b = Array.from(layer.db).reduce((a, g) => a + g * g, 0);
      assertClose(s[i].gradientNorm, Math.sqrt(w + b), 1e-15);
      assertClose(s[i].weightGradientNorm, Math.sqrt(w), 1e-15);
      assertClose(s[i].biasGradientNorm, Math.sqrt(b), 1e-15);
      assert.ok(s[i].gradientNorm > 0);
    });
  });
});
