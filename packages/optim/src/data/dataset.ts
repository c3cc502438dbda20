import { InvalidArgumentError } from '@chainrule/core';

/**
 * A data set: `features` row-major [N, ...featureShape] and `labels` [N, ...labelShape] (class
 * indices for classification: labelShape [], the default). N is labels.length / size(labelShape).
 */
export interface Dataset {
  features: Float32Array | Float64Array;
  labels: ArrayLike<number>;
}

/** out[r, :] = src[rows[start + r], :] for r < b, rows of width w; without `rows`, the rows start, start + 1, ... */
export function copyRows(out: { [i: number]: number }, src: ArrayLike<number>, rows: ArrayLike<number> | undefined, start: number, b: number, w: number): void {
  for (let r = 0; r < b; r++) {
    const from = (rows ? rows[start + r] : start + r) * w;
    const to = r * w;
    for (let j = 0; j < w; j++) out[to + j] = src[from + j];
  }
}

/** A new zeroed array of the kind of `like` (Float32Array, Float64Array or Int32Array; anything else becomes a Float64Array). */
export function sameKind(like: ArrayLike<number>, length: number): Float32Array | Float64Array | Int32Array {
  if (like instanceof Float32Array) return new Float32Array(length);
  if (like instanceof Int32Array) return new Int32Array(length);
  return new Float64Array(length);
}

/** The row count n and feature values per row d of a data set with `labelWidth` label values per row; throws when they do not make whole rows. */
export function rowsOf(data: Dataset, labelWidth: number, where: string): { n: number; d: number } {
  if (!data || !(data.features instanceof Float32Array || data.features instanceof Float64Array) || !data.labels || typeof data.labels.length !== 'number') {
    throw new InvalidArgumentError(`${where}: expected a data set { features: Float32Array | Float64Array, labels: number[] }`);
  }
  if (!Number.isInteger(labelWidth) || labelWidth < 1) throw new InvalidArgumentError(`${where}: 'labelWidth' must be an integer >= 1, got ${labelWidth}`);
  const n = data.labels.length / labelWidth;
  if (!Number.isInteger(n) || n < 1 || data.features.length % n !== 0) {
    throw new InvalidArgumentError(`${where}: ${data.features.length} feature values and ${data.labels.length} label values (${labelWidth} per row) do not make whole rows`);
  }
  return { n, d: data.features.length / n };
}
