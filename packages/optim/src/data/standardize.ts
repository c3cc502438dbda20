import { InvalidArgumentError } from '@chainrule/core';

/**
 * Per-feature standardisation, z = (x − mean) / std: fit on the training rows only, then apply the
 * same mean and std to training and test rows (fitting on the test rows would leak them into
 * training). std is the population one (divide by n), so the fitted rows get mean 0 and std 1
 * exactly. A feature that is constant on the training rows (std 0) is only centred: its std is taken
 * as 1 rather than dividing by zero.
 */
export class Standardizer {
  /** Mean of each feature over the fitted rows. */
  readonly mean: Float64Array;
  /** Standard deviation of each feature over the fitted rows (1 for a constant feature). */
  readonly std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    this.mean = mean;
    this.std = std;
  }

  /** Features per row. */
  get width(): number {
    return this.mean.length;
  }

  /** Mean and std of every column of row-major `features` [n, width] (two passes, in float64). */
  static fit(features: ArrayLike<number>, width: number): Standardizer {
    const where = 'Standardizer.fit';
    if (!Number.isInteger(width) || width < 1) throw new InvalidArgumentError(`${where}: 'width' must be an integer >= 1, got ${width}`);
    if (features.length === 0 || features.length % width !== 0) {
      throw new InvalidArgumentError(`${where}: ${features.length} values do not make rows of ${width} features (need at least one row)`);
    }
    const n = features.length / width;
    const mean = new Float64Array(width);
    const std = new Float64Array(width);
    for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j] += features[i * width + j];
    for (let j = 0; j < width; j++) mean[j] /= n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < width; j++) {
        const c = features[i * width + j] - mean[j];
        std[j] += c * c;
      }
    }
    for (let j = 0; j < width; j++) {
      const s = Math.sqrt(std[j] / n);
      // Constant up to rounding (relative to the values' size): centring is all there is to do.
      std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) ? s : 1;
    }
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(mean[j]) || !Number.isFinite(std[j])) throw new InvalidArgumentError(`${where}: feature ${j} has a non-finite mean or std (${mean[j]}, ${std[j]}): the data holds NaN or Infinity`);
    }
    return new Standardizer(mean, std);
  }

  /** (x − mean) / std for every row of `features`, into `out` (default: a new array of the same type; may be `features` itself). */
  transform<T extends Float32Array | Float64Array>(features: T, out?: T): T {
    const where = 'Standardizer.transform';
    const w = this.width;
    if (features.length % w !== 0) throw new InvalidArgumentError(`${where}: ${features.length} values do not make rows of ${w} features (the fitted width)`);
    const result = out ?? (new (features.constructor as new (n: number) => T)(features.length));
    if (result.length !== features.length) throw new InvalidArgumentError(`${where}: 'out' holds ${result.length} values, expected ${features.length}`);
    const n = features.length / w;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < w; j++) result[i * w + j] = (features[i * w + j] - this.mean[j]) / this.std[j];
    }
    return result;
  }

  /** mean + std · z: the inverse of transform. */
  inverse<T extends Float32Array | Float64Array>(standardized: T, out?: T): T {
    const w = this.width;
    if (standardized.length % w !== 0) throw new InvalidArgumentError(`Standardizer.inverse: ${standardized.length} values do not make rows of ${w} features (the fitted width)`);
    const result = out ?? (new (standardized.constructor as new (n: number) => T)(standardized.length));
    const n = standardized.length / w;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < w; j++) result[i * w + j] = this.mean[j] + this.std[j] * standardized[i * w + j];
    }
    return result;
  }
}
