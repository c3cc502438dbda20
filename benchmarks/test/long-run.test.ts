// Thousands of training steps: the heap (measured after full collections) must not grow.
// Step times are printed for the curious but never asserted: they depend on the machine.
import 'reflect-metadata';
import { longRun } from '../src/long-run';

jest.setTimeout(120_000);

test('4,000 steps of an MLP with Adam: no heap growth', () => {
  const lines: string[] = [];
  const report = longRun({ steps: 4_000, every: 400, warmup: 300, batch: 16, sizes: [2, 16, 16, 3], log: (l) => lines.push(l) });
  console.log(`${lines.join('\n')}\nheap growth ${(report.heapGrowth / 1024).toFixed(1)} KiB, time ratio ${report.timeRatio.toFixed(3)}`);
  expect(report.samples).toHaveLength(11);
  const losses = report.samples.map((s) => s.loss);
  expect(losses.every(Number.isFinite)).toBe(true);
  const late = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  expect(late).toBeLessThan(losses[0] / 2); // it trains
  // A steady-state step allocates (close to) nothing: after 5,000 steps the heap is where it was.
  // The bound leaves room for the JIT's and jest's own bookkeeping, not for a per-step leak
  // (100 bytes a step would be 400 KB).
  const bound = report.forcedGc ? 512 * 1024 : 8 * 2 ** 20;
  expect(report.heapGrowth).toBeLessThan(bound);
  // Growth should not be monotone either: the second half of the run adds nothing measurable.
  const mid = report.samples[Math.floor(report.samples.length / 2)].heapUsed;
  expect(report.samples[report.samples.length - 1].heapUsed - mid).toBeLessThan(bound / 2);
});
