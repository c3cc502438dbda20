import { MlpSpec } from './data';
import { MlpTrainer } from './peers/types';

/** How W1 is timed: untimed warm-up steps, then `reps` timed runs of `steps` steps; the loss after `lossSteps` steps. */
export interface W1Timing {
  warmup: number;
  steps: number;
  reps: number;
  lossSteps: number;
  /**
   * A timed run goes on past `steps` until it has lasted this long (ms; default 0). 100 of
   * chainrule's W1 steps last about 0.1 s, short enough for one burst of the host's noise to move a
   * repetition by a fifth; a slow library's 100 steps already last longer.
   */
  minMs?: number;
}

export interface W1Samples {
  /** samples/s of each timed repetition. */
  samples: number[];
  /** The loss of step number lossSteps - 1 (NaN when lossSteps is 0). */
  loss: number;
  /** How many steps ran in all (the next step's number). */
  stepsRun: number;
}

/**
 * Times one library's W1 training loop. Shared by `npm run bench` (Node) and the browser benchmark
 * (the same function in a Chromium page), so both measure the same thing. Uses performance.now(),
 * which Node and browsers both have.
 */
export function timeW1(trainer: MlpTrainer, spec: Pick<MlpSpec, 'batch'>, o: W1Timing): W1Samples {
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
    const t0 = performance.now();
    let steps = 0;
    do {
      run(o.steps);
      steps += o.steps;
    } while (performance.now() - t0 < (o.minMs ?? 0));
    samples.push((steps * spec.batch) / ((performance.now() - t0) / 1000));
  }
  run(total - s);
  return { samples, loss, stepsRun: s };
}
