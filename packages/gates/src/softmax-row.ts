import { TypedArray } from '@chainrule/core';

/**
 * softmax of one row of `len` values of x, starting at `base` with `stride` between them, written
 * to the same places of `out`. With `stats`, the row's maximum m goes to stats[2·at] and log Σₖ e^(xₖ − m)
 * to stats[2·at + 1]: log-softmax and the cross-entropy use (xⱼ − m) − log Σ, which keeps its
 * precision where m + log Σ would round away (two logits of 1e308 give −log 2, not 0). Softmax,
 * log-softmax and softmax-cross-entropy share it. Written, not returned, because a float returned
 * from a call V8 does not inline is boxed: one allocation per row in the training loop.
 *
 * Non-finite logits (docs/gates.md): a NaN makes the whole row NaN; one +Infinity gives the limit,
 * one-hot at it (m = +Infinity, log Σ = 0); two or more +Infinity have no limit: NaN; −Infinity
 * logits get probability 0, and a row of only −Infinity is NaN (0/0).
 */
export function softmaxRow(x: TypedArray, out: TypedArray, base: number, len: number, stride: number, stats?: Float64Array, at = 0): void {
  const end = base + len * stride;
  let m = -Infinity;
  for (let j = base; j < end; j += stride) if (x[j] > m) m = x[j];
  if (m === Infinity) {
    infiniteRow(x, out, base, end, stride, stats, at);
    return;
  }
  let s = 0;
  for (let j = base; j < end; j += stride) {
    const e = Math.exp(x[j] - m);
    out[j] = e;
    s += e;
  }
  const r = 1 / s;
  for (let j = base; j < end; j += stride) out[j] *= r;
  if (stats) {
    stats[2 * at] = m;
    stats[2 * at + 1] = Math.log(s);
  }
}

/** A row whose maximum is +Infinity: one-hot at a single +Infinity (the limit), NaN when there are several or a NaN. */
function infiniteRow(x: TypedArray, out: TypedArray, base: number, end: number, stride: number, stats: Float64Array | undefined, at: number): void {
  let count = 0;
  let nan = false;
  for (let j = base; j < end; j += stride) {
    if (x[j] === Infinity) count++;
    else if (x[j] !== x[j]) nan = true;
  }
  const limit = count === 1 && !nan;
  for (let j = base; j < end; j += stride) out[j] = !limit ? NaN : x[j] === Infinity ? 1 : 0;
  if (stats) {
    stats[2 * at] = Infinity;
    stats[2 * at + 1] = limit ? 0 : NaN;
  }
}

/** xⱼ − m, taken as 0 where xⱼ is the maximum itself (so a +Infinity maximum gives 0, not ∞ − ∞). */
export function shifted(v: number, m: number): number {
  return v === m ? 0 : v - m;
}

/**
 * softmaxRow over every line of x viewed as [outer, len, inner] (the softmax along the middle
 * axis), with line k's maximum and log Σ in stats[2k], stats[2k + 1] when stats is given. One call
 * per pass, not per row, so nothing is boxed per row even where V8 does not inline the call.
 */
export function softmaxLines(x: TypedArray, out: TypedArray, outer: number, len: number, inner: number, stats?: Float64Array): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) softmaxRow(x, out, o * len * inner + i, len, inner, stats, o * inner + i);
}
