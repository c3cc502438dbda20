import { bytesPerStep, median, now, Row } from './harness';
import { MlpTrainer } from './peers/types';

/** How W1 and W4 time a training loop. */
export interface ThroughputOptions {
  warmup: number;
  steps: number;
  reps: number;
  /** The loss is reported after this many steps (so every library is seen to do the same work). */
  lossSteps: number;
  /** Steps per heap-measurement window (0: skip the allocation measurement). */
  allocSteps: number;
}

/**
 * Samples/s of `trainer`: `warmup` untimed steps, then `reps` timed runs of `steps` steps (the
 * median is the value), then on to `lossSteps` for the loss, then the heap allocated per step.
 */
export function trainThroughput(trainer: MlpTrainer, batch: number, o: ThroughputOptions, workload: Row['workload'], kase: string, note?: string): Row {
  const total = Math.max(o.lossSteps, o.warmup + o.reps * o.steps);
  let s = 0;
  let loss = NaN;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++, s++) {
      const l = trainer.step(s, s === o.lossSteps - 1);
      if (s === o.lossSteps - 1) loss = l;
    }
  };
  run(o.warmup);
  const samples: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    const t0 = now();
    run(o.steps);
    samples.push((o.steps * batch) / ((now() - t0) / 1000));
  }
  run(total - s);
  const bytes = o.allocSteps > 0 ? bytesPerStep(() => void trainer.step(s++, false), o.allocSteps) : undefined;
  trainer.dispose?.();
  return { workload, case: kase, library: trainer.library, metric: 'training throughput', unit: 'samples/s', value: median(samples), samples, loss, bytesPerStep: bytes, note };
}
