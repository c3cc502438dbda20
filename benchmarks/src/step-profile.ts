import * as inspector from 'inspector';
import { Tensor } from '@chainrule/core';
import { makeMlpData, makeScalarData, scalarParams, W1_SPEC } from './data';
import { bytesPerStep, median, now } from './harness';
import { chainruleMlp } from './peers/chainrule-mlp';
import { chainruleScalarGraph, scalarContainer } from './peers/chainrule-scalar';
import { Value, valueOps } from './peers/micrograd';
import { countScalarNodes, scalarMlpLoss } from './peers/types';
import { trainRepetition } from './train-throughput';
import { withKernel } from './workloads/common';

// A quick measurement of the step around the kernel (issue 19), for A/B comparisons while tuning:
//   node benchmarks/dist/step-profile.js w1 [reps]     W1 samples/s (1 thread), B/step, top allocation sites (--unfused: MatMul → Add → ReLU nodes)
//   node benchmarks/dist/step-profile.js w2 [reps]     W2 reused graph vs the micrograd-style floor, interleaved
//   node benchmarks/dist/step-profile.js w1bench 300   the bench's own W1 row (trainRepetition) with --quick's steps (1000: the default's)
// It prints medians and ranges; `npm run bench` stays the reference.

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Allocation sites (function, file:line) with their sampled bytes per step, largest first. */
function allocationSites(step: () => void, steps: number): string[] {
  for (let i = 0; i < 20; i++) step();
  const session = new inspector.Session();
  session.connect();
  let result: { profile: { head: HeapNode } } | undefined;
  const post = (m: string, p: object = {}): void => session.post(m, p, (e, r) => {
    if (e) throw e;
    result = r as typeof result;
  });
  post('HeapProfiler.enable');
  post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  for (let i = 0; i < steps; i++) step();
  post('HeapProfiler.stopSampling');
  session.disconnect();
  const sites = new Map<string, number>();
  const walk = (n: HeapNode, path: string[]): void => {
    const here = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    const p = [...path, here];
    if (n.selfSize > 0) {
      const key = p.slice(-5).join(' < ');
      sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, p);
  };
  if (result) walk(result.profile.head, []);
  return [...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${(v / steps).toFixed(0).padStart(6)} B/step  ${k}`);
}

async function w1(reps: number): Promise<void> {
  const spec = { ...W1_SPEC, hidden: [...W1_SPEC.hidden] };
  const data = makeMlpData(spec);
  await withKernel('auto', 1, (k) => {
    const t = chainruleMlp(data, k, 'chainrule', process.argv.includes('--unfused') ? 'unfused' : 'fused');
    let s = 0;
    // `--warm N`: steps before timing (the bench measures its bytes/step after about 300 steps).
    const warmAt = process.argv.indexOf('--warm');
    const warm = warmAt > 0 ? Number(process.argv[warmAt + 1]) : 30;
    for (let i = 0; i < warm; i++) t.step(s++, false);
    if (process.argv.includes('--sites-first')) for (const line of allocationSites(() => void t.step(s++, false), 200)) console.log(line);
    const rates: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = now();
      for (let i = 0; i < 200; i++) t.step(s++, false);
      rates.push((200 * spec.batch) / ((now() - t0) / 1000));
    }
    const bytes = bytesPerStep(() => void t.step(s++, false), 200);
    console.log(`W1 samples/s median ${median(rates).toFixed(0)} range ${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}; ${bytes.toFixed(0)} B/step`);
    if (process.argv.includes('--sites')) for (const line of allocationSites(() => void t.step(s++, false), 200)) console.log(line);
  });
}

/** W1 as `npm run bench` measures it (one thread, no variants), with lossSteps 300 (--quick) or 1000 (default). */
async function w1Bench(lossSteps: number): Promise<void> {
  const spec = { ...W1_SPEC, hidden: [...W1_SPEC.hidden] };
  const data = makeMlpData(spec);
  const rates: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const row = await withKernel('auto', 1, (k) =>
      trainRepetition(chainruleMlp(data, k), spec.batch, { warmup: 20, steps: lossSteps >= 1000 ? 200 : 50, reps: 1, lossSteps, allocSteps: 200 }, rep, 'float32'),
    );
    rates.push(row.value);
    if (rep === 0) console.log(`W1 loss-steps ${lossSteps}: ${(row.bytesPerStep as number).toFixed(0)} B/step, loss ${(row.loss as number).toFixed(5)}`);
  }
  console.log(`W1 samples/s per repetition: ${rates.map((v) => v.toFixed(0)).join(' ')} (median ${median(rates).toFixed(0)})`);
}

function w2(reps: number): void {
  const sizes = [2, 16, 16, 1];
  const points = 100;
  const nodes = countScalarNodes(points, sizes);
  const data = makeScalarData(points, 7);
  const params0 = scalarParams(11, sizes);
  const g = chainruleScalarGraph(scalarContainer(), Array.from(params0, (v) => Tensor.from(v)), Array.from(data.x, (v) => Tensor.from(v)), Array.from(data.y, (v) => Tensor.from(v)), sizes);
  const reuse = (): void => {
    g.forward();
    g.backward();
  };
  if (reps < 0) {
    // Profile mode (`w2 -N`): only the reused graph, for N seconds, for `node --cpu-prof`.
    const t0 = now();
    while (now() - t0 < -reps * 1000) reuse();
    console.log(`W2 reuse: ${bytesPerStep(reuse, 20).toFixed(0)} B/step`);
    if (process.argv.includes('--sites')) for (const line of allocationSites(reuse, 20)) console.log(line);
    return;
  }
  const vp = Array.from(params0, (v) => new Value(v));
  const vx = Array.from(data.x, (v) => new Value(v));
  const vy = Array.from(data.y, (v) => new Value(v));
  const micro = (): void => {
    for (const p of vp) p.grad = 0;
    scalarMlpLoss(valueOps, vp, vx, vy, sizes).backward();
  };
  const lp = Array.from(params0, (v) => new Lean(v));
  const lx = Array.from(data.x, (v) => new Lean(v));
  const ly = Array.from(data.y, (v) => new Lean(v));
  const lean = (): void => {
    for (const p of lp) p.grad = 0;
    scalarMlpLoss(leanOps, lp, lx, ly, sizes).backward();
  };
  const steps = [reuse, micro, lean];
  for (const f of steps) for (let i = 0; i < 5; i++) f();
  const rates: number[][] = [[], [], []];
  for (let r = 0; r < reps; r++) {
    steps.forEach((f, i) => {
      let n = 0;
      const t0 = now();
      while (now() - t0 < 500) {
        f();
        n++;
      }
      rates[i].push((n * nodes) / ((now() - t0) / 1000));
    });
  }
  const ratios = rates[0].map((v, i) => v / rates[1][i]);
  const leanRatios = rates[0].map((v, i) => v / rates[2][i]);
  const fmt = (xs: number[]): string => `median ${median(xs).toFixed(0)} range ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
  console.log(`W2 reuse nodes/s ${fmt(rates[0])}; floor ${fmt(rates[1])}; reuse/floor median ${median(ratios).toFixed(2)} range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`);
  console.log(`   lean floor ${fmt(rates[2])}; reuse/lean median ${median(leanRatios).toFixed(2)} range ${Math.min(...leanRatios).toFixed(2)}-${Math.max(...leanRatios).toFixed(2)}`);
}

/** A lean micrograd Value for comparison (closures, a visited mark instead of a Set, no tuples). */
let mark = 0;
class Lean {
  grad = 0;
  seen = 0;
  back: (() => void) | null = null;
  constructor(public data: number, readonly prev: Lean[] = []) {}
  backward(): void {
    const topo: Lean[] = [];
    const m = ++mark;
    const stack: Lean[] = [this];
    const idx: number[] = [0];
    this.seen = m;
    while (stack.length) {
      const v = stack[stack.length - 1];
      const i = idx[idx.length - 1];
      if (i < v.prev.length) {
        idx[idx.length - 1] = i + 1;
        const c = v.prev[i];
        if (c.seen !== m) {
          c.seen = m;
          stack.push(c);
          idx.push(0);
        }
      } else {
        topo.push(v);
        stack.pop();
        idx.pop();
      }
    }
    this.grad = 1;
    for (let k = topo.length - 1; k >= 0; k--) topo[k].back?.();
  }
}
const leanOps = {
  add: (a: Lean, b: Lean): Lean => { const o = new Lean(a.data + b.data, [a, b]); o.back = () => { a.grad += o.grad; b.grad += o.grad; }; return o; },
  mul: (a: Lean, b: Lean): Lean => { const o = new Lean(a.data * b.data, [a, b]); o.back = () => { a.grad += b.data * o.grad; b.grad += a.data * o.grad; }; return o; },
  sub: (a: Lean, b: Lean): Lean => { const o = new Lean(a.data - b.data, [a, b]); o.back = () => { a.grad += o.grad; b.grad -= o.grad; }; return o; },
  tanh: (a: Lean): Lean => { const t = Math.tanh(a.data); const o = new Lean(t, [a]); o.back = () => { a.grad += (1 - t * t) * o.grad; }; return o; },
};

const [which = 'w1', repsArg = '5'] = process.argv.slice(2);
const reps = Number(repsArg) || 5; // w2 with a negative count: profile the reused graph alone for that many seconds
if (which === 'w2') w2(reps);
else if (which === 'w1bench') void w1Bench(Number(repsArg));
else void w1(reps);
