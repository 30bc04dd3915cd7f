/**
 * The debugger's stage-by-stage run against the Trainer: the same weights, bit for bit, after N
 * epochs, for every optimizer, with batches, shuffling and l2, on the reference kernel and on the
 * extension's default kernel; and the stages in the documented order.
 */
import assert from 'node:assert/strict';
import { DebugRun, stageName } from '../../../src/engine/debug/run';
import { defaultKernel } from '../../../src/engine/kernels/default';
import { referenceKernel } from '../../../src/engine/kernels/reference';
import type { Kernel } from '../../../src/engine/kernels/types';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import type { LossName, OptimizerName } from '../../../src/engine/spec';
import { dataset, makeSpec, parameterBytes } from '../engine/helpers';

function problem(seed: number, optimizer: OptimizerName, batchSize: number | undefined, l2: number, shuffle: boolean, loss: LossName = 'half-squared-error') {
  const rng = new Rng(seed, 'data');
  const inputs = Array.from({ length: 11 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
  const targets = inputs.map((x) => (loss === 'cross-entropy' ? (x[0] > x[1] ? [1, 0] : [0, 1]) : [Math.sin(x[0]) * 0.5, x[1] * x[2]]));
  const spec = makeSpec({
    inputs: 3,
    seed,
    loss,
    layers: [
      { units: 5, activation: 'tanh' },
      { units: 4, activation: 'relu' },
      { units: 2, activation: loss === 'cross-entropy' ? 'softmax' : 'linear' },
    ],
    training: { optimizer, learningRate: optimizer === 'adam' ? 0.01 : 0.05, batchSize, l2, shuffle, epochs: 6 },
  });
  return { spec, data: dataset(inputs, targets) };
}

const CASES: { optimizer: OptimizerName; batchSize: number | undefined; l2: number; shuffle: boolean; loss?: LossName }[] = [
  { optimizer: 'sgd', batchSize: 1, l2: 0, shuffle: true },
  { optimizer: 'sgd', batchSize: 4, l2: 0.01, shuffle: true },
  { optimizer: 'momentum', batchSize: 3, l2: 0, shuffle: true },
  { optimizer: 'momentum', batchSize: undefined, l2: 0.001, shuffle: false },
  { optimizer: 'adam', batchSize: 5, l2: 0.01, shuffle: true, loss: 'cross-entropy' },
  { optimizer: 'adam', batchSize: 1, l2: 0, shuffle: false },
];

const KERNELS: [string, () => Kernel][] = [
  ['reference', () => referenceKernel],
  ['default (the extension\'s)', () => defaultKernel()],
];

describe('debug: DebugRun (stage by stage) equals the Trainer bit for bit', () => {
  for (const [kname, kernel] of KERNELS) {
    for (const c of CASES) {
      it(`${c.optimizer}, batch ${c.batchSize ?? 'all'}, l2 ${c.l2}, shuffle ${c.shuffle}${c.loss ? `, ${c.loss}` : ''} on the ${kname} kernel`, () => {
        const { spec, data } = problem(17, c.optimizer, c.batchSize, c.l2, c.shuffle, c.loss);
        const a = Network.fromSpec(spec, kernel());
        const trainer = new Trainer(a, data, spec.training, spec.seed);
        const stats = trainer.run(6);
        const b = Network.fromSpec(spec, kernel());
        const run = new DebugRun(b, data, spec.training, spec.seed);
        while (!(run.atEpochEnd && run.position.epoch === 6)) run.step();
        assert.deepEqual(parameterBytes(b.parameters().map((p) => p.value)), parameterBytes(a.parameters().map((p) => p.value)));
        assert.deepEqual(run.epochResults.map((r) => r.loss), stats.map((s) => s.loss));
        for (let l = 1; l <= a.depth; l++) {
          assert.deepEqual(Array.from(run.optimizer.lastUpdate(l).W), Array.from(trainer.lastUpdate(l).W));
        }
      });
    }
  }

  it('runs the stages in the order of the notes: forward 1..L, loss, backward L..1, update; epochs and batches 1-based', () => {
    const { spec, data } = problem(3, 'sgd', 4, 0, true);
    const run = new DebugRun(Network.fromSpec(spec), data, spec.training, spec.seed);
    assert.equal(run.batchesPerEpoch, 3); // 11 samples in batches of 4: 4, 4, 3
    const seen: string[] = [];
    for (let i = 0; i < 8 * 3 + 1; i++) {
      const p = run.step();
      seen.push(`${p.epoch}.${p.batch} ${stageName(p.stage)}`);
    }
    assert.deepEqual(seen.slice(0, 8), [
      '1.1 forward layer 1', '1.1 forward layer 2', '1.1 forward layer 3', '1.1 loss',
      '1.1 backward layer 3', '1.1 backward layer 2', '1.1 backward layer 1', '1.1 update',
    ]);
    assert.equal(seen[23], '1.3 update');
    assert.equal(seen[24], '2.1 forward layer 1');
    assert.equal(run.currentBatch.rows, 4);
    assert.equal(run.epochResults.length, 1);
  });

  it('the batch loss at the loss stage is the Trainer\'s lossAndGradient of the same samples', () => {
    const { spec, data } = problem(5, 'momentum', 4, 0.01, true);
    const run = new DebugRun(Network.fromSpec(spec), data, spec.training, spec.seed);
    for (let i = 0; i < 4; i++) run.step(); // forward 1..3, loss
    const samples = Array.from(run.currentBatch.samples);
    const oracle = Network.fromSpec(spec);
    const expected = oracle.lossAndGradient(data.inputs, data.targets, 0.01, samples);
    assert.equal(run.currentBatch.loss, expected);
    // and after the backward stages every gradient matches
    for (let i = 0; i < 3; i++) run.step();
    oracle.parameters().forEach((p, i) => assert.deepEqual(Array.from(run.net.parameters()[i].grad), Array.from(p.grad)));
  });
});
