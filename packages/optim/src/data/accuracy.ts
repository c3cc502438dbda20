import { assertTensor, describeArgument, InvalidArgumentError, Tensor } from '@chainrule/core';
import { classOfRow } from './argmax';

/** The share of `predicted` class indices equal to `labels` (same length, at least one). */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length || predicted.length === 0) {
    throw new InvalidArgumentError(`accuracy: expected as many predictions as labels (at least one), got ${predicted.length} predictions and ${labels.length} labels`);
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
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
  for (let i = 0; i < b; i++) if (classOfRow(s, i, c, threshold) === y[i * k]) correct++;
  return correct;
}
