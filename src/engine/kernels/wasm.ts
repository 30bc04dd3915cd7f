/**
 * The WebAssembly SIMD kernel (source: asm/kernels.ts, compiled by asm/build.mjs).
 *
 * Loading: the bytes come inlined in the bundle (esbuild defines __BACKPROP_WASM__, base64, see
 * scripts/build.mjs) or, when running from out/ (tests, bench), from dist/kernels.wasm found by
 * walking up from this file. `new WebAssembly.Module` compiles synchronously; if anything fails
 * the loader returns undefined and callers use the JavaScript kernels.
 *
 * Memory: the module imports its memory, a shared one made at its full size (a fixed arena) and
 * never grown (growing would replace the buffer under every Float64Array view of it); helper
 * threads of a batch split instantiate the module on the same memory (`wasmBackendOn`). `alloc` hands out zeroed views from the arena
 * (first fit, coalescing free list); a FinalizationRegistry returns a view's block when the view
 * is garbage. When the arena is full, `alloc` returns an ordinary Float64Array and products on
 * such arrays are copied in and out of scratch blocks (slower, same results).
 *
 * Dispatch: products of fewer than SMALL multiply-adds run in the fast JavaScript kernel (a call
 * into WebAssembly and the transposes cost more than they save there), except in float32, which
 * always runs in WebAssembly so the precision does not depend on the size.
 */
import { fastJsKernel } from './fast';
import type { Kernel, Precision } from './types';

declare const __BACKPROP_WASM__: string | undefined;

interface Exports {
  memory: WebAssembly.Memory;
  gemm64(m: number, n: number, k: number, a: number, sai: number, sap: number, b: number, c: number): void;
  gemm32(m: number, n: number, k: number, a: number, sai: number, sap: number, b: number, c: number): void;
  transpose64(rows: number, cols: number, src: number, dst: number): void;
  transpose64to32(rows: number, cols: number, src: number, dst: number): void;
  transpose32to64(rows: number, cols: number, src: number, dst: number): void;
  demote(count: number, src: number, dst: number): void;
  promote(count: number, src: number, dst: number): void;
  addBias64(m: number, n: number, c: number, bias: number): void;
  tanh64(count: number, src: number, dst: number): void;
  sgd64(n: number, lr: number, g: number, w: number, u: number): number;
  momentum64(n: number, mu: number, lr: number, v: number, g: number, w: number, u: number): number;
  addTo64(n: number, u: number, w: number): void;
  div64(n: number, a: number, d: number): void;
  peak64(iters: number, x: number): number;
  peak32(iters: number, x: number): number;
  heapBase(): number;
}

/** Size of the arena (bytes): reserved once; the OS commits pages only when they are touched. */
const ARENA_BYTES = 256 * 1024 * 1024;
/** Products with fewer multiply-adds than this run in JavaScript (float64 only). */
const SMALL = 128;


function wasmBytes(): Uint8Array<ArrayBuffer> | undefined {
  if (typeof __BACKPROP_WASM__ === 'string') {
    const bin = atob(__BACKPROP_WASM__);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require('node:path') as typeof import('node:path');
    for (let dir = __dirname, up = 0; up < 6; up++, dir = path.dirname(dir)) {
      for (const candidate of [path.join(dir, 'kernels.wasm'), path.join(dir, 'dist', 'kernels.wasm')]) {
        if (fs.existsSync(candidate)) return new Uint8Array(fs.readFileSync(candidate));
      }
    }
  } catch {
    // not on Node: no file system
  }
  return undefined;
}

/** Blocks of the arena: a sorted free list of [offset, bytes]. */
class Arena {
  private readonly free: [number, number][];
  private readonly registry = new FinalizationRegistry<[number, number]>(([offset, bytes]) => this.release(offset, bytes));

  constructor(readonly memory: WebAssembly.Memory, start: number, end: number) {
    this.free = [[start, end - start]];
  }

  /** Byte offset of a free block of `bytes` (multiple of 16), or -1. */
  take(bytes: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const [offset, size] = this.free[i];
      if (size < bytes) continue;
      if (size === bytes) this.free.splice(i, 1);
      else this.free[i] = [offset + bytes, size - bytes];
      new Uint8Array(this.memory.buffer, offset, bytes).fill(0);
      return offset;
    }
    return -1;
  }

  release(offset: number, bytes: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i][0] < offset) i++;
    this.free.splice(i, 0, [offset, bytes]);
    // coalesce with the neighbours
    if (i + 1 < this.free.length && offset + bytes === this.free[i + 1][0]) {
      this.free[i][1] += this.free[i + 1][1];
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1][0] + this.free[i - 1][1] === offset) {
      this.free[i - 1][1] += this.free[i][1];
      this.free.splice(i, 1);
    }
  }

  /** A zeroed view in the arena, freed when garbage; an ordinary array when the arena is full. */
  view(length: number): Float64Array {
    const bytes = Math.max(16, Math.ceil((length * 8) / 16) * 16);
    const offset = this.take(bytes);
    if (offset < 0) return new Float64Array(length);
    const v = new Float64Array(this.memory.buffer, offset, length);
    this.registry.register(v, [offset, bytes], v);
    return v;
  }

  /** Gives `v`'s block back now, when it is a view `view` handed out and not yet given back. */
  give(v: Float64Array): void {
    if (this.registry.unregister(v)) this.release(v.byteOffset, Math.max(16, Math.ceil((v.length * 8) / 16) * 16));
  }

  /** Bytes free (for tests and the bench). */
  available(): number {
    return this.free.reduce((s, [, b]) => s + b, 0);
  }
}

/** The loaded module, its arena and scratch blocks; shared by the float64 and float32 kernels. */
class WasmRuntime {
  readonly arena: Arena;
  private readonly scratch: ({ offset: number; bytes: number } | undefined)[] = [];

  /** The runtime of an instance on a memory made at its full size, with its arena at [start, end) of it. */
  constructor(readonly x: Exports, start: number, end: number) {
    this.arena = new Arena(x.memory, start, end);
  }

  isOurs(a: Float64Array): boolean {
    return a.buffer === this.x.memory.buffer;
  }

  /** Byte offset of scratch block `slot` with at least `bytes` bytes, or -1 when the arena is full. */
  block(slot: number, bytes: number): number {
    const s = this.scratch[slot];
    if (s !== undefined && s.bytes >= bytes) return s.offset;
    if (s !== undefined) this.arena.release(s.offset, s.bytes);
    const size = Math.ceil((bytes * 1.25) / 16) * 16 + 16;
    const offset = this.arena.take(size);
    this.scratch[slot] = offset < 0 ? undefined : { offset, bytes: size };
    return offset;
  }

  /** Offset of the first `length` values of a: in place when a lives in the arena, else copied to a scratch block. */
  input(a: Float64Array, length: number, slot: number): number {
    if (this.isOurs(a)) return a.byteOffset;
    const offset = this.block(slot, length * 8);
    if (offset >= 0) new Float64Array(this.x.memory.buffer, offset, length).set(a.subarray(0, length));
    return offset;
  }

  /** Offset where an output of `length` values can be written: C itself when in the arena. */
  output(c: Float64Array, length: number, slot: number): number {
    return this.isOurs(c) ? c.byteOffset : this.block(slot, length * 8);
  }

  /** Copies a result back to C when it was computed in a scratch block. */
  finish(c: Float64Array, offset: number, length: number): void {
    if (!this.isOurs(c)) c.set(new Float64Array(this.x.memory.buffer, offset, length));
  }
}

// Scratch slots
const A_IN = 0, B_IN = 1, C_OUT = 2, BIAS = 3, B_T = 4, A32 = 5, B32 = 6, C32 = 7, A_T = 8, C_T = 9;

/**
 * X · Wᵀ needs one operand transposed. When A and C together are smaller than B (a batch of 64
 * through a 784-input layer: 50k + 8k values against 100k), the product is formed as
 * Cᵀ = B · Aᵀ and C transposed back: the same products summed in the same order (bit for bit the
 * same C), with less strided copying.
 */
const transposeA = (m: number, n: number, k: number): boolean => m * k + m * n < n * k;

/** tanh in f64x2 on arrays in the arena (asm/kernels.ts tanh64); false for anything else. */
function activation(rt: WasmRuntime): NonNullable<Kernel['activate']> {
  return (name, net, out, count) => {
    // every count, so that a single-sample trace and a batch compute tanh the same way
    if (name !== 'tanh' || !rt.isOurs(net) || !rt.isOurs(out)) return false;
    rt.x.tanh64(count, net.byteOffset, out.byteOffset);
    return true;
  };
}

/** The optimizer and gradient passes in f64x2 (asm/kernels.ts) on arrays in the arena. */
function vectorOps(rt: WasmRuntime): NonNullable<Kernel['vector']> {
  const x = rt.x;
  const buffer = (): ArrayBufferLike => x.memory.buffer;
  return {
    sgd: (lr, g, w, u) => {
      const m = buffer();
      return g.buffer === m && w.buffer === m && u.buffer === m ? x.sgd64(w.length, lr, g.byteOffset, w.byteOffset, u.byteOffset) : undefined;
    },
    momentum: (mu, lr, v, g, w, u) => {
      const m = buffer();
      return v.buffer === m && g.buffer === m && w.buffer === m && u.buffer === m
        ? x.momentum64(w.length, mu, lr, v.byteOffset, g.byteOffset, w.byteOffset, u.byteOffset)
        : undefined;
    },
    addTo: (u, w) => (u.buffer === buffer() && w.buffer === buffer() ? (x.addTo64(w.length, u.byteOffset, w.byteOffset), true) : false),
    divide: (a, d) => (a.buffer === buffer() ? (x.div64(a.length, a.byteOffset, d), true) : false),
  };
}

function float64Kernel(rt: WasmRuntime): Kernel {
  const x = rt.x;
  const js = fastJsKernel;
  return {
    name: 'wasm-simd',
    precision: 'float64',
    generatedSteps: true,
    alloc: (length) => rt.arena.view(length),
    release: (a) => rt.arena.give(a),
    memory: x.memory,
    activate: activation(rt),
    activates: ['tanh'],
    vector: vectorOps(rt),

    gemmABt(m, n, k, A, B, C, bias) {
      if (m * n * k < SMALL) return js.gemmABt(m, n, k, A, B, C, bias);
      if (transposeA(m, n, k)) {
        const a = rt.input(A, m * k, A_IN);
        const b = rt.input(B, n * k, B_IN);
        const at = rt.block(A_T, m * k * 8);
        const ct = rt.block(C_T, m * n * 8);
        const c = rt.output(C, m * n, C_OUT);
        const pb = bias === undefined ? 0 : rt.input(bias, n, BIAS);
        if (a < 0 || b < 0 || at < 0 || ct < 0 || c < 0 || pb < 0) return js.gemmABt(m, n, k, A, B, C, bias);
        x.transpose64(m, k, a, at); // Aᵀ, k×m
        x.gemm64(n, m, k, b, k, 1, at, ct); // Cᵀ = B·Aᵀ, n×m
        x.transpose64(n, m, ct, c);
        if (bias !== undefined) x.addBias64(m, n, c, pb);
        rt.finish(C, c, m * n);
        return;
      }
      const a = rt.input(A, m * k, A_IN);
      const b = rt.input(B, n * k, B_IN);
      const bt = rt.block(B_T, n * k * 8);
      const c = rt.output(C, m * n, C_OUT);
      const pb = bias === undefined ? 0 : rt.input(bias, n, BIAS);
      if (a < 0 || b < 0 || bt < 0 || c < 0 || pb < 0) return js.gemmABt(m, n, k, A, B, C, bias);
      x.transpose64(n, k, b, bt); // Bᵀ, k×n, so the product reads B row by row
      x.gemm64(m, n, k, a, k, 1, bt, c);
      if (bias !== undefined) x.addBias64(m, n, c, pb);
      rt.finish(C, c, m * n);
    },

    gemmAtB(m, n, k, A, B, C) {
      if (m * n * k < SMALL) return js.gemmAtB(m, n, k, A, B, C);
      const a = rt.input(A, k * m, A_IN);
      const b = rt.input(B, k * n, B_IN);
      const c = rt.output(C, m * n, C_OUT);
      if (a < 0 || b < 0 || c < 0) return js.gemmAtB(m, n, k, A, B, C);
      x.gemm64(m, n, k, a, 1, m, b, c);
      rt.finish(C, c, m * n);
    },

    gemmAB(m, n, k, A, B, C) {
      if (m * n * k < SMALL) return js.gemmAB(m, n, k, A, B, C);
      const a = rt.input(A, m * k, A_IN);
      const b = rt.input(B, k * n, B_IN);
      const c = rt.output(C, m * n, C_OUT);
      if (a < 0 || b < 0 || c < 0) return js.gemmAB(m, n, k, A, B, C);
      x.gemm64(m, n, k, a, k, 1, b, c);
      rt.finish(C, c, m * n);
    },
  };
}

function float32Kernel(rt: WasmRuntime, twin: Kernel): Kernel {
  const x = rt.x;
  /** Rounds the first `length` values of a to float32 in scratch `slot`; returns its offset (or -1). */
  const demoted = (a: Float64Array, length: number, slot: number, inSlot: number): number => {
    const src = rt.input(a, length, inSlot);
    const dst = rt.block(slot, length * 4);
    if (src >= 0 && dst >= 0) x.demote(length, src, dst);
    return src < 0 ? -1 : dst;
  };
  /** C = the float32 product in C32, widened to float64, (+ bias in float64). */
  const widen = (C: Float64Array, c32: number, m: number, n: number, bias?: Float64Array): void => {
    const c = rt.output(C, m * n, C_OUT);
    if (c < 0) throw new Error('the WebAssembly arena is full');
    x.promote(m * n, c32, c);
    if (bias !== undefined) x.addBias64(m, n, c, rt.input(bias, n, BIAS));
    rt.finish(C, c, m * n);
  };
  const full = (): never => {
    throw new Error('the WebAssembly arena is full');
  };
  return {
    name: 'wasm-simd-f32',
    precision: 'float32',
    float64: twin,
    alloc: (length) => rt.arena.view(length),
    release: (a) => rt.arena.give(a),
    activate: activation(rt),
    activates: ['tanh'],
    vector: vectorOps(rt),

    gemmABt(m, n, k, A, B, C, bias) {
      if (transposeA(m, n, k)) {
        const b32 = demoted(B, n * k, B32, B_IN);
        const a = rt.input(A, m * k, A_IN);
        const at = rt.block(A32, m * k * 4);
        const ct = rt.block(C32, m * n * 4);
        if (b32 < 0 || a < 0 || at < 0 || ct < 0) full();
        x.transpose64to32(m, k, a, at); // Aᵀ in float32, k×m
        x.gemm32(n, m, k, b32, k, 1, at, ct); // Cᵀ = B·Aᵀ, n×m
        const c = rt.output(C, m * n, C_OUT);
        if (c < 0) full();
        x.transpose32to64(n, m, ct, c);
        if (bias !== undefined) x.addBias64(m, n, c, rt.input(bias, n, BIAS));
        rt.finish(C, c, m * n);
        return;
      }
      const a = demoted(A, m * k, A32, A_IN);
      const b = rt.input(B, n * k, B_IN);
      const bt = rt.block(B32, n * k * 4);
      const c32 = rt.block(C32, m * n * 4);
      if (a < 0 || b < 0 || bt < 0 || c32 < 0) full();
      x.transpose64to32(n, k, b, bt); // Bᵀ in float32
      x.gemm32(m, n, k, a, k, 1, bt, c32);
      widen(C, c32, m, n, bias);
    },

    gemmAtB(m, n, k, A, B, C) {
      const a = demoted(A, k * m, A32, A_IN);
      const b = demoted(B, k * n, B32, B_IN);
      const c32 = rt.block(C32, m * n * 4);
      if (a < 0 || b < 0 || c32 < 0) full();
      x.gemm32(m, n, k, a, 1, m, b, c32);
      widen(C, c32, m, n);
    },

    gemmAB(m, n, k, A, B, C) {
      const a = demoted(A, m * k, A32, A_IN);
      const b = demoted(B, k * n, B32, B_IN);
      const c32 = rt.block(C32, m * n * 4);
      if (a < 0 || b < 0 || c32 < 0) full();
      x.gemm32(m, n, k, a, k, 1, b, c32);
      widen(C, c32, m, n);
    },
  };
}

export interface WasmBackend {
  float64: Kernel;
  float32: Kernel;
  /** The raw module, for the bench's peak probes. */
  exports: Exports;
  /** Free bytes in the arena. */
  available(): number;
}

let loaded: WasmBackend | null | undefined;
let compiled: WebAssembly.Module | undefined;

/** An instance of the module on `memory` (imported; shared), its kernels using [start, end) of it as their arena. */
function backendOn(memory: WebAssembly.Memory, start: (heapBase: number) => number, end: number): WasmBackend {
  if (compiled === undefined) {
    const bytes = wasmBytes();
    if (bytes === undefined) throw new Error('no WebAssembly kernels here');
    compiled = new WebAssembly.Module(bytes);
  }
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  const x = instance.exports as unknown as Exports;
  const rt = new WasmRuntime(x, start(x.heapBase()), end);
  const f64 = float64Kernel(rt);
  return { float64: f64, float32: float32Kernel(rt, f64), exports: x, available: () => rt.arena.available() };
}

/**
 * The WebAssembly backend, loaded (synchronously) on first use; undefined when it cannot load.
 * Its memory is shared (a SharedArrayBuffer, made at its full size: the module's static area, at
 * most one page, and the arena), so that the helper threads of a batch split work on the
 * network's own parameters and buffers (kernels/threads.ts, `wasmBackendOn`).
 */
export function wasmBackend(): WasmBackend | undefined {
  if (loaded === undefined) {
    loaded = null;
    try {
      if (typeof WebAssembly === 'object' && typeof SharedArrayBuffer === 'function') {
        const pages = 1 + ARENA_BYTES / 65536;
        const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
        loaded = backendOn(memory, (base) => {
          if (base > 65536) throw new Error('the kernels\' static area is larger than one page');
          return base;
        }, pages * 65536);
      }
    } catch {
      loaded = null; // no SIMD or shared memory, no file: the JavaScript kernels do the work
    }
  }
  return loaded ?? undefined;
}

/**
 * Kernels of another instance of the module on the same (shared) memory, with their own arena at
 * [start, start + bytes) of it: a block the thread that made the memory reserved for this one
 * (a helper thread of a batch split, kernels/threads.ts). Undefined when it cannot load.
 */
export function wasmBackendOn(memory: WebAssembly.Memory, start: number, bytes: number): WasmBackend | undefined {
  try {
    return backendOn(memory, () => start, start + bytes);
  } catch {
    return undefined;
  }
}

/** The kernel of that precision on the WebAssembly backend, or undefined when it is not available. */
export function wasmKernel(precision: Precision = 'float64'): Kernel | undefined {
  const b = wasmBackend();
  return b === undefined ? undefined : precision === 'float32' ? b.float32 : b.float64;
}
