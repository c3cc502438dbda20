import type { Row } from './harness';

/**
 * The ratio math of the report. Every library runs each repetition in its own process, back to
 * back with chainrule's (A B A B ...), so a ratio is taken per repetition (chainrule's value of
 * repetition r ÷ the library's value of repetition r) and summarised by its median and range:
 * a change of machine load between repetitions then moves both sides of a ratio alike.
 */

/** The library every ratio is relative to: chainrule's main configuration in each case. */
export const CHAINRULE = 'chainrule';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** a[r] ÷ b[r] for every repetition both measured (NaN or missing entries are skipped). */
export function pairRatios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < Math.min(a.length, b.length); r++) {
    if (Number.isFinite(a[r]) && Number.isFinite(b[r]) && b[r] !== 0) out.push(a[r] / b[r]);
  }
  return out;
}

export interface RatioSummary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(ratios: readonly number[]): RatioSummary {
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), n: ratios.length };
}

/** "0.63x [0.55–0.71]" (a single repetition: no range). */
export function formatSummary(s: RatioSummary): string {
  if (s.n === 0) return '-';
  return s.n === 1 ? `${s.median.toFixed(2)}x` : `${s.median.toFixed(2)}x [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
}

export function formatRatio(r: Pick<Row, 'ratio' | 'ratios'>): string {
  if (r.ratios && r.ratios.length > 0) return formatSummary(summarize(r.ratios));
  return r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`;
}

/**
 * Fills `ratios` (per repetition) and `ratio` (their median) of every row against the row of
 * `base` (default chainrule) in the same workload and case. Rows whose samples are not aligned
 * by repetition (`samples` shorter than the base's, a slow configuration measured once) still get
 * a ratio: their first repetition against the base's first.
 */
export function addRatios(rows: Row[], base = CHAINRULE): void {
  for (const r of rows) {
    const b = rows.find((x) => x.workload === r.workload && x.case === r.case && x.library === base);
    if (!b) {
      r.ratio = undefined;
      r.ratios = undefined;
      continue;
    }
    r.ratios = pairRatios(b.samples, r.samples);
    r.ratio = r.ratios.length > 0 ? median(r.ratios) : b.value / r.value;
  }
}
