// Long-run stability: train an MLP for many thousands of steps and sample the heap and the step
// time at intervals. A steady-state step should allocate (close to) nothing, so the heap must not
// grow and the step time must not drift.
//
//   npm run build -w @chainrule/benchmarks (or tsc -b benchmarks/tsconfig.build.json)
//   node --expose-gc benchmarks/dist/long-run.js --steps 20000 --every 1000
//
// The test benchmarks/test/long-run.test.ts runs a shorter version and asserts on the heap only
// (timings vary with the machine; they are reported, never asserted).
import 'reflect-metadata';
import * as v8 from 'v8';
import * as vm from 'vm';
import { ComputationalGraph, DType, Random, Tensor } from '@chainrule/core';
import { createGatesContainer, mlp } from '@chainrule/gates';
import { Adam } from '@chainrule/optim';

export interface LongRunOptions {
  /** Training steps (default 20,000). */
  steps?: number;
  /** Take a sample every this many steps (default 1,000). */
  every?: number;
  /** Steps before the first sample, so the gates have allocated their buffers and the JIT has settled (default 200). */
  warmup?: number;
  /** Rows per batch (default 32). */
  batch?: number;
  /** Layer sizes, input first (default [2, 32, 32, 3]: the spiral classifier). */
  sizes?: number[];
  dtype?: DType;
  seed?: number;
  /** Called with a line per sample (default: nothing). */
  log?: (line: string) => void;
}

export interface LongRunSample {
  /** Steps taken when the sample was taken. */
  step: number;
  /** Heap in use after a full garbage collection (bytes); without a gc function, as found. */
  heapUsed: number;
  /** Mean time per step over the interval before the sample (ms). */
  msPerStep: number;
  /** Loss of the last step of the interval (for the first sample: of the very first step, before any update). */
  loss: number;
}

export interface LongRunReport {
  samples: LongRunSample[];
  /** heapUsed of the last sample minus the first (bytes). */
  heapGrowth: number;
  /** Mean ms/step of the last half of the samples over the first half. */
  timeRatio: number;
  /** Whether heap figures were taken after a forced full collection. */
  forcedGc: boolean;
  steps: number;
}

/** A full garbage collection, when one can be had (node --expose-gc, or turned on here through v8 flags). */
export function gcFunction(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Three interleaved spirals of `perClass` points each (the classic CS231n toy data set). */
function spiral(perClass: number, classes: number, rng: Random): { x: Float64Array; y: Float64Array } {
  const n = perClass * classes;
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = i / perClass;
      const t = c * 4 + (r * 4) + rng.normal() * 0.2;
      const k = c * perClass + i;
      x[2 * k] = r * Math.sin(t);
      x[2 * k + 1] = r * Math.cos(t);
      y[k] = c;
    }
  }
  return { x, y };
}

export function longRun(options: LongRunOptions = {}): LongRunReport {
  const steps = options.steps ?? 20_000;
  const every = options.every ?? 1_000;
  const warmup = options.warmup ?? 200;
  const batch = options.batch ?? 32;
  const sizes = options.sizes ?? [2, 32, 32, 3];
  const dtype = options.dtype ?? 'float32';
  const rng = new Random(options.seed ?? 7);
  const classes = sizes[sizes.length - 1];
  const inputs = sizes[0];

  const graph = new ComputationalGraph(createGatesContainer());
  graph.input('x', { shape: [batch, inputs], dtype });
  graph.input('y', { shape: [batch], dtype, requiresGrad: false });
  const scores = mlp(graph, 'x', sizes, 'ReLUGate', { dtype, seed: options.seed ?? 7 });
  graph.gate('SoftmaxCrossEntropyGate', [scores, 'y'], { name: 'loss' });
  const optimizer = new Adam(graph.parameters(), { lr: 1e-3 });

  const data = spiral(Math.max(100, batch), classes, rng);
  const n = data.y.length;
  // Batches are copied into these two tensors: the loop itself allocates nothing.
  const xb = Tensor.zeros([batch, inputs], dtype);
  const yb = Tensor.zeros([batch], dtype);
  const feed = [xb, yb];
  const order = rng.permutation(n);
  let cursor = 0;
  const step = (): number => {
    for (let b = 0; b < batch; b++) {
      if (cursor === n) {
        rng.shuffle(order);
        cursor = 0;
      }
      const k = order[cursor++];
      for (let j = 0; j < inputs; j++) xb.data[b * inputs + j] = j < 2 ? data.x[k * 2 + j] : 0;
      yb.data[b] = data.y[k];
    }
    const loss = graph.forwardInputs(feed).data[0];
    graph.backward();
    optimizer.step();
    return loss;
  };

  const gc = gcFunction();
  const heap = (): number => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };

  const initialLoss = step();
  for (let i = 1; i < warmup; i++) step();
  const samples: LongRunSample[] = [];
  let loss = NaN;
  samples.push({ step: 0, heapUsed: heap(), msPerStep: NaN, loss: initialLoss });
  options.log?.(`${'step'.padStart(8)} ${'heap MiB'.padStart(9)} ${'ms/step'.padStart(8)} ${'loss'.padStart(8)}`);
  for (let done = 0; done < steps; ) {
    const chunk = Math.min(every, steps - done);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < chunk; i++) loss = step();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    done += chunk;
    const s = { step: done, heapUsed: heap(), msPerStep: ms / chunk, loss };
    samples.push(s);
    options.log?.(
      `${String(s.step).padStart(8)} ${(s.heapUsed / 2 ** 20).toFixed(2).padStart(9)} ${s.msPerStep.toFixed(4).padStart(8)} ${s.loss.toFixed(4).padStart(8)}`,
    );
  }
  const timed = samples.slice(1);
  const half = Math.floor(timed.length / 2);
  const mean = (xs: LongRunSample[]): number => xs.reduce((a, s) => a + s.msPerStep, 0) / Math.max(1, xs.length);
  return {
    samples,
    heapGrowth: samples[samples.length - 1].heapUsed - samples[0].heapUsed,
    timeRatio: half > 0 ? mean(timed.slice(timed.length - half)) / mean(timed.slice(0, half)) : 1,
    forcedGc: gc !== undefined,
    steps,
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const report = longRun({ steps: arg('--steps'), every: arg('--every'), batch: arg('--batch'), log: (l) => console.log(l) });
  console.log(
    `\n${report.steps} steps: heap ${report.heapGrowth >= 0 ? '+' : ''}${(report.heapGrowth / 1024).toFixed(1)} KiB ` +
      `(first to last sample${report.forcedGc ? ', after full GCs' : ', no gc available: run node --expose-gc'}), ` +
      `step time last half / first half ${report.timeRatio.toFixed(3)}`,
  );
}
