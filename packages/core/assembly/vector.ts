// The elementwise loops of a training step around the products (issue 19), in 128-bit SIMD over
// arrays in the kernel's linear memory: the optimizer's update, the non-finite screen, and the
// bias + ReLU epilogue of a fused layer with its backward. Re-exported by gemm.ts (one module).
//
// Each function computes bit for bit what its plain-JavaScript twin computes (src/kernels/vector-ops.ts
// says which), so results do not depend on where an array lives: float32 updates are done in float64
// and rounded once, as JavaScript's `theta[i] -= lr * grad[i]` on a Float32Array does, and sums keep
// JavaScript's order. Addresses are byte addresses; lengths are element counts. The float32 and
// float64 versions are near-copies, as in gemm.ts: AssemblyScript has no generics over lane types.

/** y[i] = f32(y[i] + a·x[i]) with the arithmetic in float64, as JavaScript does on Float32Arrays. */
export function axpy32(y: usize, x: usize, n: i32, a: f64): void {
  const av = f64x2.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const yv = v128.load(y + at);
    const xv = v128.load(x + at);
    const lo = f64x2.add(f64x2.promote_low_f32x4(yv), f64x2.mul(av, f64x2.promote_low_f32x4(xv)));
    const yh = v128.shuffle<f32>(yv, yv, 2, 3, 0, 1);
    const xh = v128.shuffle<f32>(xv, xv, 2, 3, 0, 1);
    const hi = f64x2.add(f64x2.promote_low_f32x4(yh), f64x2.mul(av, f64x2.promote_low_f32x4(xh)));
    v128.store(y + at, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    const at = y + (<usize>i << 2);
    store<f32>(at, <f32>(<f64>load<f32>(at) + a * <f64>load<f32>(x + (<usize>i << 2))));
  }
}

/** y[i] = y[i] + a·x[i], float64. */
export function axpy64(y: usize, x: usize, n: i32, a: f64): void {
  const av = f64x2.splat(a);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(y + at, f64x2.add(v128.load(y + at), f64x2.mul(av, v128.load(x + at))));
  }
  if (i < n) {
    const at = y + (<usize>i << 3);
    store<f64>(at, load<f64>(at) + a * load<f64>(x + (<usize>i << 3)));
  }
}

/** The index of the first NaN or ±Infinity among n float32 values (exponent bits all ones), or −1. */
export function firstNonFinite32(x: usize, n: i32): i32 {
  const mask = i32x4.splat(0x7f800000);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const at = x + (<usize>i << 2);
    const e0 = i32x4.eq(v128.and(v128.load(at), mask), mask);
    const e1 = i32x4.eq(v128.and(v128.load(at, 16), mask), mask);
    const e2 = i32x4.eq(v128.and(v128.load(at, 32), mask), mask);
    const e3 = i32x4.eq(v128.and(v128.load(at, 48), mask), mask);
    if (v128.any_true(v128.or(v128.or(e0, e1), v128.or(e2, e3)))) break; // the exact index below
  }
  for (; i < n; i++) if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return i;
  return -1;
}

/** The index of the first NaN or ±Infinity among n float64 values, or −1. */
export function firstNonFinite64(x: usize, n: i32): i32 {
  const mask = i64x2.splat(0x7ff0000000000000);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const at = x + (<usize>i << 3);
    const e0 = i64x2.eq(v128.and(v128.load(at), mask), mask);
    const e1 = i64x2.eq(v128.and(v128.load(at, 16), mask), mask);
    const e2 = i64x2.eq(v128.and(v128.load(at, 32), mask), mask);
    const e3 = i64x2.eq(v128.and(v128.load(at, 48), mask), mask);
    if (v128.any_true(v128.or(v128.or(e0, e1), v128.or(e2, e3)))) break;
  }
  for (; i < n; i++) if ((load<u64>(x + (<usize>i << 3)) & 0x7ff0000000000000) == 0x7ff0000000000000) return i;
  return -1;
}

/**
 * y[r, j] = relu(y[r, j] + b[j]) over `rows` rows of n, in place, float32 (b = 0: no bias; relu 0:
 * the bias alone). The sum is rounded to float32 before the ReLU reads it, and ReLU passes NaN and
 * maps −0 to 0, as `y <= 0 ? 0 : y` does.
 */
export function biasRelu32(y: usize, b: usize, rows: i32, n: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = y + ((<usize>r * n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const at = row + (<usize>j << 2);
      let v = v128.load(at);
      if (b) v = f32x4.add(v, v128.load(b + (<usize>j << 2)));
      if (relu) v = v128.bitselect(zero, v, f32x4.le(v, zero));
      v128.store(at, v);
    }
    for (; j < n; j++) {
      const at = row + (<usize>j << 2);
      let v = load<f32>(at);
      if (b) v += load<f32>(b + (<usize>j << 2));
      if (relu && v <= 0) v = 0;
      store<f32>(at, v);
    }
  }
}

/** dz[i] = y[i] > 0 ? dout[i] : y[i] <= 0 ? 0 : y[i] (NaN passes), float32: ReLU's backward read from its output. */
export function reluGrad32(y: usize, dout: usize, dz: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const yv = v128.load(y + at);
    const blocked = v128.bitselect(zero, yv, f32x4.le(yv, zero)); // 0 where y ≤ 0, NaN where y is NaN
    v128.store(dz + at, v128.bitselect(v128.load(dout + at), blocked, f32x4.gt(yv, zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(y + at);
    store<f32>(dz + at, v > 0 ? load<f32>(dout + at) : v <= 0 ? <f32>0 : v);
  }
}

/** db[j] = Σ_r dz[r, j] over `rows` rows of n, float32, summed from +0 in row order. */
export function sumRows32(dz: usize, db: usize, rows: i32, n: i32): void {
  memory.fill(db, 0, <usize>n << 2);
  for (let r = 0; r < rows; r++) {
    const row = dz + ((<usize>r * n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const at = <usize>j << 2;
      v128.store(db + at, f32x4.add(v128.load(db + at), v128.load(row + at)));
    }
    for (; j < n; j++) {
      const at = <usize>j << 2;
      store<f32>(db + at, load<f32>(db + at) + load<f32>(row + at));
    }
  }
}

// ---------------------------------------------------------------- optimizer updates
// One pass over θ, ∇θ and the state of a parameter, with JavaScript's arithmetic: every value is read
// as float64, every expression evaluated in float64 in JavaScript's order, and a stored state value
// that the formula reads back is read back rounded, as from a Float32Array.

// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}

// @ts-ignore: decorator
@inline function join(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * SGD with momentum μ and L2 decay λ, float32: v ← μ·v + ∇θ + λ·θ; θ ← θ − η·v (Nesterov:
 * g = ∇θ + λ·θ; v ← μ·v + g; θ ← θ − η·(g + μ·v)), v read back as stored.
 */
export function momentum32(theta: usize, grad: usize, vel: usize, n: i32, lr: f64, mu: f64, wd: f64, nesterov: i32): void {
  const lrv = f64x2.splat(lr), muv = f64x2.splat(mu), wdv = f64x2.splat(wd);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const t4 = v128.load(theta + at), g4 = v128.load(grad + at), v4 = v128.load(vel + at);
    const tl = f64x2.promote_low_f32x4(t4), th = f64x2.promote_low_f32x4(hi(t4));
    const gl = f64x2.promote_low_f32x4(g4), gh = f64x2.promote_low_f32x4(hi(g4));
    const vl = f64x2.promote_low_f32x4(v4), vh = f64x2.promote_low_f32x4(hi(v4));
    if (nesterov) {
      const ql = f64x2.add(gl, f64x2.mul(wdv, tl)), qh = f64x2.add(gh, f64x2.mul(wdv, th));
      const nv = join(f64x2.add(f64x2.mul(muv, vl), ql), f64x2.add(f64x2.mul(muv, vh), qh));
      v128.store(vel + at, nv);
      const sl = f64x2.add(ql, f64x2.mul(muv, f64x2.promote_low_f32x4(nv)));
      const sh = f64x2.add(qh, f64x2.mul(muv, f64x2.promote_low_f32x4(hi(nv))));
      v128.store(theta + at, join(f64x2.sub(tl, f64x2.mul(lrv, sl)), f64x2.sub(th, f64x2.mul(lrv, sh))));
    } else {
      const nv = join(
        f64x2.add(f64x2.add(f64x2.mul(muv, vl), gl), f64x2.mul(wdv, tl)),
        f64x2.add(f64x2.add(f64x2.mul(muv, vh), gh), f64x2.mul(wdv, th)),
      );
      v128.store(vel + at, nv);
      v128.store(theta + at, join(
        f64x2.sub(tl, f64x2.mul(lrv, f64x2.promote_low_f32x4(nv))),
        f64x2.sub(th, f64x2.mul(lrv, f64x2.promote_low_f32x4(hi(nv)))),
      ));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const t = <f64>load<f32>(theta + at);
    if (nesterov) {
      const g = <f64>load<f32>(grad + at) + wd * t;
      const v = <f32>(mu * <f64>load<f32>(vel + at) + g);
      store<f32>(vel + at, v);
      store<f32>(theta + at, <f32>(t - lr * (g + mu * <f64>v)));
    } else {
      const v = <f32>(mu * <f64>load<f32>(vel + at) + <f64>load<f32>(grad + at) + wd * t);
      store<f32>(vel + at, v);
      store<f32>(theta + at, <f32>(t - lr * <f64>v));
    }
  }
}

/** momentum32 in float64 (nothing is rounded in between). */
export function momentum64(theta: usize, grad: usize, vel: usize, n: i32, lr: f64, mu: f64, wd: f64, nesterov: i32): void {
  const lrv = f64x2.splat(lr), muv = f64x2.splat(mu), wdv = f64x2.splat(wd);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    const t = v128.load(theta + at), g = v128.load(grad + at), v = v128.load(vel + at);
    if (nesterov) {
      const q = f64x2.add(g, f64x2.mul(wdv, t));
      const nv = f64x2.add(f64x2.mul(muv, v), q);
      v128.store(vel + at, nv);
      v128.store(theta + at, f64x2.sub(t, f64x2.mul(lrv, f64x2.add(q, f64x2.mul(muv, nv)))));
    } else {
      const nv = f64x2.add(f64x2.add(f64x2.mul(muv, v), g), f64x2.mul(wdv, t));
      v128.store(vel + at, nv);
      v128.store(theta + at, f64x2.sub(t, f64x2.mul(lrv, nv)));
    }
  }
  if (i < n) {
    const at = <usize>i << 3;
    const t = load<f64>(theta + at);
    if (nesterov) {
      const g = load<f64>(grad + at) + wd * t;
      const v = mu * load<f64>(vel + at) + g;
      store<f64>(vel + at, v);
      store<f64>(theta + at, t - lr * (g + mu * v));
    } else {
      const v = mu * load<f64>(vel + at) + load<f64>(grad + at) + wd * t;
      store<f64>(vel + at, v);
      store<f64>(theta + at, t - lr * v);
    }
  }
}

/**
 * Adam/AdamW, float32, in PyTorch's form with the bias corrections folded into stepSize and rootBc2:
 * θ' = θ·shrink; g = ∇θ + l2·θ'; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * θ ← θ' − stepSize · m / (√v / rootBc2 + ε), with m and v as computed (not as stored).
 */
export function adam32(theta: usize, grad: usize, mom: usize, vel: usize, n: i32, stepSize: f64, rootBc2: f64, shrink: f64, l2: f64, beta1: f64, beta2: f64, eps: f64): void {
  const keep1 = 1 - beta1, keep2 = 1 - beta2;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    // Two lanes at a time: float32 pairs loaded as one 64-bit lane and promoted.
    const at = <usize>i << 2;
    const th = f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(theta + at)), f64x2.splat(shrink));
    const g = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(grad + at)), f64x2.mul(f64x2.splat(l2), th));
    const m = f64x2.add(f64x2.mul(f64x2.splat(beta1), f64x2.promote_low_f32x4(v128.load64_zero(mom + at))), f64x2.mul(f64x2.splat(keep1), g));
    const v = f64x2.add(f64x2.mul(f64x2.splat(beta2), f64x2.promote_low_f32x4(v128.load64_zero(vel + at))), f64x2.mul(f64x2.mul(f64x2.splat(keep2), g), g));
    v128.store64_lane(mom + at, f32x4.demote_f64x2_zero(m), 0);
    v128.store64_lane(vel + at, f32x4.demote_f64x2_zero(v), 0);
    const step = f64x2.mul(f64x2.splat(stepSize), f64x2.div(m, f64x2.add(f64x2.div(f64x2.sqrt(v), f64x2.splat(rootBc2)), f64x2.splat(eps))));
    v128.store64_lane(theta + at, f32x4.demote_f64x2_zero(f64x2.sub(th, step)), 0);
  }
  if (i < n) {
    const at = <usize>i << 2;
    const th = <f64>load<f32>(theta + at) * shrink;
    const g = <f64>load<f32>(grad + at) + l2 * th;
    const m = beta1 * <f64>load<f32>(mom + at) + keep1 * g;
    const v = beta2 * <f64>load<f32>(vel + at) + keep2 * g * g;
    store<f32>(mom + at, <f32>m);
    store<f32>(vel + at, <f32>v);
    store<f32>(theta + at, <f32>(th - stepSize * (m / (Math.sqrt(v) / rootBc2 + eps))));
  }
}

/** adam32 in float64. */
export function adam64(theta: usize, grad: usize, mom: usize, vel: usize, n: i32, stepSize: f64, rootBc2: f64, shrink: f64, l2: f64, beta1: f64, beta2: f64, eps: f64): void {
  const keep1 = 1 - beta1, keep2 = 1 - beta2;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    const th = f64x2.mul(v128.load(theta + at), f64x2.splat(shrink));
    const g = f64x2.add(v128.load(grad + at), f64x2.mul(f64x2.splat(l2), th));
    const m = f64x2.add(f64x2.mul(f64x2.splat(beta1), v128.load(mom + at)), f64x2.mul(f64x2.splat(keep1), g));
    const v = f64x2.add(f64x2.mul(f64x2.splat(beta2), v128.load(vel + at)), f64x2.mul(f64x2.mul(f64x2.splat(keep2), g), g));
    v128.store(mom + at, m);
    v128.store(vel + at, v);
    const step = f64x2.mul(f64x2.splat(stepSize), f64x2.div(m, f64x2.add(f64x2.div(f64x2.sqrt(v), f64x2.splat(rootBc2)), f64x2.splat(eps))));
    v128.store(theta + at, f64x2.sub(th, step));
  }
  if (i < n) {
    const at = <usize>i << 3;
    const th = load<f64>(theta + at) * shrink;
    const g = load<f64>(grad + at) + l2 * th;
    const m = beta1 * load<f64>(mom + at) + keep1 * g;
    const v = beta2 * load<f64>(vel + at) + keep2 * g * g;
    store<f64>(mom + at, m);
    store<f64>(vel + at, v);
    store<f64>(theta + at, th - stepSize * (m / (Math.sqrt(v) / rootBc2 + eps)));
  }
}
