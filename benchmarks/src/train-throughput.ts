import { bytesPerStep, median, Row } from './harness';
import { MlpTrainer } from './peers/types';
import { timeW1, W1Timing } from './w1-timing';

/** How W1 and W4 time a training loop (W1's timing), plus the heap measurement. */
export interface ThroughputOptions extends W1Timing {
  /** Steps per heap-measurement window (0: skip the allocation measurement). */
  allocSteps: number;
}

/**
 * Samples/s of `trainer` as W1 times it (timeW1: warm-up, `reps` timed runs whose median is the
 * value, the loss after `lossSteps`), then the heap allocated per step, as one result row.
 */
export function trainThroughput(trainer: MlpTrainer, batch: number, o: ThroughputOptions, workload: Row['workload'], kase: string, note?: string): Row {
  const { samples, loss, stepsRun } = timeW1(trainer, { batch }, o);
  let s = stepsRun;
  const bytes = o.allocSteps > 0 ? bytesPerStep(() => void trainer.step(s++, false), o.allocSteps) : undefined;
  trainer.dispose?.();
  return { workload, case: kase, library: trainer.library, metric: 'training throughput', unit: 'samples/s', value: median(samples), samples, loss, bytesPerStep: bytes, note };
}
