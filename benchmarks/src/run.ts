import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import { KernelInfo, kernelInfo } from '@chainrule/core';
import { W4_SPEC } from './cnn-data';
import { W1_SPEC } from './data';
import { formatTable, machine, Row } from './harness';
import { Job, PartKey, PARTS, Parts } from './jobs';
import { forkLauncher, Launcher } from './peer-process';
import { torchVersion } from './peers/pytorch';
import { addRatios, median } from './ratios';
import { targets, threadRows, ThreadRow } from './targets';
import { ALL_PEERS, CaseResult, Log, Peer } from './workloads/common';

export type Workload = 'w1' | 'w2' | 'w3' | 'w4';
/** The parts each workload option selects. */
const PARTS_OF: Record<Workload, PartKey[]> = { w1: ['w1', 'w1big'], w2: ['w2'], w3: ['w3'], w4: ['w4', 'w4conv'] };

export interface BenchOptions extends Parts {
  workloads: Workload[];
  peers: Peer[];
  /** Where to write the JSON report (undefined: do not write). */
  out?: string;
  log?: Log;
  /** How each job runs (default: a fresh process per job). */
  launcher?: Launcher;
}

export interface BenchReport {
  date: string;
  machine: Record<string, unknown>;
  kernels: { chainrule: KernelInfo };
  peers: { pytorch?: string; tfjs: string };
  options: Omit<BenchOptions, 'log' | 'out' | 'launcher'>;
  rows: Row[];
  table: string;
  threads: ThreadRow[];
  notes: string[];
  targets: Array<{ target: string; measured: string; met: boolean | null }>;
}

/** The workloads as issues 14 and 19 define them. */
export function defaultOptions(): BenchOptions {
  const w1 = { warmup: 20, steps: 100, minMs: 1000, reps: 5, lossSteps: 300, variants: true, allocSteps: 200, allocWarmMs: 3000 };
  return {
    workloads: ['w1', 'w2', 'w3', 'w4'],
    peers: [...ALL_PEERS],
    w1: { ...w1, spec: { ...W1_SPEC, hidden: [...W1_SPEC.hidden] }, case: 'float32', peers: ['pytorch', 'tfjs-cpu', 'tfjs-wasm', 'convnetjs', 'plain JS'] },
    // Issue 19's large W1: 784-1024-10 at batch 256, chainrule's threads against PyTorch.
    w1big: { ...w1, spec: { ...W1_SPEC, hidden: [1024], batch: 256 }, case: 'hidden 1024, batch 256', steps: 30, warmup: 5, lossSteps: 100, allocSteps: 0, variants: false, peers: ['pytorch'] },
    w2: { points: 100, sizes: [2, 16, 16, 1], reps: 5, minMs: 400, allocSteps: 20 },
    w3: { sizes: [256, 1024], dtypes: ['float32', 'float64'], reps: 3, minMs: 300, slowAbove: 256 },
    w4: { spec: { ...W4_SPEC }, warmup: 3, steps: 10, reps: 3, lossSteps: 20, allocSteps: 20, minMs: 300 },
    w4conv: { spec: { ...W4_SPEC }, warmup: 0, steps: 0, reps: 3, lossSteps: 0, allocSteps: 0, minMs: 300 },
  };
}

/**
 * One part: for each repetition, each library in turn (A B C A B C ...), each job in its own
 * process; every repetition's ratios to chainrule are logged as they come. Returns the rows
 * (value = median over repetitions, `samples` = every repetition's value).
 */
async function runPart<K extends PartKey>(key: K, o: Parts[K], peers: readonly Peer[], launch: Launcher, log: Log, notes: string[]): Promise<Row[]> {
  const part = PARTS[key];
  const { run, skipped } = part.libraries(o as never, peers);
  for (const s of skipped) {
    notes.push(`${part.title}: ${s}`);
    log(`  ${part.title}: ${s}`);
  }
  const rows = new Map<string, Row>();
  for (let rep = 0; rep < o.reps; rep++) {
    const got: Array<{ library: string; r: CaseResult }> = [];
    for (const library of run) {
      const job: Job<K> = { part: key, library, rep, options: o };
      const t0 = Date.now();
      const results = await launch(job);
      for (const r of results) got.push({ library: r.library ?? library, r });
      log(`    ${library}, repetition ${rep + 1}: ${results.map((r) => `${r.case} ${r.value.toPrecision(4)} ${part.unit}`).join('; ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    for (const { library, r } of got) {
      const id = `${r.case}\u0000${library}`;
      let row = rows.get(id);
      if (!row) {
        row = { workload: part.title, case: r.case, library, metric: part.metric, unit: part.unit, value: NaN, samples: [], note: r.note };
        rows.set(id, row);
      }
      row.samples.push(r.value);
      if (r.loss !== undefined && row.loss === undefined) row.loss = r.loss;
      if (r.bytesPerStep !== undefined) row.bytesPerStep = r.bytesPerStep;
      if (r.bytesPerNode !== undefined) row.bytesPerNode = r.bytesPerNode;
    }
    // This repetition's ratios, chainrule ÷ library, per case.
    const line = got
      .filter(({ library }) => library !== 'chainrule')
      .map(({ library, r }) => {
        const base = got.find((g) => g.library === 'chainrule' && g.r.case === r.case);
        return `${r.case} ${library} ${base ? `${(base.r.value / r.value).toFixed(2)}x` : '-'}`;
      });
    log(`  ${part.title} repetition ${rep + 1}/${o.reps}: chainrule ÷ ${line.join('; ')}`);
  }
  const out = [...rows.values()];
  for (const r of out) r.value = median(r.samples);
  return out;
}

/** Runs the selected workloads (a process per library and repetition), prints progress through `log`, returns (and optionally writes) the report. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const launch = options.launcher ?? forkLauncher();
  const notes: string[] = [];
  const rows: Row[] = [];
  for (const w of options.workloads) {
    for (const key of PARTS_OF[w]) {
      log(`${PARTS[key].title}${key === 'w1big' ? ' (hidden 1024, batch 256)' : ''}:`);
      const part = await runPart(key, options[key], options.peers, launch, log, notes);
      addRatios(part);
      log(formatTable(part)); // each part's table as soon as it is done
      rows.push(...part);
    }
  }
  addRatios(rows);
  const { log: _l, out: _o, launcher: _x, ...rest } = options;
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machine(),
    kernels: { chainrule: kernelInfo() },
    peers: { pytorch: options.peers.includes('pytorch') ? torchVersion() : undefined, tfjs: tfjsVersion() },
    options: rest,
    rows,
    table: formatTable(rows),
    threads: threadRows(rows),
    notes,
    targets: targets(rows),
  };
  if (options.out) {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, JSON.stringify(report, null, 2) + '\n');
  }
  return report;
}

function tfjsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v = (p: string): string => (require(`${p}/package.json`) as { version: string }).version;
  return `@tensorflow/tfjs ${v('@tensorflow/tfjs')}, tfjs-backend-wasm ${v('@tensorflow/tfjs-backend-wasm')}`;
}
