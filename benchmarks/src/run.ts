import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import { KernelInfo, kernelInfo } from '@chainrule/core';
import { W1_SPEC } from './data';
import { addRatios, formatTable, machine, Row } from './harness';
import { tfWasmInfo } from './peers/tfjs';
import { W4_SPEC } from './cnn-data';
import { runW4, W4Options } from './workload-cnn';
import { ALL_PEERS, Peer, runW1, runW2, runW3, W1Options, W2Options, W3Options } from './workloads';

export type Workload = 'w1' | 'w2' | 'w3' | 'w4';

export interface BenchOptions {
  workloads: Workload[];
  peers: Peer[];
  w1: W1Options;
  w2: W2Options;
  w3: W3Options;
  w4: W4Options;
  /** Where to write the JSON report (undefined: do not write). */
  out?: string;
  log?: (line: string) => void;
}

export interface BenchReport {
  date: string;
  machine: Record<string, unknown>;
  /** The default kernel of this process (each run binds its own kernel: see the rows' library names). */
  kernels: { chainrule: KernelInfo; tfjsWasm: string };
  options: Omit<BenchOptions, 'log' | 'out'>;
  rows: Row[];
  table: string;
  targets: Array<{ target: string; measured: string; met: boolean | null }>;
}

/** The workloads as the issue defines them. */
export function defaultOptions(): BenchOptions {
  return {
    workloads: ['w1', 'w2', 'w3', 'w4'],
    peers: [...ALL_PEERS],
    w1: { spec: { ...W1_SPEC, hidden: [...W1_SPEC.hidden] }, warmup: 20, steps: 200, reps: 3, lossSteps: 1000, variants: true, allocSteps: 200 },
    w2: { points: 100, sizes: [2, 16, 16, 1], reps: 5, minMs: 300, allocSteps: 20 },
    w3: { sizes: [256, 1024], dtypes: ['float32', 'float64'], reps: 3, minMs: 300, slowAbove: 256 },
    w4: { spec: { ...W4_SPEC }, warmup: 5, steps: 30, reps: 3, lossSteps: 100, allocSteps: 20, minMs: 300 },
  };
}

function find(rows: Row[], workload: string, kase: string, library: string): Row | undefined {
  return rows.find((r) => r.workload === workload && r.case === kase && r.library === library);
}

function targets(rows: Row[]): BenchReport['targets'] {
  const out: BenchReport['targets'] = [];
  const ratio = (a: Row | undefined, b: Row | undefined): number | undefined => (a && b ? a.value / b.value : undefined);
  const add = (target: string, r: number | undefined, need: number, extra = ''): void => {
    out.push({ target, measured: r === undefined ? 'not run' : `${r.toFixed(2)}x${extra}`, met: r === undefined ? null : r >= need });
  };
  add('W1 float32 >= 2x tfjs-wasm samples/s', ratio(find(rows, 'W1 mlp-train', 'float32', 'chainrule'), find(rows, 'W1 mlp-train', 'float32', 'tfjs-wasm')), 2);
  add('W2 reuse >= 1x plain-JS scalar autodiff', ratio(find(rows, 'W2 scalar-graph', 'reuse graph', 'chainrule'), find(rows, 'W2 scalar-graph', 'reuse graph', 'plain JS')), 1);
  add('W2 rebuild >= 0.5x plain-JS scalar autodiff', ratio(find(rows, 'W2 scalar-graph', 'rebuild graph', 'chainrule'), find(rows, 'W2 scalar-graph', 'rebuild graph', 'plain JS')), 0.5);
  const eager = find(rows, 'W2 scalar-graph', 'eager', 'chainrule');
  add('W2 eager >= 0.5x plain-JS scalar autodiff', ratio(eager, find(rows, 'W2 scalar-graph', 'eager', 'plain JS')), 0.5,
    eager?.bytesPerNode === undefined ? '' : ` (${eager.bytesPerNode.toFixed(1)} B allocated per scalar node)`);
  for (const pass of ['fwd+bwd', 'forward']) {
    const kase = `1024² float32 ${pass}`;
    add(`W3 ${kase}, 1 thread >= 1x tfjs-wasm`, ratio(find(rows, 'W3 matmul', kase, 'chainrule'), find(rows, 'W3 matmul', kase, 'tfjs-wasm')), 1);
    add(`W3 ${kase}, 2 threads >= 1x tfjs-wasm and > 1 thread`, ratio(find(rows, 'W3 matmul', kase, 'chainrule (2 threads)'), find(rows, 'W3 matmul', kase, 'tfjs-wasm')), 1,
      (() => { const r = ratio(find(rows, 'W3 matmul', kase, 'chainrule (2 threads)'), find(rows, 'W3 matmul', kase, 'chainrule')); return r === undefined ? '' : ` (${r.toFixed(2)}x one thread)`; })());
  }
  add('W4 CNN training >= 2x tfjs-wasm samples/s', ratio(find(rows, 'W4 cnn-train', 'batch 64 float32', 'chainrule'), find(rows, 'W4 cnn-train', 'batch 64 float32', 'tfjs-wasm')), 2);
  const w1 = find(rows, 'W1 mlp-train', 'float32', 'chainrule');
  out.push({
    target: 'W1 allocation < 1 KB/step',
    measured: w1?.bytesPerStep === undefined ? 'not run' : `${w1.bytesPerStep.toFixed(0)} B/step`,
    met: w1?.bytesPerStep === undefined ? null : w1.bytesPerStep < 1024,
  });
  return out;
}

/** Runs the selected workloads in this process, prints progress through `log`, returns (and optionally writes) the report. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const rows: Row[] = [];
  if (options.workloads.includes('w1')) rows.push(...(await runW1(options.w1, options.peers, log)));
  if (options.workloads.includes('w2')) rows.push(...(await runW2(options.w2, options.peers, log)));
  if (options.workloads.includes('w3')) rows.push(...(await runW3(options.w3, options.peers, log)));
  if (options.workloads.includes('w4')) rows.push(...(await runW4(options.w4, options.peers, log)));
  addRatios(rows);
  const { log: _l, out: _o, ...rest } = options;
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machine(),
    kernels: { chainrule: kernelInfo(), tfjsWasm: tfWasmInfo() },
    options: rest,
    rows,
    table: formatTable(rows),
    targets: targets(rows),
  };
  if (options.out) {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, JSON.stringify(report, null, 2) + '\n');
  }
  return report;
}
