import { assertTensor, describeArgument, InvalidArgumentError, Tensor, TypedArray } from '@chainrule/core';

/** The index of the largest of row i's c scores (ties go to the first). */
function argmaxRow(s: TypedArray, i: number, c: number): number {
  let arg = 0;
  let max = s[i * c];
  for (let j = 1; j < c; j++) {
    const v = s[i * c + j];
    if (v > max) {
      max = v;
      arg = j;
    }
  }
  return arg;
}

/** Index of the largest score in each row of [N, C] scores (ties go to the first), into `out`. */
export function argmaxRows(scores: Tensor, out?: Int32Array): Int32Array {
  assertTensor(scores, 'argmaxRows');
  if (out === undefined) out = new Int32Array(scores.shape[0] ?? 1);
  if (!(out instanceof Int32Array)) throw new InvalidArgumentError(`argmaxRows: out must be an Int32Array, got ${describeArgument(out)}`);
  const n = scores.shape[0];
  const c = n ? scores.size / n : 0;
  for (let i = 0; i < n; i++) out[i] = argmaxRow(scores.data, i, c);
  return out;
}

/**
 * How many of the first b rows of `scores` ([b, C]) pick the class in `labels` (b labels, the
 * first of each row's k label values): argmax for C > 1; for C = 1 (a sigmoid output) class 1
 * where the score exceeds `threshold`.
 */
export function countCorrect(scores: Tensor, labels: Tensor, b: number, threshold = 0.5): number {
  assertTensor(scores, 'countCorrect scores');
  assertTensor(labels, 'countCorrect labels');
  if (!Number.isInteger(b) || b < 0) throw new InvalidArgumentError(`countCorrect: b must be a row count (an integer >= 0), got ${describeArgument(b)}`);
  const c = scores.size / b;
  const s = scores.data;
  const y = labels.data;
  const k = labels.size / b;
  let correct = 0;
  if (c === 1) {
    for (let i = 0; i < b; i++) if ((s[i] > threshold ? 1 : 0) === y[i * k]) correct++;
    return correct;
  }
  for (let i = 0; i < b; i++) if (argmaxRow(s, i, c) === y[i * k]) correct++;
  return correct;
}
