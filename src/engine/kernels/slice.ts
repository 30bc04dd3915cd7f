/**
 * One slice of a batch split across threads (kernels/threads.ts): the code a helper runs, on its
 * own network of the same shape and kernel, in a helper thread (kernels/threadHelper.ts) or in the
 * calling thread (`inThread`, the one-thread path with the same split that the tests compare with).
 * Either way the same function on the same kernel, so the same bits.
 *
 * On the WebAssembly kernel (its memory is shared, see wasm.ts) the slice works in place: its
 * network's parameters are views of the calling thread's network's parameters (never copied), its
 * gradient sums are written into a block the calling thread reads them from, its rows are read
 * from the calling thread's batch buffers and its activations written back into them (`runIn`).
 * On the JavaScript kernels everything goes through a SharedArrayBuffer, `SliceBuffers` (`run`):
 *   params  the parameters (W1 b1 W2 b2 …, packed), written by the main thread before each batch
 *   X, T    the slice's input and target rows (main → helper)
 *   G       the slice's gradient sums Δᵀ·O and Σ Δ, packed like the parameters (helper → main)
 *   O       the slice's activations of layers 1..L, rows × units each, one after the other (helper → main)
 *   loss    [0]: Σ over the slice's rows of E_r, added in row order (helper → main)
 */
import { DenseLayer, Network } from '../network';
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

/** Where a slice computed in place reads its rows and writes its results (views of the shared memory). */
export interface SliceInPlace {
  /** The slice's input rows (rows × units_0) and target rows (rows × units_L) in the calling thread's batch buffers. */
  X: Float64Array;
  T: Float64Array;
  /** Per layer l = 1..L (index l - 1): where its activations of the slice's rows go (rows × units_l). */
  O: Float64Array[];
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

  /**
   * `inPlace`: the packed parameters to compute with (views, never copied) and the block for the
   * gradient sums; without it the network has parameters of its own, written from `buf.params`.
   */
  constructor(
    readonly shape: SliceShape,
    private readonly buf: SliceBuffers | undefined,
    kernel: Kernel | undefined = kernelNamed(shape.kernel),
    inPlace?: { params: Float64Array; grads: Float64Array },
  ) {
    if (kernel === undefined) throw new Error(`no kernel named ${shape.kernel} in this thread`);
    const { sizes } = shape;
    const defs = sizes.slice(1).map((units, i) => ({ units, activation: shape.activations[i], W: new Float64Array(units * sizes[i]), b: new Float64Array(units) }));
    if (inPlace === undefined) {
      this.net = Network.packed(sizes[0], defs, shape.loss, kernel);
    } else {
      let at = 0;
      const view = (a: Float64Array, n: number): Float64Array => a.subarray(at, at + n);
      const layers = defs.map((d, i) => {
        const nW = d.units * sizes[i];
        const W = view(inPlace.params, nW);
        const dW = view(inPlace.grads, nW);
        at += nW;
        const b = view(inPlace.params, d.units);
        const db = view(inPlace.grads, d.units);
        at += d.units;
        return new DenseLayer(d.units, sizes[i], d.activation, W, b, { dW, db });
      });
      this.net = new Network(sizes[0], layers, shape.loss, kernel);
    }
    const values = packedOf(this.net, 'W');
    const grads = packedOf(this.net, 'dW');
    if (values === undefined || grads === undefined) throw new Error('the helper network is not packed');
    this.values = values;
    this.grads = grads;
    // the batch buffers, once, for the most rows a slice has (they never move after this)
    const n0 = sizes[0];
    const K = sizes[sizes.length - 1];
    const rows = Array.from({ length: shape.capacity }, () => new Float64Array(n0));
    const targets = Array.from({ length: shape.capacity }, () => new Float64Array(K));
    this.net.loadBatch(rows, targets);
  }

  /** Computes the slice of `rows` rows from and into `buf` (see the header). */
  run(rows: number): void {
    const buf = this.buf;
    if (buf === undefined) throw new Error('this slice computes in place');
    this.values.set(buf.params);
    const O: Float64Array[] = [];
    let at = 0;
    for (let l = 1; l < this.shape.sizes.length; l++) {
      O.push(buf.O.subarray(at, at + rows * this.shape.sizes[l]));
      at += this.shape.capacity * this.shape.sizes[l];
    }
    buf.loss[0] = this.runIn(rows, { X: buf.X, T: buf.T, O });
    buf.G.set(this.grads);
  }

  /**
   * Computes the slice of `rows` rows: forward, Σ E_r (returned), backward, the gradient sums
   * (into the network's gradients), and writes its activations to `io.O`.
   */
  runIn(rows: number, io: SliceInPlace): number {
    const { net } = this;
    const n0 = net.sizes[0];
    const K = net.sizes[net.depth];
    const view = net.batch(rows);
    view.out[0].set(io.X.subarray(0, rows * n0));
    net.batchTargets().set(io.T.subarray(0, rows * K));
    net.forward(rows);
    const loss = net.batchLoss(rows, 0);
    net.backward(rows);
    net.sumGradients(rows);
    for (let l = 1; l <= net.depth; l++) io.O[l - 1].set(view.out[l].subarray(0, rows * net.sizes[l]));
    return loss;
  }
}
