/** Trainer: batching and shuffling as documented, reproducibility, epoch statistics, divergence. */
import assert from 'node:assert/strict';
import { DivergenceError } from '../../../src/engine/errors';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import { assertClose, dataset, makeSpec, parameterBytes } from './helpers';

const XOR = dataset(
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  [[0], [1], [1], [0]],
  [0, 1, 1, 0],
);

function xorSpec(seed: number, optimizer: 'sgd' | 'momentum' | 'adam' = 'momentum') {
  return makeSpec({
    inputs: 2,
    seed,
    layers: [
      { units: 3, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    training: { optimizer, learningRate: 0.3, batchSize: 3, shuffle: true, epochs: 25 },
  });
}

function trainedBytes(seed: number, optimizer: 'sgd' | 'momentum' | 'adam'): Buffer {
  const spec = xorSpec(seed, optimizer);
  const net = Network.fromSpec(spec);
  new Trainer(net, XOR, spec.training, spec.seed).run();
  return parameterBytes(net.parameters().map((p) => p.value));
}

describe('Trainer', () => {
  it('batches and shuffles as documented: Rng(seed, "shuffle") permutes the order each epoch, batches of batchSize, last one smaller', () => {
    const rng = new Rng(11, 'data');
    const inputs = Array.from({ length: 7 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    const targets = inputs.map((x) => [x[0] - 2 * x[1]]);
    const ds = dataset(inputs, targets);
    const spec = makeSpec({
      inputs: 2,
      seed: 5,
      layers: [
        { units: 3, activation: 'tanh' },
        { units: 1, activation: 'linear' },
      ],
      training: { optimizer: 'sgd', learningRate: 0.05, batchSize: 3, shuffle: true },
    });
    const net = Network.fromSpec(spec);
    const manual = net.clone();
    const trainer = new Trainer(net, ds, spec.training, 42);
    const order = [0, 1, 2, 3, 4, 5, 6];
    const shuffler = new Rng(42, 'shuffle');
    for (let epoch = 1; epoch <= 3; epoch++) {
      trainer.runEpoch();
      shuffler.shuffle(order);
      for (const batch of [order.slice(0, 3), order.slice(3, 6), order.slice(6)]) {
        manual.lossAndGradient(ds.inputs, ds.targets, 0, batch);
        for (const p of manual.parameters()) for (let i = 0; i < p.value.length; i++) p.value[i] -= 0.05 * p.grad[i];
      }
      assert.ok(parameterBytes(net.parameters().map((p) => p.value)).equals(parameterBytes(manual.parameters().map((p) => p.value))), `epoch ${epoch}`);
    }
    assert.equal(trainer.epoch, 3);
  });

  it('without shuffle the batches follow the data order; batchSize undefined means one full batch', () => {
    const ds = dataset([[1], [2], [3]], [[1], [0], [2]]);
    const spec = makeSpec({ inputs: 1, layers: [{ units: 1, activation: 'linear', weights: [[0.5]], biases: [0] }], training: { optimizer: 'sgd', learningRate: 0.1, shuffle: false } });
    const net = Network.fromSpec(spec);
    new Trainer(net, ds, spec.training, 0).runEpoch();
    // one full batch: dE/dw = mean (w x - t) x = ((0.5-1)·1 + (1-0)·2 + (1.5-2)·3) / 3 = 0; dE/db = (-0.5 + 1 - 0.5)/3 = 0
    assert.equal(net.layers[0].W[0], 0.5);
    assert.equal(net.layers[0].b[0], 0);
    const spec1 = { ...spec.training, batchSize: 1 };
    const net1 = Network.fromSpec(spec);
    new Trainer(net1, ds, spec1, 0).runEpoch();
    // sample 1: g = (0.5 - 1)·1 = -0.5 -> w = 0.55, b = 0.05
    let w = 0.5 - 0.1 * -0.5;
    let b = 0 - 0.1 * -0.5;
    // sample 2: e = 2w + b - 0
    let e = 2 * w + b;
    w -= 0.1 * e * 2;
    b -= 0.1 * e;
    e = 3 * w + b - 2;
    w -= 0.1 * e * 3;
    b -= 0.1 * e;
    assertClose(net1.layers[0].W[0], w, 1e-15);
    assertClose(net1.layers[0].b[0], b, 1e-15);
  });

  it('same spec and seed: bit-identical weights after training; another seed: different', () => {
    for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
      const a = trainedBytes(3, optimizer);
      assert.ok(a.equals(trainedBytes(3, optimizer)), optimizer);
      assert.ok(!a.equals(trainedBytes(4, optimizer)), optimizer);
    }
  });

  it('the shuffle seed alone changes the result (init unchanged)', () => {
    const spec = xorSpec(3);
    const a = Network.fromSpec(spec);
    const b = Network.fromSpec(spec);
    assert.ok(parameterBytes(a.parameters().map((p) => p.value)).equals(parameterBytes(b.parameters().map((p) => p.value))));
    new Trainer(a, XOR, spec.training, 1).run(5);
    new Trainer(b, XOR, spec.training, 2).run(5);
    assert.ok(!parameterBytes(a.parameters().map((p) => p.value)).equals(parameterBytes(b.parameters().map((p) => p.value))));
  });

  it('epoch statistics: loss and accuracy over the whole training set at the end of the epoch (l2 included), and validation', () => {
    const spec = { ...xorSpec(1), training: { ...xorSpec(1).training, l2: 0.01 } };
    const net = Network.fromSpec(spec);
    const val = dataset([[0.1, 0.9]], [[1]], [1]);
    const trainer = new Trainer(net, XOR, spec.training, 1, val, { epochLoss: 'exact' });
    const stats = trainer.runEpoch();
    // recompute independently from predictions
    let sum = 0;
    let correct = 0;
    XOR.inputs.forEach((x, i) => {
      const y = net.predict(x)[0];
      sum += 0.5 * (XOR.targets[i][0] - y) ** 2;
      if ((y >= 0.5 ? 1 : 0) === XOR.labels?.[i]) correct++;
    });
    let sq = 0;
    for (const l of net.layers) for (const w of l.W) sq += w * w;
    assertClose(stats.loss, sum / 4 + 0.005 * sq, 1e-14);
    assert.equal(stats.accuracy, correct / 4);
    const yv = net.predict(val.inputs[0])[0];
    assertClose(stats.valLoss ?? NaN, 0.5 * (1 - yv) ** 2 + 0.005 * sq, 1e-14);
    assert.equal(stats.valAccuracy, yv >= 0.5 ? 1 : 0);
    assert.equal(stats.epoch, 1);
    assert.equal(trainer.runEpoch().epoch, 2);
  });

  it("epoch statistics by default ('batch-mean'): the mean of the batch losses before each update (l2 included) and the batches' accuracy, by hand; evaluate() gives the exact figures", () => {
    // y = w x + b, half squared error, sgd lr 0.1, l2 0.01, batches of one, in file order
    const spec = makeSpec({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear', weights: [[0.5]], biases: [0.1] }],
      training: { optimizer: 'sgd', learningRate: 0.1, batchSize: 1, shuffle: false, l2: 0.01 },
    });
    const data = dataset([[1], [-1]], [[2], [0]], [1, 1]);
    const net = Network.fromSpec(spec);
    const trainer = new Trainer(net, data, spec.training, 0);
    assert.equal(trainer.epochLoss, 'batch-mean');
    const stats = trainer.runEpoch();
    let w = 0.5;
    let b = 0.1;
    const losses: number[] = [];
    let correct = 0;
    data.inputs.forEach((x, i) => {
      const y = w * x[0] + b;
      const t = data.targets[i][0];
      losses.push(0.5 * (y - t) * (y - t) + 0.005 * w * w);
      if ((y >= 0.5 ? 1 : 0) === 1) correct++;
      const gw = (y - t) * x[0] + 0.01 * w;
      const gb = y - t;
      w -= 0.1 * gw;
      b -= 0.1 * gb;
    });
    assertClose(net.layers[0].W[0], w, 1e-15);
    assertClose(stats.loss, (losses[0] + losses[1]) / 2, 1e-14);
    assert.equal(stats.accuracy, correct / 2);
    assert.equal(correct, 1, 'the first sample before its update is a 1 (y = 0.6), the second is not');
    // the exact figures of the weights at the end of the epoch differ, and evaluate() gives them
    const exact = (data.inputs.map((x, i) => 0.5 * (w * x[0] + b - data.targets[i][0]) ** 2).reduce((p, q) => p + q) / 2) + 0.005 * w * w;
    assertClose(trainer.evaluate().loss, exact, 1e-14);
    assert.ok(Math.abs(exact - stats.loss) > 0.1);
  });

  it('xor is learned (sanity): loss falls below 0.01 and accuracy reaches 1', () => {
    const spec = makeSpec({
      inputs: 2,
      seed: 7,
      layers: [
        { units: 3, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      training: { optimizer: 'adam', learningRate: 0.05, epochs: 600 },
    });
    const net = Network.fromSpec(spec);
    const all = new Trainer(net, XOR, spec.training, spec.seed).run();
    assert.equal(all.length, 600);
    assert.ok(all[599].loss < 0.01, `loss ${all[599].loss}`);
    assert.equal(all[599].accuracy, 1);
  });

  it('setLearningRate takes effect from the next batch', () => {
    const ds = dataset([[1]], [[0]]);
    const spec = makeSpec({ inputs: 1, layers: [{ units: 1, activation: 'linear', weights: [[1]], biases: [0] }], training: { optimizer: 'sgd', learningRate: 0.1 } });
    const net = Network.fromSpec(spec);
    const trainer = new Trainer(net, ds, spec.training, 0);
    trainer.setLearningRate(0.5);
    trainer.runEpoch();
    // g = (1·1 + 0 - 0)·1 = 1 -> w = 1 - 0.5
    assert.equal(net.layers[0].W[0], 0.5);
  });

  describe('divergence', () => {
    it('an update that overflows a weight: DivergenceError with epoch, batch, layer; weights restored bit-exactly', () => {
      // batch 1 (x = 0, t = 0) has zero gradient; batch 2 (x = 1, t = 5) has dE/dw = dE/db = -4,
      // so w = 1 + MAX·4 overflows to Infinity.
      const ds = dataset([[0], [1]], [[0], [5]]);
      const spec = makeSpec({
        inputs: 1,
        layers: [{ units: 1, activation: 'linear', weights: [[1]], biases: [0] }],
        training: { optimizer: 'sgd', learningRate: Number.MAX_VALUE, batchSize: 1, shuffle: false },
      });
      const net = Network.fromSpec(spec);
      const trainer = new Trainer(net, ds, spec.training, 0);
      let error: unknown;
      try {
        trainer.runEpoch();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof DivergenceError, String(error));
      assert.equal(error.epoch, 1);
      assert.equal(error.batch, 2);
      assert.equal(error.layer, 1);
      assert.equal(error.what, 'weight');
      assert.equal(error.value, Infinity);
      assert.match(error.message, /^training diverged in epoch 1, batch 2: layer 1's weights became Infinity \(learning rate 1\.7976931348623157e\+308 may be too high\)$/);
      assert.equal(net.layers[0].W[0], 1);
      assert.equal(net.layers[0].b[0], 0);
      assert.equal(trainer.epoch, 0);
      // training can go on with a sane learning rate
      trainer.setLearningRate(0.1);
      assert.doesNotThrow(() => trainer.runEpoch());
      assert.equal(trainer.epoch, 1);
    });

    it('a huge learning rate on a relu network diverges in a later epoch; the weights are those after the last good epoch', () => {
      const rng = new Rng(2, 'data');
      const inputs = Array.from({ length: 8 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
      const ds = dataset(inputs, inputs.map((x) => [3 * x[0] + x[1]]));
      const spec = makeSpec({
        inputs: 2,
        seed: 1,
        layers: [
          { units: 4, activation: 'relu' },
          { units: 1, activation: 'linear' },
        ],
        training: { optimizer: 'sgd', learningRate: 50, shuffle: false },
      });
      const net = Network.fromSpec(spec);
      const trainer = new Trainer(net, ds, spec.training, 0);
      let lastGood = parameterBytes(net.parameters().map((p) => p.value));
      let error: unknown;
      for (let e = 0; e < 1000 && error === undefined; e++) {
        try {
          trainer.runEpoch();
          lastGood = parameterBytes(net.parameters().map((p) => p.value));
        } catch (err) {
          error = err;
        }
      }
      assert.ok(error instanceof DivergenceError, `expected divergence, got ${String(error)}`);
      assert.ok(error.epoch > 1);
      assert.equal(error.batch, 1); // full batch
      assert.ok(error.layer >= 0 && error.layer <= 2);
      assert.match(error.message, /^training diverged in epoch \d+, batch 1: .* became (NaN|-?Infinity) \(learning rate 50 may be too high\)$/);
      assert.ok(parameterBytes(net.parameters().map((p) => p.value)).equals(lastGood), 'weights as before the failing batch');
      for (const p of net.parameters()) for (const v of p.value) assert.ok(Number.isFinite(v));
    });
  });
});
