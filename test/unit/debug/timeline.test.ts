/**
 * Time travel: going back to tick t lands on exactly the state a fresh run has after t stages
 * (parameters, gradients, the batch's buffers, the optimizer's state), bit for bit, also across
 * learning-rate changes and with the snapshots thinned.
 */
import assert from 'node:assert/strict';
import { DebugRun } from '../../../src/engine/debug/run';
import { layerReached } from '../../../src/engine/debug/scope';
import { Timeline } from '../../../src/engine/debug/timeline';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import type { OptimizerName } from '../../../src/engine/spec';
import { dataset, makeSpec, parameterBytes } from '../engine/helpers';

function make(optimizer: OptimizerName): () => DebugRun {
  const rng = new Rng(9, 'data');
  const inputs = Array.from({ length: 10 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
  const data = dataset(inputs, inputs.map((x) => [x[0] * x[1]]));
  const spec = makeSpec({ inputs: 2, seed: 4, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'linear' }], training: { optimizer, learningRate: 0.05, batchSize: 3, l2: 0.001, epochs: 50 } });
  return () => new DebugRun(Network.fromSpec(spec), data, spec.training, spec.seed);
}

/** Every number of a run's state, as bytes. */
function state(run: DebugRun): Buffer {
  const p = run.net.parameters();
  const buf = run.batchBuffers();
  const rows = run.rows;
  const opt = [1, 2].flatMap((l) => [...run.optimizer.stateOf(l).flatMap((s) => [s.W, s.b]), run.optimizer.lastUpdate(l).W, run.optimizer.lastUpdate(l).b]);
  // what this batch has computed so far (the rest is not shown: see layerReached)
  const n = (l: number): number => rows * run.net.sizes[l];
  const batch = [1, 2].flatMap((l) => {
    const r = layerReached(run, l);
    const layer = run.net.layers[l - 1];
    return [...(r.forward ? [buf.net[l].subarray(0, n(l)), buf.out[l].subarray(0, n(l))] : []), ...(r.backward ? [buf.delta[l].subarray(0, n(l)), layer.dW, layer.db] : [])];
  });
  return Buffer.concat([
    parameterBytes([...p.map((x) => x.value), ...opt, ...batch, buf.out[0].subarray(0, n(0))]),
    Buffer.from(JSON.stringify([run.position, run.learningRate, run.optimizer.steps, run.epochResults, Array.from(run.currentBatch.samples)])),
  ]);
}

describe('debug: Timeline (step back, reverse continue)', () => {
  for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
    it(`${optimizer}: goTo(t) backwards equals a fresh run stepped t times, bit for bit`, () => {
      const fresh = make(optimizer);
      const tl = new Timeline(fresh(), 4096); // a small budget: snapshots get thinned
      for (let i = 0; i < 300; i++) tl.step();
      for (const t of [299, 250, 177, 40, 8, 1, 123]) {
        tl.goTo(t);
        const oracle = fresh();
        for (let i = 0; i < t; i++) oracle.step();
        assert.deepEqual(state(tl.run), state(oracle), `tick ${t}`);
      }
      assert.ok(tl.snapshots < 30, `snapshots thinned (${tl.snapshots})`);
    });
  }

  it('a learning-rate change is replayed at its tick; changing it again forgets the old future', () => {
    const fresh = make('momentum');
    const tl = new Timeline(fresh());
    for (let i = 0; i < 60; i++) tl.step();
    tl.setLearningRate(0.2); // from stage 61 on
    for (let i = 0; i < 100; i++) tl.step();
    const at160 = state(tl.run);
    tl.goTo(30);
    tl.goTo(160);
    assert.deepEqual(state(tl.run), at160);
    // the oracle: a run with the change at the same tick
    const oracle = fresh();
    for (let i = 0; i < 60; i++) oracle.step();
    oracle.setLearningRate(0.2);
    for (let i = 0; i < 100; i++) oracle.step();
    assert.deepEqual(state(oracle), at160);
    tl.goTo(100);
    tl.setLearningRate(0.01);
    tl.goTo(160);
    assert.notDeepEqual(state(tl.run), at160);
  });

  it('findLast returns the last tick before now where the test holds, searching back across snapshots', () => {
    const tl = new Timeline(make('adam')(), 4096);
    for (let i = 0; i < 400; i++) tl.step();
    const hits: number[] = [];
    const oracle = make('adam')();
    for (let i = 0; i < 400; i++) {
      oracle.step();
      if (oracle.position.stage.kind === 'loss' && oracle.currentBatch.loss > 0.02) hits.push(oracle.position.tick);
    }
    const found = tl.findLast(400, () => tl.run.position.stage.kind === 'loss' && tl.run.currentBatch.loss > 0.02);
    assert.equal(found, hits[hits.length - 1]);
    assert.equal(tl.tick, 400);
    assert.equal(tl.findLast(400, () => false), undefined);
  });
});
