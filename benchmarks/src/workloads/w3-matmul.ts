import { Tensor } from '@chainrule/core';
import { MatMulGate } from '@chainrule/gates';
import { normals } from '../data';
import { useBackend } from '../peers/tfjs';
import { CaseResult, CHAINRULE_KERNELS, chainruleLibraries, timeFor, withKernel, Workload } from './common';

export interface W3Options {
  sizes: number[];
  dtypes: Array<'float32' | 'float64'>;
  reps: number;
  minMs: number;
  /** The slow plain-loop configurations (plain JS, chainrule js kernel, tfjs-cpu) above this size run one product, in the first repetition only. */
  slowAbove: number;
}

type Arr = Float32Array | Float64Array;
type Pass = 'fwd+bwd' | 'forward';
const SLOW = new Set(['plain JS', 'chainrule (js kernel)', 'tfjs-cpu']);

/** The plain-JS reference products (i-k-j loops), written here independently of chainrule. */
function plainMatmul(a: Arr, b: Arr, dc: Arr, c: Arr, da: Arr, db: Arr, n: number, backward: boolean): void {
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

/**
 * One library's step for a case. 'fwd+bwd' is MatMulGate's forward and backward (C = A·B,
 * dA = dC·Bᵀ, dB = Aᵀ·dC: the three products tfjs's own matMul gradient computes); 'forward' is
 * C = A·B alone, the one product tfjs-wasm sends to XNNPACK without a transpose.
 */
async function stepOf(library: string, n: number, a: Arr, b: Arr, dc: Arr, both: boolean, body: (step: () => void) => CaseResult): Promise<CaseResult> {
  const kernel = CHAINRULE_KERNELS[library];
  if (kernel) {
    return withKernel(kernel.backend === 'auto' ? 'wasm' : kernel.backend, kernel.threads, (k) => {
      const gate = new MatMulGate(k);
      const A = new Tensor(a, [n, n]);
      const B = new Tensor(b, [n, n]);
      const dC = new Tensor(dc, [n, n]);
      return body(() => {
        gate.forward(A, B);
        if (both) gate.backward(dC);
      });
    });
  }
  if (library === 'plain JS') {
    const Ctor = a instanceof Float32Array ? Float32Array : Float64Array;
    const [c, da, db] = [new Ctor(n * n), new Ctor(n * n), new Ctor(n * n)];
    return body(() => plainMatmul(a, b, dc, c, da, db, n, both));
  }
  const t = await useBackend(library === 'tfjs-cpu' ? 'cpu' : 'wasm');
  const [ta, tb, tdc] = [a, b, dc].map((v) => t.tensor2d(v as Float32Array, [n, n]));
  try {
    return body(() => {
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
    });
  } finally {
    for (const x of [ta, tb, tdc]) x.dispose();
  }
}

/** W3, MatMulGate at n×n: every case of one library in the process of one repetition. */
export const W3: Workload<W3Options> = {
  title: 'W3 matmul',
  metric: 'MatMulGate',
  unit: 'GFLOP/s',
  libraries(_o, peers) {
    const run = chainruleLibraries(true);
    for (const p of ['tfjs-wasm', 'tfjs-cpu', 'plain JS'] as const) if (peers.includes(p)) run.push(p);
    return { run, skipped: [] };
  },
  async run(library, rep, o) {
    const out: CaseResult[] = [];
    for (const n of o.sizes) {
      const once = SLOW.has(library) && n > o.slowAbove;
      if (once && rep > 0) continue;
      for (const dtype of o.dtypes) {
        if (library.startsWith('tfjs') && dtype === 'float64') continue; // tfjs has no float64
        const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
        const [a, b, dc] = [1, 2, 3].map((s) => Ctor.from(normals(n * n, n + s)));
        for (const pass of ['fwd+bwd', 'forward'] as Pass[]) {
          const both = pass === 'fwd+bwd';
          const flop = (both ? 3 : 1) * 2 * n * n * n;
          out.push(await stepOf(library, n, a, b, dc, both, (step) => {
            let value: number;
            if (once) value = flop / timeFor(step, 0).seconds / 1e9; // one product, untimed warm-up skipped: seconds each
            else {
              step(); // warm-up
              const { calls, seconds } = timeFor(step, o.minMs);
              value = (flop * calls) / seconds / 1e9;
            }
            const note = library.startsWith('tfjs') ? (both ? 'matMul + its gradient products (transposed operands)' : 'matMul') : once ? 'one product, first repetition only' : undefined;
            return { case: `${n}² ${dtype} ${pass}`, value, note };
          }));
        }
      }
    }
    return out;
  },
};
