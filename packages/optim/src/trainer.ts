import { ChainruleError, ComputationalGraph, InvalidArgumentError, NonFiniteError, Random } from '@chainrule/core';
import { BatchFeed, copyRows, Dataset } from './batch-feed';
import { clipGradNorm } from './clip';
import { EarlyStopping } from './early-stopping';
import { evaluateFeed, Evaluation } from './evaluate';
import { Scheduler } from './schedules';
import { EpochInfo, FitOptions, FitResult, StepInfo, TrainableOptimizer, TrainerOptions } from './trainer-types';

/** One epoch's training totals. */
interface EpochTotals {
  lossSum: number;
  correct: number;
  seen: number;
  skipped: number;
  seconds: number;
}

/**
 * Runs epochs of shuffled mini-batches through a graph whose output is a one-element loss (the mean
 * over the batch): copy the batch into reused input tensors, forward, backward, clip, optimizer step,
 * scheduler step. Reports through onStep and onEpochEnd; evaluates a held-out set; stops early.
 *
 * Non-finite values (docs/errors.md): a NaN or infinite loss, or a gradient the clip or the optimizer
 * finds non-finite, throws a NonFiniteError that names the epoch, the batch and (for a gradient) the
 * parameter and element, before anything is updated; with an optimizer made with nonFinite: 'skip'
 * the batch is skipped instead (StepInfo.skipped, EpochInfo.skippedSteps) and the scheduler not advanced.
 */
export class Trainer {
  readonly graph: ComputationalGraph;
  readonly optimizer: TrainableOptimizer;
  readonly batchSize: number;
  /** The shuffle's generator; its state (rng.getState()) resumes a run's data order. */
  readonly rng: Random;
  private readonly feed: BatchFeed;
  private readonly opts: TrainerOptions;
  private perm: Int32Array | undefined;
  private readonly stepInfo: StepInfo = {
    epoch: 0,
    step: 0,
    globalStep: 0,
    batchSize: 0,
    loss: NaN,
    accuracy: NaN,
    lr: NaN,
    gradNorm: NaN,
    skipped: false,
    seconds: 0,
    samplesPerSecond: 0,
  };
  private globalStep = 0;

  constructor(options: TrainerOptions) {
    const where = 'Trainer';
    this.feed = new BatchFeed(options, where);
    const opt = options.optimizer;
    if (!opt || typeof opt.step !== 'function' || !Array.isArray(opt.params)) {
      throw new InvalidArgumentError(`${where}: 'optimizer' must be an optimizer (with params and step())`);
    }
    this.graph = this.feed.graph;
    this.optimizer = opt;
    this.opts = options;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`${where}: 'batchSize' must be an integer >= 1, got ${batchSize}`);
    this.batchSize = batchSize;
    if (options.clipNorm !== undefined && !(options.clipNorm > 0 && Number.isFinite(options.clipNorm))) {
      throw new InvalidArgumentError(`${where}: 'clipNorm' must be a finite number > 0, got ${options.clipNorm}`);
    }
    if (options.scheduler !== undefined && !(options.scheduler instanceof Scheduler)) {
      throw new InvalidArgumentError(`${where}: 'scheduler' must be a Scheduler`);
    }
    this.rng = new Random(options.seed ?? 42);
  }

  /** Trains for up to `epochs` epochs; returns the per-epoch history. */
  fit(train: Dataset, options: FitOptions = {}): FitResult {
    const where = 'Trainer.fit';
    const epochs = options.epochs ?? 10;
    if (!Number.isInteger(epochs) || epochs < 0) throw new InvalidArgumentError(`${where}: 'epochs' must be an integer >= 0, got ${epochs}`);
    const stopping = new EarlyStopping(options, this.optimizer.params, where);
    if (stopping.monitor === 'accuracy' && !this.feed.scoresNode) throw new InvalidArgumentError(`${where}: monitor 'accuracy' needs a 'scores' node`);
    const dims = this.feed.check(train, 'training set');
    const n = dims.n;
    if (options.validation) this.feed.check(options.validation, 'validation set');
    const stepsPerEpoch = this.opts.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    if (stepsPerEpoch === 0) throw new InvalidArgumentError(`${where}: ${n} examples make no batch of ${this.batchSize} with dropLast`);
    const scheduler = this.opts.scheduler;
    const history: EpochInfo[] = [];
    let stopped = false;
    const t0 = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const totals = this.runEpoch(train, dims, epoch, stepsPerEpoch, options);
      if (scheduler && scheduler.per === 'epoch') scheduler.step();
      const val = options.validation ? this.evaluate(options.validation) : undefined;
      const info = this.epochInfo(epoch, totals, stepsPerEpoch, val);
      history.push(info);
      const watched = stopping.monitor === 'loss' ? (val ? val.loss : info.loss) : val ? val.accuracy : info.accuracy;
      const patienceOut = stopping.observe(epoch, watched);
      const keepGoing = options.onEpochEnd ? options.onEpochEnd(info) : undefined;
      if (keepGoing === false || patienceOut) {
        stopped = epoch < epochs - 1;
        break;
      }
    }
    stopping.finish(history.length - 1);
    return { history, stopped, bestEpoch: stopping.bestEpoch, seconds: (performance.now() - t0) / 1000 };
  }

  /** One epoch of shuffled mini-batches: forward, backward, clip, optimizer and per-step scheduler steps. */
  private runEpoch(train: Dataset, { n, d, k }: { n: number; d: number; k: number }, epoch: number, steps: number, options: FitOptions): EpochTotals {
    const where = 'Trainer.fit';
    const bs = this.batchSize;
    const perm = this.permutation(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    if (this.opts.shuffle ?? true) this.rng.shuffle(perm);
    const params = this.optimizer.params;
    const { scheduler, clipNorm } = this.opts;
    const totals: EpochTotals = { lossSum: 0, correct: 0, seen: 0, skipped: 0, seconds: 0 };
    const skipNonFinite = this.optimizer.nonFinite === 'skip';
    const e0 = performance.now();
    for (let s = 0; s < steps; s++) {
      const s0 = performance.now();
      const start = s * bs;
      const b = Math.min(bs, n - start);
      const batch = this.feed.batch(b);
      copyRows(batch.x.data, train.features, perm, start, b, d);
      copyRows(batch.y.data, train.labels, perm, start, b, k);
      const loss = this.feed.forwardLoss(batch, where);
      const lr = this.optimizer.lr;
      if (!Number.isFinite(loss) && !skipNonFinite) {
        throw new NonFiniteError(`${where}: the loss is ${loss} at epoch ${epoch}, step ${s}; the parameters were not updated (lower the learning rate or set clipNorm)`);
      }
      const batchCorrect = this.feed.correct(batch, b);
      let norm = NaN;
      let applied = false;
      if (Number.isFinite(loss)) {
        try {
          this.graph.backward();
          norm = clipNorm !== undefined ? clipGradNorm(params, clipNorm, { nonFinite: this.optimizer.nonFinite }) : NaN;
          applied = this.optimizer.step() !== false;
        } catch (e) {
          throw atBatch(e, where, epoch, s);
        }
      }
      if (applied) {
        if (scheduler && scheduler.per === 'step') scheduler.step();
        totals.lossSum += loss * b;
        totals.correct += batchCorrect;
        totals.seen += b;
      } else totals.skipped++;
      if (options.onStep) this.reportStep(options.onStep, epoch, s, b, loss, batchCorrect, lr, norm, !applied, (performance.now() - s0) / 1000);
      this.globalStep++;
    }
    totals.seconds = (performance.now() - e0) / 1000;
    return totals;
  }

  private reportStep(
    onStep: NonNullable<FitOptions['onStep']>, epoch: number, step: number, b: number, loss: number, correct: number, lr: number, gradNorm: number, skipped: boolean, seconds: number,
  ): void {
    const info = this.stepInfo;
    info.epoch = epoch;
    info.step = step;
    info.globalStep = this.globalStep;
    info.batchSize = b;
    info.loss = loss;
    info.accuracy = this.feed.scoresNode ? correct / b : NaN;
    info.lr = lr;
    info.gradNorm = gradNorm;
    info.skipped = skipped;
    info.seconds = seconds;
    info.samplesPerSecond = seconds > 0 ? b / seconds : Infinity;
    onStep(info);
  }

  private epochInfo(epoch: number, t: EpochTotals, steps: number, val: Evaluation | undefined): EpochInfo {
    return {
      epoch,
      loss: t.lossSum / t.seen,
      accuracy: this.feed.scoresNode ? t.correct / t.seen : NaN,
      valLoss: val ? val.loss : NaN,
      valAccuracy: val ? val.accuracy : NaN,
      steps,
      skippedSteps: t.skipped,
      samples: t.seen,
      seconds: t.seconds,
      samplesPerSecond: t.seconds > 0 ? t.seen / t.seconds : Infinity,
      secondsPerStep: t.seconds / steps,
      lr: this.optimizer.lr,
    };
  }

  /** Mean loss (weighted by batch size) and accuracy over a data set, in order, forward only (no update), in the graph's evaluation mode. */
  evaluate(data: Dataset): Evaluation {
    return evaluateFeed(this.feed, this.graph, data, this.batchSize, 'Trainer.evaluate');
  }

  private permutation(n: number): Int32Array {
    if (!this.perm || this.perm.length !== n) this.perm = new Int32Array(n);
    return this.perm;
  }
}

/** A NonFiniteError from backward, the clip or the step, re-thrown with the epoch and batch in front (node, gate and cause kept). */
function atBatch(e: unknown, where: string, epoch: number, step: number): unknown {
  if (!(e instanceof NonFiniteError)) return e;
  const wrapped: ChainruleError = new NonFiniteError(`${where}: epoch ${epoch}, batch ${step}: ${e.message}`);
  wrapped.node = e.node;
  wrapped.gate = e.gate;
  return Object.assign(wrapped, { cause: e, finding: (e as { finding?: unknown }).finding });
}
