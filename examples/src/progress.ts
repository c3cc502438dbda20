import { Presets, SingleBar } from 'cli-progress';
import { StepInfo } from '@chainrule/optim';
import { percent } from './common';

/** What EpochProgress needs of a bar: cli-progress's SingleBar, or a stand-in in tests. */
export interface Bar {
  start(total: number, value: number, payload: Record<string, string | number>): void;
  update(value: number, payload: Record<string, string | number>): void;
  stop(): void;
}

export interface EpochProgressOptions {
  epochs: number;
  /** Batches per epoch (the bar's total). */
  batches: number;
  /** The least time between two redraws, in ms (default 100: ten a second is smooth to the eye). */
  intervalMs?: number;
  /** The clock, in ms (default performance.now; tests pass a fake one). */
  now?: () => number;
  /** Makes the bar of one epoch (default: a cli-progress SingleBar on stderr). */
  makeBar?: (epoch: number) => Bar;
}

/**
 * The main job's progress bar, one per epoch, with the running loss, accuracy and speed. Redrawing
 * it costs far more than a training step's bookkeeping (formatting the numbers, the bar's ETA and
 * events, writing to the terminal), so it is redrawn by time, at most once per `intervalMs`, and on
 * an epoch's last batch; a step in between only adds to the running sums. That keeps the bar's cost
 * under 1% of the training time whatever the step rate.
 */
export class EpochProgress {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly makeBar: (epoch: number) => Bar;
  private bar: Bar | undefined;
  private lastDraw = -Infinity;
  private loss = 0;
  private correct = 0;
  private seen = 0;
  private seconds = 0;
  /** How many times the bar was redrawn (started or updated), for tests and curiosity. */
  draws = 0;

  constructor(private readonly opts: EpochProgressOptions) {
    this.intervalMs = opts.intervalMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.makeBar = opts.makeBar ?? ((epoch) => defaultBar(epoch, opts.epochs));
  }

  /** Called after every training step (the Trainer's onStep). */
  step(s: StepInfo): void {
    if (s.step === 0) this.startEpoch(s.epoch);
    this.loss += s.loss * s.batchSize;
    this.correct += s.accuracy * s.batchSize;
    this.seen += s.batchSize;
    this.seconds += s.seconds;
    const last = s.step + 1 === this.opts.batches;
    if (!last && this.now() - this.lastDraw < this.intervalMs) return;
    this.lastDraw = this.now();
    this.draws++;
    this.bar?.update(s.step + 1, {
      loss: (this.loss / this.seen).toFixed(4),
      acc: percent(this.correct / this.seen),
      speed: Math.round(this.seen / this.seconds),
    });
  }

  /** Called when an epoch ends: the bar is cleared (the epoch's summary line replaces it). */
  endEpoch(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private startEpoch(epoch: number): void {
    this.endEpoch();
    this.loss = this.correct = this.seen = this.seconds = 0;
    this.bar = this.makeBar(epoch);
    this.bar.start(this.opts.batches, 0, { loss: '-', acc: '-', speed: '-' });
    this.lastDraw = this.now();
    this.draws++;
  }
}

function defaultBar(epoch: number, epochs: number): Bar {
  const width = String(epochs).length;
  return new SingleBar(
    {
      format: `epoch ${String(epoch + 1).padStart(width)}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | accuracy {acc} | {speed} samples/s`,
      hideCursor: true,
      clearOnComplete: true,
      // cli-progress redraws on update when 2 / fps seconds have passed: every update we make (at most one per 100 ms) is drawn.
      fps: 20,
    },
    Presets.shades_classic,
  );
}
