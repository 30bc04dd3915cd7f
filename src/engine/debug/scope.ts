/**
 * The names an expression sees when the run is stopped, for one layer l (the frame's, or the
 * breakpoint's): the values are the engine's own arrays (read-only use), as matrices.
 *
 *   layer:      l, W (also w), b, dW, db, uW and ub (the last update), net, out, delta (rows x units of the batch)
 *   batch:      inputs, targets, outputs (rows x units), loss (the batch loss, with the l2 term)
 *   run:        epoch, batch, lr, epochLoss (the last finished epoch's loss; NaN before)
 *   optimizer:  v (momentum), m and v (adam), per layer
 *
 * `lr` can be assigned (`lr = 0.1`): the learning rate from the next update on.
 */
import type { DebugRun } from './run';
import { matrix, type ExprScope, type Matrix, type Value } from './expr';

/** Whether layer l's values at the current stage have been computed in this batch. */
export function layerReached(run: DebugRun, layer: number): { forward: boolean; backward: boolean } {
  const s = run.position.stage;
  switch (s.kind) {
    case 'forward':
      return { forward: layer <= s.layer, backward: false };
    case 'loss':
      return { forward: true, backward: false };
    case 'backward':
      return { forward: true, backward: layer >= s.layer };
    case 'update':
      return { forward: run.position.epoch > 0, backward: run.position.epoch > 0 };
  }
}

export function layerValues(run: DebugRun, l: number): Record<string, Matrix> {
  const net = run.net;
  const layer = net.layers[l - 1];
  const rows = run.currentBatch.rows;
  const units = layer.units;
  const buf = run.batchBuffers();
  const u = run.optimizer.lastUpdate(l);
  const values: Record<string, Matrix> = {
    W: matrix(units, layer.inputs, layer.W),
    b: matrix(1, units, layer.b),
    dW: matrix(units, layer.inputs, layer.dW),
    db: matrix(1, units, layer.db),
    uW: matrix(units, layer.inputs, u.W),
    ub: matrix(1, units, u.b),
    net: matrix(rows, units, buf.net[l].subarray(0, rows * units)),
    out: matrix(rows, units, buf.out[l].subarray(0, rows * units)),
    delta: matrix(rows, units, buf.delta[l].subarray(0, rows * units)),
  };
  for (const s of run.optimizer.stateOf(l)) values[s.name] = matrix(units, layer.inputs, s.W);
  return values;
}

export function batchValues(run: DebugRun): Record<string, Matrix> {
  const net = run.net;
  const rows = run.currentBatch.rows;
  const buf = run.batchBuffers();
  const n0 = net.sizes[0];
  const K = net.sizes[net.depth];
  return {
    inputs: matrix(rows, n0, buf.out[0].subarray(0, rows * n0)),
    targets: matrix(rows, K, buf.targets.subarray(0, rows * K)),
    outputs: matrix(rows, K, buf.out[net.depth].subarray(0, rows * K)),
  };
}

export function runValues(run: DebugRun): Record<string, number> {
  const p = run.position;
  const last = run.epochResults[run.epochResults.length - 1];
  return { epoch: p.epoch, batch: p.batch, lr: run.learningRate, loss: run.currentBatch.loss, epochLoss: last?.loss ?? Number.NaN };
}

/** The expression scope of layer l at the run's current state (values read when asked). */
export function runScope(run: DebugRun, layer: number, setLearningRate: (lr: number) => void = (lr) => run.setLearningRate(lr)): ExprScope {
  let cache: Record<string, Value> | undefined;
  const all = (): Record<string, Value> => {
    if (cache === undefined) {
      const lv = layerValues(run, layer);
      cache = { ...runValues(run), layer, ...batchValues(run), ...lv, w: lv.W };
    }
    return cache;
  };
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(all(), name) ? all()[name] : undefined),
    names: () => Object.keys(all()),
    set: (name, value) => {
      if (name !== 'lr') return `only lr can be set (the learning rate), not '${name}'`;
      if (!(value > 0) || !Number.isFinite(value)) return `the learning rate must be a positive finite number, not ${value}`;
      setLearningRate(value);
      cache = undefined;
      return undefined;
    },
  };
}
