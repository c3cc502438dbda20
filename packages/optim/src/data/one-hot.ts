import { allocate, DType, InvalidArgumentError, TypedArray } from '@chainrule/core';
import { argmaxRow } from './argmax';

/** Checks that `classes` is a usable class count. */
function checkClasses(where: string, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new InvalidArgumentError(`${where}: 'classes' must be an integer >= 1, got ${classes}`);
}

/**
 * Class indices [N] as one-hot rows [N, classes] (row i is 1 at labels[i], 0 elsewhere), row-major,
 * into `out` when given (reused: it is zeroed first) or a new array of `dtype` (default float64).
 * Throws before writing anything when a label is not an integer in [0, classes).
 */
export function oneHot(labels: ArrayLike<number>, classes: number, options: { dtype?: DType; out?: TypedArray } = {}): TypedArray {
  const where = 'oneHot';
  checkClasses(where, classes);
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new InvalidArgumentError(`${where}: label ${i} is ${y}, expected a class index, an integer in [0, ${classes})`);
  }
  const out = options.out ?? allocate(options.dtype ?? 'float64', n * classes);
  if (out.length !== n * classes) throw new InvalidArgumentError(`${where}: 'out' holds ${out.length} values, expected ${n} × ${classes} = ${n * classes}`);
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * classes + labels[i]] = 1;
  return out;
}

/**
 * One-hot (or score, or probability) rows [N, classes] back to class indices [N]: the index of each
 * row's largest value, ties to the first, into `out` when given.
 */
export function fromOneHot(rows: ArrayLike<number>, classes: number, out?: Int32Array): Int32Array {
  const where = 'fromOneHot';
  checkClasses(where, classes);
  if (rows.length % classes !== 0) throw new InvalidArgumentError(`${where}: ${rows.length} values do not split into rows of ${classes} classes`);
  const n = rows.length / classes;
  const result = out ?? new Int32Array(n);
  if (result.length !== n) throw new InvalidArgumentError(`${where}: 'out' holds ${result.length} values, expected ${n} (one per row)`);
  for (let i = 0; i < n; i++) result[i] = argmaxRow(rows, i, classes);
  return result;
}
