/**
 * The fused batch-1 sgd step of compiled.ts (compileSgdSample, l2 = 0) as a WebAssembly function
 * generated for one network: the same operations in the same order on the same buffers, which here
 * sit at fixed places of the WebAssembly kernel's memory, so every load and store is one
 * instruction at a constant offset (no bounds checks, no array lookups) and every intermediate
 * value a local. e^x is the imported Math.exp, which V8 calls as the same C function JavaScript
 * uses (bit for bit; tested against the reference network in test/unit/kernels/compiled.test.ts).
 *
 * Covered: what compileSgdSample covers, restricted to sigmoid, relu, leaky-relu and linear units
 * and the half-squared-error and mse losses, without l2 (the W1 workload's kind of network);
 * anything else keeps the generated JavaScript step.
 */
import { LEAKY_SLOPE } from '../activations';
import type { ActivationName, LossName } from '../spec';
import { MAX_WEIGHTS } from './compiled';

/** Byte offsets of a network's buffers in the memory (index l = 0..L; W, b, dW, db from 1). */
export interface StepLayout {
  Z: number[];
  O: number[];
  D: number[];
  T: number;
  W: number[];
  b: number[];
  dW: number[];
  db: number[];
  /** Offsets of each parameter's update within the packed update array (W1, b1, W2, …), in bytes. */
  U: number[];
}

/**
 * One step: the row already in O[0] and T; `u` the byte offset of the optimizer's packed update
 * array. Returns the loss E (finite; w <- w + u applied) or NaN (nothing applied).
 */
export type WasmSgdStep = (u: number, lr: number) => number;

const COVERED: readonly ActivationName[] = ['sigmoid', 'relu', 'leaky-relu', 'linear'];

/** Whether the WebAssembly step covers a network (see the header). */
export function wasmStepCovers(sizes: readonly number[], activations: readonly ActivationName[], loss: LossName): boolean {
  let weights = 0;
  for (let l = 1; l < sizes.length; l++) weights += sizes[l] * (sizes[l - 1] + 1);
  return weights <= MAX_WEIGHTS && (loss === 'half-squared-error' || loss === 'mse') && activations.every((a) => COVERED.includes(a));
}

// ---- a minimal WebAssembly encoder: expressions are byte arrays that leave one f64 on the stack ----
type Code = number[];
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const f64 = (x: number): Code => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
const op = (code: number) => (...args: Code[]): Code => [...args.flat(), code];
const add = op(0xa0), sub = op(0xa1), mul = op(0xa2), div = op(0xa3), neg = op(0x9a), abs = op(0x99);
const ge = op(0x66), gt = op(0x64), eq = op(0x61), ne = op(0x62);
/** a when cond, else b */
const select = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1b];
const get = (i: number): Code => [0x20, ...uleb(i)];
const set = (i: number, v: Code): Code => [...v, 0x21, ...uleb(i)];
/** f64 at a constant byte offset (from address 0), or from the update array (local 0) */
const load = (offset: number): Code => [0x41, 0, 0x2b, 3, ...uleb(offset)];
const store = (offset: number, v: Code): Code => [0x41, 0, ...v, 0x39, 3, ...uleb(offset)];
const storeU = (offset: number, v: Code): Code => [0x20, 0, ...v, 0x39, 3, ...uleb(offset)];
const EXP = 0; // function index of the imported Math.exp
const call = (f: number, arg: Code): Code => [...arg, 0x10, ...uleb(f)];

/** The step of a covered network on a memory, or undefined when WebAssembly refuses it. */
export function compileWasmSgdStep(
  sizes: readonly number[],
  activations: readonly ActivationName[],
  loss: LossName,
  memory: WebAssembly.Memory,
  at: StepLayout,
): WasmSgdStep | undefined {
  if (!wasmStepCovers(sizes, activations, loss)) return undefined;
  const L = sizes.length - 1;
  const body: Code[] = [];
  let locals = 2; // 0: u (i32), 1: lr (f64); f64 locals from 2
  const local = (): number => locals++;
  const let_ = (v: Code): number => {
    const i = local();
    body.push(set(i, v));
    return i;
  };
  // o = f(z) and f'(z) given z and o, as in compiled.ts's fExpr / dfExpr (and activations.ts)
  const f = (a: ActivationName, z: number): Code => {
    switch (a) {
      case 'sigmoid': {
        // logistic: e = exp(-|x|); (x >= 0 ? 1 : e) / (1 + e)
        const e = let_(call(EXP, neg(abs(get(z)))));
        return div(select(f64(1), get(e), ge(get(z), f64(0))), add(f64(1), get(e)));
      }
      case 'relu': return select(get(z), select(f64(0), get(z), eq(get(z), get(z))), gt(get(z), f64(0)));
      case 'leaky-relu': return select(get(z), mul(f64(LEAKY_SLOPE), get(z)), ge(get(z), f64(0)));
      default: return get(z); // linear
    }
  };
  const df = (a: ActivationName, z: number, o: number): Code => {
    switch (a) {
      case 'sigmoid': return mul(get(o), sub(f64(1), get(o)));
      case 'relu': return select(f64(1), f64(0), ge(get(z), f64(0)));
      case 'leaky-relu': return select(f64(1), f64(LEAKY_SLOPE), ge(get(z), f64(0)));
      default: return f64(1);
    }
  };
  // the row
  const o: number[][] = [Array.from({ length: sizes[0] }, (_, i) => let_(load(at.O[0] + 8 * i)))];
  const z: number[][] = [[]];
  // forward: net_j = (0 + Σ_k o_k w_jk, in order of k) + b_j;  o_j = f(net_j)
  for (let l = 1; l <= L; l++) {
    const n = sizes[l], k = sizes[l - 1];
    z.push([]);
    o.push([]);
    for (let j = 0; j < n; j++) {
      let s = f64(0);
      for (let p = 0; p < k; p++) s = add(s, mul(get(o[l - 1][p]), load(at.W[l] + 8 * (j * k + p))));
      const zj = let_(add(s, load(at.b[l] + 8 * j)));
      body.push(store(at.Z[l] + 8 * j, get(zj)));
      const oj = let_(f(activations[l - 1], zj));
      body.push(store(at.O[l] + 8 * j, get(oj)));
      z[l].push(zj);
      o[l].push(oj);
    }
  }
  // the loss E and the output deltas
  const K = sizes[L];
  const t = Array.from({ length: K }, (_, k) => let_(load(at.T + 8 * k)));
  let sq = f64(0);
  for (let k = 0; k < K; k++) sq = add(sq, mul(sub(get(t[k]), get(o[L][k])), sub(get(t[k]), get(o[L][k]))));
  const E = let_(loss === 'half-squared-error' ? mul(f64(0.5), sq) : div(sq, f64(K)));
  const d: number[][] = Array.from({ length: L + 1 }, () => []);
  for (let k = 0; k < K; k++) {
    const diff = sub(get(o[L][k]), get(t[k]));
    const g = loss === 'half-squared-error' ? diff : div(mul(f64(2), diff), f64(K));
    const dk = let_(mul(g, df(activations[L - 1], z[L][k], o[L][k])));
    body.push(store(at.D[L] + 8 * k, get(dk)));
    d[L][k] = dk;
  }
  // hidden deltas: delta_j = (0 + Σ_k delta^{l+1}_k w^{l+1}_kj, in order of k) · f'(net_j)
  for (let l = L - 1; l >= 1; l--) {
    const n = sizes[l];
    for (let j = 0; j < n; j++) {
      let s = f64(0);
      for (let k = 0; k < sizes[l + 1]; k++) s = add(s, mul(get(d[l + 1][k]), load(at.W[l + 1] + 8 * (k * n + j))));
      const dj = let_(mul(s, df(activations[l - 1], z[l][j], o[l][j])));
      body.push(store(at.D[l] + 8 * j, get(dj)));
      d[l][j] = dj;
    }
  }
  // the checks: loss, every output, every new value (0 when all finite, NaN otherwise)
  const lossL = let_(add(get(E), f64(0))); // E + l2t with l2t = 0
  const check = let_(sub(get(lossL), get(lossL)));
  for (let l = 1; l <= L; l++) for (const oj of o[l]) body.push(set(check, add(get(check), sub(get(oj), get(oj)))));
  const updates: { w: number; u: number; offset: number }[] = [];
  const nl = get(1); // lr; u = -lr · g
  for (let l = 1; l <= L; l++) {
    const k = sizes[l - 1];
    for (let j = 0; j < sizes[l]; j++) {
      for (let p = 0; p < k; p++) {
        const q = j * k + p;
        const g = let_(add(f64(0), mul(get(d[l][j]), get(o[l - 1][p]))));
        body.push(store(at.dW[l] + 8 * q, get(g)));
        const u = let_(mul(neg(nl), get(g)));
        body.push(storeU(at.U[2 * (l - 1)] + 8 * q, get(u)));
        const w = let_(add(load(at.W[l] + 8 * q), get(u)));
        body.push(set(check, add(get(check), sub(get(w), get(w)))));
        updates.push({ w, u, offset: at.W[l] + 8 * q });
      }
    }
    for (let j = 0; j < sizes[l]; j++) {
      const g = let_(add(f64(0), get(d[l][j])));
      body.push(store(at.db[l] + 8 * j, get(g)));
      const u = let_(mul(neg(nl), get(g)));
      body.push(storeU(at.U[2 * (l - 1) + 1] + 8 * j, get(u)));
      const w = let_(add(load(at.b[l] + 8 * j), get(u)));
      body.push(set(check, add(get(check), sub(get(w), get(w)))));
      updates.push({ w, u, offset: at.b[l] + 8 * j });
    }
  }
  // if (check !== 0) return NaN; then w <- w + u (the value computed above)
  body.push([...ne(get(check), f64(0)), 0x04, 0x40, ...f64(NaN), 0x0f, 0x0b]);
  for (const { w, offset } of updates) body.push(store(offset, get(w)));
  body.push(get(lossL));

  const fn = [...uleb(1), ...uleb(locals - 2), 0x7c, ...body.flat(), 0x0b];
  const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
  const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 (f64) -> f64; 1 (i32, f64) -> f64
    ...section(1, [2, 0x60, 1, 0x7c, 1, 0x7c, 0x60, 2, 0x7f, 0x7c, 1, 0x7c]),
    // imports: m.exp (type 0), m.memory (min 1 page; shared, at most 65536 pages, when the kernel's memory is)
    ...section(2, [2, ...name('m'), ...name('exp'), 0x00, 0, ...name('m'), ...name('memory'), 0x02, ...(shared ? [0x03, 1, ...uleb(65536)] : [0x00, 1])]),
    ...section(3, [1, 1]),
    ...section(7, [1, ...name('step'), 0x00, 1]),
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ];
  try {
    const module = new WebAssembly.Module(new Uint8Array(bytes));
    const instance = new WebAssembly.Instance(module, { m: { exp: Math.exp, memory } });
    return instance.exports.step as WasmSgdStep;
  } catch {
    return undefined; // (no code generation allowed here, say): the JavaScript step
  }
}
