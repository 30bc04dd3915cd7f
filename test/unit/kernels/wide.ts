// A network wide enough for the threads' size threshold (src/engine/kernels/threads.ts), as .net.json text.
import { Rng } from '../../../src/engine/rng';

/** 128-256-4 softmax, batch 64 (two slices of 32 rows: above the threads' size threshold), adam, 3 epochs. */
export function wideNetwork(): string {
  const rng = new Rng(3, 'test data');
  const inputs = Array.from({ length: 128 }, () => Array.from({ length: 128 }, () => Number(rng.uniform(-1, 1).toFixed(3))));
  const targets = inputs.map((x) => {
    const c = (x[0] > 0 ? 1 : 0) + (x[1] > 0 ? 2 : 0);
    return [0, 1, 2, 3].map((k) => (k === c ? 1 : 0));
  });
  return JSON.stringify({
    seed: 5,
    layers: [{ units: 128 }, { units: 256, activation: 'relu' }, { units: 4, activation: 'softmax' }],
    loss: 'cross-entropy',
    training: { optimizer: 'adam', learningRate: 0.01, epochs: 3, batchSize: 64 },
    data: { inputs, targets },
  });
}
