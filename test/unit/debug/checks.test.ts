/**
 * The debugger's exception filters on runs built to trip them, with the expected place worked out
 * independently (the engine's Network and Trainer, or by construction).
 */
import assert from 'node:assert/strict';
import { findingText } from '../../../src/extension/debug/controller';
import { checkStage, type Filters, type Finding } from '../../../src/engine/debug/checks';
import { DebugRun, stageName } from '../../../src/engine/debug/run';
import { Network } from '../../../src/engine/network';
import { Trainer } from '../../../src/engine/trainer';
import type { LayerInput } from '../engine/helpers';
import { dataset, makeSpec } from '../engine/helpers';
import type { TrainingSpec } from '../../../src/engine/spec';

const DATA = dataset([[0.5, -1], [1, 2], [-0.3, 0.7], [2, -2]], [[1], [0], [0.5], [0.2]]);

function runUntil(layers: LayerInput[], training: Partial<TrainingSpec>, filters: Filters, maxTicks = 10_000): { run: DebugRun; finding?: Finding } {
  const spec = makeSpec({ inputs: 2, seed: 5, layers, training: { shuffle: false, epochs: 100, ...training } });
  const run = new DebugRun(Network.fromSpec(spec), DATA, spec.training, spec.seed);
  for (let i = 0; i < maxTicks; i++) {
    run.step();
    const finding = checkStage(run, filters);
    if (finding) return { run, finding };
  }
  return { run };
}

describe('debug: exception filters', () => {
  it('NaN/Infinity: an overflowing net input is found at its forward stage, with its unit and sample', () => {
    const layers: LayerInput[] = [
      { units: 2, activation: 'tanh', weights: [[1, 0], [1e308, 1e308]], biases: [0, 0] },
      { units: 1, activation: 'linear', weights: [[1, 1]], biases: [0] },
    ];
    const { run, finding } = runUntil(layers, { batchSize: 4 }, { nan: 0 });
    assert.ok(finding);
    // sample 2 (index 1) is [1, 2]: 1e308·1 + 1e308·2 = Infinity in unit 2; sample 1 gives 1e308·(0.5 - 1) = -5e307 (finite)
    assert.equal(stageName(run.position.stage), 'forward layer 1');
    assert.deepEqual([finding.filter, finding.layer, finding.param, finding.sample, finding.value], ['nan', 1, { kind: 'unit', j: 1 }, 1, Infinity]);
    assert.equal(finding.what, 'Infinity in the net input');
  });

  it('exploding and vanishing gradients compare ‖dW‖ of the layer just back-propagated with the threshold', () => {
    const layers: LayerInput[] = [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }];
    const spec = makeSpec({ inputs: 2, seed: 5, layers, training: { shuffle: false, batchSize: 4 } });
    const oracle = Network.fromSpec(spec);
    oracle.lossAndGradient(DATA.inputs, DATA.targets, 0);
    const norm2 = Math.sqrt(oracle.layers[1].dW.reduce((s, x) => s + x * x, 0));
    const norm1 = Math.sqrt(oracle.layers[0].dW.reduce((s, x) => s + x * x, 0));
    const exploding = runUntil(layers, { batchSize: 4 }, { exploding: Math.min(norm1, norm2) * 0.999 });
    assert.ok(exploding.finding);
    assert.equal(stageName(exploding.run.position.stage), 'backward layer 2');
    assert.equal(exploding.finding.value, norm2);
    const vanishing = runUntil(layers, { batchSize: 4 }, { vanishing: Math.max(norm1, norm2) * 1.001 });
    assert.ok(vanishing.finding);
    assert.equal(vanishing.finding.filter, 'vanishing');
    assert.equal(vanishing.finding.value, norm2);
    // the parameter named is the largest |dW| entry of the layer
    const big = oracle.layers[1].dW.reduce((b, x, i, a) => (Math.abs(x) > Math.abs(a[b]) ? i : b), 0);
    assert.deepEqual(exploding.finding.param, { kind: 'w', j: 0, k: big });
  });

  it('dead ReLU units: biases of -100 kill units 1 and 3 for every sample; the share is 2/3', () => {
    const layers: LayerInput[] = [
      { units: 3, activation: 'relu', weights: [[0.1, 0.1], [0.5, -0.2], [0.1, 0.1]], biases: [-100, 5, -100] },
      { units: 1, activation: 'linear' },
    ];
    const any = runUntil(layers, { batchSize: 2 }, { deadRelu: 0 });
    assert.ok(any.finding);
    assert.equal(stageName(any.run.position.stage), 'forward layer 1');
    assert.deepEqual([any.finding.filter, any.finding.param, any.finding.value], ['deadRelu', { kind: 'unit', j: 0 }, 2 / 3]);
    assert.equal(runUntil(layers, { batchSize: 2, epochs: 3 }, { deadRelu: 0.7 }, 3 * 2 * 5).finding, undefined, 'below the threshold share');
  });

  it('loss increased: stops at the end of the first epoch whose loss is above the previous one (the Trainer\'s losses)', () => {
    const layers: LayerInput[] = [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'linear' }];
    const training = { optimizer: 'sgd' as const, learningRate: 0.9, batchSize: 1 };
    const spec = makeSpec({ inputs: 2, seed: 5, layers, training: { shuffle: false, epochs: 100, ...training } });
    const losses = new Trainer(Network.fromSpec(spec), DATA, spec.training, spec.seed).run(100).map((s) => s.loss);
    const first = losses.findIndex((l, i) => i > 0 && l > losses[i - 1]);
    assert.ok(first > 0, 'the Trainer\'s loss rises at some epoch');
    const { run, finding } = runUntil(layers, training, { lossIncreased: 0 });
    assert.ok(finding);
    assert.equal(run.position.epoch, first + 1);
    assert.ok(run.atEpochEnd);
    assert.deepEqual([finding.previous, finding.value], [losses[first - 1], losses[first]]);
    // the stop's text, its numbers written by the one formatter (exact: the Trainer's losses read back)
    assert.equal(findingText(finding), `the epoch loss increased from ${losses[first - 1]} to ${losses[first]}`);
  });
});
