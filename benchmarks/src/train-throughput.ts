import { bytesPerStep } from './harness';
import { MlpTrainer } from './peers/types';
import { timeW1, W1Timing } from './w1-timing';
import type { CaseResult } from './workloads/common';

/** How W1 and W4 time a training loop (W1's timing), plus the heap measurement. */
export interface ThroughputOptions extends W1Timing {
  /** Steps per heap-measurement window (0: skip the allocation measurement). */
  allocSteps: number;
}

/**
 * One repetition of a training loop as W1 and W4 time it, in the process of that repetition: warm-up,
 * one timed run of `steps` steps (samples/s), and in the first repetition only the loss after
 * `lossSteps` steps and the heap allocated per step (later repetitions skip both: they would
 * measure the same thing again at the cost of minutes for the slow libraries).
 */
export function trainRepetition(trainer: MlpTrainer, batch: number, o: ThroughputOptions, rep: number, kase: string, note?: string): CaseResult {
  const first = rep === 0;
  const { samples, loss, stepsRun } = timeW1(trainer, { batch }, { ...o, reps: 1, lossSteps: first ? o.lossSteps : 0 });
  let s = stepsRun;
  const bytes = first && o.allocSteps > 0 ? bytesPerStep(() => void trainer.step(s++, false), o.allocSteps) : undefined;
  trainer.dispose?.();
  return { case: kase, value: samples[0], loss: first ? loss : undefined, bytesPerStep: bytes, note: note ?? trainer.note };
}
