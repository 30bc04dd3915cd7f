/**
 * The fast paths for tiny networks, kept beside the reference code rather than inside it
 * (network.ts, trainer.ts and optimizers.ts say what is computed; this file only says how to
 * compute the same thing faster). Both run the straight-line code that kernels/compiled.ts
 * generates for a network's shape, bit for bit the reference path (test/unit/kernels/compiled.test.ts):
 *
 * - `sampleStep(net)`: `lossAndGradient` of one row (forward, loss, deltas, gradient);
 * - `fusedSgd(net, optimizer)`: one batch-1 step of plain sgd with every check of the Trainer and
 *   the update w <- w + u in one pass (the Trainer and the bench use it); without l2, on a network
 *   whose buffers all live in the WebAssembly kernel's memory, the same step as a generated
 *   WebAssembly function (kernels/wasmStep.ts) where it covers the network.
 *
 * Only in float64 (the one-sample step only on kernels with `generatedSteps`, the fast float64
 * ones; the fused sgd step, which the Trainer alone uses, on the reference kernel too), only for
 * covered networks (see compiled.ts), and never for a network given its own activations (another
 * ActivationTable): the generated code has the built-in formulas written into it.
 */
import type { Network } from '../network';
import { Sgd, type Optimizer } from '../optimizers';
import { compileSample, compileSgdSample, type SampleBuffers } from './compiled';
import { compileWasmSgdStep, type StepLayout, type WasmSgdStep, wasmStepCovers } from './wasmStep';

/** Whether a network may take the generated paths at all: float64 products, the built-in activations. */
function eligible(net: Network): boolean {
  return (net.kernel.precision ?? 'float64') === 'float64' && net.builtinActivations();
}

/** The buffers of a network, as the generated code reads them (the network's live lists; T is refreshed per call). */
function buffersOf(net: Network): SampleBuffers {
  const view = net.batch(1);
  return {
    Z: view.net, O: view.out, D: view.delta, T: net.batchTargets(),
    W: net.layers.map((l) => l.W), b: net.layers.map((l) => l.b), dW: net.layers.map((l) => l.dW), db: net.layers.map((l) => l.db),
  };
}

/**
 * The generated one-sample `lossAndGradient` of a network (for the row already loaded into its
 * buffers by `loadBatch`): returns the row's loss E (no l2 term) and writes Z, O, D of row 0 and
 * the gradient; undefined when the network is not covered.
 */
export function sampleStep(net: Network): ((l2: number) => number) | undefined {
  if (net.kernel.generatedSteps !== true || !eligible(net)) return undefined;
  const step = compileSample(net.sizes, net.layers.map((l) => l.activation), net.loss, net.kernel.activates);
  if (step === undefined) return undefined;
  const buf = buffersOf(net);
  return (l2) => {
    buf.T = net.batchTargets(); // (replaced when the buffers grow)
    return step(buf, l2);
  };
}

/**
 * Trains on one row (x, t) with a single fused step and returns the row's loss (l2 term included,
 * finite), or changes nothing and returns NaN (run the general path then: a check failed, or the
 * row does not fit, or the network has no buffers yet).
 */
export type FusedSgd = (x: Float64Array, t: Float64Array, l2: number) => number;

/**
 * The fused batch-1 step of a network and the Sgd optimizer bound to its parameters
 * (`net.parameters()`, in that order), or undefined for other optimizers, float32 kernels and
 * uncovered networks.
 * Bit for bit `net.lossAndGradient(…, l2, [i])` followed by `optimizer.tryStep()`, including the
 * gradient (dW, db), the batch buffers and `lastUpdate`.
 */
export function fusedSgd(net: Network, optimizer: Optimizer): FusedSgd | undefined {
  if (!(optimizer instanceof Sgd) || !eligible(net)) return undefined;
  const code = compileSgdSample(net.sizes, net.layers.map((l) => l.activation), net.loss, net.kernel.activates);
  if (code === undefined) return undefined;
  const view = net.batch(1); // the network's live buffer lists (filled at its first loadBatch)
  const buf = buffersOf(net);
  const n0 = net.sizes[0];
  const K = net.sizes[net.depth];
  const memory = net.kernel.memory;
  const inWasm = memory !== undefined && wasmStepCovers(net.sizes, net.layers.map((l) => l.activation), net.loss);
  // the WebAssembly step for the current buffers (compiled again when they are replaced)
  let wasm: { step: WasmSgdStep; O0: Float64Array } | undefined;
  let wasmT: Float64Array | undefined;
  return (x, t, l2) => {
    if (view.out.length === 0) return NaN; // no buffers yet
    const T = net.batchTargets();
    if (inWasm && l2 === 0) {
      if (T !== wasmT) {
        wasmT = T;
        wasm = wasmStepOf(net, optimizer, memory);
      }
      const U = optimizer.nextUpdate()[0];
      if (wasm !== undefined && U.buffer === T.buffer) {
        if (x === undefined || x.length !== n0 || t === undefined || t.length !== K) return NaN;
        const O0 = wasm.O0;
        for (let i = 0; i < n0; i++) O0[i] = x[i];
        for (let k = 0; k < K; k++) T[k] = t[k];
        const loss = wasm.step(U.byteOffset, optimizer.learningRate);
        if (loss === loss) optimizer.acceptUpdate();
        return loss;
      }
    }
    buf.T = T; // (replaced when the buffers grow)
    const l2t = l2 === 0 ? 0 : net.l2Term(l2);
    const loss = code(buf, optimizer.nextUpdate(), x, t, l2, l2t, optimizer.learningRate);
    if (loss === loss) optimizer.acceptUpdate();
    return loss;
  };
}

/**
 * The WebAssembly step of a network whose buffers (after its first loadBatch) all live in
 * `memory`, bound to their current places and to the Sgd's update arrays, or undefined (not
 * covered, or some array elsewhere). The caller copies the row into O0 and the targets buffer.
 */
export function wasmStepOf(net: Network, optimizer: Sgd, memory: WebAssembly.Memory): { step: WasmSgdStep; O0: Float64Array } | undefined {
  const view = net.batch(1);
  const T = net.batchTargets();
  const U = optimizer.nextUpdate();
  const arrays = [...view.net.slice(1), ...view.out, ...view.delta.slice(1), T, ...net.layers.flatMap((l) => [l.W, l.b, l.dW, l.db]), ...U];
  if (!arrays.every((a) => a.buffer === memory.buffer)) return undefined;
  const off = (a: readonly Float64Array[]): number[] => a.map((v) => v.byteOffset);
  const layers = (f: (l: Network['layers'][number]) => Float64Array): number[] => [0, ...net.layers.map((l) => f(l).byteOffset)];
  const layout: StepLayout = {
    Z: off(view.net), O: off(view.out), D: off(view.delta), T: T.byteOffset,
    W: layers((l) => l.W), b: layers((l) => l.b), dW: layers((l) => l.dW), db: layers((l) => l.db),
    U: U.map((u) => u.byteOffset - U[0].byteOffset),
  };
  const step = compileWasmSgdStep(net.sizes, net.layers.map((l) => l.activation), net.loss, memory, layout);
  return step === undefined ? undefined : { step, O0: view.out[0] };
}
