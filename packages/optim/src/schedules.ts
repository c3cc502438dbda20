import { assertOptions, checkOption, describeArgument, InvalidArgumentError, OptionRange } from '@chainrule/core';

/**
 * A learning-rate schedule: the learning rate at step (or epoch) t = 0, 1, 2, ...
 * Schedules are pure functions of t, so they compose (LinearWarmup's `then`, SequentialSchedule)
 * and a resumed run only needs t back (Scheduler.state()).
 */
export interface LRSchedule {
  at(t: number): number;
}

/** Reads a setting through core's one option check (message: `Owner: 'name' must be ..., got ...`). */
function check(owner: string, name: string, value: unknown, range: OptionRange): number {
  checkOption(owner, name, value, range, '');
  return value as number;
}
const nonNegativeNumber: OptionRange = { kind: 'number', min: 0, expected: 'a finite number >= 0' };
const positiveInt: OptionRange = { kind: 'integer', above: 0, expected: 'an integer > 0' };
const positiveNumber: OptionRange = { kind: 'number', above: 0, expected: 'a number > 0' };
const decayFactor: OptionRange = { kind: 'number', above: 0, max: 1, expected: 'a number in (0, 1]' };
const unitFactor: OptionRange = { kind: 'number', min: 0, max: 1, expected: 'a number in [0, 1]' };

function checkT(owner: string, t: number): void {
  if (!Number.isFinite(t) || t < 0) throw new InvalidArgumentError(`${owner}.at: t must be a finite number >= 0, got ${t}`);
}

/** A constant learning rate: lr(t) = lr. */
export class ConstantLR implements LRSchedule {
  readonly lr: number;
  constructor(lr: number) {
    this.lr = check('ConstantLR', 'lr', lr, nonNegativeNumber);
  }
  at(t: number): number {
    checkT('ConstantLR', t);
    return this.lr;
  }
}

/** Step decay: lr(t) = lr · γ^⌊t / stepSize⌋ (multiply by γ every stepSize steps). */
export class StepDecay implements LRSchedule {
  readonly lr: number;
  readonly stepSize: number;
  readonly gamma: number;
  constructor(options: { lr: number; stepSize: number; gamma?: number }) {
    this.lr = check('StepDecay', 'lr', options.lr, nonNegativeNumber);
    this.stepSize = check('StepDecay', 'stepSize', options.stepSize, positiveInt);
    this.gamma = check('StepDecay', 'gamma', options.gamma ?? 0.1, decayFactor);
  }
  at(t: number): number {
    checkT('StepDecay', t);
    return this.lr * Math.pow(this.gamma, Math.floor(t / this.stepSize));
  }
}

/** Exponential decay: lr(t) = lr · γ^t. */
export class ExponentialDecay implements LRSchedule {
  readonly lr: number;
  readonly gamma: number;
  constructor(options: { lr: number; gamma: number }) {
    this.lr = check('ExponentialDecay', 'lr', options.lr, nonNegativeNumber);
    this.gamma = check('ExponentialDecay', 'gamma', options.gamma, decayFactor);
  }
  at(t: number): number {
    checkT('ExponentialDecay', t);
    return this.lr * Math.pow(this.gamma, t);
  }
}

/**
 * Cosine annealing (Loshchilov & Hutter, SGDR, without restarts):
 * lr(t) = min + (lr − min) · (1 + cos(π · t / period)) / 2 for t ≤ period, and min after it.
 */
export class CosineAnnealing implements LRSchedule {
  readonly lr: number;
  readonly period: number;
  readonly min: number;
  constructor(options: { lr: number; period: number; min?: number }) {
    this.lr = check('CosineAnnealing', 'lr', options.lr, nonNegativeNumber);
    this.period = check('CosineAnnealing', 'period', options.period, positiveNumber);
    this.min = check('CosineAnnealing', 'min', options.min ?? 0, { kind: 'number', min: 0, max: this.lr, expected: `a number in [0, lr = ${this.lr}]` });
  }
  at(t: number): number {
    checkT('CosineAnnealing', t);
    if (t >= this.period) return this.min;
    return this.min + ((this.lr - this.min) * (1 + Math.cos((Math.PI * t) / this.period))) / 2;
  }
}

/**
 * Linear warm-up to `lr` over `steps` steps, then `then` (shifted, so it starts at its own t = 0),
 * or `lr` held constant when no `then` is given:
 *
 *     lr(t) = lr · (startFactor + (1 − startFactor) · t / steps)   for t < steps
 *     lr(t) = then.at(t − steps)                                    for t ≥ steps
 *
 * `new LinearWarmup({ lr: 0.1, steps: 5, then: new CosineAnnealing({ lr: 0.1, period: 95 }) })` is
 * warm-up then cosine. With startFactor 0 (the default) the first step has lr 0.
 */
export class LinearWarmup implements LRSchedule {
  readonly lr: number;
  readonly steps: number;
  readonly startFactor: number;
  readonly then: LRSchedule | undefined;
  constructor(options: { lr: number; steps: number; startFactor?: number; then?: LRSchedule }) {
    this.lr = check('LinearWarmup', 'lr', options.lr, nonNegativeNumber);
    this.steps = check('LinearWarmup', 'steps', options.steps, positiveInt);
    this.startFactor = check('LinearWarmup', 'startFactor', options.startFactor ?? 0, unitFactor);
    if (options.then !== undefined && typeof options.then?.at !== 'function') {
      throw new InvalidArgumentError(`LinearWarmup: 'then' must be a schedule (an object with at(t)), got ${typeof options.then}`);
    }
    this.then = options.then;
  }
  at(t: number): number {
    checkT('LinearWarmup', t);
    if (t < this.steps) return this.lr * (this.startFactor + ((1 - this.startFactor) * t) / this.steps);
    return this.then ? this.then.at(t - this.steps) : this.lr;
  }
}

/**
 * Runs schedules one after another: schedule k covers [boundaries[k−1], boundaries[k]) and sees
 * t − boundaries[k−1], so each starts at its own t = 0. `boundaries` has one entry fewer than `schedules`.
 */
export class SequentialSchedule implements LRSchedule {
  readonly schedules: readonly LRSchedule[];
  readonly boundaries: readonly number[];
  constructor(schedules: readonly LRSchedule[], boundaries: readonly number[]) {
    if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s?.at !== 'function')) {
      throw new InvalidArgumentError('SequentialSchedule: expected a non-empty array of schedules (objects with at(t))');
    }
    if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
      throw new InvalidArgumentError(
        `SequentialSchedule: expected ${schedules.length - 1} boundaries for ${schedules.length} schedules, got ${Array.isArray(boundaries) ? boundaries.length : typeof boundaries}`,
      );
    }
    boundaries.forEach((b, i) => {
      if (!Number.isInteger(b) || b <= (i === 0 ? 0 : boundaries[i - 1])) {
        throw new InvalidArgumentError(`SequentialSchedule: boundaries must be increasing integers > 0, got [${boundaries.join(', ')}]`);
      }
    });
    this.schedules = schedules.slice();
    this.boundaries = boundaries.slice();
  }
  at(t: number): number {
    checkT('SequentialSchedule', t);
    let k = 0;
    while (k < this.boundaries.length && t >= this.boundaries[k]) k++;
    return this.schedules[k].at(k === 0 ? t : t - this.boundaries[k - 1]);
  }
}

/** Anything with a settable learning rate: every Optimizer. */
export interface HasLearningRate {
  lr: number;
}

export interface SchedulerState {
  t: number;
}

/**
 * Drives an optimizer's lr from a schedule. On construction it sets lr = schedule.at(0); each
 * `step()` advances t and sets lr = schedule.at(t). Call it once per optimizer step (`per: 'step'`,
 * the default) or once per epoch (`per: 'epoch'`); the Trainer does so itself when given one.
 */
export class Scheduler {
  readonly optimizer: HasLearningRate;
  readonly schedule: LRSchedule;
  readonly per: 'step' | 'epoch';
  private t = 0;

  constructor(optimizer: HasLearningRate, schedule: LRSchedule, options: { per?: 'step' | 'epoch' } = {}) {
    if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.lr !== 'number') throw new InvalidArgumentError(`Scheduler: expected an optimizer (with a settable lr), got ${describeArgument(optimizer)}`);
    if (typeof schedule?.at !== 'function') throw new InvalidArgumentError('Scheduler: expected a schedule (an object with at(t))');
    assertOptions(options, 'Scheduler');
    const per = options.per ?? 'step';
    if (per !== 'step' && per !== 'epoch') throw new InvalidArgumentError(`Scheduler: 'per' must be 'step' or 'epoch', got ${JSON.stringify(per)}`);
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.per = per;
    this.optimizer.lr = schedule.at(0);
  }

  /** Steps (or epochs) counted so far. */
  get count(): number {
    return this.t;
  }

  /** The learning rate now in effect. */
  get lr(): number {
    return this.optimizer.lr;
  }

  step(): void {
    const lr = this.schedule.at(this.t + 1);
    this.optimizer.lr = lr; // throws (and t stays) if the schedule gives a bad lr
    this.t++;
  }

  state(): SchedulerState {
    return { t: this.t };
  }

  loadState(state: SchedulerState): void {
    if (!state || !Number.isInteger(state.t) || state.t < 0) {
      throw new InvalidArgumentError(`Scheduler.loadState: t must be an integer >= 0, got ${JSON.stringify(state?.t)}`);
    }
    this.optimizer.lr = this.schedule.at(state.t);
    this.t = state.t;
  }
}
