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

/** dst[cols×rows] (f64) = src[rows×cols]ᵀ (f32), widened to float64. */
export function transpose32to64(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * <usize>cols) << 2);
    for (let q = 0; q < cols; q++) store<f64>(dst + ((<usize>q * <usize>rows + <usize>r) << 3), <f64>load<f32>(s + (<usize>q << 2)));
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
 * tanh of count float64 values (src and dst may be the same), two at a time in f64x2, within a
 * few units in the last place of Math.tanh (see src/engine/kernels/wasm.ts; tested to 1e-15):
 *   tanh(x) = sign(x) · t / (t + 2),  t = expm1(y),  y = 2 min(|x|, 22)   (tanh(22) rounds to 1)
 *   expm1(y) = 2^k (e^r - 1) + (2^k - 1),  k = round(y / ln 2),  r = y - k ln 2 (ln 2 in two parts,
 *   Cody–Waite), |r| <= ln 2 / 2, e^r - 1 by its Taylor series to degree 13 (remainder < 5e-18),
 *   2^k written into the exponent bits. No cancellation for small |x| (k = 0: t = e^r - 1 directly).
 * NaN stays NaN; -0 stays -0.
 */
export function tanh64(count: i32, src: usize, dst: usize): void {
  let i = 0;
  for (; i + 2 <= count; i += 2) v128.store(dst + (<usize>i << 3), tanh2(v128.load(src + (<usize>i << 3))));
  if (i < count) v128.store64_lane(dst + (<usize>i << 3), tanh2(v128.load64_zero(src + (<usize>i << 3))), 0);
}

// @ts-ignore: decorator
@inline
function tanh2(x: v128): v128 {
  const y = f64x2.mul(f64x2.splat(2), f64x2.min(f64x2.abs(x), f64x2.splat(22)));
  const k = f64x2.nearest(f64x2.mul(y, f64x2.splat(1.4426950408889634)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, f64x2.splat(6.93147180369123816490e-1))), f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
  let p = f64x2.splat(1.0 / 6227020800.0); // 1/13!
  p = f64x2.add(f64x2.splat(1.0 / 479001600.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 39916800.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 362880.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 5040.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 120.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 6.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0), f64x2.mul(r, p));
  const em1 = f64x2.mul(r, p); // e^r - 1
  // 2^k: k (0..64) into the exponent field
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const s = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  const t = f64x2.add(f64x2.mul(s, em1), f64x2.sub(s, f64x2.splat(1.0))); // expm1(y)
  const th = f64x2.div(t, f64x2.add(t, f64x2.splat(2.0)));
  return v128.or(th, v128.and(x, i64x2.splat(0x8000000000000000))); // sign of x
}

/**
 * Optimizer and gradient passes over packed float64 arrays (the parameters, gradients and update
 * buffers live in this memory), two lanes at a time; the same arithmetic as the JavaScript loops
 * of src/engine/optimizers.ts, so the results are bit for bit theirs. The update passes return
 * Σ (w + u) - (w + u), which is 0 exactly when every new value w + u is finite.
 */
export function sgd64(n: i32, lr: f64, g: usize, w: usize, u: usize): f64 {
  const a = f64x2.splat(-lr);
  let check = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const uq = f64x2.mul(a, v128.load(g + o)); // u = -lr · g
    v128.store(u + o, uq);
    const nw = f64x2.add(v128.load(w + o), uq);
    check = f64x2.add(check, f64x2.sub(nw, nw));
  }
  let c = f64x2.extract_lane(check, 0) + f64x2.extract_lane(check, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const uq = -lr * load<f64>(g + o);
    store<f64>(u + o, uq);
    const nw = load<f64>(w + o) + uq;
    c += nw - nw;
  }
  return c;
}

/** u = mu · v - lr · g (v: the previous update); returns the finiteness check of w + u. */
export function momentum64(n: i32, mu: f64, lr: f64, v: usize, g: usize, w: usize, u: usize): f64 {
  const m = f64x2.splat(mu), l = f64x2.splat(lr);
  let check = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const uq = f64x2.sub(f64x2.mul(m, v128.load(v + o)), f64x2.mul(l, v128.load(g + o)));
    v128.store(u + o, uq);
    const nw = f64x2.add(v128.load(w + o), uq);
    check = f64x2.add(check, f64x2.sub(nw, nw));
  }
  let c = f64x2.extract_lane(check, 0) + f64x2.extract_lane(check, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const uq = mu * load<f64>(v + o) - lr * load<f64>(g + o);
    store<f64>(u + o, uq);
    const nw = load<f64>(w + o) + uq;
    c += nw - nw;
  }
  return c;
}

/** w += u. */
export function addTo64(n: i32, u: usize, w: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(w + o, f64x2.add(v128.load(w + o), v128.load(u + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(w + o, load<f64>(w + o) + load<f64>(u + o));
  }
}

/** a /= d (the mean over a batch of a summed gradient). */
export function div64(n: i32, a: usize, d: f64): void {
  const dv = f64x2.splat(d);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(a + o, f64x2.div(v128.load(a + o), dv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(a + o, load<f64>(a + o) / d);
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
