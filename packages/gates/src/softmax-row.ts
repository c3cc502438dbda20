import { TypedArray } from '@chainrule/core';

/**
 * softmax of one row of `len` values of x, starting at `base` with `stride` between them, written
 * to the same places of `out`; with `lse`, the row's log-sum-exp m + log Σₖ e^(xₖ − m) (m the row's
 * maximum, so no exponential overflows) goes to lse[at]. Softmax, log-softmax and
 * softmax-cross-entropy share it. With `inv`, the normalising pass is skipped: out keeps
 * e^(x − m) and inv[at] gets 1 / Σ e^(x − m). The log-sum-exp is written, not returned, because a float
 * returned from a call V8 does not inline is boxed: one allocation per row in the training loop.
 */
export function softmaxRow(x: TypedArray, out: TypedArray, base: number, len: number, stride: number, lse?: Float64Array, at = 0, inv?: Float64Array): void {
  const end = base + len * stride;
  let m = -Infinity;
  for (let j = base; j < end; j += stride) if (x[j] > m) m = x[j];
  let s = 0;
  for (let j = base; j < end; j += stride) {
    const e = Math.exp(x[j] - m);
    out[j] = e;
    s += e;
  }
  const r = 1 / s;
  if (lse) lse[at] = m + Math.log(s);
  if (inv) inv[at] = r; // the caller scales later (softmax-cross-entropy, as it writes the gradient)
  else for (let j = base; j < end; j += stride) out[j] *= r;
}

/**
 * softmaxRow over every line of x viewed as [outer, len, inner] (the softmax along the middle
 * axis), with line k's log-sum-exp in lse[k] when lse is given. One call per pass, not per row, so
 * nothing is boxed per row even where V8 does not inline the call.
 */
export function softmaxLines(x: TypedArray, out: TypedArray, outer: number, len: number, inner: number, lse?: Float64Array, inv?: Float64Array): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) softmaxRow(x, out, o * len * inner + i, len, inner, lse, o * inner + i, inv);
}

