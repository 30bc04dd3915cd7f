/**
 * Analytic gradients (Network.lossAndGradient) against centred differences computed here, for
 * every activation x loss combination. Independent of gradcheck.ts: the loss is re-evaluated with
 * Network.evaluate after moving one parameter by ±h.
 *
 * Tolerance: |a - n| / max(|a|, |n|, 1e-5) < 1e-6. The floor 1e-5 makes it an absolute bound of
 * 1e-11 for tiny gradients, where the numeric estimate is limited by round-off (≈ ε·|E|/h ≈ 1e-11).
 */
import assert from 'node:assert/strict';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import type { ActivationName, LossName } from '../../../src/engine/spec';
import { dataset, makeSpec, randomMatrix, randomTargets } from './helpers';

const ALL: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'softplus', 'linear', 'softmax'];
const LOSSES: LossName[] = ['half-squared-error', 'mse', 'cross-entropy', 'binary-cross-entropy'];

function allowed(output: ActivationName, loss: LossName): boolean {
  if (loss === 'cross-entropy') return output === 'softmax';
  if (loss === 'binary-cross-entropy') return output === 'sigmoid';
  return true;
}

/**
 * A 3-4-3-K network with `hidden` in both hidden layers; tries seeds until no relu-family unit is
 * within 1e-3 of its kink for any sample and every layer has some gradient.
 */
function build(hidden: ActivationName, output: ActivationName, loss: LossName, l2: number): { net: Network; ds: ReturnType<typeof dataset> } {
  for (let seed = 1; ; seed++) {
    const rng = new Rng(seed, `fd-${hidden}-${output}-${loss}`);
    const K = output === 'softmax' ? 3 : 2;
    const sizes = [3, 4, 3, K];
    const layers = [hidden, hidden, output].map((activation, i) => ({
      units: sizes[i + 1],
      activation,
      weights: randomMatrix(rng, sizes[i + 1], sizes[i], 1),
      biases: randomMatrix(rng, 1, sizes[i + 1], 0.5)[0],
    }));
    const net = Network.fromSpec(makeSpec({ inputs: 3, layers, loss, training: { l2 } }));
    const ds = dataset(randomMatrix(rng, 5, 3, 1.5), randomTargets(rng, 5, K, loss));
    let nearKink = false;
    ds.inputs.forEach((x, s) => {
      const tr = net.trace(x, ds.targets[s]);
      net.layers.forEach((layer, l) => {
        if (layer.activation === 'relu' || layer.activation === 'leaky-relu') {
          if (tr.net[l + 1].some((z) => Math.abs(z) < 1e-3)) nearKink = true;
        }
      });
    });
    // and no layer whose gradient vanishes entirely (a dead relu output layer would make the test vacuous)
    net.lossAndGradient(ds.inputs, ds.targets, l2);
    const alive = net.layers.every((layer) => layer.dW.some((g) => Math.abs(g) > 1e-4));
    if (!nearKink && alive) return { net, ds };
  }
}

describe('analytic gradient vs centred differences (every activation x loss)', () => {
  const h = 1e-5;
  for (const hidden of ALL.filter((a) => a !== 'softmax')) {
    for (const output of ALL) {
      for (const loss of LOSSES.filter((lo) => allowed(output, lo))) {
        it(`${hidden} hidden, ${output} output, ${loss}`, () => {
          const l2 = output === 'linear' ? 0.05 : 0;
          const { net, ds } = build(hidden, output, loss, l2);
          net.lossAndGradient(ds.inputs, ds.targets, l2);
          for (const p of net.parameters()) {
            const analytic = p.grad.slice();
            for (let i = 0; i < p.value.length; i++) {
              const saved = p.value[i];
              p.value[i] = saved + h;
              const up = net.evaluate(ds, l2).loss;
              p.value[i] = saved - h;
              const down = net.evaluate(ds, l2).loss;
              p.value[i] = saved;
              const numeric = (up - down) / (2 * h);
              const rel = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]), Math.abs(numeric), 1e-5);
              assert.ok(rel < 1e-6, `layer ${p.layer} ${p.kind}[${i}]: analytic ${analytic[i]}, numeric ${numeric}, rel ${rel}`);
            }
          }
        });
      }
    }
  }
});
