import { bytesPerStep } from './harness';
import { MlpTrainer } from './peers/types';
import { timeW1, W1Timing } from './w1-timing';
import type { CaseResult } from './workloads/common';

/** How W1 and W4 time a training loop (W1's timing), plus the heap measurement. */
export interface ThroughputOptions extends W1Timing {
  /** Steps per heap-measurement window (0: skip the allocation measurement). */
  allocSteps: number;
  /**
   * Milliseconds of further training before the heap is measured (default 0): the steady state, once
   * V8 has optimised the step's functions. Before that, functions still running in the baseline
   * tiers box numbers and make iterators (W1 measured 600–900 B/step at step 300, 15–20 B/step after
   * 3 s). A time, not a step count, so a library with slow steps is not held for minutes.
   */
  allocWarmMs?: number;
}

/**
 * One repetition of a training loop as W1 and W4 time it, in the process of that repetition: warm-up,
 * one timed run of `steps` steps (samples/s), and in the first repetition only the loss after
 * `lossSteps` steps and, after `allocWarmMs` more of training, the heap allocated per step (later repetitions skip both: they would
 * measure the same thing again at the cost of minutes for the slow libraries).
 */
export function trainRepetition(trainer: MlpTrainer, batch: number, o: ThroughputOptions, rep: number, kase: string, note?: string): CaseResult {
  const first = rep === 0;
  const { samples, loss, stepsRun } = timeW1(trainer, { batch }, { ...o, reps: 1, lossSteps: first ? o.lossSteps : 0 });
  let s = stepsRun;
  let bytes: number | undefined;
  if (first && o.allocSteps > 0) {
    const t0 = performance.now();
    while (performance.now() - t0 < (o.allocWarmMs ?? 0)) trainer.step(s++, false);
    bytes = bytesPerStep(() => void trainer.step(s++, false), o.allocSteps);
  }
  trainer.dispose?.();
  return { case: kase, value: samples[0], loss: first ? loss : undefined, bytesPerStep: bytes, note: note ?? trainer.note };
}
