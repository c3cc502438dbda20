import { inProcess } from '../../src/peer-process';
import { BenchOptions, defaultOptions } from '../../src/run';

/** Every part of the benchmark at tiny sizes, two repetitions, jobs in this process (the smoke run's and the protocol test's options). */
export function tinyOptions(): BenchOptions {
  const o = defaultOptions();
  const spec = { samples: 256, features: 32, hidden: [16, 8], classes: 4, batch: 16, lr: 0.05, seed: 5 };
  const timing = { warmup: 2, steps: 3, minMs: 0, reps: 2, lossSteps: 30, allocSteps: 10, allocWarmMs: 0 };
  o.peers = o.peers.filter((p) => p !== 'pytorch'); // npm test never needs PyTorch
  o.w1 = { ...o.w1, ...timing, spec, variants: true };
  o.w1big = { ...o.w1big, ...timing, spec: { ...spec, hidden: [24], batch: 32 }, allocSteps: 0 };
  o.w2 = { points: 3, sizes: [2, 4, 4, 1], reps: 2, minMs: 2, allocSteps: 5 };
  o.w3 = { sizes: [24], dtypes: ['float32', 'float64'], reps: 2, minMs: 1, slowAbove: 16 };
  const cnn = { spec: { samples: 64, batch: 16, channels: [2, 3] as [number, number], hidden: 8, lr: 0.05, seed: 9 }, warmup: 1, steps: 2, reps: 2, lossSteps: 6, allocSteps: 4, minMs: 1 };
  o.w4 = cnn;
  o.w4conv = { ...cnn, lossSteps: 0, allocSteps: 0 };
  o.launcher = inProcess;
  return o;
}
