import { describeArgument, InvalidArgumentError } from '@chainrule/core';

/**
 * Counts of (true class, predicted class) pairs: counts[t · classes + p] is how many rows of class t
 * were predicted as p (rows: the truth, columns: the prediction, as scikit-learn lays it out). The
 * diagonal holds the right answers, so its sum over the total is the accuracy.
 */
export class ConfusionMatrix {
  /** Row-major [classes, classes]. */
  readonly counts: Int32Array;

  constructor(readonly classes: number) {
    // classes² counts must fit one Int32Array (at most 2^31 − 1 elements)
    if (!Number.isInteger(classes) || classes < 1 || classes > 46340) {
      throw new InvalidArgumentError(`ConfusionMatrix: 'classes' must be an integer from 1 to 46340, got ${describeArgument(classes)}`);
    }
    this.counts = new Int32Array(classes * classes);
  }

  /**
   * Adds pairs (labels[i], predicted[i]); nothing is counted unless every pair is a valid one.
   */
  add(predicted: ArrayLike<number>, labels: ArrayLike<number>): this {
    const c = this.classes;
    if (predicted.length !== labels.length) throw new InvalidArgumentError(`ConfusionMatrix.add: expected as many predictions as labels, got ${predicted.length} predictions and ${labels.length} labels`);
    for (let i = 0; i < labels.length; i++) {
      for (const [what, v] of [['label', labels[i]], ['prediction', predicted[i]]] as const) {
        if (!Number.isInteger(v) || v < 0 || v >= c) throw new InvalidArgumentError(`ConfusionMatrix.add: ${what} ${i} is ${v}, expected a class index, an integer in [0, ${c})`);
      }
    }
    for (let i = 0; i < labels.length; i++) this.counts[labels[i] * c + predicted[i]]++;
    return this;
  }

  /** How many rows of true class t were predicted as p. */
  at(t: number, p: number): number {
    return this.counts[t * this.classes + p];
  }

  /** Every counted row. */
  get total(): number {
    let s = 0;
    for (let i = 0; i < this.counts.length; i++) s += this.counts[i];
    return s;
  }

  /** The diagonal's share of the total: the accuracy (NaN when nothing was counted). */
  get accuracy(): number {
    let right = 0;
    for (let k = 0; k < this.classes; k++) right += this.at(k, k);
    return right / this.total;
  }

  /** Rows of each true class (the row sums). */
  support(): number[] {
    return Array.from({ length: this.classes }, (_, t) => {
      let s = 0;
      for (let p = 0; p < this.classes; p++) s += this.at(t, p);
      return s;
    });
  }

  /** The matrix as nested arrays, rows = true class. */
  toArray(): number[][] {
    return Array.from({ length: this.classes }, (_, t) => Array.from(this.counts.subarray(t * this.classes, (t + 1) * this.classes)));
  }
}

/** The confusion matrix of predicted against true class indices, `classes` classes. */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, classes: number): ConfusionMatrix {
  return new ConfusionMatrix(classes).add(predicted, labels);
}
