/**
 * The project's engine as benchmark adapters: a Network on a kernel and the Sgd optimizer, one
 * `lossAndGradient` + `step` per batch, batches cut from the data in order and cycled (the same
 * custom loop the peers run; `tryStep` is the checked step of the Trainer). Batches of one row
 * take the Trainer's fused sgd step (`fusedSgd`) where it covers the network, as the Trainer does.
 * Batch index views are made once, like the peers' pre-cut batches. `trainer` variants run
 * Trainer.runEpoch instead (shuffle, divergence checks, the epoch's loss and accuracy included),
 * the path the extension uses, with either kind of epoch loss. `threads` > 1 splits each batch
 * across that many threads (kernels/threads.ts; the calling thread is one of them).
 */
import { Network } from '../src/engine/network';
import { Sgd } from '../src/engine/optimizers';
import { fusedSgd } from '../src/engine/kernels/fastpath';
import { BatchSplit } from '../src/engine/kernels/threads';
import { type EpochLoss, Trainer } from '../src/engine/trainer';
import type { Kernel } from '../src/engine/kernels/types';
import type { NetSpec } from '../src/engine/spec';
import type { Workload } from './workloads';

export interface Adapter {
  name: string;
  /** Untimed set-up before each timed run (e.g. switching the tfjs backend). */
  prepare?(): Promise<void>;
  /** Trains on about `samples` samples (whole batches), timed; returns the number trained on when it differs. */
  run(samples: number): number | void;
  /** Ends what the adapter started (helper threads). */
  dispose?(): Promise<void>;
}

export function specOf(w: Workload): NetSpec {
  return {
    seed: 1,
    inputs: w.sizes[0],
    layers: w.sizes.slice(1).map((units, i) => {
      const activation = i === w.sizes.length - 2 ? w.output : w.hidden;
      return { units, activation, init: activation === 'relu' ? 'he' : 'xavier' };
    }),
    loss: w.loss,
    training: { optimizer: 'sgd', learningRate: w.learningRate, epochs: 1, batchSize: w.batch, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, l2: 0, shuffle: false, precision: 'float64' },
  };
}

export function engineAdapter(name: string, w: Workload, kernel: Kernel, threads = 1): Adapter {
  const net = Network.fromSpec(specOf(w), kernel);
  const split = threads > 1 ? BatchSplit.create(net, { threads, maxRows: w.batch }) : undefined;
  if (threads > 1 && split === undefined) throw new Error(`${w.id} is below the size threshold of the threads`);
  const opt = new Sgd(net.parameters(), w.learningRate, kernel);
  const inputs = w.inputs.map((x) => Float64Array.from(x));
  const targets = w.targets.map((t) => Float64Array.from(t));
  const N = inputs.length;
  const order = new Int32Array(N + w.batch);
  for (let i = 0; i < order.length; i++) order[i] = i % N;
  const views = Array.from({ length: N }, (_, a) => order.subarray(a, a + w.batch));
  const fused = w.batch === 1 ? fusedSgd(net, opt) : undefined;
  let at = 0;
  return {
    name,
    run(samples) {
      for (let done = 0; done < samples; done += w.batch) {
        if (fused === undefined || Number.isNaN(fused(inputs[at], targets[at], 0))) {
          if (split !== undefined) split.lossAndGradient(inputs, targets, 0, views[at]);
          else net.lossAndGradient(inputs, targets, 0, views[at]);
          opt.tryStep(); // the checked step the Trainer uses (applies only finite weights)
        }
        at = (at + w.batch) % N;
      }
    },
    dispose: () => split?.dispose() ?? Promise.resolve(),
  };
}

export function trainerAdapter(name: string, w: Workload, kernel: Kernel, epochLoss: EpochLoss, threads = 1): Adapter {
  const spec = specOf(w);
  const net = Network.fromSpec(spec, kernel);
  // W1's 4 samples are repeated so that an epoch is more than one evaluation of 4 samples
  const reps = w.inputs.length < 256 ? 256 / w.inputs.length : 1;
  const inputs: Float64Array[] = [];
  const targets: Float64Array[] = [];
  const labels: number[] = [];
  for (let r = 0; r < reps; r++) {
    w.inputs.forEach((x, i) => (inputs.push(Float64Array.from(x)), targets.push(Float64Array.from(w.targets[i]))));
    if (w.labels !== undefined) labels.push(...w.labels);
  }
  // (with the class labels, as the extension has them for classification: the epoch's accuracy is computed too)
  const data = w.labels === undefined ? { inputs, targets } : { inputs, targets, labels };
  const trainer = new Trainer(net, data, { ...spec.training, shuffle: true }, 1, undefined, { epochLoss, threads });
  if (trainer.threads !== threads) throw new Error(`${w.id} is below the size threshold of the threads`);
  return {
    name,
    run(samples) {
      let done = 0;
      do {
        trainer.runEpoch();
        done += inputs.length;
      } while (done < samples);
      return done;
    },
    dispose: () => trainer.dispose(),
  };
}
