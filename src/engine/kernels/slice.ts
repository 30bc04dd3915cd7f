/**
 * One slice of a batch split across threads (kernels/threads.ts): the code a helper runs, on its
 * own network of the same shape and kernel, in a helper thread (kernels/threadHelper.ts) or in the
 * calling thread (`inThread`, the one-thread path with the same split that the tests compare with).
 * Either way the same function on the same kernel, so the same bits.
 *
 * The slice's buffers, all float64 and all written by one side at a time:
 *   params  the parameters (W1 b1 W2 b2 …, packed), written by the main thread before each batch
 *   X, T    the slice's input and target rows (main → helper)
 *   G       the slice's gradient sums Δᵀ·O and Σ Δ, packed like the parameters (helper → main)
 *   O       the slice's activations of layers 1..L, rows × units each, one after the other (helper → main)
 *   loss    [0]: Σ over the slice's rows of E_r, added in row order (helper → main)
 */
import { Network } from '../network';
import type { ActivationName, LossName } from '../spec';
import { fastJsKernel } from './fast';
import { referenceKernel } from './reference';
import type { Kernel } from './types';
import { wasmKernel } from './wasm';

/** What a helper needs to build its network (plain data: it crosses to a worker thread). */
export interface SliceShape {
  kernel: string;
  sizes: number[];
  activations: ActivationName[];
  loss: LossName;
  /** The most rows a slice may have. */
  capacity: number;
}

export interface SliceBuffers {
  params: Float64Array;
  X: Float64Array;
  T: Float64Array;
  G: Float64Array;
  O: Float64Array;
  loss: Float64Array;
}

/** The kernels a helper thread can make for itself, by name. */
export function kernelNamed(name: string): Kernel | undefined {
  switch (name) {
    case referenceKernel.name: return referenceKernel;
    case fastJsKernel.name: return fastJsKernel;
    case 'wasm-simd': return wasmKernel('float64');
    case 'wasm-simd-f32': return wasmKernel('float32');
    default: return undefined;
  }
}

/** Number of parameters of a network of these sizes (weights and biases). */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * sizes[l - 1] + sizes[l];
  return n;
}

/** Length of the O buffer: capacity × (units_1 + … + units_L). */
export function outputsLength(shape: SliceShape): number {
  return shape.capacity * shape.sizes.slice(1).reduce((a, b) => a + b, 0);
}

/** The packed parameters (or gradients, field 'dW') of a network made by Network.packed, or undefined when not contiguous. */
export function packedOf(net: Network, field: 'W' | 'dW'): Float64Array | undefined {
  const first = net.layers[0][field];
  const total = parameterCount(net.sizes);
  const whole = new Float64Array(first.buffer, first.byteOffset, total);
  let at = first.byteOffset;
  for (const layer of net.layers) {
    const W = layer[field];
    const b = field === 'W' ? layer.b : layer.db;
    if (W.buffer !== first.buffer || W.byteOffset !== at || b.buffer !== first.buffer || b.byteOffset !== at + W.byteLength) return undefined;
    at += W.byteLength + b.byteLength;
  }
  return whole;
}

export class SliceRunner {
  private readonly net: Network;
  private readonly values: Float64Array;
  private readonly grads: Float64Array;
  private readonly xs: Float64Array[];
  private readonly ts: Float64Array[];

  constructor(readonly shape: SliceShape, private readonly buf: SliceBuffers) {
    const kernel = kernelNamed(shape.kernel);
    if (kernel === undefined) throw new Error(`no kernel named ${shape.kernel} in this thread`);
    const { sizes } = shape;
    this.net = Network.packed(
      sizes[0],
      sizes.slice(1).map((units, i) => ({ units, activation: shape.activations[i], W: new Float64Array(units * sizes[i]), b: new Float64Array(units) })),
      shape.loss,
      kernel,
    );
    const values = packedOf(this.net, 'W');
    const grads = packedOf(this.net, 'dW');
    if (values === undefined || grads === undefined) throw new Error('the helper network is not packed');
    this.values = values;
    this.grads = grads;
    const n0 = sizes[0];
    const K = sizes[sizes.length - 1];
    this.xs = Array.from({ length: shape.capacity }, (_, r) => buf.X.subarray(r * n0, (r + 1) * n0));
    this.ts = Array.from({ length: shape.capacity }, (_, r) => buf.T.subarray(r * K, (r + 1) * K));
  }

  /** Computes the slice of `rows` rows: forward, Σ E_r, backward, the gradient sums (see the header). */
  run(rows: number): void {
    const { net, buf } = this;
    this.values.set(buf.params);
    net.loadBatch(this.xs, this.ts, undefined, 0, rows);
    net.forward(rows);
    buf.loss[0] = net.batchLoss(rows, 0);
    net.backward(rows);
    net.sumGradients(rows);
    buf.G.set(this.grads);
    const out = net.batch(rows).out;
    let at = 0;
    for (let l = 1; l <= net.depth; l++) {
      const n = rows * net.sizes[l];
      buf.O.set(out[l].subarray(0, n), at);
      at += this.shape.capacity * net.sizes[l];
    }
  }
}
