import { assertTensor, describeArgument, InvalidArgumentError, Tensor } from '@chainrule/core';

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
export function argmaxRows(scores: Tensor, out?: Int32Array): Int32Array {
  assertTensor(scores, 'argmaxRows');
  if (out === undefined) out = new Int32Array(scores.shape[0] ?? 1);
  if (!(out instanceof Int32Array) || out.length < (scores.shape[0] ?? 1)) {
    throw new InvalidArgumentError(`argmaxRows: out must be an Int32Array of at least ${scores.shape[0] ?? 1} rows, got ${describeArgument(out)}`);
  }
  const n = scores.shape[0];
  const c = n ? scores.size / n : 0;
  for (let i = 0; i < n; i++) out[i] = argmaxRow(scores.data, i, c);
  return out;
}

/**
 * The predicted class of each of the first `rows` rows of `scores` ([rows, C]), into `out`: argmax
 * for C > 1; for C = 1 (a sigmoid output) class 1 where the score exceeds `threshold`.
 */
export function classesOf(scores: Tensor, rows: number, threshold: number, out: Int32Array): Int32Array {
  const c = scores.size / rows;
  const s = scores.data;
  for (let i = 0; i < rows; i++) out[i] = classOfRow(s, i, c, threshold);
  return out;
}

/** Row i's predicted class among c scores: argmax for c > 1; for c = 1 (a sigmoid output) 1 where the score exceeds `threshold`. */
export function classOfRow(values: ArrayLike<number>, i: number, c: number, threshold: number): number {
  return c === 1 ? (values[i] > threshold ? 1 : 0) : argmaxRow(values, i, c);
}
