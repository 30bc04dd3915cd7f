/**
 * The three benchmark workloads of issue 5 (plain SGD, full forward + backward + update):
 *   W1  2-8-8-1, sigmoid everywhere, half squared error, batch 1, the 4 XOR samples cycled;
 *   W2  2-16-16-2, tanh hidden, softmax + cross-entropy, batch 32, a 1000-point 2-class spiral;
 *   W3  784-128-64-10, ReLU hidden, softmax + cross-entropy, batch 64, 4096 random 784-pixel samples.
 * Data is made once from seeded streams, as plain number arrays every adapter converts.
 */
import { Rng } from '../src/engine/rng';
import type { ActivationName, LossName } from '../src/engine/spec';

export interface Workload {
  id: 'W1' | 'W2' | 'W3';
  sizes: number[];
  hidden: ActivationName;
  output: ActivationName;
  loss: LossName;
  batch: number;
  learningRate: number;
  inputs: number[][];
  /** One-hot (or regression) targets. */
  targets: number[][];
  /** Class index per sample (W2, W3). */
  labels?: number[];
}

/** Multiply-adds x 2 of one sample's forward, weight gradient and back-propagated error (not into the inputs). */
export function flopsPerSample(sizes: readonly number[]): number {
  let macs = 0;
  for (let l = 1; l < sizes.length; l++) {
    const p = sizes[l] * sizes[l - 1];
    macs += 2 * p; // forward + weight gradient
    if (l > 1) macs += p; // delta of layer l-1
  }
  return 2 * macs;
}

function spiral(n: number, rng: Rng): { inputs: number[][]; labels: number[] } {
  const inputs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = (i / n) * 5;
    const t = 1.75 * (i / n) * 2 * Math.PI + c * Math.PI;
    inputs.push([r * Math.sin(t) + rng.uniform(-0.1, 0.1), r * Math.cos(t) + rng.uniform(-0.1, 0.1)]);
    labels.push(c);
  }
  return { inputs, labels };
}

const oneHot = (labels: number[], K: number): number[][] => labels.map((c) => Array.from({ length: K }, (_, k) => (k === c ? 1 : 0)));

export function workloads(): Workload[] {
  const rng = new Rng(5, 'bench');
  const s = spiral(1000, rng);
  const pixels: number[][] = [];
  const labels3: number[] = [];
  for (let i = 0; i < 4096; i++) {
    pixels.push(Array.from({ length: 784 }, () => rng.uniform(0, 1)));
    labels3.push(rng.int(10));
  }
  return [
    {
      id: 'W1', sizes: [2, 8, 8, 1], hidden: 'sigmoid', output: 'sigmoid', loss: 'half-squared-error', batch: 1, learningRate: 0.5,
      inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]],
    },
    {
      id: 'W2', sizes: [2, 16, 16, 2], hidden: 'tanh', output: 'softmax', loss: 'cross-entropy', batch: 32, learningRate: 0.1,
      inputs: s.inputs, targets: oneHot(s.labels, 2), labels: s.labels,
    },
    {
      id: 'W3', sizes: [784, 128, 64, 10], hidden: 'relu', output: 'softmax', loss: 'cross-entropy', batch: 64, learningRate: 0.01,
      inputs: pixels, targets: oneHot(labels3, 10), labels: labels3,
    },
  ];
}
