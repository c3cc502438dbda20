import { TypedArray } from '../tensor';

/**
 * Dense matrix-product kernels over row-major typed arrays: the plain-JavaScript reference
 * implementation, and the fallback of the WebAssembly kernel (wasm-kernel.ts), which keeps these
 * same contracts.
 *
 * Conventions shared by every function here:
 * - every matrix is a contiguous row-major typed array (Float32Array or Float64Array; the three
 *   arrays may mix dtypes, and `out`'s dtype decides the rounding of the stored result);
 * - `m`, `k`, `n` are always the dimensions of the PRODUCT `out[m×n] = op(a)[m×k] · op(b)[k×n]`,
 *   whatever the storage of `a` and `b` (see each function);
 * - `out` must not alias `a` or `b`;
 * - `accumulate = false` overwrites `out`; `accumulate = true` adds the product to what `out` holds
 *   (`out += op(a)·op(b)`), for summing gradients over a batch without a scratch buffer;
 * - no allocation, no bounds checks beyond what the caller guarantees: callers (the gates) check
 *   shapes and throw ShapeError before calling.
 */
export type MatmulFn = (
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  m: number,
  k: number,
  n: number,
  accumulate?: boolean,
) => void;

/**
 * out[m×n] = a[m×k] · b[k×n].
 *
 * i-k-j loop order: the innermost loop walks a row of `b` and a row of `out`, both contiguous,
 * with `a[i,p]` hoisted into a register. Rows of `out` go four at a time, so each load of `b[p,j]`
 * feeds four multiply-adds (about twice the speed of one row at a time); every output element still
 * sums over p in order, so the result is the same bit for bit.
 */
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const o0 = i * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const x1 = a[a1 + p];
      const x2 = a[a2 + p];
      const x3 = a[a3 + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bRow + j];
        out[o0 + j] += x0 * bv;
        out[o1 + j] += x1 * bv;
        out[o2 + j] += x2 * bv;
        out[o3 + j] += x3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const oRow = i * n;
    const aRow = i * k;
    for (let p = 0; p < k; p++) {
      const aip = a[aRow + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[oRow + j] += aip * b[bRow + j];
    }
  }
}

/**
 * out[m×n] = aᵀ · b, where `a` is STORED as [k×m] (so aᵀ is m×k) and `b` is [k×n].
 *
 * Used for a weight gradient `dW = xᵀ · dout`. k-i-j loop order: the innermost loop walks a row of
 * `b` and a row of `out`, both contiguous; the transpose is never materialised. Four rows of `out`
 * per pass share each load of `b[p,j]`, as in matmul.
 */
export function matmulTransA(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const aRow = p * m;
    const bRow = p * n;
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const x0 = a[aRow + i];
      const x1 = a[aRow + i + 1];
      const x2 = a[aRow + i + 2];
      const x3 = a[aRow + i + 3];
      const o0 = i * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      for (let j = 0; j < n; j++) {
        const bv = b[bRow + j];
        out[o0 + j] += x0 * bv;
        out[o1 + j] += x1 * bv;
        out[o2 + j] += x2 * bv;
        out[o3 + j] += x3 * bv;
      }
    }
    for (; i < m; i++) {
      const api = a[aRow + i];
      const oRow = i * n;
      for (let j = 0; j < n; j++) out[oRow + j] += api * b[bRow + j];
    }
  }
}

/**
 * out[m×n] = a · bᵀ, where `a` is [m×k] and `b` is STORED as [n×k] (so bᵀ is k×n).
 *
 * Used for an input gradient `dx = dout · Wᵀ`. Each output element is a dot product of two
 * contiguous rows (a row of `a` and a row of `b`); four rows of `b` per pass share each load of
 * `a[i,p]`. The transpose is never materialised.
 */
export function matmulTransB(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const oRow = i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p];
        s0 += av * b[b0 + p];
        s1 += av * b[b1 + p];
        s2 += av * b[b2 + p];
        s3 += av * b[b3 + p];
      }
      if (accumulate) {
        out[oRow + j] += s0;
        out[oRow + j + 1] += s1;
        out[oRow + j + 2] += s2;
        out[oRow + j + 3] += s3;
      } else {
        out[oRow + j] = s0;
        out[oRow + j + 1] = s1;
        out[oRow + j + 2] = s2;
        out[oRow + j + 3] = s3;
      }
    }
    for (; j < n; j++) {
      const bRow = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
      if (accumulate) out[oRow + j] += s;
      else out[oRow + j] = s;
    }
  }
}
