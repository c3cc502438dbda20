import { formatShape, formatSpec, InvalidArgumentError, sameSize, ShapeError, ShapeRule, Tensor } from '@chainrule/core';

/**
 * A class label that is not an integer in [0, C). A subclass of InvalidArgumentError (and so of
 * ChainruleError); the message names the gate, the offending label and its index, and the range.
 */
export class LabelError extends InvalidArgumentError {}

/**
 * Checks the inputs of a classification loss: scores [N, C] with N ≥ 1 and C ≥ 1, and labels [N]
 * holding integer class indices in [0, C) (a float tensor of integers). Throws ShapeError for the
 * shapes and LabelError for a value, each naming the gate and expected against got.
 */
export function checkClassLabels(gate: string, scores: Tensor, labels: Tensor): void {
  if (scores.rank !== 2 || scores.shape[0] < 1 || scores.shape[1] < 1) {
    throw new ShapeError(`${gate}.forward: scores must have shape [N, C] with N ≥ 1 and C ≥ 1, got ${formatShape(scores.shape)}`);
  }
  const n = scores.shape[0]; // indexing, not destructuring: no iterator per call
  const c = scores.shape[1];
  if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(
      `${gate}.forward: labels must have shape [N] = [${n}] (one class index per row of scores ${formatShape(scores.shape)}), got ${formatShape(labels.shape)}`,
    );
  }
  const y = labels.data;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= c) {
      throw new LabelError(
        `${gate}.forward: label ${v} at index ${i} is invalid: expected an integer class index in [0, ${c}) for scores ${formatShape(scores.shape)}`,
      );
    }
  }
}

/** The shape rule of losses of scores [N, C] against class labels [N]: one number. */
export const labelsLossRule: ShapeRule = ([scores, labels]) => {
  if (scores.length !== 2) throw new ShapeError(`scores must have shape [N, C], got ${formatSpec(scores)}`);
  if (labels.length !== 1) throw new ShapeError(`labels must have shape [N] (one class index per row of scores ${formatSpec(scores)}), got ${formatSpec(labels)}`);
  sameSize(scores[0], labels[0], `scores ${formatSpec(scores)} and labels ${formatSpec(labels)} must have as many rows`);
  return [];
};
