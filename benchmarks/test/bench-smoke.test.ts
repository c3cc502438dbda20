import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runBench } from '../src/run';
import { tinyOptions } from './support/tiny-options';

/**
 * A short run of the whole benchmark at tiny sizes, every job in this process: checks the report's
 * structure, the per-repetition ratios and that every library did the same work (the losses
 * agree). Timings are never asserted. (benchmarks/test/peer-process.test.ts runs jobs in their own
 * processes.)
 */
describe('npm run bench (smoke run at tiny sizes)', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chainrule-bench-')), 'report.json');
  let report: Awaited<ReturnType<typeof runBench>>;
  const log: string[] = [];

  beforeAll(async () => {
    report = await runBench({ ...tinyOptions(), out, log: (l) => log.push(l) });
  }, 400_000);

  it('writes the JSON report it returns, with the peers versions', () => {
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.rows).toHaveLength(report.rows.length);
    expect(typeof json.date).toBe('string');
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.peers.tfjs).toMatch(/^@tensorflow\/tfjs 4\.22\.0/);
    expect(json.targets.length).toBeGreaterThanOrEqual(10);
  });

  const libs = (w: string, c: string): string[] => report.rows.filter((r) => r.workload === w && r.case === c).map((r) => r.library);

  it('has a row per library and case, with one sample per repetition and per-repetition ratios', () => {
    expect(libs('W1 mlp-train', 'float32')).toEqual(['chainrule', 'chainrule (2 threads)', 'chainrule (js kernel)', 'chainrule (unfused layers)', 'tfjs-cpu', 'tfjs-wasm', 'convnetjs', 'plain JS']);
    expect(libs('W1 mlp-train', 'hidden 1024, batch 256')).toEqual(['chainrule', 'chainrule (2 threads)']);
    for (const c of ['reuse graph', 'eager']) expect(libs('W2 scalar-graph', c)).toEqual(['chainrule', 'lean JS', 'plain JS']);
    expect(libs('W2 scalar-graph', 'rebuild graph')).toEqual(['chainrule', 'lean JS', 'plain JS', 'tfjs-cpu', 'tfjs-wasm']);
    expect(libs('W3 matmul', '24² float32 forward')).toEqual(['chainrule', 'chainrule (2 threads)', 'chainrule (js kernel)', 'tfjs-wasm', 'tfjs-cpu', 'plain JS']);
    expect(libs('W3 matmul', '24² float64 fwd+bwd')).toEqual(['chainrule', 'chainrule (2 threads)', 'chainrule (js kernel)', 'plain JS']);
    for (const r of report.rows) {
      // slow configurations above slowAbove run once; everything else once per repetition
      const once = r.workload === 'W3 matmul' && ['plain JS', 'chainrule (js kernel)', 'tfjs-cpu'].includes(r.library);
      expect(r.samples).toHaveLength(once ? 1 : 2);
      expect(r.samples.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      expect(r.ratios).toHaveLength(r.samples.length);
      expect(r.ratio).toBeGreaterThan(0);
      if (r.library === 'chainrule') expect(r.ratios).toEqual([1, 1].slice(0, r.samples.length));
    }
    expect(log.filter((l) => /^ {2}W1 mlp-train repetition \d\/2: chainrule ÷ float32 chainrule \(2 threads\) \d+\.\d\dx/.test(l))).toHaveLength(2);
  });

  it('prints one table with every row, ratios as median [min–max]', () => {
    const lines = report.table.split('\n');
    expect(lines[0]).toMatch(/^workload +\| case +\| library +\| +value \| unit/);
    expect(lines).toHaveLength(report.rows.length + 2);
    expect(report.table).toMatch(/\d\.\d\dx \[\d+\.\d\d–\d+\.\d\d\]/);
  });

  it('W1: every library reaches the same loss from the same initial weights; chainrule reports heap bytes per step', () => {
    const w1 = report.rows.filter((r) => r.workload === 'W1 mlp-train' && r.case === 'float32');
    const ref = w1.find((r) => r.library === 'plain JS')?.loss as number;
    expect(Number.isFinite(ref)).toBe(true);
    for (const r of w1) expect(Math.abs((r.loss as number) - ref)).toBeLessThan(1e-3 * Math.max(1, ref));
    expect(w1.find((r) => r.library === 'chainrule')?.bytesPerStep).toBeGreaterThanOrEqual(0);
  });

  it('W2: every library computes the same loss; the lean floor is the target`s reference', () => {
    const w2 = report.rows.filter((r) => r.workload === 'W2 scalar-graph');
    const ref = w2.find((r) => r.library === 'lean JS')?.loss as number;
    for (const r of w2) expect(Math.abs((r.loss as number) - ref)).toBeLessThan((r.library.startsWith('tfjs') ? 1e-5 : 1e-12) * Math.max(1, ref));
    expect(w2.find((r) => r.case === 'eager' && r.library === 'chainrule')?.bytesPerNode).toBeGreaterThan(0);
    expect(report.targets.find((t) => t.target === 'W2 reuse >= 1x the lean plain-JS floor')?.measured).toMatch(/^\d+\.\d\dx \[/);
  });

  it('W4: chainrule (1 and 2 threads) and both tfjs backends train the same CNN; Conv2D forward stands next to its GEMM', () => {
    const w4 = report.rows.filter((r) => r.workload === 'W4 cnn-train');
    expect(w4.map((r) => r.library)).toEqual(['chainrule', 'chainrule (2 threads)', 'tfjs-wasm', 'tfjs-cpu']);
    const ref = w4[0].loss as number;
    expect(Number.isFinite(ref)).toBe(true);
    for (const r of w4) expect(Math.abs((r.loss as number) - ref)).toBeLessThan(1e-3 * Math.max(1, ref));
    expect(report.rows.filter((r) => r.workload === 'W4 conv2d').map((r) => r.library)).toEqual(['chainrule', 'chainrule gemm', 'tfjs-wasm', 'tfjs-cpu']);
  });

  it('reports two threads ÷ one thread for every workload that ran both', () => {
    expect(report.threads.map((t) => `${t.workload} ${t.case}`)).toEqual(
      expect.arrayContaining(['W1 mlp-train float32', 'W1 mlp-train hidden 1024, batch 256', 'W3 matmul 24² float32 fwd+bwd', 'W4 cnn-train batch 16 float32']),
    );
    for (const t of report.threads) expect(t.summary.n).toBe(2);
    expect(report.targets.find((t) => t.target.startsWith('threads never slower'))?.met).not.toBeNull();
  });
});
