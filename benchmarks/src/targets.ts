import { Row } from './harness';
import { formatSummary, pairRatios, RatioSummary, summarize } from './ratios';

/** Two threads ÷ one thread for one workload and case, per repetition. */
export interface ThreadRow {
  workload: string;
  case: string;
  summary: RatioSummary;
}

const TWO = 'chainrule (2 threads)';

function find(rows: readonly Row[], workload: string, kase: string, library: string): Row | undefined {
  return rows.find((r) => r.workload === workload && r.case === kase && r.library === library);
}

/** The "threads never slower" rows: every case where chainrule ran on one thread and on two, the per-repetition ratio two ÷ one. */
export function threadRows(rows: readonly Row[]): ThreadRow[] {
  const out: ThreadRow[] = [];
  for (const two of rows.filter((r) => r.library === TWO)) {
    const one = find(rows, two.workload, two.case, 'chainrule');
    const ratios = one ? pairRatios(two.samples, one.samples) : [];
    if (ratios.length > 0) out.push({ workload: two.workload, case: two.case, summary: summarize(ratios) });
  }
  return out;
}

export function formatThreadRows(t: readonly ThreadRow[]): string {
  return t.map((r) => `${r.workload} ${r.case}: 2 threads ÷ 1 thread ${formatSummary(r.summary)}${r.summary.median < 1 ? '  (slower)' : ''}`).join('\n');
}

type Target = { target: string; measured: string; met: boolean | null };

/** Issue 19's targets (and the earlier ones that still hold), each from ratios measured in this run, per repetition. */
export function targets(rows: readonly Row[]): Target[] {
  const out: Target[] = [];
  const ratio = (target: string, a: Row | undefined, b: Row | undefined, need: number): void => {
    const r = a && b ? pairRatios(a.samples, b.samples) : [];
    const s = summarize(r);
    out.push({ target, measured: r.length === 0 ? 'not run' : formatSummary(s), met: r.length === 0 ? null : s.median >= need });
  };
  const W1 = 'W1 mlp-train';
  const BIG = 'hidden 1024, batch 256';
  ratio('W1 (b64) >= 0.5x PyTorch, one thread', find(rows, W1, 'float32', 'chainrule'), find(rows, W1, 'float32', 'pytorch'), 0.5);
  ratio('W1 hidden 1024 / batch 256, two threads >= 0.3x PyTorch one thread', find(rows, W1, BIG, TWO), find(rows, W1, BIG, 'pytorch'), 0.3);
  ratio('W1 hidden 1024 / batch 256: two threads >= 1.5x one thread', find(rows, W1, BIG, TWO), find(rows, W1, BIG, 'chainrule'), 1.5);
  const t = threadRows(rows);
  out.push({
    target: 'threads never slower than one thread (every workload, median per case)',
    measured: t.length === 0 ? 'not run' : t.map((r) => `${r.workload} ${r.case} ${formatSummary(r.summary)}`).join('; '),
    met: t.length === 0 ? null : t.every((r) => r.summary.median >= 1),
  });
  ratio('W2 reuse >= 1x the lean plain-JS floor', find(rows, 'W2 scalar-graph', 'reuse graph', 'chainrule'), find(rows, 'W2 scalar-graph', 'reuse graph', 'lean JS'), 1);
  ratio('W2 rebuild >= 0.5x the lean plain-JS floor', find(rows, 'W2 scalar-graph', 'rebuild graph', 'chainrule'), find(rows, 'W2 scalar-graph', 'rebuild graph', 'lean JS'), 0.5);
  ratio('W2 eager >= 0.5x the lean plain-JS floor', find(rows, 'W2 scalar-graph', 'eager', 'chainrule'), find(rows, 'W2 scalar-graph', 'eager', 'lean JS'), 0.5);
  const w1 = find(rows, W1, 'float32', 'chainrule');
  out.push({
    target: 'W1 heap allocated <= 256 B/step',
    measured: w1?.bytesPerStep === undefined ? 'not run' : `${w1.bytesPerStep.toFixed(0)} B/step`,
    met: w1?.bytesPerStep === undefined ? null : w1.bytesPerStep <= 256,
  });
  ratio('W1 >= 2x tfjs-wasm', w1, find(rows, W1, 'float32', 'tfjs-wasm'), 2);
  ratio('W3 1024² float32 forward >= 1.2x tfjs-wasm (one thread)', find(rows, 'W3 matmul', '1024² float32 forward', 'chainrule'), find(rows, 'W3 matmul', '1024² float32 forward', 'tfjs-wasm'), 1.2);
  const w4 = rows.find((r) => r.workload === 'W4 cnn-train' && r.library === 'chainrule');
  ratio('W4 CNN training >= 2x tfjs-wasm samples/s (one thread)', w4, w4 && find(rows, 'W4 cnn-train', w4.case, 'tfjs-wasm'), 2);
  return out;
}
