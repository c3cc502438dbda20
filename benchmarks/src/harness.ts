import * as os from 'os';
import * as v8 from 'v8';
import * as vm from 'vm';
import { formatRatio } from './ratios';

export { median } from './ratios';

/** One measured line of the table. */
export interface Row {
  workload: 'W1 mlp-train' | 'W2 scalar-graph' | 'W3 matmul' | 'W4 cnn-train' | 'W4 conv2d';
  /** The case within the workload (e.g. 'float32', 'reuse graph', '1024² float32'). */
  case: string;
  library: string;
  metric: string;
  unit: string;
  /** Median of `samples`. */
  value: number;
  samples: number[];
  /** W1: the loss after `lossSteps` steps, to show every library did the same work. */
  loss?: number;
  /** W1: steady-state heap allocation per training step (bytes). */
  bytesPerStep?: number;
  /** W2 eager: that allocation divided by the scalar nodes a step records. */
  bytesPerNode?: number;
  /** chainrule ÷ this library in the same case: the median of `ratios` (filled in by addRatios). */
  ratio?: number;
  /** chainrule ÷ this library in each repetition (the two measured back to back, in separate processes). */
  ratios?: number[];
  note?: string;
}

export function now(): number {
  return performance.now();
}

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(digits);
}

/** A plain-text table, one line per row. */
export function formatTable(rows: readonly Row[]): string {
  const head = ['workload', 'case', 'library', 'value', 'unit', 'chainrule/lib', 'loss', 'bytes/step'];
  const body = rows.map((r) => [
    r.workload,
    r.case,
    r.library,
    fmt(r.value),
    r.unit,
    formatRatio(r),
    r.loss === undefined ? '' : r.loss.toFixed(5),
    r.bytesPerStep === undefined ? '' : fmt(r.bytesPerStep),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 3 || i === 5 || i === 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    v8: process.versions.v8,
    loadavg: os.loadavg(),
  };
}

let gcFn: (() => void) | undefined;
/** global.gc, exposed at run time when node was not started with --expose-gc. */
export function gc(): () => void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  return gcFn;
}

/**
 * Steady-state JS heap allocation per call of `step` (bytes), counted by V8's sampling heap
 * profiler with objects later collected included (so it counts what was allocated, whatever the GC
 * did meanwhile): after a warm-up, `steps` calls are profiled (64-byte sampling interval, coarser
 * for libraries that allocate much more) and
 * the sampled bytes divided by `steps`. Typed arrays allocated per step count (their backing store
 * appears as the array's size); WebAssembly memory growth does not (it happens once).
 * Falls back to the growth of heapUsed after a full GC where the inspector is unavailable.
 */
export function bytesPerStep(step: () => void, steps = 200): number {
  for (let i = 0; i < 20; i++) step();
  // A rough first estimate sets the sampling interval: ~10,000 samples whatever the allocation rate
  // (a 64-byte interval on a library that allocates megabytes per step would exhaust memory).
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < 10; i++) step();
  const delta = process.memoryUsage().heapUsed - h0;
  const rough = delta < 0 ? 2 ** 21 : delta / 10; // a GC inside 10 steps: megabytes per step
  let interval = 64;
  while (interval < 1 << 20 && (rough * steps) / interval > 10_000) interval *= 2;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const inspector = require('inspector') as typeof import('inspector');
    const session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object): unknown => {
      let result: unknown;
      let error: Error | null = null;
      session.post(method, params ?? {}, (e, r) => {
        error = e;
        result = r;
      });
      if (error) throw error;
      return result; // the in-process session answers synchronously
    };
    post('HeapProfiler.enable');
    post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    for (let i = 0; i < steps; i++) step();
    const res = post('HeapProfiler.stopSampling') as { profile: { head: ProfileNode } } | undefined;
    post('HeapProfiler.disable');
    session.disconnect();
    if (!res) throw new Error('no profile');
    // Only samples under `step` count (not the profiler's own bookkeeping).
    return sumUnder(res.profile.head, false) / steps;
  } catch {
    const collect = gc();
    collect();
    const m0 = process.memoryUsage();
    for (let i = 0; i < steps; i++) step();
    const m1 = process.memoryUsage();
    return Math.max(0, m1.heapUsed - m0.heapUsed + (m1.external - m0.external)) / steps;
  }
}

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const BENCH_FILE = /[\\/]benchmarks[\\/](dist|src)[\\/]harness\.(js|ts)$/;

/** Bytes allocated below this file's `bytesPerStep` frame, except in its own calls to the inspector (`post`). */
function sumUnder(node: ProfileNode, inside: boolean): number {
  if (inside) return node.selfSize + node.children.reduce((t, c) => t + sumUnder(c, true), 0);
  if (node.callFrame.functionName === 'bytesPerStep' && BENCH_FILE.test(node.callFrame.url)) {
    return node.children.filter((c) => c.callFrame.functionName !== 'post').reduce((t, c) => t + sumUnder(c, true), 0);
  }
  return node.children.reduce((t, c) => t + sumUnder(c, false), 0);
}
