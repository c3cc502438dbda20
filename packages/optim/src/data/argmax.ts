import { Tensor } from '@chainrule/core';

/** The index of the largest of row i's c values in row-major `values` (ties go to the first). */
export function argmaxRow(values: ArrayLike<number>, i: number, c: number): number {
  let arg = 0;
  let max = values[i * c];
  for (let j = 1; j < c; j++) {
    const v = values[i * c + j];
    if (v > max) {
      max = v;
      arg = j;
    }
  }
  return arg;
}

/** Index of the largest score in each row of [N, C] scores (ties go to the first), into `out` (reused when given). */
export function argmaxRows(scores: Tensor, out: Int32Array = new Int32Array(scores.shape[0])): Int32Array {
  const n = scores.shape[0];
  const c = n ? scores.size / n : 0;
  for (let i = 0; i < n; i++) out[i] = argmaxRow(scores.data, i, c);
  return out;
}
