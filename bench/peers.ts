/**
 * Adapters for the peers of issue 5, installed as devDependencies: @tensorflow/tfjs (cpu and wasm
 * backends, a custom minimize loop), brain.js 1.6 (trainPattern: batch 1, its MSE), synaptic
 * (Architect.Perceptron, activate + propagate: batch 1), convnetjs (Trainer, sgd), and a naive
 * Float64Array loop written here. Peers that cannot express a workload exactly run their closest
 * form (noted in the table): brain.js and synaptic have no softmax and train per sample.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Adapter } from './engines';
import type { Workload } from './workloads';

// ---- a naive Float64Array loop: per sample forward and backward, gradients summed over the batch ----
export function naiveAdapter(w: Workload): Adapter {
  const S = w.sizes;
  const L = S.length - 1;
  const W: Float64Array[] = [new Float64Array(0)];
  const b: Float64Array[] = [new Float64Array(0)];
  const gW: Float64Array[] = [new Float64Array(0)];
  const gb: Float64Array[] = [new Float64Array(0)];
  const o: Float64Array[] = [];
  const d: Float64Array[] = [];
  for (let l = 0; l <= L; l++) {
    o.push(new Float64Array(S[l]));
    d.push(new Float64Array(S[l]));
    if (l > 0) {
      const a = Math.sqrt(6 / (S[l] + S[l - 1]));
      W.push(Float64Array.from({ length: S[l] * S[l - 1] }, (_, i) => a * Math.sin(i * 12.9898 + l)));
      b.push(new Float64Array(S[l]));
      gW.push(new Float64Array(S[l] * S[l - 1]));
      gb.push(new Float64Array(S[l]));
    }
  }
  const act = (name: string, z: number): number => (name === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : name === 'tanh' ? Math.tanh(z) : z > 0 ? z : 0);
  const dact = (name: string, y: number): number => (name === 'sigmoid' ? y * (1 - y) : name === 'tanh' ? 1 - y * y : y > 0 ? 1 : 0);
  const X = w.inputs.map((x) => Float64Array.from(x));
  const T = w.targets.map((t) => Float64Array.from(t));
  let at = 0;
  const sample = (x: Float64Array, t: Float64Array): void => {
    o[0] = x;
    for (let l = 1; l <= L; l++) {
      const n = S[l], m = S[l - 1], Wl = W[l], ol = o[l], op = o[l - 1];
      for (let j = 0; j < n; j++) {
        let s = b[l][j];
        for (let k = 0; k < m; k++) s += Wl[j * m + k] * op[k];
        ol[j] = s;
      }
      if (l === L && w.output === 'softmax') {
        let mx = -Infinity, sum = 0;
        for (let j = 0; j < n; j++) mx = Math.max(mx, ol[j]);
        for (let j = 0; j < n; j++) sum += ol[j] = Math.exp(ol[j] - mx);
        for (let j = 0; j < n; j++) ol[j] /= sum;
      } else {
        const name = l === L ? w.output : w.hidden;
        for (let j = 0; j < n; j++) ol[j] = act(name, ol[j]);
      }
    }
    const K = S[L];
    for (let k = 0; k < K; k++) d[L][k] = w.output === 'softmax' ? o[L][k] - t[k] : (o[L][k] - t[k]) * dact(w.output, o[L][k]);
    for (let l = L; l >= 1; l--) {
      const n = S[l], m = S[l - 1], Wl = W[l], dl = d[l], op = o[l - 1], g = gW[l];
      for (let j = 0; j < n; j++) {
        gb[l][j] += dl[j];
        for (let k = 0; k < m; k++) g[j * m + k] += dl[j] * op[k];
      }
      if (l > 1) {
        const dp = d[l - 1];
        for (let k = 0; k < m; k++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += Wl[j * m + k] * dl[j];
          dp[k] = s * dact(w.hidden, op[k]);
        }
      }
    }
  };
  return {
    name: 'naive Float64Array loop',
    run(samples) {
      for (let done = 0; done < samples; done += w.batch) {
        for (let r = 0; r < w.batch; r++) {
          sample(X[at], T[at]);
          at = (at + 1) % X.length;
        }
        const f = w.learningRate / w.batch;
        for (let l = 1; l <= L; l++) {
          for (let i = 0; i < W[l].length; i++) (W[l][i] -= f * gW[l][i]), (gW[l][i] = 0);
          for (let i = 0; i < b[l].length; i++) (b[l][i] -= f * gb[l][i]), (gb[l][i] = 0);
        }
      }
    },
  };
}

// ---- tfjs: variables, a loss closure, optimizer.minimize per batch, batches made once ----
let wasmPathSet = false;
export function tfjsAdapter(w: Workload, backend: 'cpu' | 'wasm'): Adapter {
  if (backend === 'wasm' && !wasmPathSet) {
    setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
    wasmPathSet = true;
  }
  let state: { vars: tf.Variable[]; batches: [tf.Tensor2D, tf.Tensor2D][]; opt: tf.Optimizer } | undefined;
  let at = 0;
  const L = w.sizes.length - 1;
  const loss = (vars: tf.Variable[], x: tf.Tensor2D, t: tf.Tensor2D): tf.Scalar => {
    let h: tf.Tensor2D = x;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(h, vars[2 * l] as tf.Tensor2D), vars[2 * l + 1]) as tf.Tensor2D;
      if (l === L - 1) {
        if (w.output === 'softmax') return tf.losses.softmaxCrossEntropy(t, z) as tf.Scalar;
        h = tf.sigmoid(z);
      } else {
        h = w.hidden === 'sigmoid' ? tf.sigmoid(z) : w.hidden === 'tanh' ? tf.tanh(z) : tf.relu(z);
      }
    }
    return tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(h, t)), 1))) as tf.Scalar;
  };
  return {
    name: `@tensorflow/tfjs ${backend}`,
    async prepare() {
      await tf.setBackend(backend);
      await tf.ready();
      if (state === undefined) {
        const vars: tf.Variable[] = [];
        for (let l = 1; l <= L; l++) {
          vars.push(tf.variable(tf.randomUniform([w.sizes[l - 1], w.sizes[l]], -0.3, 0.3, 'float32', l)));
          vars.push(tf.variable(tf.zeros([w.sizes[l]])));
        }
        const batches: [tf.Tensor2D, tf.Tensor2D][] = [];
        for (let s = 0; s + w.batch <= w.inputs.length; s += w.batch) {
          batches.push([tf.tensor2d(w.inputs.slice(s, s + w.batch)), tf.tensor2d(w.targets.slice(s, s + w.batch))]);
        }
        state = { vars, batches, opt: tf.train.sgd(w.learningRate) };
      }
    },
    run(samples) {
      const s = state!;
      for (let done = 0; done < samples; done += w.batch) {
        const [x, t] = s.batches[at];
        at = (at + 1) % s.batches.length;
        tf.tidy(() => {
          s.opt.minimize(() => loss(s.vars, x, t), false, s.vars);
        });
      }
      // minimize is asynchronous on no backend here, but make sure the work is done
      s.vars[0].dataSync();
    },
  };
}

// ---- brain.js 1.6: per-sample trainPattern (no softmax: its activation on every layer, MSE) ----
interface BrainNet {
  prepTraining(data: { input: number[]; output: number[] }[], options: object): { data: unknown[] };
  trainPattern(value: unknown, logErrorRate?: boolean): unknown;
}
export function brainAdapter(w: Workload): Adapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const brain = require('brain.js') as { NeuralNetwork: new (o: object) => BrainNet };
  const activation = w.hidden === 'tanh' ? 'tanh' : w.hidden === 'relu' ? 'relu' : 'sigmoid';
  const net = new brain.NeuralNetwork({ hiddenLayers: w.sizes.slice(1, -1), activation, learningRate: w.learningRate, momentum: 1e-9 }); // it refuses 0
  const raw = w.inputs.map((x, i) => ({ input: x, output: w.targets[i] }));
  const data = net.prepTraining(raw, { learningRate: w.learningRate, momentum: 1e-9, iterations: 1 }).data;
  let at = 0;
  return {
    name: 'brain.js 1.6 (batch 1, MSE)',
    run(samples) {
      for (let i = 0; i < samples; i++) {
        net.trainPattern(data[at]);
        at = (at + 1) % data.length;
      }
    },
  };
}

// ---- synaptic: Architect.Perceptron, activate + propagate (batch 1; no softmax: logistic output) ----
interface SynNeuronClass { squash: Record<string, unknown> }
interface SynLayer { set(o: { squash: unknown }): void }
interface SynNet { activate(x: number[]): number[]; propagate(rate: number, target: number[]): void; layers: { hidden: SynLayer[] } }
export function synapticAdapter(w: Workload): Adapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const syn = require('synaptic') as { Architect: { Perceptron: new (...sizes: number[]) => SynNet }; Neuron: SynNeuronClass };
  const net = new syn.Architect.Perceptron(...w.sizes);
  const squash = w.hidden === 'tanh' ? syn.Neuron.squash.TANH : w.hidden === 'relu' ? syn.Neuron.squash.ReLU : syn.Neuron.squash.LOGISTIC;
  for (const layer of net.layers.hidden) layer.set({ squash });
  let at = 0;
  return {
    name: 'synaptic (batch 1)',
    run(samples) {
      for (let i = 0; i < samples; i++) {
        net.activate(w.inputs[at]);
        net.propagate(w.learningRate, w.targets[at]);
        at = (at + 1) % w.inputs.length;
      }
    },
  };
}

// ---- convnetjs: fc layers, regression or softmax, Trainer sgd with the workload's batch ----
interface CVol { w: Float64Array }
interface CNet { makeLayers(defs: object[]): void }
interface CTrainer { train(x: CVol, y: number | number[]): unknown }
export function convnetAdapter(w: Workload): Adapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cj = require('convnetjs') as { Net: new () => CNet; Vol: new (sx: number, sy: number, d: number, c: number) => CVol; Trainer: new (n: CNet, o: object) => CTrainer };
  const net = new cj.Net();
  const defs: object[] = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: w.sizes[0] }];
  for (const units of w.sizes.slice(1, -1)) defs.push({ type: 'fc', num_neurons: units, activation: w.hidden });
  const K = w.sizes[w.sizes.length - 1];
  if (w.output === 'softmax') defs.push({ type: 'softmax', num_classes: K });
  else defs.push({ type: 'regression', num_neurons: K }); // convnetjs puts a linear fc layer before it
  net.makeLayers(defs);
  const trainer = new cj.Trainer(net, { method: 'sgd', learning_rate: w.learningRate, batch_size: w.batch, l2_decay: 0, momentum: 0 });
  const vols = w.inputs.map((x) => {
    const v = new cj.Vol(1, 1, x.length, 0);
    v.w.set(x);
    return v;
  });
  const ys = w.output === 'softmax' ? (w.labels ?? []) : w.targets;
  let at = 0;
  return {
    name: w.output === 'softmax' ? 'convnetjs' : 'convnetjs (linear output, regression)',
    run(samples) {
      for (let i = 0; i < samples; i++) {
        trainer.train(vols[at], ys[at]);
        at = (at + 1) % vols.length;
      }
    },
  };
}
