// The snapshot contract (NetworkView, LayerView, TraceView in src/shared/protocol.ts) against the
// REAL worker thread: every field any consumer (the inspector's views, the step-through, the
// lenses and hovers) can read is produced by the worker itself, not only by the development
// harness. The field lists are typed `Record<keyof ..., true>`, so adding a field to the contract
// without listing it here does not compile.
import * as assert from 'assert';
import * as path from 'path';
import type { WorkerClient } from '../../../src/extension/training/workerClient';
import type { LayerStatsView, LayerView, NetworkView, TraceView } from '../../../src/shared/protocol';
import { stepsOf } from '../../../webview/stepModel';
import { bundleWorker, repoRoot, type RealWorker } from './realWorker';

const NETWORK_FIELDS: Record<keyof NetworkView, true> = {
  name: true, fileName: true, sizes: true, activations: true, loss: true, classification: true, samples: true,
  learningRate: true, epoch: true, layers: true, stats: true, optimizer: true, batchSize: true, l2: true, inputNames: true, classNames: true,
};
const LAYER_FIELDS: Record<keyof LayerView, true> = {
  layer: true, units: true, inputs: true, activation: true, W: true, b: true, dW: true, db: true, uW: true, ub: true,
};
const STATS_FIELDS: Record<keyof LayerStatsView, true> = {
  layer: true, units: true, activation: true, gradientNorm: true, deadShare: true, saturatedShare: true,
};
const TRACE_FIELDS: Record<keyof TraceView, true> = {
  sample: true, x: true, t: true, net: true, out: true, delta: true, fprime: true, backSum: true, dEdy: true, loss: true,
  learningRate: true, l2: true, W: true, b: true, uW: true, ub: true, newW: true, newB: true,
};

const EXAMPLES = path.join(repoRoot(), 'examples');
const IRIS = path.join(EXAMPLES, 'iris.net.json');
const SPIRAL = path.join(EXAMPLES, 'spiral.net.json');

function missing(obj: object, fields: object): string[] {
  return Object.keys(fields).filter((k) => (obj as Record<string, unknown>)[k] === undefined);
}

describe('the snapshot contract, produced by the real worker', function () {
  this.timeout(30_000);
  let real: RealWorker;
  let client: WorkerClient;

  before(async () => {
    real = await bundleWorker();
  });
  after(() => real.cleanup());
  beforeEach(() => {
    client = real.spawn();
  });
  afterEach(async () => client.dispose());

  async function load(file: string, text?: string): Promise<void> {
    const r = await client.request('load', { text: text ?? (await import('fs')).readFileSync(file, 'utf8'), fileName: file });
    assert.ok(r.ok, JSON.stringify(r));
  }

  it('every field of the network snapshot and the trace, after a step (iris: CSV names, adam, batches of 16)', async () => {
    await load(IRIS);
    await client.request('step', {});
    const n = await client.request('network', {});
    assert.deepStrictEqual(missing(n, NETWORK_FIELDS), []);
    for (const layer of n.layers) {
      assert.deepStrictEqual(missing(layer, LAYER_FIELDS), [], `layer ${layer.layer}`);
      for (const m of [layer.W, layer.dW!, layer.uW!]) assert.strictEqual(m.length, layer.units * layer.inputs);
      for (const v of [layer.b, layer.db!, layer.ub!]) assert.strictEqual(v.length, layer.units);
    }
    assert.strictEqual(n.optimizer, 'adam');
    assert.strictEqual(n.batchSize, 16);
    assert.strictEqual(n.l2, 0);
    assert.strictEqual(n.epoch, 1);
    assert.deepStrictEqual(n.inputNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepStrictEqual(n.classNames, ['setosa', 'versicolor', 'virginica']);
    // The statistics the lenses and hovers read, one per layer; the gradient norm is the norm of
    // the snapshot's own gradient (summed here independently).
    assert.strictEqual(n.stats.length, n.layers.length);
    for (const [i, st] of n.stats.entries()) {
      assert.deepStrictEqual(missing(st, STATS_FIELDS), [], `stats of layer ${i + 1}`);
      const layer = n.layers[i];
      const sq = [...layer.dW!, ...layer.db!].reduce((a, g) => a + g * g, 0);
      assert.ok(Math.abs(st.gradientNorm - Math.sqrt(sq)) <= 1e-12 * Math.sqrt(sq), `layer ${i + 1}: ${st.gradientNorm} vs ${Math.sqrt(sq)}`);
    }
    const t = await client.request('trace', { sample: 3 });
    assert.deepStrictEqual(missing(t, TRACE_FIELDS), []);
  });

  it('before any training the snapshot has the gradient but no last update', async () => {
    await load(IRIS);
    const n = await client.request('network', {});
    for (const layer of n.layers) {
      assert.ok(layer.dW && layer.db, 'gradient at the current weights');
      assert.strictEqual(layer.uW, undefined);
    }
  });

  it('the step-through built from the worker\'s snapshot says how training differs (adam, batches of 16)', async () => {
    await load(IRIS);
    const steps = stepsOf(await client.request('network', {}), await client.request('trace', { sample: 0 }));
    const update = steps.filter((s) => s.phase === 'update');
    assert.ok(update.length > 0);
    for (const s of update) assert.match(s.text.join(' '), /Training itself uses adam on batches of 16 samples \(the mean of these changes\), so its steps differ from this one\./);
  });

  it('a file trained by plain sgd with batches of 1 gets no such remark, and a full-batch one does', async () => {
    const file = path.join(real.dir, 'one.net.json');
    const net = (batch: string): string => `{
      "layers": [{ "units": 1 }, { "units": 1, "activation": "linear", "weights": [[2]], "biases": [0] }],
      "loss": "half-squared-error",
      "training": { "optimizer": "sgd", "learningRate": 0.1, "l2": 0.5, ${batch} "shuffle": false, "epochs": 1 },
      "data": { "inputs": [[1], [2]], "targets": [[1], [1]] }
    }`;
    await load(file, net('"batchSize": 1,'));
    const one = stepsOf(await client.request('network', {}), await client.request('trace', { sample: 0 }));
    assert.doesNotMatch(one.map((s) => s.text.join(' ')).join(' '), /Training itself/);
    await load(file, net(''));
    const full = stepsOf(await client.request('network', {}), await client.request('trace', { sample: 0 }));
    assert.match(full.find((s) => s.phase === 'update')!.text[0], /Training itself uses sgd on batches of 2 samples/);
  });

  it('the l2 term in "weights after": w = 2, x = 1, t = 1, α 0.1, λ 0.5, sgd, batch 1 shows 1.8, the weight one epoch of training gives', async () => {
    const file = path.join(real.dir, 'l2.net.json');
    await load(file, JSON.stringify({
      layers: [{ units: 1 }, { units: 1, activation: 'linear', weights: [[2]], biases: [0] }],
      loss: 'half-squared-error',
      training: { optimizer: 'sgd', learningRate: 0.1, l2: 0.5, batchSize: 1, shuffle: false, epochs: 1 },
      data: { inputs: [[1]], targets: [[1]] },
    }));
    const n = await client.request('network', {});
    const t = await client.request('trace', { sample: 0 });
    assert.strictEqual(t.l2, 0.5);
    const line = stepsOf(n, t).find((s) => s.id === 'update-1')!.lines[0];
    const after = line.shown.find((s) => s.quantity === 'newW')!;
    assert.strictEqual(after.text, '1.8');
    // 2 + 0.1·(1·(−1) − 0.5·2) = 1.8: the rule with λ and every number of it.
    assert.ok(line.latex.includes('\\lambda'), line.latex);
    assert.ok(line.latex.includes('0.1\\cdot(1\\cdot(-1) - 0.5\\cdot2)'), line.latex);
    assert.ok(Math.abs(after.value - 1.8) < 1e-15);
    const end = await client.request('train', {});
    assert.strictEqual(end.epochsRun, 1);
    const [layer] = await client.request('weights', {});
    assert.ok(Object.is(layer.weights[0][0], after.value), `training gave ${layer.weights[0][0]}, the step shows ${after.value}`);
  });

  it('softmax + cross-entropy: the output delta in its simple form y - a, with the numbers (spiral)', async () => {
    await load(SPIRAL);
    const n = await client.request('network', {});
    const t = await client.request('trace', { sample: 7 });
    const step = stepsOf(n, t).find((s) => s.id === 'output-delta')!;
    assert.strictEqual(step.general[0], '\\Delta_k = y_k - a_k');
    const L = n.layers.length;
    for (const line of step.lines) {
      const y = t.t[line.unit];
      const a = t.out[L][line.unit];
      assert.strictEqual(y - a, -t.delta[L][line.unit], 'the engine\'s delta is a - y exactly');
      assert.deepStrictEqual(line.shown.map((s) => [s.quantity, s.value]), [['t', y], ['out', a], ['Delta', y - a]]);
    }
  });
});
