/**
 * WebAssembly SIMD kernels of the engine (AssemblyScript, compiled by `npm run build` with asc).
 *
 * Matrix products in float64 (f64x2) and float32 (f32x4), register-tiled: a 4-row x 4-column
 * block of C (f64; 4 x 8 for f32) stays in 8 v128
 * accumulators while p runs over the whole reduction. Every C entry is still summed in order of
 * p, starting from 0, with a separate multiply and add (WebAssembly never fuses them), so the
 * float64 results are bit-for-bit those of the reference kernel (src/engine/kernels/reference.ts).
 * The vectors run across columns j, never across p.
 *
 * Memory is managed by the JavaScript side (src/engine/kernels/wasm.ts): pointers are byte
 * offsets into this module's memory. Nothing here allocates.
 */

/** C[m×n] = A·B, B k×n row-major, A element (i, p) at a + 8·(i·sai + p·sap); C row-major. */
export function gemm64(m: i32, n: i32, k: i32, a: usize, sai: i32, sap: i32, b: usize, c: usize): void {
  const ai = <usize>sai << 3;
  const ap = <usize>sap << 3;
  const bp = <usize>n << 3;
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const bj = b + (<usize>j << 3);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
      let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
      let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
      let pa = a + <usize>i * ai;
      let pb = bj;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = f64x2.splat(load<f64>(pa));
        const a1 = f64x2.splat(load<f64>(pa + ai));
        const a2 = f64x2.splat(load<f64>(pa + 2 * ai));
        const a3 = f64x2.splat(load<f64>(pa + 3 * ai));
        c00 = f64x2.add(c00, f64x2.mul(a0, b0)); c01 = f64x2.add(c01, f64x2.mul(a0, b1));
        c10 = f64x2.add(c10, f64x2.mul(a1, b0)); c11 = f64x2.add(c11, f64x2.mul(a1, b1));
        c20 = f64x2.add(c20, f64x2.mul(a2, b0)); c21 = f64x2.add(c21, f64x2.mul(a2, b1));
        c30 = f64x2.add(c30, f64x2.mul(a3, b0)); c31 = f64x2.add(c31, f64x2.mul(a3, b1));
        pa += ap;
        pb += bp;
      }
      const pc = c + ((<usize>i * <usize>n + <usize>j) << 3);
      v128.store(pc, c00); v128.store(pc, c01, 16);
      v128.store(pc + bp, c10); v128.store(pc + bp, c11, 16);
      v128.store(pc + 2 * bp, c20); v128.store(pc + 2 * bp, c21, 16);
      v128.store(pc + 3 * bp, c30); v128.store(pc + 3 * bp, c31, 16);
    }
    for (; i < m; i++) {
      let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
      let pa = a + <usize>i * ai;
      let pb = bj;
      for (let p = 0; p < k; p++) {
        const a0 = f64x2.splat(load<f64>(pa));
        c0 = f64x2.add(c0, f64x2.mul(a0, v128.load(pb)));
        c1 = f64x2.add(c1, f64x2.mul(a0, v128.load(pb, 16)));
        pa += ap;
        pb += bp;
      }
      const pc = c + ((<usize>i * <usize>n + <usize>j) << 3);
      v128.store(pc, c0); v128.store(pc, c1, 16);
    }
  }
  // the last n mod 4 columns, one at a time
  for (let j = n4; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s: f64 = 0;
      let pa = a + <usize>i * ai;
      let pb = b + (<usize>j << 3);
      for (let p = 0; p < k; p++) {
        s += load<f64>(pa) * load<f64>(pb);
        pa += ap;
        pb += bp;
      }
      store<f64>(c + ((<usize>i * <usize>n + <usize>j) << 3), s);
    }
  }
}

/** The same product in float32: C[m×n] = A·B with f32 elements (4 bytes). */
export function gemm32(m: i32, n: i32, k: i32, a: usize, sai: i32, sap: i32, b: usize, c: usize): void {
  const ai = <usize>sai << 2;
  const ap = <usize>sap << 2;
  const bp = <usize>n << 2;
  const n8 = n & ~7;
  for (let j = 0; j < n8; j += 8) {
    const bj = b + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let pa = a + <usize>i * ai;
      let pb = bj;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = f32x4.splat(load<f32>(pa));
        const a1 = f32x4.splat(load<f32>(pa + ai));
        const a2 = f32x4.splat(load<f32>(pa + 2 * ai));
        const a3 = f32x4.splat(load<f32>(pa + 3 * ai));
        c00 = f32x4.add(c00, f32x4.mul(a0, b0)); c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0)); c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0)); c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0)); c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        pa += ap;
        pb += bp;
      }
      const pc = c + ((<usize>i * <usize>n + <usize>j) << 2);
      v128.store(pc, c00); v128.store(pc, c01, 16);
      v128.store(pc + bp, c10); v128.store(pc + bp, c11, 16);
      v128.store(pc + 2 * bp, c20); v128.store(pc + 2 * bp, c21, 16);
      v128.store(pc + 3 * bp, c30); v128.store(pc + 3 * bp, c31, 16);
    }
    for (; i < m; i++) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let pa = a + <usize>i * ai;
      let pb = bj;
      for (let p = 0; p < k; p++) {
        const a0 = f32x4.splat(load<f32>(pa));
        c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(pb)));
        c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(pb, 16)));
        pa += ap;
        pb += bp;
      }
      const pc = c + ((<usize>i * <usize>n + <usize>j) << 2);
      v128.store(pc, c0); v128.store(pc, c1, 16);
    }
  }
  for (let j = n8; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s: f32 = 0;
      let pa = a + <usize>i * ai;
      let pb = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += ap;
        pb += bp;
      }
      store<f32>(c + ((<usize>i * <usize>n + <usize>j) << 2), s);
    }
  }
}

/** dst[cols×rows] = src[rows×cols]ᵀ, float64. */
export function transpose64(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * <usize>cols) << 3);
    for (let q = 0; q < cols; q++) store<f64>(dst + ((<usize>q * <usize>rows + <usize>r) << 3), load<f64>(s + (<usize>q << 3)));
  }
}

/** dst[cols×rows] (f32) = src[rows×cols]ᵀ (f64), rounded to float32. */
export function transpose64to32(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * <usize>cols) << 3);
    for (let q = 0; q < cols; q++) store<f32>(dst + ((<usize>q * <usize>rows + <usize>r) << 2), <f32>load<f64>(s + (<usize>q << 3)));
  }
}

/** dst[i] = f32(src[i]) for count entries. */
export function demote(count: i32, src: usize, dst: usize): void {
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const v = f32x4.demote_f64x2_zero(v128.load(src + (<usize>i << 3)));
    v128.store64_lane(dst + (<usize>i << 2), v, 0);
  }
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}

/** dst[i] = f64(src[i]) for count entries. */
export function promote(count: i32, src: usize, dst: usize): void {
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    v128.store(dst + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(src + (<usize>i << 2))));
  }
  for (; i < count; i++) store<f64>(dst + (<usize>i << 3), <f64>load<f32>(src + (<usize>i << 2)));
}

/** C[i][j] += bias[j] for an m×n float64 matrix. */
export function addBias64(m: i32, n: i32, c: usize, bias: usize): void {
  for (let i = 0; i < m; i++) {
    const row = c + ((<usize>i * <usize>n) << 3);
    for (let j = 0; j < n; j++) {
      const q = row + (<usize>j << 3);
      store<f64>(q, load<f64>(q) + load<f64>(bias + (<usize>j << 3)));
    }
  }
}

/**
 * Peak probe, float64: 6 independent f64x2 multiply chains and 6 independent add chains, so the
 * multiply and add units are both busy every cycle (what a matrix product can at best reach
 * without fused multiply-add). 24 flops per iteration (12 ops x 2 lanes); returns a checksum.
 */
export function peak64(iters: i32, x: f64): f64 {
  const m = f64x2.splat(0.9999999), d = f64x2.splat(x);
  let a0 = f64x2.splat(1), a1 = f64x2.splat(2), a2 = f64x2.splat(3), a3 = f64x2.splat(4), a4 = f64x2.splat(5), a5 = f64x2.splat(6);
  let s0 = f64x2.splat(1), s1 = f64x2.splat(2), s2 = f64x2.splat(3), s3 = f64x2.splat(4), s4 = f64x2.splat(5), s5 = f64x2.splat(6);
  for (let t = 0; t < iters; t++) {
    a0 = f64x2.mul(a0, m); a1 = f64x2.mul(a1, m); a2 = f64x2.mul(a2, m);
    s0 = f64x2.add(s0, d); s1 = f64x2.add(s1, d); s2 = f64x2.add(s2, d);
    a3 = f64x2.mul(a3, m); a4 = f64x2.mul(a4, m); a5 = f64x2.mul(a5, m);
    s3 = f64x2.add(s3, d); s4 = f64x2.add(s4, d); s5 = f64x2.add(s5, d);
  }
  const s = f64x2.add(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)), f64x2.add(f64x2.add(a4, a5), f64x2.add(f64x2.add(s0, s1), f64x2.add(f64x2.add(s2, s3), f64x2.add(s4, s5)))));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Peak probe, float32: the same with f32x4; 48 flops per iteration (12 ops x 4 lanes). */
export function peak32(iters: i32, x: f32): f32 {
  const m = f32x4.splat(0.9999999), d = f32x4.splat(x);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4), a4 = f32x4.splat(5), a5 = f32x4.splat(6);
  let s0 = f32x4.splat(1), s1 = f32x4.splat(2), s2 = f32x4.splat(3), s3 = f32x4.splat(4), s4 = f32x4.splat(5), s5 = f32x4.splat(6);
  for (let t = 0; t < iters; t++) {
    a0 = f32x4.mul(a0, m); a1 = f32x4.mul(a1, m); a2 = f32x4.mul(a2, m);
    s0 = f32x4.add(s0, d); s1 = f32x4.add(s1, d); s2 = f32x4.add(s2, d);
    a3 = f32x4.mul(a3, m); a4 = f32x4.mul(a4, m); a5 = f32x4.mul(a5, m);
    s3 = f32x4.add(s3, d); s4 = f32x4.add(s4, d); s5 = f32x4.add(s5, d);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(f32x4.add(s0, s1), f32x4.add(f32x4.add(s2, s3), f32x4.add(s4, s5)))));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/** First byte that JavaScript may use for its own allocations (above static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
