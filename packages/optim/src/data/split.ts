import { InvalidArgumentError, Random } from '@chainrule/core';
import { copyRows, Dataset, rowsOf, sameKind } from './dataset';

export interface SplitOptions {
  /** The held-out share, in (0, 1) (default 0.2); the test set has max(1, round(n · testFraction)) rows. */
  testFraction?: number;
  /** The held-out row count instead of a fraction. */
  testSize?: number;
  /** Training rows (default: every row not held out); fewer draws a random subset. */
  trainSize?: number;
  /** Seed of the shuffle (core's Random; default 0): the same seed gives the same split. */
  seed?: number;
}

/** Row indices of a split: disjoint, drawn by a seeded shuffle, in shuffled order. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/**
 * A seeded random split of the rows 0..n-1: one Fisher–Yates shuffle (core's Random), the first
 * trainSize rows of it for training and the next testSize held out, so the two never share a row.
 */
export function splitIndices(n: number, options: SplitOptions = {}): SplitIndices {
  const where = 'splitIndices';
  if (!Number.isInteger(n) || n < 2) throw new InvalidArgumentError(`${where}: need at least 2 rows to split, got ${n}`);
  let nTest: number;
  if (options.testSize !== undefined) {
    nTest = options.testSize;
    if (!Number.isInteger(nTest) || nTest < 1 || nTest >= n) throw new InvalidArgumentError(`${where}: 'testSize' must be an integer in [1, ${n - 1}] for ${n} rows, got ${nTest}`);
  } else {
    const f = options.testFraction ?? 0.2;
    if (!(f > 0 && f < 1)) throw new InvalidArgumentError(`${where}: 'testFraction' must be in (0, 1), got ${f}`);
    nTest = Math.min(n - 1, Math.max(1, Math.round(n * f)));
  }
  const nTrain = options.trainSize ?? n - nTest;
  if (!Number.isInteger(nTrain) || nTrain < 1 || nTrain + nTest > n) {
    throw new InvalidArgumentError(`${where}: 'trainSize' must be an integer in [1, ${n - nTest}] (${n} rows, ${nTest} held out), got ${nTrain}`);
  }
  const order = new Random(options.seed ?? 0).permutation(n);
  return { train: order.slice(0, nTrain), test: order.slice(nTrain, nTrain + nTest) };
}

/** The rows `rows` of a data set, copied (labels of `labelWidth` values per row). */
export function takeRows(data: Dataset, rows: Int32Array, labelWidth = 1): Dataset {
  const { d } = rowsOf(data, labelWidth, 'takeRows');
  const features = sameKind(data.features, rows.length * d) as Float32Array | Float64Array;
  const labels = sameKind(data.labels, rows.length * labelWidth);
  copyRows(features, data.features, rows, 0, rows.length, d);
  copyRows(labels, data.labels, rows, 0, rows.length, labelWidth);
  return { features, labels };
}

/** A seeded train/test split of a data set (rows copied), with the row indices it took. */
export function trainTestSplit(data: Dataset, options: SplitOptions & { labelWidth?: number } = {}): { train: Dataset; test: Dataset; indices: SplitIndices } {
  const k = options.labelWidth ?? 1;
  const { n } = rowsOf(data, k, 'trainTestSplit');
  const indices = splitIndices(n, options);
  return { train: takeRows(data, indices.train, k), test: takeRows(data, indices.test, k), indices };
}
