/** Network: construction from a spec, the batch path vs the single-sample trace, evaluate, write-back form, clone. */
import assert from 'node:assert/strict';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import { assertClose, dataset, makeSpec, parameterBytes, randomMatrix } from './helpers';

function mixedNet(): Network {
  const rng = new Rng(21, 'net-test');
  return Network.fromSpec(
    makeSpec({
      inputs: 3,
      layers: [
        { units: 4, activation: 'relu', weights: randomMatrix(rng, 4, 3, 1), biases: [0.1, -0.2, 0.3, 0] },
        { units: 3, activation: 'elu', weights: randomMatrix(rng, 3, 4, 1), biases: [0, 0.5, -0.5] },
        { units: 3, activation: 'softmax', weights: randomMatrix(rng, 3, 3, 1), biases: [0, 0, 0] },
      ],
      loss: 'cross-entropy',
    }),
  );
}

describe('Network', () => {
  it('fromSpec: sizes, layer shapes, the file\'s weights row j = w^l_j*', () => {
    const net = Network.fromSpec(
      makeSpec({ inputs: 2, layers: [{ units: 3, activation: 'tanh', weights: [[1, 2], [3, 4], [5, 6]], biases: [7, 8, 9] }, { units: 1, activation: 'sigmoid' }] }),
    );
    assert.deepEqual(net.sizes, [2, 3, 1]);
    assert.equal(net.depth, 2);
    assert.equal(net.layers[0].weight(1, 0), 3); // w^1_{2,1}
    assert.deepEqual(Array.from(net.layers[0].b), [7, 8, 9]);
    assert.equal(net.layers[1].W.length, 3);
    assert.equal(net.loss, 'half-squared-error');
    assert.equal(net.kernel.name, 'reference');
  });

  it('rejects weights of the wrong shape and inputs of the wrong length, naming them', () => {
    assert.throws(() => Network.fromSpec(makeSpec({ inputs: 2, layers: [{ units: 1, activation: 'linear', weights: [[1, 2, 3]] }] })), /layer 1 weight row 1 has 3 values, expected 2/);
    const net = Network.fromSpec(makeSpec({ inputs: 2, layers: [{ units: 1, activation: 'linear' }] }));
    assert.throws(() => net.predict(Float64Array.from([1])), /sample 1 has 1 inputs, the network 2/);
    assert.throws(() => net.lossAndGradient([Float64Array.from([1, 2])], [Float64Array.from([1, 2])], 0), /sample 1 has 2 targets, the network 1 outputs/);
  });

  it('trace and the batch path are the same arithmetic: batch deltas equal trace deltas bit for bit, and dW of one sample = delta ⊗ o', () => {
    const net = mixedNet();
    const rng = new Rng(1, 'x');
    const xs = randomMatrix(rng, 5, 3, 1).map((x) => Float64Array.from(x));
    const ts = xs.map((_, i) => Float64Array.from([0, 1, 2].map((k) => (k === i % 3 ? 1 : 0))));
    const traces = xs.map((x, i) => net.trace(x, ts[i]));
    net.lossAndGradient(xs, ts, 0);
    const view = net.batch(5);
    for (let l = 1; l <= 3; l++) {
      const n = net.sizes[l];
      for (let r = 0; r < 5; r++) {
        assert.deepEqual(Array.from(view.net[l].subarray(r * n, (r + 1) * n)), Array.from(traces[r].net[l]), `net, layer ${l}, sample ${r}`);
        assert.deepEqual(Array.from(view.out[l].subarray(r * n, (r + 1) * n)), Array.from(traces[r].out[l]));
        assert.deepEqual(Array.from(view.delta[l].subarray(r * n, (r + 1) * n)), Array.from(traces[r].delta[l]));
      }
    }
    // one sample: dE/dw^l_jk = delta^l_j · o^{l-1}_k exactly (sums start from +0, hence the 0 +)
    net.lossAndGradient(xs, ts, 0, [2]);
    const tr = traces[2];
    net.layers.forEach((layer, i) => {
      const l = i + 1;
      for (let j = 0; j < layer.units; j++) {
        for (let k = 0; k < layer.inputs; k++) assert.equal(layer.dW[j * layer.inputs + k], 0 + tr.delta[l][j] * tr.out[l - 1][k]);
        assert.equal(layer.db[j], 0 + tr.delta[l][j]);
      }
    });
  });

  it('trace does not disturb the gradient of the last lossAndGradient', () => {
    const net = mixedNet();
    const xs = [Float64Array.from([0.1, 0.2, 0.3])];
    const ts = [Float64Array.from([1, 0, 0])];
    net.lossAndGradient(xs, ts, 0);
    const g = parameterBytes(net.parameters().map((p) => p.grad));
    net.trace(Float64Array.from([1, 1, 1]), Float64Array.from([0, 0, 1]));
    net.predict(Float64Array.from([1, 1, 1]));
    assert.ok(parameterBytes(net.parameters().map((p) => p.grad)).equals(g));
  });

  it('lossAndGradient = mean of per-sample trace losses + (l2/2)·Σw²; with indices, only those samples', () => {
    const net = mixedNet();
    const rng = new Rng(2, 'x');
    const xs = randomMatrix(rng, 4, 3, 1).map((x) => Float64Array.from(x));
    const ts = xs.map((_, i) => Float64Array.from([0, 1, 2].map((k) => (k === i % 3 ? 1 : 0))));
    let sq = 0;
    for (const l of net.layers) for (const w of l.W) sq += w * w;
    const perSample = xs.map((x, i) => net.trace(x, ts[i]).loss);
    assertClose(net.lossAndGradient(xs, ts, 0.1), perSample.reduce((a, b) => a + b, 0) / 4 + 0.05 * sq, 1e-14);
    assertClose(net.lossAndGradient(xs, ts, 0, [3, 1]), (perSample[3] + perSample[1]) / 2, 1e-14);
  });

  it('l2 adds λ·w to weight gradients only, not to biases', () => {
    const net = mixedNet();
    const xs = [Float64Array.from([0.3, -0.2, 0.9])];
    const ts = [Float64Array.from([0, 0, 1])];
    net.lossAndGradient(xs, ts, 0);
    const plain = net.parameters().map((p) => p.grad.slice());
    net.lossAndGradient(xs, ts, 0.5);
    net.parameters().forEach((p, i) => {
      for (let q = 0; q < p.value.length; q++) {
        const expected = p.kind === 'w' ? plain[i][q] + 0.5 * p.value[q] : plain[i][q];
        assertClose(p.grad[q], expected, 1e-15, 1e-300);
      }
    });
  });

  it('evaluate: mean loss (+ l2) over any number of samples (chunked), accuracy by argmax or by 0.5 threshold', () => {
    const net = mixedNet();
    const rng = new Rng(3, 'x');
    const n = 2500; // more than one evaluation chunk
    const xs = randomMatrix(rng, n, 3, 1);
    const labels = xs.map((_, i) => i % 3);
    const ds = dataset(xs, labels.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))), labels);
    let sum = 0;
    let correct = 0;
    ds.inputs.forEach((x, i) => {
      const tr = net.trace(x, ds.targets[i]);
      sum += tr.loss;
      const y = tr.out[3];
      const argmax = y[0] >= y[1] && y[0] >= y[2] ? 0 : y[1] >= y[2] ? 1 : 2;
      if (argmax === labels[i]) correct++;
    });
    const r = net.evaluate(ds, 0);
    assertClose(r.loss, sum / n, 1e-13);
    assert.equal(r.accuracy, correct / n);
    assert.ok(correct > 0 && correct < n);
    // single output: class 1 when y >= 0.5
    const one = Network.fromSpec(makeSpec({ inputs: 1, layers: [{ units: 1, activation: 'sigmoid', weights: [[1]], biases: [0] }] }));
    const acc = one.evaluate(dataset([[2], [-2], [0]], [[1], [1], [1]], [1, 1, 1]), 0).accuracy;
    assert.equal(acc, 2 / 3); // sigmoid(0) = 0.5 counts as class 1
    assert.equal(one.evaluate(dataset([[2]], [[1]]), 0).accuracy, undefined); // no labels, no accuracy
  });

  it('predictAll equals predict sample by sample', () => {
    const net = mixedNet();
    const xs = randomMatrix(new Rng(5, 'x'), 7, 3, 2).map((x) => Float64Array.from(x));
    const all = net.predictAll(xs);
    xs.forEach((x, i) => assert.deepEqual(Array.from(all[i]), Array.from(net.predict(x))));
  });

  it('weights(): per layer { weights: units x inputs rows, biases } for writing back', () => {
    const net = Network.fromSpec(makeSpec({ inputs: 2, layers: [{ units: 2, activation: 'tanh', weights: [[1, 2], [3, 4]], biases: [5, 6] }, { units: 1, activation: 'linear', weights: [[7, 8]], biases: [9] }] }));
    assert.deepEqual(net.weights(), [
      { weights: [[1, 2], [3, 4]], biases: [5, 6] },
      { weights: [[7, 8]], biases: [9] },
    ]);
  });

  it('clone is deep; copyParametersFrom copies weights back', () => {
    const net = mixedNet();
    const copy = net.clone();
    copy.layers[0].W[0] += 1;
    assert.notEqual(copy.layers[0].W[0], net.layers[0].W[0]);
    copy.copyParametersFrom(net);
    assert.ok(parameterBytes(copy.parameters().map((p) => p.value)).equals(parameterBytes(net.parameters().map((p) => p.value))));
    assert.equal(copy.kernel, net.kernel);
  });

  it('parameters(): W and b of each layer in order, live references with their gradients', () => {
    const net = mixedNet();
    const ps = net.parameters();
    assert.deepEqual(ps.map((p) => `${p.layer}${p.kind}`), ['1w', '1b', '2w', '2b', '3w', '3b']);
    assert.equal(ps[2].value, net.layers[1].W);
    assert.equal(ps[3].grad, net.layers[1].db);
    assert.deepEqual([ps[2].rows, ps[2].cols], [3, 4]);
  });
});
