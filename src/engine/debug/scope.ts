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
import { isLearningRate } from '../spec';
import { stageName, type DebugRun } from './run';
import { matrix, type ExprScope, type Matrix } from './expr';

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

const LAYER_NAMES = ['W', 'w', 'b', 'dW', 'db', 'uW', 'ub', 'net', 'out', 'delta'];
const BATCH_NAMES = ['inputs', 'targets', 'outputs'];
const RUN_NAMES = ['epoch', 'batch', 'lr', 'loss', 'epochLoss', 'layer'];

/**
 * The expression scope of layer l at the run's current state. Each name is read when an
 * expression asks for it (a breakpoint condition such as `epoch == 100` reads one number), so
 * conditions evaluated at every batch cost almost nothing.
 */
export function runScope(run: DebugRun, layer: number, setLearningRate: (lr: number) => void = (lr) => run.setLearningRate(lr)): ExprScope {
  let lv: Record<string, Matrix> | undefined;
  let bv: Record<string, Matrix> | undefined;
  const optimizerNames = (): string[] => run.optimizer.stateOf(layer).map((s) => s.name);
  /** Values of this batch that the run has not computed yet at its stage (they would be stale). */
  const notComputed = (name: string): string | undefined => {
    const forward = name === 'net' || name === 'out';
    const backward = name === 'delta' || name === 'dW' || name === 'db';
    if (!forward && !backward && name !== 'outputs') return undefined;
    const reached = layerReached(run, name === 'outputs' ? run.net.depth : layer);
    if (backward ? reached.backward : reached.forward) return undefined;
    return `${name} of ${name === 'outputs' ? 'the output layer' : `layer ${layer}`} is not computed yet in this batch (the run is at ${stageName(run.position.stage)})`;
  };
  return {
    get: (name) => {
      switch (name) {
        case 'epoch':
          return run.position.epoch;
        case 'batch':
          return run.position.batch;
        case 'lr':
          return run.learningRate;
        case 'loss':
          return run.currentBatch.loss;
        case 'layer':
          return layer;
        case 'epochLoss':
          return runValues(run).epochLoss;
      }
      if (notComputed(name) !== undefined) return undefined;
      if (LAYER_NAMES.includes(name) || optimizerNames().includes(name)) {
        lv ??= layerValues(run, layer);
        return lv[name === 'w' ? 'W' : name];
      }
      if (BATCH_NAMES.includes(name)) {
        bv ??= batchValues(run);
        return bv[name];
      }
      return undefined;
    },
    missing: notComputed,
    names: () => [...RUN_NAMES, ...LAYER_NAMES, ...BATCH_NAMES, ...optimizerNames()],
    set: (name, value) => {
      if (name !== 'lr') return `only lr can be set (the learning rate), not '${name}'`;
      if (!isLearningRate(value)) return `the learning rate must be a positive finite number, not ${value}`;
      setLearningRate(value);
      return undefined;
    },
  };
}
