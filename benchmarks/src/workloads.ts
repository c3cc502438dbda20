import { kernelInfo, ManagedKernel, Tensor } from '@chainrule/core';
import { createNodeKernel } from '@chainrule/core/node';
import { MatMulGate } from '@chainrule/gates';
import { makeMlpData, makeScalarData, MlpSpec, normals, scalarParams } from './data';
import { bytesPerStep, now, median, Row } from './harness';
import { eagerScalarStep } from './peers/chainrule-eager';
import { chainruleMlp } from './peers/chainrule-mlp';
import { chainruleScalarGraph, scalarContainer } from './peers/chainrule-scalar';
import { convnetMlp } from './peers/convnetjs';
import { Value, valueOps } from './peers/micrograd';
import { plainMlp } from './peers/plain-mlp';
import { tfjsMlp, useBackend } from './peers/tfjs';
import { countScalarNodes, MlpFactory, scalarMlpLoss, ScalarOps } from './peers/types';
import { ThroughputOptions, trainThroughput } from './train-throughput';

export type Peer = 'tfjs-cpu' | 'tfjs-wasm' | 'convnetjs' | 'plain JS';
export const ALL_PEERS: Peer[] = ['tfjs-cpu', 'tfjs-wasm', 'convnetjs', 'plain JS'];

export interface W1Options extends ThroughputOptions {
  spec: MlpSpec;
  /** Also run chainrule with the plain-JS kernel and with two kernel threads. */
  variants: boolean;
}

export interface W2Options {
  points: number;
  sizes: number[];
  reps: number;
  minMs: number;
  /** Steps in the eager allocation measurement (0: skip it). */
  allocSteps: number;
}

export interface W3Options {
  sizes: number[];
  dtypes: Array<'float32' | 'float64'>;
  reps: number;
  minMs: number;
  /** Run the slow plain-loop configurations (plain JS, chainrule js kernel, tfjs-cpu) at sizes above this only once. */
  slowAbove: number;
}

type Log = (line: string) => void;

/** Runs `body` with a kernel of this backend and thread count (helper thread started and ready), disposing it afterwards. */
export async function withKernel<T>(backend: 'js' | 'wasm' | 'auto', threads: 1 | 2, body: (kernel: ManagedKernel) => Promise<T> | T): Promise<T> {
  const kernel = createNodeKernel({ backend, threads });
  if (threads > 1 && !(await kernel.threadsReady())) throw new Error(`bench: the kernel's helper thread did not start (${kernel.info.reason})`);
  try {
    return await body(kernel);
  } finally {
    kernel.dispose();
  }
}

/** Whether the WebAssembly kernel loads here (the default kernel is then wasm). */
export const wasmAvailable = (): boolean => kernelInfo().name.startsWith('wasm');

// ------------------------------------------------------------------------------------------ W1

export async function runW1(o: W1Options, peers: readonly Peer[], log: Log): Promise<Row[]> {
  const data = makeMlpData(o.spec);
  const rows: Row[] = [];
  const measure = async (factory: MlpFactory, note?: string): Promise<void> => {
    const row = trainThroughput(await factory(data), o.spec.batch, o, 'W1 mlp-train', 'float32', note);
    rows.push(row);
    log(`  W1 ${row.library}: ${Math.round(row.value)} samples/s, loss@${o.lossSteps} ${(row.loss as number).toFixed(5)}${row.bytesPerStep === undefined ? '' : `, ${row.bytesPerStep.toFixed(0)} B/step`}`);
  };
  const wasm = wasmAvailable();
  await withKernel('auto', 1, (k) => measure((d) => chainruleMlp(d, k), wasm ? 'wasm SIMD kernel, 1 thread' : `js kernel (${k.info.reason})`));
  if (o.variants) {
    await withKernel('js', 1, (k) => measure((d) => chainruleMlp(d, k, 'chainrule (js kernel)')));
    if (wasm) await withKernel('auto', 2, (k) => measure((d) => chainruleMlp(d, k, 'chainrule (2 threads)')));
  }
  if (peers.includes('tfjs-cpu')) await measure((d) => tfjsMlp(d, 'cpu'));
  if (peers.includes('tfjs-wasm')) await measure((d) => tfjsMlp(d, 'wasm'));
  if (peers.includes('convnetjs')) await measure((d) => convnetMlp(d), 'float64 inside ConvNetJS');
  if (peers.includes('plain JS')) await measure((d) => plainMlp(d));
  return rows;
}

// ------------------------------------------------------------------------------------------ W2

/** nodes/s of each step function, repetitions interleaved (rep 1 of each, then rep 2 of each, ...). */
function interleaved(steps: Array<() => unknown>, nodes: number, reps: number, minMs: number): number[][] {
  for (const step of steps) {
    step();
    step();
  }
  const out: number[][] = steps.map(() => []);
  for (let r = 0; r < reps; r++) {
    steps.forEach((step, i) => {
      let n = 0;
      const t0 = now();
      let dt = 0;
      do {
        step();
        n++;
        dt = now() - t0;
      } while (dt < minMs);
      out[i].push((nodes * n) / (dt / 1000));
    });
  }
  return out;
}

function rate(step: () => void, nodes: number, reps: number, minMs: number): number[] {
  return interleaved([step], nodes, reps, minMs)[0];
}

export async function runW2(o: W2Options, peers: readonly Peer[], log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  const nodes = countScalarNodes(o.points, o.sizes);
  const data = makeScalarData(o.points, 7);
  const params0 = scalarParams(11, o.sizes);
  const push = (kase: string, library: string, samples: number[], loss: number, note?: string): void => {
    const row: Row = { workload: 'W2 scalar-graph', case: kase, library, metric: 'forward+backward', unit: 'nodes/s', value: median(samples), samples, loss, note };
    rows.push(row);
    log(`  W2 ${kase} ${library}: ${Math.round(row.value).toLocaleString('en-US')} nodes/s (${nodes} nodes/step, loss ${loss.toFixed(6)})`);
  };

  // chainrule, graph built once.
  const container = scalarContainer();
  const pt = Array.from(params0, (v) => Tensor.from(v));
  const xt = Array.from(data.x, (v) => Tensor.from(v));
  const yt = Array.from(data.y, (v) => Tensor.from(v));
  const g = chainruleScalarGraph(container, pt, xt, yt, o.sizes);
  const gateNodes = g.nodes.filter((n) => n.kind === 'gate').length;
  if (gateNodes !== nodes) throw new Error(`W2: chainrule graph has ${gateNodes} gate nodes, expected ${nodes}`);
  const loss = g.forward().item();
  const reuseStep = (): void => {
    g.forward();
    g.backward();
  };

  // micrograd-style plain JS: the floor (rebuilds by design).
  const vp = Array.from(params0, (v) => new Value(v));
  const vx = Array.from(data.x, (v) => new Value(v));
  const vy = Array.from(data.y, (v) => new Value(v));
  const microStep = (): number => {
    for (const p of vp) p.grad = 0;
    const l = scalarMlpLoss(valueOps, vp, vx, vy, o.sizes);
    l.backward();
    return l.data;
  };
  const microLoss = microStep();

  // chainrule, a new graph every step.
  let rebuiltLoss = NaN;
  const rebuildStep = (): void => {
    const h = chainruleScalarGraph(container, pt, xt, yt, o.sizes);
    rebuiltLoss = h.forward().item();
    h.backward();
  };
  // chainrule eager: the same network as code over Values, recorded anew every step.
  const eager = eagerScalarStep(params0, data.x, data.y, o.sizes);
  let eagerLoss = NaN;
  const eagerStep = (): void => {
    eagerLoss = eager();
  };
  // Interleaved repetitions, so a change in machine load hits every library alike.
  const [reuse, micro, rebuild, eagerRate] = interleaved([reuseStep, microStep, rebuildStep, eagerStep], nodes, o.reps, o.minMs);
  if (Math.abs(rebuiltLoss - loss) > 1e-9 * Math.abs(loss)) throw new Error('W2: rebuilt graph disagrees');
  if (Math.abs(eagerLoss - loss) > 1e-9 * Math.abs(loss)) throw new Error('W2: eager disagrees');
  push('reuse graph', 'chainrule', reuse, loss, 'ComputationalGraph built once, forward + backward per step');
  push('reuse graph', 'plain JS', micro, microLoss, 'minimal micrograd-style autodiff (rebuilds: its only mode)');
  push('rebuild graph', 'chainrule', rebuild, rebuiltLoss, 'new ComputationalGraph (same container) every step');
  push('rebuild graph', 'plain JS', micro, microLoss, 'same measurement as above');
  const eagerBytes = o.allocSteps > 0 ? bytesPerStep(eagerStep, o.allocSteps) : undefined;
  push('eager', 'chainrule', eagerRate, eagerLoss, `@chainrule/eager, recorded every step${eagerBytes === undefined ? '' : `; ${(eagerBytes / nodes).toFixed(1)} B allocated per scalar node`}`);
  rows[rows.length - 1].bytesPerStep = eagerBytes;
  rows[rows.length - 1].bytesPerNode = eagerBytes === undefined ? undefined : eagerBytes / nodes;
  push('eager', 'plain JS', micro, microLoss, 'same measurement as above');

  for (const backend of ['cpu', 'wasm'] as const) {
    if (!peers.includes(`tfjs-${backend}`)) continue;
    const t = await useBackend(backend);
    const tp = Array.from(params0, (v) => t.variable(t.scalar(v, 'float32')));
    const tx = Array.from(data.x, (v) => t.scalar(v, 'float32'));
    const ty = Array.from(data.y, (v) => t.scalar(v, 'float32'));
    type S = import('@tensorflow/tfjs').Scalar;
    const ops: ScalarOps<S> = { add: (a, b) => t.add(a, b), mul: (a, b) => t.mul(a, b), sub: (a, b) => t.sub(a, b), tanh: (a) => t.tanh(a) };
    let tl = NaN;
    const step = (): void => {
      const { value, grads } = t.variableGrads(() => scalarMlpLoss(ops, tp as unknown as S[], tx, ty, o.sizes));
      tl = value.dataSync()[0];
      value.dispose();
      for (const k of Object.keys(grads)) grads[k].dispose();
    };
    const samples = rate(step, nodes, Math.min(o.reps, 3), 0);
    push('rebuild graph', `tfjs-${backend}`, samples, tl, 'eager scalar ops + variableGrads (float32)');
    for (const v of [...tp, ...tx, ...ty]) v.dispose();
  }
  return rows;
}

// ------------------------------------------------------------------------------------------ W3

/** The plain-JS reference products (i-k-j loops), written here independently of chainrule. */
function plainMatmul(a: Float32Array | Float64Array, b: typeof a, dc: typeof a, c: typeof a, da: typeof a, db: typeof a, n: number, backward: boolean): void {
  c.fill(0);
  for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) {
    const v = a[i * n + p];
    for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j];
  }
  if (!backward) return;
  for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += dc[i * n + j] * b[p * n + j];
    da[i * n + p] = s;
  }
  db.fill(0);
  for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) {
    const v = a[i * n + p];
    for (let j = 0; j < n; j++) db[p * n + j] += v * dc[i * n + j];
  }
}

export async function runW3(o: W3Options, peers: readonly Peer[], log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of o.sizes) {
    for (const dtype of o.dtypes) {
      for (const pass of ['fwd+bwd', 'forward'] as const) {
        rows.push(...(await runW3Case(o, peers, log, n, dtype, pass)));
      }
    }
  }
  return rows;
}

/**
 * One W3 case. 'fwd+bwd' is MatMulGate's forward and backward (C = A·B, dA = dC·Bᵀ, dB = Aᵀ·dC: the
 * three products tfjs's own matMul gradient computes); 'forward' is C = A·B alone, the one product
 * tfjs-wasm sends to XNNPACK without a transpose.
 */
async function runW3Case(o: W3Options, peers: readonly Peer[], log: Log, n: number, dtype: 'float32' | 'float64', pass: 'fwd+bwd' | 'forward'): Promise<Row[]> {
  const rows: Row[] = [];
  const both = pass === 'fwd+bwd';
  const kase = `${n}² ${dtype} ${pass}`;
  const flop = (both ? 3 : 1) * 2 * n * n * n;
  const slow = n > o.slowAbove;
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  const a = Ctor.from(normals(n * n, n + 1));
  const b = Ctor.from(normals(n * n, n + 2));
  const dc = Ctor.from(normals(n * n, n + 3));
  const time = (step: () => void, once: boolean): number[] => {
    const t0 = now();
    step();
    const first = now() - t0;
    if (once || first > 1500) return [flop / (first / 1000) / 1e9];
    const out: number[] = [];
    for (let r = 0; r < o.reps; r++) {
      let k = 0;
      const s0 = now();
      let dt = 0;
      do {
        step();
        k++;
        dt = now() - s0;
      } while (dt < o.minMs);
      out.push((flop * k) / (dt / 1000) / 1e9);
    }
    return out;
  };
  const push = (library: string, samples: number[], note?: string): void => {
    const row: Row = { workload: 'W3 matmul', case: kase, library, metric: both ? 'MatMulGate forward+backward' : 'MatMulGate forward', unit: 'GFLOP/s', value: median(samples), samples, note };
    rows.push(row);
    log(`  W3 ${kase} ${library}: ${row.value.toFixed(2)} GFLOP/s`);
  };
  const A = new Tensor(a, [n, n]);
  const Bt = new Tensor(b, [n, n]);
  const dC = new Tensor(dc, [n, n]);
  const gateStep = (kernel: ManagedKernel): (() => void) => {
    const gate = new MatMulGate(kernel);
    return () => {
      gate.forward(A, Bt);
      if (both) gate.backward(dC);
    };
  };
  const wasm = wasmAvailable();
  await withKernel(wasm ? 'wasm' : 'js', 1, (k) => push('chainrule', time(gateStep(k), false), wasm ? 'wasm SIMD, 1 thread' : 'js kernel'));
  if (wasm) await withKernel('wasm', 2, (k) => push('chainrule (2 threads)', time(gateStep(k), false), 'wasm SIMD + 1 worker thread'));
  await withKernel('js', 1, (k) => push('chainrule (js kernel)', time(gateStep(k), slow)));
  if (dtype === 'float32') {
    for (const backend of ['cpu', 'wasm'] as const) {
      if (!peers.includes(`tfjs-${backend}`)) continue;
      const t = await useBackend(backend);
      const ta = t.tensor2d(a as Float32Array, [n, n]);
      const tb = t.tensor2d(b as Float32Array, [n, n]);
      const tdc = t.tensor2d(dc as Float32Array, [n, n]);
      push(`tfjs-${backend}`, time(() => {
        const c = t.matMul(ta, tb);
        c.dataSync();
        c.dispose();
        if (!both) return;
        const da = t.matMul(tdc, tb, false, true);
        const db = t.matMul(ta, tdc, true, false);
        da.dataSync();
        db.dataSync();
        da.dispose();
        db.dispose();
      }, backend === 'cpu' && slow), both ? 'matMul + its gradient products (transposed operands)' : 'matMul');
      ta.dispose();
      tb.dispose();
      tdc.dispose();
    }
  }
  if (peers.includes('plain JS')) {
    const c = new Ctor(n * n);
    const da = new Ctor(n * n);
    const db = new Ctor(n * n);
    push('plain JS', time(() => plainMatmul(a, b, dc, c, da, db, n, both), slow));
  }
  return rows;
}
