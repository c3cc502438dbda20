import { DType, Tensor } from '@chainrule/core';

/**
 * The reused gradient buffer for input i: `grads[i]`, reshaped to the input's shape and dtype only
 * when they change (no allocation in steady state). `grads` is the array backward returns, so a
 * gate keeps one array and no separate field per gradient.
 */
export function gradBuffer(grads: Tensor[], i: number, input: Tensor): Tensor {
  return (grads[i] = Tensor.reuse(grads[i], input.shape, input.dtype));
}

/** One shape for every scalar output, so asking for one allocates no `[]` per call. */
const SCALAR: readonly number[] = Object.freeze([]);

/** The reused scalar output of a loss gate (`previous` again unless its dtype changed). */
export function scalarBuffer(previous: Tensor | undefined, dtype: DType): Tensor {
  return Tensor.reuse(previous, SCALAR, dtype);
}
