import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchOptions, defaultOptions, runBench } from '../src/run';

/**
 * A short run of the whole benchmark at tiny sizes: checks the report's structure and that every
 * library did the same work (the losses agree). Timings are never asserted.
 */
function tinyOptions(out: string): BenchOptions {
  const o = defaultOptions();
  o.w1 = {
    spec: { samples: 256, features: 32, hidden: [16, 8], classes: 4, batch: 16, lr: 0.05, seed: 5 },
    warmup: 2,
    steps: 3,
    reps: 2,
    lossSteps: 30,
    variants: true,
    allocSteps: 10,
  };
  o.w2 = { points: 3, sizes: [2, 4, 4, 1], reps: 2, minMs: 2, allocSteps: 5 };
  o.w3 = { sizes: [24], dtypes: ['float32', 'float64'], reps: 1, minMs: 1, slowAbove: 256 };
  o.w4 = { spec: { samples: 64, batch: 16, channels: [2, 3], hidden: 8, lr: 0.05, seed: 9 }, warmup: 1, steps: 2, reps: 1, lossSteps: 12, allocSteps: 4, minMs: 1 };
  o.out = out;
  return o;
}

describe('npm run bench (smoke run at tiny sizes)', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chainrule-bench-')), 'report.json');
  let report: Awaited<ReturnType<typeof runBench>>;

  beforeAll(async () => {
    report = await runBench(tinyOptions(out));
  }, 120_000);

  it('writes the JSON report it returns', () => {
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.rows).toHaveLength(report.rows.length);
    expect(typeof json.date).toBe('string');
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.targets.length).toBeGreaterThanOrEqual(6);
  });

  it('has a row per library and case, with medians, samples and ratios to chainrule', () => {
    const libs = (w: string, c: string): string[] => report.rows.filter((r) => r.workload === w && r.case === c).map((r) => r.library);
    expect(libs('W1 mlp-train', 'float32')).toEqual(
      expect.arrayContaining(['chainrule', 'chainrule (js kernel)', 'tfjs-cpu', 'tfjs-wasm', 'convnetjs', 'plain JS']),
    );
    expect(libs('W2 scalar-graph', 'reuse graph')).toEqual(['chainrule', 'plain JS']);
    expect(libs('W2 scalar-graph', 'eager')).toEqual(['chainrule', 'plain JS']);
    expect(libs('W2 scalar-graph', 'rebuild graph')).toEqual(expect.arrayContaining(['chainrule', 'plain JS', 'tfjs-cpu', 'tfjs-wasm']));
    for (const c of ['24² float32 fwd+bwd', '24² float32 forward']) {
      expect(libs('W3 matmul', c)).toEqual(expect.arrayContaining(['chainrule', 'chainrule (js kernel)', 'tfjs-cpu', 'tfjs-wasm', 'plain JS']));
    }
    expect(libs('W3 matmul', '24² float64 fwd+bwd')).toEqual(expect.arrayContaining(['chainrule', 'plain JS']));
    for (const r of report.rows) {
      expect(r.samples.length).toBeGreaterThan(0);
      expect(Number.isFinite(r.value) && r.value > 0).toBe(true);
      expect(r.ratio).toBeGreaterThan(0);
      if (r.library === 'chainrule') expect(r.ratio).toBe(1);
    }
  });

  it('prints one table with every row', () => {
    const lines = report.table.split('\n');
    expect(lines[0]).toMatch(/^workload +\| case +\| library +\| +value \| unit/);
    expect(lines).toHaveLength(report.rows.length + 2);
  });

  it('W1: every library reaches the same loss from the same initial weights', () => {
    const w1 = report.rows.filter((r) => r.workload === 'W1 mlp-train');
    const ref = w1.find((r) => r.library === 'plain JS')?.loss as number;
    expect(Number.isFinite(ref)).toBe(true);
    for (const r of w1) expect(Math.abs((r.loss as number) - ref)).toBeLessThan(1e-3 * Math.max(1, ref));
    const chainrule = w1.find((r) => r.library === 'chainrule');
    expect(chainrule?.bytesPerStep).toBeGreaterThanOrEqual(0);
  });

  it('W4: chainrule and both tfjs backends train the same CNN to the same loss; Conv2D forward is measured next to its GEMM', () => {
    const w4 = report.rows.filter((r) => r.workload === 'W4 cnn-train');
    expect(w4.map((r) => r.library)).toEqual(['chainrule', 'tfjs-wasm', 'tfjs-cpu']);
    const ref = w4[0].loss as number;
    expect(Number.isFinite(ref)).toBe(true);
    for (const r of w4) expect(Math.abs((r.loss as number) - ref)).toBeLessThan(1e-3 * Math.max(1, ref));
    const conv = report.rows.filter((r) => r.workload === 'W4 conv2d').map((r) => r.library);
    expect(conv).toEqual(['chainrule', 'chainrule gemm', 'tfjs-wasm', 'tfjs-cpu']);
    expect(report.targets.map((t) => t.target)).toContain('W4 CNN training >= 2x tfjs-wasm samples/s');
  });

  it('W2: every library computes the same loss', () => {
    const w2 = report.rows.filter((r) => r.workload === 'W2 scalar-graph');
    const ref = w2.find((r) => r.library === 'plain JS')?.loss as number;
    for (const r of w2) expect(Math.abs((r.loss as number) - ref)).toBeLessThan((r.library.startsWith('tfjs') ? 1e-5 : 1e-12) * Math.max(1, ref));
    const eager = w2.find((r) => r.case === 'eager' && r.library === 'chainrule');
    expect(eager?.bytesPerNode).toBeGreaterThan(0);
    expect(report.targets.find((t) => t.target.startsWith('W2 eager'))?.measured).toMatch(/x \(\d+\.\d B allocated per scalar node\)$/);
  });
});
