import { allocate, DType, TypedArray } from '../tensor';
import { GemmInstance, instanceHolding } from './gemm-instance';

/**
 * The elementwise loops of a training step around the products (issue 19): the optimizers' updates
 * (SGD, momentum, Adam), the non-finite screen, a fused layer's bias + ReLU and its backward. Each runs as a 128-bit SIMD
 * loop of the WebAssembly kernel (assembly/vector.ts) when every array it touches lives in one
 * kernel's memory (arrays from `kernelTensor`: gates' buffers, Linear's parameters, the graph's
 * gradient buffers next to them), and as the plain loop here otherwise. Both compute the same bits
 * (float32 updates in float64, rounded once; sums in the same order), so where an array lives never
 * changes a result: `vector-ops.test.ts` holds the two to that.
 */

/** The kernel instance whose memory holds every array given, or undefined (then the JS loop runs). Declared parameters, not a rest array: called every step, it allocates nothing. */
function shared(x: TypedArray, y?: TypedArray, z?: TypedArray, w?: TypedArray): GemmInstance | undefined {
  const g = instanceHolding(x);
  if (g === undefined || (y !== undefined && instanceHolding(y) !== g) || (z !== undefined && instanceHolding(z) !== g) || (w !== undefined && instanceHolding(w) !== g)) return undefined;
  return g;
}

/** One element size for all (the SIMD loops take one dtype). */
function oneSize(x: TypedArray, y: TypedArray, z: TypedArray, w?: TypedArray): boolean {
  const e = x.BYTES_PER_ELEMENT;
  return y.BYTES_PER_ELEMENT === e && z.BYTES_PER_ELEMENT === e && (w === undefined || w.BYTES_PER_ELEMENT === e);
}

/**
 * A zeroed array of `size` elements in the memory `like` lives in (an optimizer's state beside its
 * parameter, so the update's SIMD loop can read both), or an ordinary array.
 */
export function arrayBeside(like: TypedArray, dtype: DType, size: number): TypedArray {
  return instanceHolding(like)?.alloc(dtype === 'float32', size) ?? allocate(dtype, size);
}

/** y += a·x elementwise (y and x of one length and dtype): SGD's θ ← θ − η·∇θ is axpy(θ, ∇θ, −η). */
export function axpy(y: TypedArray, x: TypedArray, a: number): void {
  const n = y.length;
  const g = y.BYTES_PER_ELEMENT === x.BYTES_PER_ELEMENT ? shared(y, x) : undefined;
  if (g !== undefined) {
    if (y.BYTES_PER_ELEMENT === 4) g.ex.axpy32(y.byteOffset, x.byteOffset, n, a);
    else g.ex.axpy64(y.byteOffset, x.byteOffset, n, a);
    return;
  }
  for (let i = 0; i < n; i++) y[i] += a * x[i];
}

/** The index of the first NaN or ±Infinity in d, or −1. */
export function firstNonFinite(d: TypedArray): number {
  const g = instanceHolding(d);
  if (g !== undefined) return d.BYTES_PER_ELEMENT === 4 ? g.ex.firstNonFinite32(d.byteOffset, d.length) : g.ex.firstNonFinite64(d.byteOffset, d.length);
  if (allFinite(d)) return -1;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1; // finite values whose sum overflowed
}

/**
 * A fast screen in plain JS, one pass with no branch per element: true when every element is finite.
 * The sum of finite values is finite unless it overflows, and NaN or ±Infinity anywhere makes it
 * non-finite; so false means "maybe" (firstNonFinite then scans). Four running sums, because V8
 * does not vectorise: independent additions overlap in the CPU, about 1.7× faster than one chain.
 */
function allFinite(d: TypedArray): boolean {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const n = d.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a0 += d[i];
    a1 += d[i + 1];
    a2 += d[i + 2];
    a3 += d[i + 3];
  }
  for (; i < n; i++) a0 += d[i];
  const sum = a0 + a1 + a2 + a3;
  return sum - sum === 0;
}

/**
 * y[r, j] = act(y[r, j] + b[j]) in place over rows of n, act ReLU (`relu`) or none; b undefined: no
 * bias. The sum is stored before the ReLU reads it, so float32 rounds it where AddGate's output
 * would; ReLU passes NaN (`y <= 0 ? 0 : y`, as ReLUGate).
 */
export function biasRelu(y: TypedArray, b: TypedArray | undefined, n: number, relu: boolean): void {
  const g = y.BYTES_PER_ELEMENT === 4 && (b === undefined || b.BYTES_PER_ELEMENT === 4) ? shared(y, b) : undefined;
  if (g !== undefined) {
    g.ex.biasRelu32(y.byteOffset, b === undefined ? 0 : b.byteOffset, y.length / n, n, relu ? 1 : 0);
    return;
  }
  for (let i = 0; i < y.length; i += n) {
    if (b !== undefined) for (let j = 0; j < n; j++) y[i + j] += b[j];
    if (relu) for (let j = i; j < i + n; j++) y[j] = y[j] <= 0 ? 0 : y[j];
  }
}

/**
 * dz = dout where y > 0, 0 where y ≤ 0, NaN where y is NaN: ReLU's backward, read from its input or
 * its output y (the same signs). ReLUGate and AffineGate both call it.
 */
export function reluGrad(y: TypedArray, dout: TypedArray, dz: TypedArray): void {
  const g = y.BYTES_PER_ELEMENT === 4 && dout.BYTES_PER_ELEMENT === 4 && dz.BYTES_PER_ELEMENT === 4 ? shared(y, dout, dz) : undefined;
  if (g !== undefined) {
    g.ex.reluGrad32(y.byteOffset, dout.byteOffset, dz.byteOffset, dz.length);
    return;
  }
  // NaN passes as y itself: a NaN literal here made V8 box every element (~100 KB per W1 step).
  for (let i = 0; i < dz.length; i++) dz[i] = y[i] > 0 ? dout[i] : y[i] <= 0 ? 0 : y[i];
}

/** db[j] = Σ_r dz[r, j] over rows of n, summed from 0 in row order (AddGate's broadcast reduction sums in the same order). */
export function sumRows(dz: TypedArray, db: TypedArray, n: number): void {
  const g = dz.BYTES_PER_ELEMENT === 4 && db.BYTES_PER_ELEMENT === 4 ? shared(dz, db) : undefined;
  if (g !== undefined) {
    g.ex.sumRows32(dz.byteOffset, db.byteOffset, dz.length / n, n);
    return;
  }
  db.fill(0);
  for (let i = 0; i < dz.length; i += n) for (let j = 0; j < n; j++) db[j] += dz[i + j];
}

/**
 * SGD with momentum μ and L2 decay λ, one pass over θ, ∇θ and the velocity v:
 * v ← μ·v + ∇θ + λ·θ; θ ← θ − η·v; Nesterov: g = ∇θ + λ·θ; v ← μ·v + g; θ ← θ − η·(g + μ·v).
 */
export function momentumStep(theta: TypedArray, grad: TypedArray, v: TypedArray, lr: number, mu: number, wd: number, nesterov: boolean): void {
  const n = theta.length;
  const g = oneSize(theta, grad, v) ? shared(theta, grad, v) : undefined;
  if (g !== undefined) {
    (theta.BYTES_PER_ELEMENT === 4 ? g.ex.momentum32 : g.ex.momentum64)(theta.byteOffset, grad.byteOffset, v.byteOffset, n, lr, mu, wd, nesterov ? 1 : 0);
    return;
  }
  if (nesterov) {
    for (let i = 0; i < n; i++) {
      const gi = grad[i] + wd * theta[i];
      v[i] = mu * v[i] + gi;
      theta[i] -= lr * (gi + mu * v[i]);
    }
  } else {
    for (let i = 0; i < n; i++) {
      v[i] = mu * v[i] + grad[i] + wd * theta[i];
      theta[i] -= lr * v[i];
    }
  }
}

/**
 * Adam/AdamW, one pass over θ, ∇θ, m and v, with the per-step constants computed by the caller:
 * θ' = θ·shrink (AdamW's decoupled decay; shrink 1 for Adam); g = ∇θ + l2·θ';
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ' − stepSize · m / (√v / rootBc2 + ε).
 */
export function adamStep(
  theta: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray,
  stepSize: number, rootBc2: number, shrink: number, l2: number, beta1: number, beta2: number, eps: number,
): void {
  const n = theta.length;
  const g = oneSize(theta, grad, m, v) ? shared(theta, grad, m, v) : undefined;
  if (g !== undefined) {
    (theta.BYTES_PER_ELEMENT === 4 ? g.ex.adam32 : g.ex.adam64)(theta.byteOffset, grad.byteOffset, m.byteOffset, v.byteOffset, n, stepSize, rootBc2, shrink, l2, beta1, beta2, eps);
    return;
  }
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const th = theta[i] * shrink;
    const gi = grad[i] + l2 * th;
    const mi = beta1 * m[i] + keep1 * gi;
    const vi = beta2 * v[i] + keep2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    theta[i] = th - stepSize * (mi / (Math.sqrt(vi) / rootBc2 + eps));
  }
}
