/** Initialisation: ranges and statistics, and the documented draw order from Rng(seed, 'init'). */
import assert from 'node:assert/strict';
import { heStd, initialParameters, xavierLimit } from '../../../src/engine/init';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import { makeSpec } from './helpers';

describe('initialisation', () => {
  it('xavier: U(-a, a), a = sqrt(6/(fan_in + fan_out)); he: std sqrt(2/fan_in)', () => {
    assert.equal(xavierLimit(2, 4), 1);
    assert.equal(heStd(8), 0.5);
    const spec = makeSpec({ inputs: 200, layers: [{ units: 100, activation: 'tanh', init: 'xavier' }, { units: 200, activation: 'relu', init: 'he' }] });
    const [x, h] = initialParameters(spec);
    const a = Math.sqrt(6 / 300);
    assert.ok(x.W.every((w) => w >= -a && w < a));
    assert.ok(Math.max(...x.W) > 0.95 * a && Math.min(...x.W) < -0.95 * a);
    const mean = h.W.reduce((s, w) => s + w, 0) / h.W.length;
    const sd = Math.sqrt(h.W.reduce((s, w) => s + (w - mean) ** 2, 0) / h.W.length);
    assert.ok(Math.abs(mean) < 0.005, `mean ${mean}`);
    assert.ok(Math.abs(sd / Math.sqrt(2 / 100) - 1) < 0.02, `std ${sd}`);
    assert.ok(x.b.every((b) => b === 0) && h.b.every((b) => b === 0));
  });

  it('draw order: one Rng(seed, "init"), layers in order, each W row by row; he continues the same stream', () => {
    const spec = makeSpec({ inputs: 3, seed: 12, layers: [{ units: 2, activation: 'tanh', init: 'xavier' }, { units: 2, activation: 'relu', init: 'he' }] });
    const net = Network.fromSpec(spec);
    const rng = new Rng(12, 'init');
    const a = Math.sqrt(6 / 5);
    const w1 = Array.from({ length: 6 }, () => rng.uniform(-a, a));
    const w2 = Array.from({ length: 4 }, () => rng.normal() * Math.sqrt(2 / 2));
    assert.deepEqual(Array.from(net.layers[0].W), w1);
    assert.deepEqual(Array.from(net.layers[1].W), w2);
  });

  it('a layer whose weights come from the file draws nothing; later layers take the next numbers', () => {
    const spec = makeSpec({ inputs: 1, seed: 4, layers: [{ units: 2, activation: 'tanh', weights: [[0.5], [-0.5]], biases: [1, 2] }, { units: 1, activation: 'sigmoid', init: 'xavier' }] });
    const [l1, l2] = initialParameters(spec);
    assert.deepEqual(Array.from(l1.W), [0.5, -0.5]);
    assert.deepEqual(Array.from(l1.b), [1, 2]);
    const rng = new Rng(4, 'init');
    const a = Math.sqrt(6 / 3);
    assert.deepEqual(Array.from(l2.W), [rng.uniform(-a, a), rng.uniform(-a, a)]);
    // regenerate layer 1: its file weights are ignored, fresh draws and zero biases
    const [r1, r2] = initialParameters(spec, [1]);
    const rng2 = new Rng(4, 'init');
    const a1 = Math.sqrt(6 / 3);
    assert.deepEqual(Array.from(r1.W), [rng2.uniform(-a1, a1), rng2.uniform(-a1, a1)]);
    assert.deepEqual(Array.from(r1.b), [0, 0]);
    assert.deepEqual(Array.from(r2.W), [rng2.uniform(-a, a), rng2.uniform(-a, a)]);
  });

  it('same seed, same weights; another seed, other weights', () => {
    const s = (seed: number) => makeSpec({ inputs: 2, seed, layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'linear' }] });
    assert.deepEqual(initialParameters(s(1)), initialParameters(s(1)));
    assert.notDeepEqual(initialParameters(s(1))[0].W, initialParameters(s(2))[0].W);
  });
});
