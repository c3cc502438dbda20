import { Dataset, FeedOptions } from './batch-feed';
import { StoppingOptions } from './early-stopping';
import { NonFinitePolicy } from './non-finite';
import { Parameter } from './optimizer';
import { Scheduler } from './schedules';

/** What the Trainer needs of an optimizer (every Optimizer is one). */
export interface TrainableOptimizer {
  readonly params: readonly Parameter[];
  lr: number;
  /** Applies one update; an optimizer made with nonFinite: 'skip' returns false for a step it skipped. */
  step(): void | boolean;
  /** 'skip': the Trainer skips a batch whose loss or gradients are not finite instead of throwing (default 'throw'). */
  readonly nonFinite?: NonFinitePolicy;
}

export interface TrainerOptions extends FeedOptions {
  optimizer: TrainableOptimizer;
  /** Rows per mini-batch (default 32). */
  batchSize?: number;
  /** Seed of the shuffle (core's Random; default 42). */
  seed?: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Skip the last, smaller batch of an epoch (default false). A tail batch makes the gates reallocate their buffers twice an epoch. */
  dropLast?: boolean;
  /** Clip the global L2 norm of all gradients to this before each step (default: no clipping). */
  clipNorm?: number;
  /** Advanced per step or per epoch, as the scheduler says. */
  scheduler?: Scheduler;
}

/**
 * Passed to onStep after each optimizer step. The Trainer reuses one object for every step (so a
 * step allocates nothing): copy what you want to keep.
 */
export interface StepInfo {
  epoch: number;
  /** Step within the epoch, from 0. */
  step: number;
  /** Steps since fit() started, from 0. */
  globalStep: number;
  batchSize: number;
  /** The batch's loss (the graph's output, before this step's update). */
  loss: number;
  /** The batch's accuracy before the update (NaN without a scores node). */
  accuracy: number;
  /** The learning rate this step used. */
  lr: number;
  /** Global gradient norm before clipping (NaN when clipNorm is not set). */
  gradNorm: number;
  /** true when the step was skipped for a non-finite loss or gradient (optimizer made with nonFinite: 'skip'); nothing was updated. */
  skipped: boolean;
  /** Wall time of the step: copy, forward, backward, clip, update. */
  seconds: number;
  samplesPerSecond: number;
}

export interface EpochInfo {
  epoch: number;
  /** Mean training loss over the epoch's applied (not skipped) batches, weighted by batch size. */
  loss: number;
  /** Running training accuracy over the epoch (each batch scored before its update); NaN without scores. */
  accuracy: number;
  /** Held-out loss and accuracy after the epoch (NaN without a validation set / scores). */
  valLoss: number;
  valAccuracy: number;
  steps: number;
  /** Steps skipped for a non-finite loss or gradient (nonFinite: 'skip'); 0 otherwise. */
  skippedSteps: number;
  samples: number;
  /** Wall time of the epoch's training steps (not the evaluation). */
  seconds: number;
  samplesPerSecond: number;
  secondsPerStep: number;
  /** The learning rate at the end of the epoch. */
  lr: number;
}

export interface FitOptions extends StoppingOptions {
  /** Epochs to run at most (default 10). */
  epochs?: number;
  /** Held-out data, evaluated after each epoch. */
  validation?: Dataset;
  onStep?: (info: StepInfo) => void;
  /** Return false to stop training after this epoch. */
  onEpochEnd?: (info: EpochInfo) => void | boolean;
}

export interface FitResult {
  history: EpochInfo[];
  /** Whether training ended before `epochs` (early stopping or onEpochEnd returned false). */
  stopped: boolean;
  /** The first epoch with the best monitored value (see FitOptions.monitor); -1 when no epoch ran. */
  bestEpoch: number;
  seconds: number;
}

