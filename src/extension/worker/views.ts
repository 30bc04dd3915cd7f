/**
 * Plain-data views of the engine's state for the host and the inspector (`src/shared/protocol.ts`):
 * the network with its gradient and last update, one sample's trace, a gradient-check report,
 * a decision boundary, per-layer statistics. Pure functions of engine objects; numbers are the
 * engine's float64 values, copied, never recomputed in another way.
 */
import {
  layerStats,
  predictedClass,
  type Dataset,
  type GradCheckEntry,
  type GradCheckReport,
  type LayerStats,
  type Network,
  type NetSpec,
  type Trainer,
} from '../../engine';
import type {
  BoundaryView,
  GradCheckEntryView,
  GradCheckView,
  LayerView,
  NetworkView,
  TraceView,
} from '../../shared/protocol';
import type { LayerStatsView, NetSummary } from './protocol';

export function summarize(spec: NetSpec, net: Network, fileName: string, train: Dataset | undefined, validation: Dataset | undefined): NetSummary {
  let parameters = 0;
  for (const l of net.layers) parameters += l.W.length + l.b.length;
  return {
    name: spec.name ?? baseName(fileName),
    sizes: [...net.sizes],
    activations: net.layers.map((l) => l.activation),
    loss: spec.loss,
    optimizer: spec.training.optimizer,
    epochs: spec.training.epochs,
    samples: train?.inputs.length ?? 0,
    validationSamples: validation?.inputs.length ?? 0,
    classification: train?.labels !== undefined,
    parameters,
  };
}

export function baseName(fileName: string): string {
  const parts = fileName.split(/[\\/]/);
  return parts[parts.length - 1].replace(/\.net\.json$/i, '');
}

/**
 * What the worker holds about one loaded file: everything a snapshot is made of. (The debug
 * worker gives its stopped run's optimizer for `trainer`: the learning rate, the completed epochs
 * and the last update are all a snapshot reads of it.)
 */
export interface SnapshotSource {
  spec: NetSpec;
  net: Network;
  trainer: Pick<Trainer, 'lastUpdate' | 'learningRate' | 'epoch'>;
  train: Dataset;
  summary: NetSummary;
  fileName: string;
  /** True once the optimizer made an update since the last load or reset (its last update is meaningful). */
  updated: boolean;
}

/**
 * THE snapshot of the network's state (see `NetworkView`): weights, the gradient over the full
 * training set at the current weights (computed here), the optimizer's last update, the training
 * settings the step-through compares itself with, and the data's input and class names. The
 * worker answers the `network` request with it, and the development harness builds its scenario
 * with it, so every consumer reads fields this one function produces.
 */
export function snapshot(s: SnapshotSource): NetworkView {
  const { net, summary, spec, train } = s;
  const training = spec.training;
  net.lossAndGradient(train.inputs, train.targets, training.l2);
  const layers: LayerView[] = net.layers.map((layer, i) => {
    const l = i + 1;
    const v: LayerView = {
      layer: l,
      units: layer.units,
      inputs: layer.inputs,
      activation: layer.activation,
      W: Array.from(layer.W),
      b: Array.from(layer.b),
      dW: Array.from(layer.dW),
      db: Array.from(layer.db),
    };
    if (s.updated) {
      const u = s.trainer.lastUpdate(l);
      v.uW = Array.from(u.W);
      v.ub = Array.from(u.b);
    }
    return v;
  });
  const samples = train.inputs.length;
  const stats = statsView(net, layerStats(net, train));
  const view: NetworkView = {
    name: summary.name,
    fileName: s.fileName,
    sizes: [...net.sizes],
    activations: net.layers.map((l) => l.activation),
    loss: net.loss,
    classification: summary.classification,
    samples,
    learningRate: s.trainer.learningRate,
    epoch: s.trainer.epoch,
    layers,
    stats,
    optimizer: training.optimizer,
    // The batch training really uses: the whole training set when the file sets no batch size.
    batchSize: Math.max(1, Math.min(training.batchSize ?? samples, samples)),
    l2: training.l2,
  };
  if (train.inputNames) view.inputNames = train.inputNames.slice();
  if (train.classNames) view.classNames = train.classNames.slice();
  return view;
}

/**
 * Every quantity of one forward and backward pass of training sample `sample` (0-based), and the
 * plain-SGD update this sample alone would make, with the l2 term as training applies it:
 * u = -lr · (delta_j · out_k + l2 · w) for a weight, u = -lr · delta_j for a bias.
 */
export function traceView(net: Network, data: Dataset, sample: number, learningRate: number, l2 = 0): TraceView {
  const n = data.inputs.length;
  if (!Number.isInteger(sample) || sample < 0 || sample >= n) {
    throw new Error(`sample ${sample} does not exist: the training data has ${n} samples (0..${n - 1})`);
  }
  const x = data.inputs[sample];
  const t = data.targets[sample];
  const tr = net.trace(x, t);
  const L = net.depth;
  const W: number[][] = [[]];
  const b: number[][] = [[]];
  const uW: number[][] = [[]];
  const ub: number[][] = [[]];
  const newW: number[][] = [[]];
  const newB: number[][] = [[]];
  for (let l = 1; l <= L; l++) {
    const layer = net.layers[l - 1];
    W.push(Array.from(layer.W));
    b.push(Array.from(layer.b));
    const d = tr.delta[l];
    const o = tr.out[l - 1];
    const u = new Array<number>(layer.units * layer.inputs);
    for (let j = 0; j < layer.units; j++) {
      for (let k = 0; k < layer.inputs; k++) {
        const i = j * layer.inputs + k;
        // The same float64 operations as one training step of batch 1 (Network.accumulateGradients, Sgd).
        u[i] = l2 === 0 ? -learningRate * d[j] * o[k] : -learningRate * (d[j] * o[k] + l2 * layer.W[i]);
      }
    }
    uW.push(u);
    ub.push(Array.from(d, (dj) => -learningRate * dj));
    newW.push(Array.from(layer.W, (w, i) => w + u[i]));
    newB.push(Array.from(layer.b, (bj, j) => bj + ub[l][j]));
  }
  return {
    sample,
    x: Array.from(tr.x),
    t: Array.from(t),
    net: tr.net.map((a) => Array.from(a)),
    out: tr.out.map((a) => Array.from(a)),
    delta: tr.delta.map((a) => Array.from(a)),
    fprime: tr.fprime.map((a) => Array.from(a)),
    backSum: tr.backSum.map((a) => Array.from(a)),
    dEdy: Array.from(tr.dEdy),
    loss: tr.loss,
    learningRate,
    l2,
    W,
    b,
    uW,
    ub,
    newW,
    newB,
  };
}

function entryView(e: GradCheckEntry): GradCheckEntryView {
  const v: GradCheckEntryView = {
    layer: e.layer,
    kind: e.kind,
    j: e.j,
    name: e.name,
    analytic: e.analytic,
    numeric: e.numeric,
    relativeError: e.relativeError,
    status: e.status,
  };
  if (e.k !== undefined) v.k = e.k;
  if (e.reason !== undefined) v.reason = e.reason;
  return v;
}

export function gradCheckView(r: GradCheckReport): GradCheckView {
  return {
    passed: r.passed,
    maxRelativeError: r.maxRelativeError,
    parameters: r.parameters,
    entries: r.entries.map(entryView),
    worst: r.worst.map(entryView),
    thresholds: { pass: r.thresholds.pass, fail: r.thresholds.fail },
    seconds: r.seconds,
  };
}

export function statsView(net: Network, stats: LayerStats[]): LayerStatsView[] {
  return stats.map((s) => ({
    layer: s.layer,
    units: net.layers[s.layer - 1].units,
    activation: net.layers[s.layer - 1].activation,
    gradientNorm: s.gradientNorm,
    deadShare: s.deadShare,
    saturatedShare: s.saturatedShare,
  }));
}

/**
 * The network's prediction over a `size` x `size` grid covering the training inputs (plus a 10%
 * margin), rows from the top (yMax) down; `undefined` unless the network has exactly two inputs.
 */
export function boundaryView(net: Network, data: Dataset, size: number, classification: boolean): BoundaryView | undefined {
  if (net.sizes[0] !== 2) return undefined;
  if (!Number.isInteger(size) || size < 2 || size > 400) throw new Error(`boundary grid size must be a whole number from 2 to 400, got ${size}`);
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const p of data.inputs) {
    xMin = Math.min(xMin, p[0]);
    xMax = Math.max(xMax, p[0]);
    yMin = Math.min(yMin, p[1]);
    yMax = Math.max(yMax, p[1]);
  }
  if (!Number.isFinite(xMin)) {
    xMin = -1; xMax = 1; yMin = -1; yMax = 1;
  }
  const padX = (xMax - xMin) * 0.1 || 0.5;
  const padY = (yMax - yMin) * 0.1 || 0.5;
  xMin -= padX; xMax += padX; yMin -= padY; yMax += padY;
  const cells: Float64Array[] = [];
  for (let r = 0; r < size; r++) {
    const y = yMax - ((r + 0.5) / size) * (yMax - yMin);
    for (let c = 0; c < size; c++) {
      const x = xMin + ((c + 0.5) / size) * (xMax - xMin);
      cells.push(Float64Array.of(x, y));
    }
  }
  const outputs = net.predictAll(cells);
  const K = net.sizes[net.depth];
  const values: number[] = [];
  const confidence: number[] = [];
  for (const y of outputs) {
    if (classification) {
      const cls = predictedClass(y, 0, K);
      values.push(cls);
      confidence.push(K === 1 ? (cls === 1 ? y[0] : 1 - y[0]) : y[cls]);
    } else {
      values.push(y[0]);
    }
  }
  const points = data.inputs.map((p, i) => ({
    x: p[0],
    y: p[1],
    label: classification ? (data.labels as number[])[i] : data.targets[i][0],
  }));
  const view: BoundaryView = { size, xMin, xMax, yMin, yMax, values, points, classes: classification ? Math.max(K, 2) : 0 };
  if (classification) view.confidence = confidence;
  return view;
}
