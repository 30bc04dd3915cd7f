/**
 * A 2-2-1 sigmoid network with half-squared-error worked by hand from the notes' formulas:
 *   net_j = Σ_k w_jk o_k + b_j,  o_j = 1/(1 + e^-net_j),
 *   delta_out = (y - t) · y(1 - y),  delta_j = o_j(1 - o_j) · w_out,j · delta_out,
 *   dE/dw_jk = delta_j · o_k,  w <- w - lr · dE/dw.
 * Every expected number is computed here from Math.exp, none copied from the engine.
 */
import assert from 'node:assert/strict';
import { Network } from '../../../src/engine/network';
import { Trainer } from '../../../src/engine/trainer';
import { assertClose, dataset, makeSpec } from './helpers';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const REL = 1e-14;

// w^1 = [[0.15, 0.20], [0.25, 0.30]], b^1 = [0.35, 0.35]; w^2 = [[0.40, 0.45]], b^2 = [0.60]
const W1 = [
  [0.15, 0.2],
  [0.25, 0.3],
];
const B1 = [0.35, 0.35];
const W2 = [[0.4, 0.45]];
const B2 = [0.6];

function spec(lr: number, batchSize?: number) {
  return makeSpec({
    inputs: 2,
    layers: [
      { units: 2, activation: 'sigmoid', weights: W1, biases: B1 },
      { units: 1, activation: 'sigmoid', weights: W2, biases: B2 },
    ],
    loss: 'half-squared-error',
    training: { optimizer: 'sgd', learningRate: lr, batchSize, shuffle: false, epochs: 1 },
  });
}

/** Everything of one sample, by hand. */
function byHand(x: number[], t: number) {
  const net1 = [W1[0][0] * x[0] + W1[0][1] * x[1] + B1[0], W1[1][0] * x[0] + W1[1][1] * x[1] + B1[1]];
  const o1 = net1.map(sig);
  const net2 = W2[0][0] * o1[0] + W2[0][1] * o1[1] + B2[0];
  const y = sig(net2);
  const E = 0.5 * (t - y) * (t - y);
  const dEdy = y - t;
  const delta2 = dEdy * y * (1 - y);
  const delta1 = [o1[0] * (1 - o1[0]) * W2[0][0] * delta2, o1[1] * (1 - o1[1]) * W2[0][1] * delta2];
  const gW2 = [delta2 * o1[0], delta2 * o1[1]];
  const gW1 = [
    [delta1[0] * x[0], delta1[0] * x[1]],
    [delta1[1] * x[0], delta1[1] * x[1]],
  ];
  return { net1, o1, net2, y, E, dEdy, delta2, delta1, gW2, gB2: delta2, gW1, gB1: delta1 };
}

describe('2-2-1 sigmoid network worked by hand', () => {
  const x = [0.05, 0.1];
  const t = 0.01;

  it('trace() gives the hand-computed net inputs, outputs, deltas, dE/dy and loss', () => {
    const net = Network.fromSpec(spec(0.5));
    const h = byHand(x, t);
    const tr = net.trace(Float64Array.from(x), Float64Array.from([t]));
    assert.deepEqual(Array.from(tr.out[0]), x);
    assert.equal(tr.net[0].length, 0);
    assert.equal(tr.delta[0].length, 0);
    for (let j = 0; j < 2; j++) {
      assertClose(tr.net[1][j], h.net1[j], REL, 0, `net^1_${j + 1}`);
      assertClose(tr.out[1][j], h.o1[j], REL, 0, `o^1_${j + 1}`);
      assertClose(tr.delta[1][j], h.delta1[j], REL, 0, `delta^1_${j + 1}`);
      assertClose(tr.fprime[1][j], h.o1[j] * (1 - h.o1[j]), REL, 0, `f'(net^1_${j + 1})`);
      assertClose(tr.backSum[1][j], W2[0][j] * h.delta2, REL, 0, `Σ_k w_kj delta_k for j = ${j + 1}`);
    }
    assertClose(tr.net[2][0], h.net2, REL, 0, 'net^2_1');
    assertClose(tr.out[2][0], h.y, REL, 0, 'y');
    assertClose(tr.delta[2][0], h.delta2, REL, 0, 'delta^2_1');
    assertClose(tr.dEdy[0], h.dEdy, REL, 0, 'dE/dy');
    assertClose(tr.loss, h.E, REL, 0, 'E');
    assert.equal(tr.backSum[2].length, 0);
    // the notes' sign convention: Delta_k = (t_k - y_k) g'(in_k) = -delta_k
    assertClose(-tr.delta[2][0], (t - h.y) * h.y * (1 - h.y), REL, 0, 'Delta (notes)');
  });

  it('lossAndGradient on the one sample gives dE/dw = delta_j · o_k', () => {
    const net = Network.fromSpec(spec(0.5));
    const h = byHand(x, t);
    const E = net.lossAndGradient([Float64Array.from(x)], [Float64Array.from([t])], 0);
    assertClose(E, h.E, REL, 0, 'E');
    const [l1, l2] = net.layers;
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 2; k++) assertClose(l1.dW[j * 2 + k], h.gW1[j][k], REL, 0, `dE/dw^1_${j + 1}${k + 1}`);
      assertClose(l1.db[j], h.gB1[j], REL, 0, `dE/db^1_${j + 1}`);
      assertClose(l2.dW[j], h.gW2[j], REL, 0, `dE/dw^2_1${j + 1}`);
    }
    assertClose(l2.db[0], h.gB2, REL, 0, 'dE/db^2_1');
  });

  it('one trainer step (sgd, lr 0.5) gives w - lr·dE/dw for every weight and bias, and the loss after it', () => {
    const lr = 0.5;
    const net = Network.fromSpec(spec(lr));
    const h = byHand(x, t);
    const trainer = new Trainer(net, dataset([x], [[t]]), spec(lr).training, 0, undefined, { epochLoss: 'exact' });
    const stats = trainer.runEpoch();
    const [l1, l2] = net.layers;
    const newW1 = W1.map((row, j) => row.map((w, k) => w - lr * h.gW1[j][k]));
    const newB1 = B1.map((b, j) => b - lr * h.gB1[j]);
    const newW2 = W2[0].map((w, j) => w - lr * h.gW2[j]);
    const newB2 = B2[0] - lr * h.gB2;
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 2; k++) assertClose(l1.W[j * 2 + k], newW1[j][k], REL, 0, `w^1_${j + 1}${k + 1}`);
      assertClose(l1.b[j], newB1[j], REL, 0, `b^1_${j + 1}`);
      assertClose(l2.W[j], newW2[j], REL, 0, `w^2_1${j + 1}`);
    }
    assertClose(l2.b[0], newB2, REL, 0, 'b^2_1');
    // the loss reported for the epoch is the loss at the new weights, by hand
    const o1 = [0, 1].map((j) => sig(newW1[j][0] * x[0] + newW1[j][1] * x[1] + newB1[j]));
    const y = sig(newW2[0] * o1[0] + newW2[1] * o1[1] + newB2);
    assertClose(stats.loss, 0.5 * (t - y) * (t - y), 1e-13, 0, 'loss after the step');
    assert.ok(stats.loss < h.E, 'one step downhill');
    assert.equal(stats.epoch, 1);
    // the last update is -lr·g
    assertClose(trainer.lastUpdate(2).b[0], -lr * h.gB2, REL, 0, 'last update of b^2_1');
  });

  it('a full batch of two samples updates with the mean of their gradients', () => {
    const lr = 0.25;
    const x2 = [0.9, -0.4];
    const t2 = 0.8;
    const net = Network.fromSpec(spec(lr));
    const a = byHand(x, t);
    const b = byHand(x2, t2);
    new Trainer(net, dataset([x, x2], [[t], [t2]]), spec(lr).training, 0).runEpoch();
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 2; k++) {
        assertClose(net.layers[0].W[j * 2 + k], W1[j][k] - (lr * (a.gW1[j][k] + b.gW1[j][k])) / 2, REL, 0, `w^1_${j + 1}${k + 1}`);
      }
    }
    assertClose(net.layers[1].b[0], B2[0] - (lr * (a.gB2 + b.gB2)) / 2, REL, 0, 'b^2_1');
  });
});
