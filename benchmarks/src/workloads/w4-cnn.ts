import { Random } from '@chainrule/core';
import { Conv2DGate } from '@chainrule/gates';
import { CnnSpec, makeCnnData } from '../cnn-data';
import { chainruleCnn, tfjsCnn } from '../peers/cnn';
import { useBackend } from '../peers/tfjs';
import { ThroughputOptions, trainRepetition } from '../train-throughput';
import { CaseResult, CHAINRULE_KERNELS, chainruleLibraries, timeFor, wasmAvailable, withKernel, Workload } from './common';

export interface W4Options extends ThroughputOptions {
  spec: CnnSpec;
  /** Minimum milliseconds per timed repetition of the Conv2D forward measurement. */
  minMs: number;
}

/**
 * W4: LeNet-style CNN training on batches of 64 real digits (forward + backward + SGD update),
 * chainrule (one and two threads) against tfjs-wasm and tfjs-cpu from the same weights, a process
 * per library and repetition.
 */
export const W4: Workload<W4Options> = {
  title: 'W4 cnn-train',
  metric: 'training throughput',
  unit: 'samples/s',
  libraries(_o, peers) {
    const run = chainruleLibraries(false);
    for (const p of ['tfjs-wasm', 'tfjs-cpu'] as const) if (peers.includes(p)) run.push(p);
    return { run, skipped: [] };
  },
  async run(library, rep, o) {
    const data = makeCnnData(o.spec);
    const kase = `batch ${o.spec.batch} float32`;
    const kernel = CHAINRULE_KERNELS[library];
    if (kernel) {
      const note = library === 'chainrule' ? (wasmAvailable() ? 'wasm SIMD kernel, 1 thread' : 'js kernel (wasm did not load)') : undefined;
      return [await withKernel(kernel.backend, kernel.threads, (k) => trainRepetition(chainruleCnn(data, k, library), o.spec.batch, o, rep, kase, note))];
    }
    // tfjs's heap per step is not measured here: hundreds of MB per step on cpu, minutes of sampling.
    const trainer = await tfjsCnn(data, library === 'tfjs-cpu' ? 'cpu' : 'wasm');
    return [trainRepetition(trainer, o.spec.batch, { ...o, allocSteps: 0 }, rep, kase)];
  },
};

/**
 * GFLOP/s of `step` (flop per call): minMs of warm-up, then at least minMs timed. The warm-up must
 * be long: in a fresh process the im2col loops start in V8's interpreter (one call left Conv2D
 * at a fortieth of its GEMM's speed), while the wasm GEMM is compiled from the start.
 */
function gflops(step: () => void, flop: number, minMs: number): number {
  timeFor(step, minMs);
  const { calls, seconds } = timeFor(step, minMs);
  return (flop * calls) / seconds / 1e9;
}

/**
 * Conv2D forward alone, on W4's second convolution (x [B, c1, 12, 12] ∗ W [c2, c1, 5, 5]), in
 * GFLOP/s, next to the GEMM it lowers to on the same kernel (the [c2 × c1·25] · [c1·25 × B·64]
 * im2col product), so the cost of the lowering (im2col, the NCHW scatter) shows as the ratio
 * between the two rows; and tfjs's conv2d forward on the same tensors (NHWC).
 */
export const W4_CONV: Workload<W4Options> = {
  title: 'W4 conv2d',
  metric: 'Conv2D forward',
  unit: 'GFLOP/s',
  libraries(_o, peers) {
    const run = ['chainrule', 'chainrule gemm'];
    for (const p of ['tfjs-wasm', 'tfjs-cpu'] as const) if (peers.includes(p)) run.push(p);
    return { run, skipped: [] };
  },
  async run(library, _rep, o) {
    const [c1, c2] = o.spec.channels;
    const B = o.spec.batch;
    const kase = `${B}×${c1}×12×12 * ${c2}×${c1}×5×5`;
    const [m, k, n] = [c2, c1 * 25, B * 64];
    const flop = 2 * m * k * n;
    const rng = new Random(7);
    const x = rng.randn([B, c1, 12, 12], { dtype: 'float32' });
    const w = rng.randn([c2, c1, 5, 5], { dtype: 'float32' });
    const result = (value: number, note: string): CaseResult[] => [{ case: kase, value, note }];
    if (library === 'chainrule') {
      return withKernel('auto', 1, (kernel) => {
        const gate = new Conv2DGate({}, kernel);
        return result(gflops(() => void gate.forward(x, w), flop, o.minMs), 'Conv2DGate forward: im2col + one GEMM + NCHW scatter');
      });
    }
    if (library === 'chainrule gemm') {
      return withKernel('auto', 1, (kernel) => {
        const a = new Float32Array(m * k).fill(0.5);
        const b = new Float32Array(k * n).fill(0.25);
        const c = new Float32Array(m * n);
        return result(gflops(() => kernel.gemm(a, b, c, m, k, n), flop, o.minMs), `the im2col GEMM alone (${m}×${k}·${k}×${n}), ${kernel.info.name} kernel, 1 thread`);
      });
    }
    const t = await useBackend(library === 'tfjs-cpu' ? 'cpu' : 'wasm');
    const tx = t.tensor4d(Float32Array.from(x.data), [B, 12, 12, c1]);
    const tw = t.tensor4d(Float32Array.from(w.data), [5, 5, c1, c2]);
    const value = gflops(() => {
      const y = t.conv2d(tx, tw, 1, 'valid');
      y.dataSync();
      y.dispose();
    }, flop, o.minMs);
    tx.dispose();
    tw.dispose();
    return result(value, 'conv2d forward, NHWC');
  },
};
