// chainrule's WebAssembly SIMD matrix-multiply kernels (AssemblyScript source).
//
// Over 300 lines on purpose: the float32 (f32x4) and float64 (f64x2) kernels are near-copies because
// AssemblyScript has no generics over SIMD lane types, and splitting one kernel's packing, micro-tile
// and edge loops across files would hide how they fit together.
//
// Built during install by `npm run build:wasm -w @chainrule/core` (scripts/build-wasm.js runs asc) and
// embedded, base64, in src/kernels/gemm-wasm.generated.ts; compiled synchronously by
// src/kernels/wasm-module.ts. The plain TypeScript kernels in src/kernels/matmul.ts stay the
// reference and the fallback.
//
// Every function works on raw addresses in the (imported) linear memory, which the JavaScript side
// manages: it copies the operands in, calls gemm, and copies the product out.
//
//   C[m×n] (+)= op(A)[m×k] · op(B)[k×n]
//   op(A) = A (stored m×k) or Aᵀ (A stored k×m);  op(B) = B (stored k×n) or Bᵀ (B stored n×k).
//
// Goto/BLIS structure: B is packed into column panels of NR, A into row panels of MR (the packing
// absorbs the transposes and pads the edges with zeros), and a register-blocked micro-kernel
// computes an MR×NR tile of C from one A panel and one B panel with 128-bit SIMD multiply-adds.
// Rows [row0, row1) of C only: a second thread computes the other rows with its own pack buffers.

// The elementwise loops around the products live in vector.ts; one module carries both.
export * from './vector';

// ---------------------------------------------------------------- blocking
const KC: i32 = 256; // depth of one packed block
const MC: i32 = 128; // rows of A packed at once (MC×KC floats stay in L2)
const NC: i32 = 1024; // columns of B packed at once

/** Where static data ends: the JavaScript side allocates its buffers above this. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of pack space one thread needs for the given element size. */
export function packBytes(elem: i32): i32 {
  return (MC * KC + KC * NC + 64) * elem;
}

// ================================================================ float32: MR = 4, NR = 8

// @ts-ignore: decorator
@inline function aAt32(a: usize, transA: i32, m: i32, k: i32, i: i32, p: i32): f32 {
  return transA ? load<f32>(a + ((<usize>p * m + i) << 2)) : load<f32>(a + ((<usize>i * k + p) << 2));
}

function packA32(a: usize, transA: i32, m: i32, k: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += 4) {
    const rows = min(4, mc - ir);
    const panel = dst + ((<usize>ir * kc) << 2);
    if (rows == 4 && !transA) {
      const r0 = a + ((<usize>(i0 + ir) * k + p0) << 2);
      const r1 = r0 + (<usize>k << 2);
      const r2 = r1 + (<usize>k << 2);
      const r3 = r2 + (<usize>k << 2);
      for (let p = 0; p < kc; p++) {
        const o = panel + (<usize>p << 4);
        const q = <usize>p << 2;
        store<f32>(o, load<f32>(r0 + q));
        store<f32>(o, load<f32>(r1 + q), 4);
        store<f32>(o, load<f32>(r2 + q), 8);
        store<f32>(o, load<f32>(r3 + q), 12);
      }
    } else if (rows == 4) {
      // Aᵀ stored k×m: the 4 values of one depth step are contiguous.
      for (let p = 0; p < kc; p++) {
        v128.store(panel + (<usize>p << 4), v128.load(a + ((<usize>(p0 + p) * m + i0 + ir) << 2)));
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const o = panel + (<usize>p << 4);
        for (let r = 0; r < 4; r++) {
          store<f32>(o + (<usize>r << 2), r < rows ? aAt32(a, transA, m, k, i0 + ir + r, p0 + p) : <f32>0);
        }
      }
    }
  }
}

function packB32(b: usize, transB: i32, k: i32, n: i32, j0: i32, nc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += 8) {
    const cols = min(8, nc - jr);
    const panel = dst + ((<usize>jr * kc) << 2);
    if (cols == 8 && !transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * n + j0 + jr) << 2);
        const o = panel + (<usize>p << 5);
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
      }
    } else if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * n + j0 + jr) << 2);
        const o = panel + (<usize>p << 5);
        for (let c = 0; c < 8; c++) store<f32>(o + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : <f32>0);
      }
    } else {
      // Bᵀ stored n×k: walk each of the panel's columns (rows of the storage) contiguously.
      for (let c = 0; c < 8; c++) {
        if (c < cols) {
          const src = b + ((<usize>(j0 + jr + c) * k + p0) << 2);
          for (let p = 0; p < kc; p++) store<f32>(panel + (<usize>p << 5) + (<usize>c << 2), load<f32>(src + (<usize>p << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(panel + (<usize>p << 5) + (<usize>c << 2), 0);
        }
      }
    }
  }
}

/** One 4×8 tile: C[rows×cols] at c (row stride n) (+)= Apanel · Bpanel over kc. */
function micro32(kc: i32, ap: usize, bp: usize, c: usize, n: i32, rows: i32, cols: i32, add: i32, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  if (rows == 4 && cols == 8) {
    const s = <usize>n << 2;
    const r0 = c, r1 = c + s, r2 = c + 2 * s, r3 = c + 3 * s;
    if (add) {
      c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
      c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
      c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
      c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
    }
    v128.store(r0, c00); v128.store(r0, c01, 16);
    v128.store(r1, c10); v128.store(r1, c11, 16);
    v128.store(r2, c20); v128.store(r2, c21, 16);
    v128.store(r3, c30); v128.store(r3, c31, 16);
    return;
  }
  // Edge tile: spill to a scratch tile, copy the valid part.
  v128.store(tmp, c00); v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64); v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96); v128.store(tmp, c31, 112);
  for (let r = 0; r < rows; r++) {
    const row = c + ((<usize>r * n) << 2);
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(tmp + ((<usize>(r * 8 + j)) << 2));
      const at = row + (<usize>j << 2);
      store<f32>(at, add ? load<f32>(at) + v : v);
    }
  }
}

/**
 * C rows [row0, row1) (+)= op(A)·op(B), float32. `pack` is this thread's pack space (packBytes(4)).
 */
export function gemm32(
  transA: i32, transB: i32, m: i32, k: i32, n: i32,
  a: usize, b: usize, c: usize, accumulate: i32, row0: i32, row1: i32, pack: usize,
): void {
  const packA = pack;
  const packB = pack + ((<usize>MC * KC) << 2);
  const tmp = packB + ((<usize>KC * NC) << 2);
  if (k == 0) {
    if (!accumulate) memory.fill(c + ((<usize>row0 * n) << 2), 0, (<usize>(row1 - row0) * n) << 2);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      const add = p0 > 0 || accumulate;
      packB32(b, transB, k, n, j0, nc, p0, kc, packB);
      for (let i0 = row0; i0 < row1; i0 += MC) {
        const mc = min(MC, row1 - i0);
        packA32(a, transA, m, k, i0, mc, p0, kc, packA);
        for (let jr = 0; jr < nc; jr += 8) {
          const cols = min(8, nc - jr);
          const bp = packB + ((<usize>jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += 4) {
            const rows = min(4, mc - ir);
            micro32(kc, packA + ((<usize>ir * kc) << 2), bp, c + ((<usize>(i0 + ir) * n + j0 + jr) << 2), n, rows, cols, add, tmp);
          }
        }
      }
    }
  }
}

// ================================================================ float64: MR = 4, NR = 4

// @ts-ignore: decorator
@inline function aAt64(a: usize, transA: i32, m: i32, k: i32, i: i32, p: i32): f64 {
  return transA ? load<f64>(a + ((<usize>p * m + i) << 3)) : load<f64>(a + ((<usize>i * k + p) << 3));
}

function packA64(a: usize, transA: i32, m: i32, k: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += 4) {
    const rows = min(4, mc - ir);
    const panel = dst + ((<usize>ir * kc) << 3);
    if (rows == 4 && !transA) {
      const r0 = a + ((<usize>(i0 + ir) * k + p0) << 3);
      const r1 = r0 + (<usize>k << 3);
      const r2 = r1 + (<usize>k << 3);
      const r3 = r2 + (<usize>k << 3);
      for (let p = 0; p < kc; p++) {
        const o = panel + (<usize>p << 5);
        const q = <usize>p << 3;
        store<f64>(o, load<f64>(r0 + q));
        store<f64>(o, load<f64>(r1 + q), 8);
        store<f64>(o, load<f64>(r2 + q), 16);
        store<f64>(o, load<f64>(r3 + q), 24);
      }
    } else if (rows == 4) {
      for (let p = 0; p < kc; p++) {
        const src = a + ((<usize>(p0 + p) * m + i0 + ir) << 3);
        const o = panel + (<usize>p << 5);
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const o = panel + (<usize>p << 5);
        for (let r = 0; r < 4; r++) {
          store<f64>(o + (<usize>r << 3), r < rows ? aAt64(a, transA, m, k, i0 + ir + r, p0 + p) : 0.0);
        }
      }
    }
  }
}

function packB64(b: usize, transB: i32, k: i32, n: i32, j0: i32, nc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += 4) {
    const cols = min(4, nc - jr);
    const panel = dst + ((<usize>jr * kc) << 3);
    if (cols == 4 && !transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * n + j0 + jr) << 3);
        const o = panel + (<usize>p << 5);
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
      }
    } else if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * n + j0 + jr) << 3);
        const o = panel + (<usize>p << 5);
        for (let c = 0; c < 4; c++) store<f64>(o + (<usize>c << 3), c < cols ? load<f64>(src + (<usize>c << 3)) : 0.0);
      }
    } else {
      for (let c = 0; c < 4; c++) {
        if (c < cols) {
          const src = b + ((<usize>(j0 + jr + c) * k + p0) << 3);
          for (let p = 0; p < kc; p++) store<f64>(panel + (<usize>p << 5) + (<usize>c << 3), load<f64>(src + (<usize>p << 3)));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(panel + (<usize>p << 5) + (<usize>c << 3), 0.0);
        }
      }
    }
  }
}

function micro64(kc: i32, ap: usize, bp: usize, c: usize, n: i32, rows: i32, cols: i32, add: i32, tmp: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += 32;
    bp += 32;
  }
  if (rows == 4 && cols == 4) {
    const s = <usize>n << 3;
    const r0 = c, r1 = c + s, r2 = c + 2 * s, r3 = c + 3 * s;
    if (add) {
      c00 = f64x2.add(c00, v128.load(r0)); c01 = f64x2.add(c01, v128.load(r0, 16));
      c10 = f64x2.add(c10, v128.load(r1)); c11 = f64x2.add(c11, v128.load(r1, 16));
      c20 = f64x2.add(c20, v128.load(r2)); c21 = f64x2.add(c21, v128.load(r2, 16));
      c30 = f64x2.add(c30, v128.load(r3)); c31 = f64x2.add(c31, v128.load(r3, 16));
    }
    v128.store(r0, c00); v128.store(r0, c01, 16);
    v128.store(r1, c10); v128.store(r1, c11, 16);
    v128.store(r2, c20); v128.store(r2, c21, 16);
    v128.store(r3, c30); v128.store(r3, c31, 16);
    return;
  }
  v128.store(tmp, c00); v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64); v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96); v128.store(tmp, c31, 112);
  for (let r = 0; r < rows; r++) {
    const row = c + ((<usize>r * n) << 3);
    for (let j = 0; j < cols; j++) {
      const v = load<f64>(tmp + ((<usize>(r * 4 + j)) << 3));
      const at = row + (<usize>j << 3);
      store<f64>(at, add ? load<f64>(at) + v : v);
    }
  }
}

/** C rows [row0, row1) (+)= op(A)·op(B), float64. `pack` is this thread's pack space (packBytes(8)). */
export function gemm64(
  transA: i32, transB: i32, m: i32, k: i32, n: i32,
  a: usize, b: usize, c: usize, accumulate: i32, row0: i32, row1: i32, pack: usize,
): void {
  const packA = pack;
  const packB = pack + ((<usize>MC * KC) << 3);
  const tmp = packB + ((<usize>KC * NC) << 3);
  if (k == 0) {
    if (!accumulate) memory.fill(c + ((<usize>row0 * n) << 3), 0, (<usize>(row1 - row0) * n) << 3);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      const add = p0 > 0 || accumulate;
      packB64(b, transB, k, n, j0, nc, p0, kc, packB);
      for (let i0 = row0; i0 < row1; i0 += MC) {
        const mc = min(MC, row1 - i0);
        packA64(a, transA, m, k, i0, mc, p0, kc, packA);
        for (let jr = 0; jr < nc; jr += 4) {
          const cols = min(4, nc - jr);
          const bp = packB + ((<usize>jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += 4) {
            const rows = min(4, mc - ir);
            micro64(kc, packA + ((<usize>ir * kc) << 3), bp, c + ((<usize>(i0 + ir) * n + j0 + jr) << 3), n, rows, cols, add, tmp);
          }
        }
      }
    }
  }
}
