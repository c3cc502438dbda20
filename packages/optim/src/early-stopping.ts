import { allocate, InvalidArgumentError, Tensor, TypedArray } from '@chainrule/core';
import { Parameter } from './optimizer';

/** When to stop: what is watched, how much change counts, how long to wait; and whether to keep the best parameters. */
export interface StoppingOptions {
  /** Early stopping: stop after this many epochs without improvement of the monitored value (default: never). */
  patience?: number;
  /** What early stopping watches: 'loss' (lower is better, the default) or 'accuracy' (higher is better), on the validation set if given, else on training. */
  monitor?: 'loss' | 'accuracy';
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the parameter values of the best epoch (by the monitored value) at the end (default false). */
  restoreBest?: boolean;
}

/** Tracks the best epoch of a run by the monitored value, the epochs since, and (if asked) a copy of the best parameters. */
export class EarlyStopping {
  readonly monitor: 'loss' | 'accuracy';
  bestEpoch = -1;
  private best = Infinity;
  private since = 0;
  private snapshot: TypedArray[] | undefined;
  private readonly sign: number;
  private readonly minDelta: number;

  constructor(
    private readonly options: StoppingOptions,
    private readonly params: readonly Parameter[],
    where: string,
  ) {
    const patience = options.patience;
    if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) {
      throw new InvalidArgumentError(`${where}: 'patience' must be an integer >= 1, got ${patience}`);
    }
    this.monitor = options.monitor ?? 'loss';
    if (this.monitor !== 'loss' && this.monitor !== 'accuracy') {
      throw new InvalidArgumentError(`${where}: 'monitor' must be 'loss' or 'accuracy', got ${JSON.stringify(this.monitor)}`);
    }
    this.minDelta = options.minDelta ?? 0;
    if (!(this.minDelta >= 0)) throw new InvalidArgumentError(`${where}: 'minDelta' must be >= 0, got ${this.minDelta}`);
    this.sign = this.monitor === 'loss' ? 1 : -1;
  }

  /** Records an epoch's monitored value; returns whether patience has run out. */
  observe(epoch: number, watched: number): boolean {
    if (this.bestEpoch < 0 || this.sign * watched < this.best - this.minDelta) {
      this.best = this.sign * watched;
      this.bestEpoch = epoch;
      this.since = 0;
      if (this.options.restoreBest) this.snapshot = saveParams(this.params, this.snapshot);
    } else {
      this.since++;
    }
    return this.options.patience !== undefined && this.since >= this.options.patience;
  }

  /** With restoreBest, puts back the best epoch's parameters unless the last epoch was the best. */
  finish(lastEpoch: number): void {
    if (this.snapshot && lastEpoch >= 0 && this.bestEpoch !== lastEpoch) {
      this.params.forEach((p, i) => (p.value as Tensor).data.set((this.snapshot as TypedArray[])[i]));
    }
  }
}

function saveParams(params: readonly Parameter[], into: TypedArray[] | undefined): TypedArray[] {
  const out = into ?? params.map((p) => allocate((p.value as Tensor).dtype, (p.value as Tensor).size));
  params.forEach((p, i) => out[i].set((p.value as Tensor).data));
  return out;
}
