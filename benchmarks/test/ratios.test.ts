import { Row } from '../src/harness';
import { addRatios, formatRatio, formatSummary, median, pairRatios, summarize } from '../src/ratios';
import { targets, threadRows } from '../src/targets';

const row = (workload: Row['workload'], kase: string, library: string, samples: number[], extra: Partial<Row> = {}): Row => ({
  workload,
  case: kase,
  library,
  metric: 'm',
  unit: 'u',
  value: median(samples),
  samples,
  ...extra,
});

describe('ratio math', () => {
  it('pairs repetitions: a[r] ÷ b[r], skipping repetitions one side lacks or could not measure', () => {
    expect(pairRatios([10, 20, 30], [5, 40, 10])).toEqual([2, 0.5, 3]);
    expect(pairRatios([10, 20, 30], [5])).toEqual([2]);
    expect(pairRatios([10, NaN], [5, 5])).toEqual([2]);
    expect(pairRatios([10], [0])).toEqual([]);
  });

  it('summarises by median and range, and formats a single repetition without a range', () => {
    const s = summarize([3, 1, 2, 10]);
    expect(s).toEqual({ median: 2.5, min: 1, max: 10, n: 4 });
    expect(formatSummary(s)).toBe('2.50x [1.00–10.00]');
    expect(formatSummary(summarize([0.5]))).toBe('0.50x');
    expect(formatSummary(summarize([]))).toBe('-');
  });

  it('the median of per-repetition ratios is not the ratio of medians', () => {
    // Load moved between repetitions: chainrule and the peer were measured back to back each time.
    const rows = [row('W1 mlp-train', 'float32', 'chainrule', [100, 50, 10]), row('W1 mlp-train', 'float32', 'peer', [50, 50, 2])];
    addRatios(rows);
    expect(rows[1].ratios).toEqual([2, 1, 5]);
    expect(rows[1].ratio).toBe(2); // median of the ratios; the ratio of the medians would be 1
    expect(rows[0].ratios).toEqual([1, 1, 1]);
    expect(formatRatio(rows[1])).toBe('2.00x [1.00–5.00]');
  });

  it('leaves rows without a chainrule row in their case unrated', () => {
    const rows = [row('W3 matmul', 'a', 'plain JS', [1, 2])];
    addRatios(rows);
    expect(rows[0].ratio).toBeUndefined();
    expect(formatRatio(rows[0])).toBe('-');
  });

  it('threads: two ÷ one thread per repetition, for every case that ran both', () => {
    const rows = [
      row('W1 mlp-train', 'float32', 'chainrule', [100, 100]),
      row('W1 mlp-train', 'float32', 'chainrule (2 threads)', [90, 120]),
      row('W3 matmul', 'x', 'chainrule', [1]),
    ];
    const t = threadRows(rows);
    expect(t).toHaveLength(1);
    expect(t[0].summary).toEqual({ median: 1.05, min: 0.9, max: 1.2, n: 2 });
    const never = targets(rows).find((x) => x.target.startsWith('threads never slower'));
    expect(never?.met).toBe(true);
    rows[1].samples = [90, 95];
    expect(targets(rows).find((x) => x.target.startsWith('threads never slower'))?.met).toBe(false);
  });

  it('targets compare against PyTorch and the lean floor per repetition, and say "not run" when a side is missing', () => {
    const rows = [
      row('W1 mlp-train', 'float32', 'chainrule', [40, 60], { bytesPerStep: 200 }),
      row('W1 mlp-train', 'float32', 'pytorch', [100, 100]),
      row('W2 scalar-graph', 'reuse graph', 'chainrule', [5, 5]),
      row('W2 scalar-graph', 'reuse graph', 'lean JS', [10, 4]),
    ];
    const t = targets(rows);
    const get = (prefix: string): { measured: string; met: boolean | null } | undefined => t.find((x) => x.target.startsWith(prefix));
    expect(get('W1 (b64) >= 0.5x PyTorch')).toMatchObject({ measured: '0.50x [0.40–0.60]', met: true });
    expect(get('W2 reuse >= 1x the lean')).toMatchObject({ measured: '0.88x [0.50–1.25]', met: false });
    expect(get('W1 heap allocated <= 256 B/step')).toMatchObject({ measured: '200 B/step', met: true });
    expect(get('W1 hidden 1024')).toMatchObject({ measured: 'not run', met: null });
  });
});
