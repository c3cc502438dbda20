import { TypedArray } from '@chainrule/core';

/**
 * softmax of one row of `len` values of x, starting at `base` with `stride` between them, written
 * to the same places of `out`; returns the row's log-sum-exp m + log Σₖ e^(xₖ − m), m the row's
 * maximum, so no exponential overflows. Softmax, log-softmax and softmax-cross-entropy share it.
 */
export function softmaxRow(x: TypedArray, out: TypedArray, base: number, len: number, stride: number): number {
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
  for (let j = base; j < end; j += stride) out[j] *= r;
  return m + Math.log(s);
}
