import { InvalidArgumentError, Random } from '@chainrule/core';
import { copyRows, Dataset, rowsOf, sameKind } from './dataset';

export interface MiniBatchOptions {
  /** Rows per batch. */
  batchSize: number;
  /** Reshuffle the rows at the start of every epoch (default true); false keeps them in order. */
  shuffle?: boolean;
  /** Seed of the shuffle (default 42), when no `rng` is given. */
  seed?: number;
  /** The shuffle's generator (its state resumes a run's data order); default new Random(seed). */
  rng?: Random;
  /**
   * The last partial batch: by default an epoch ends with one smaller batch of the n mod batchSize
   * rows left over, so every row is seen exactly once per epoch. With dropLast those rows are skipped
   * for that epoch (they are others after the next shuffle) and every batch has batchSize rows.
   */
  dropLast?: boolean;
  /** Label values per row (default 1: a class index). */
  labelWidth?: number;
}

/** One batch, as the iterator yields it: views of buffers reused from batch to batch (copy what you keep). */
export interface MiniBatch {
  /** Row-major [size, d] feature values, of the data set's feature type. */
  features: Float32Array | Float64Array;
  /** [size, labelWidth] label values. */
  labels: Float32Array | Float64Array | Int32Array;
  /** Rows in this batch: batchSize, or fewer for an epoch's last batch. */
  size: number;
  /** The batch's index within the epoch, from 0. */
  step: number;
  /** The data set's row indices of this batch, in batch order (a view of the epoch's order). */
  rows: Int32Array;
}

/**
 * Shuffled mini-batches of a data set, epoch after epoch: each epoch draws a fresh permutation from
 * a seeded Random (the same seed, the same order) and visits it in batches. Batch buffers are made
 * once (one of batchSize rows, one for the tail) and refilled, so iterating allocates nothing per row.
 * gather() fills arrays you own instead (the Trainer copies straight into its input tensors).
 */
export class MiniBatches {
  readonly n: number;
  /** Feature values per row. */
  readonly featureWidth: number;
  readonly labelWidth: number;
  readonly batchSize: number;
  /** Batches per epoch: ceil(n / batchSize), or floor with dropLast. */
  readonly steps: number;
  readonly rng: Random;
  /** The current epoch's row order. */
  readonly order: Int32Array;
  private readonly shuffle: boolean;
  private readonly buffers = new Map<number, MiniBatch>();

  constructor(
    private readonly data: Dataset,
    options: MiniBatchOptions,
    where = 'MiniBatches',
  ) {
    const k = options.labelWidth ?? 1;
    const { n, d } = rowsOf(data, k, where);
    const bs = options.batchSize;
    if (!Number.isInteger(bs) || bs < 1) throw new InvalidArgumentError(`${where}: 'batchSize' must be an integer >= 1, got ${bs}`);
    if (options.rng !== undefined && !(options.rng instanceof Random)) throw new InvalidArgumentError(`${where}: 'rng' must be a Random from @chainrule/core`);
    this.n = n;
    this.featureWidth = d;
    this.labelWidth = k;
    this.batchSize = bs;
    this.steps = options.dropLast ? Math.floor(n / bs) : Math.ceil(n / bs);
    if (this.steps === 0) throw new InvalidArgumentError(`${where}: ${n} rows make no batch of ${bs} with dropLast (fewer rows than batchSize)`);
    this.rng = options.rng ?? new Random(options.seed ?? 42);
    this.shuffle = options.shuffle ?? true;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
  }

  /** Starts an epoch: the order is reset to 0..n-1 and (unless shuffle is false) shuffled. */
  startEpoch(): void {
    const order = this.order;
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) this.rng.shuffle(order);
  }

  /** Rows in batch `step` of an epoch. */
  sizeOf(step: number): number {
    return Math.min(this.batchSize, this.n - step * this.batchSize);
  }

  /** Copies batch `step` of the current epoch into `features` ([size, d]) and `labels` ([size, labelWidth]); returns its size. */
  gather(step: number, features: { [i: number]: number }, labels: { [i: number]: number }): number {
    const b = this.sizeOf(step);
    const start = step * this.batchSize;
    copyRows(features, this.data.features, this.order, start, b, this.featureWidth);
    copyRows(labels, this.data.labels, this.order, start, b, this.labelWidth);
    return b;
  }

  /** One epoch: starts it (a fresh shuffle), then yields its batches in reused buffers. */
  *epoch(): IterableIterator<MiniBatch> {
    this.startEpoch();
    for (let step = 0; step < this.steps; step++) {
      const batch = this.buffer(this.sizeOf(step));
      batch.step = step;
      batch.rows = this.order.subarray(step * this.batchSize, step * this.batchSize + batch.size);
      this.gather(step, batch.features, batch.labels);
      yield batch;
    }
  }

  private buffer(size: number): MiniBatch {
    let batch = this.buffers.get(size);
    if (!batch) {
      const features = sameKind(this.data.features, size * this.featureWidth) as Float32Array | Float64Array;
      batch = { features, labels: sameKind(this.data.labels, size * this.labelWidth), size, step: 0, rows: this.order.subarray(0, size) };
      this.buffers.set(size, batch);
    }
    return batch;
  }
}
