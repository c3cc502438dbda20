import { Random } from '@chainrule/core';
import { Conv2DGate } from '@chainrule/gates';
import { CnnSpec, makeCnnData } from './cnn-data';
import { median, now, Row } from './harness';
import { chainruleCnn, tfjsCnn } from './peers/cnn';
import { useBackend } from './peers/tfjs';
import { ThroughputOptions, trainThroughput } from './train-throughput';
import { Peer, wasmAvailable, withKernel } from './workloads';

export interface W4Options extends ThroughputOptions {
  spec: CnnSpec;
  /** Minimum milliseconds per timed repetition of the Conv2D forward measurement. */
  minMs: number;
}

type Log = (line: string) => void;

/**
 * W4: LeNet-style CNN training on batches of 64 real digits (forward + backward + SGD update),
 * chainrule against tfjs-wasm and tfjs-cpu in the same run from the same weights; then Conv2D
 * forward alone in GFLOP/s next to the GEMM it lowers to (the same [F × C·KH·KW] · [C·KH·KW × N·OH·OW]
 * product on the same kernel), so the cost of the im2col lowering shows.
 */
export async function runW4(o: W4Options, peers: readonly Peer[], log: Log): Promise<Row[]> {
  const data = makeCnnData(o.spec);
  const B = o.spec.batch;
  const rows: Row[] = [];
  const measure = async (trainer: Parameters<typeof trainThroughput>[0], note?: string): Promise<void> => {
    const row = trainThroughput(trainer, B, o, 'W4 cnn-train', `batch ${B} float32`, note ?? trainer.note);
    rows.push(row);
    log(`  W4 ${row.library}: ${Math.round(row.value)} samples/s, loss@${o.lossSteps} ${(row.loss as number).toFixed(5)}${row.bytesPerStep === undefined ? '' : `, ${row.bytesPerStep.toFixed(0)} B/step`}`);
  };
  const wasm = wasmAvailable();
  await withKernel('auto', 1, (k) => measure(chainruleCnn(data, k), wasm ? 'wasm SIMD kernel, 1 thread' : `js kernel (${k.info.reason})`));
  if (peers.includes('tfjs-wasm')) await measure(await tfjsCnn(data, 'wasm'));
  if (peers.includes('tfjs-cpu')) await measure(await tfjsCnn(data, 'cpu'));
  rows.push(...(await convForward(o, peers, log)));
  return rows;
}

/** GFLOP/s of `step` (flop per call): reps timed runs of at least minMs each, median. */
function gflops(step: () => void, flop: number, reps: number, minMs: number): number[] {
  step();
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    let k = 0;
    const t0 = now();
    let dt = 0;
    do {
      step();
      k++;
      dt = now() - t0;
    } while (dt < minMs);
    out.push((flop * k) / (dt / 1000) / 1e9);
  }
  return out;
}

async function convForward(o: W4Options, peers: readonly Peer[], log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  const [c1, c2] = o.spec.channels;
  const B = o.spec.batch;
  // The second convolution of W4's network: x [B, c1, 12, 12] * W [c2, c1, 5, 5] → [B, c2, 8, 8].
  const kase = `${B}×${c1}×12×12 * ${c2}×${c1}×5×5`;
  const m = c2;
  const k = c1 * 25;
  const n = B * 64;
  const flop = 2 * m * k * n;
  const rng = new Random(7);
  const x = rng.randn([B, c1, 12, 12], { dtype: 'float32' });
  const w = rng.randn([c2, c1, 5, 5], { dtype: 'float32' });
  const push = (library: string, metric: string, samples: number[], note: string): void => {
    const row: Row = { workload: 'W4 conv2d', case: kase, library, metric, unit: 'GFLOP/s', value: median(samples), samples, note };
    rows.push(row);
    log(`  W4 conv2d ${library} (${metric}): ${row.value.toFixed(2)} GFLOP/s`);
  };
  await withKernel('auto', 1, (kernel) => {
    const gate = new Conv2DGate({}, kernel);
    push('chainrule', 'Conv2DGate forward', gflops(() => void gate.forward(x, w), flop, o.reps, o.minMs), 'im2col + one GEMM + NCHW scatter');
    const a = new Float32Array(m * k).fill(0.5);
    const b = new Float32Array(k * n).fill(0.25);
    const c = new Float32Array(m * n);
    push('chainrule gemm', `the GEMM alone (${m}×${k}·${k}×${n})`, gflops(() => kernel.gemm(a, b, c, m, k, n), flop, o.reps, o.minMs), `${kernel.info.name} kernel, 1 thread`);
  });
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!peers.includes(`tfjs-${backend}`)) continue;
    const t = await useBackend(backend);
    const tx = t.tensor4d(Float32Array.from(x.data), [B, 12, 12, c1]);
    const tw = t.tensor4d(Float32Array.from(w.data), [5, 5, c1, c2]);
    push(`tfjs-${backend}`, 'conv2d forward', gflops(() => {
      const y = t.conv2d(tx, tw, 1, 'valid');
      y.dataSync();
      y.dispose();
    }, flop, o.reps, o.minMs), 'NHWC');
    tx.dispose();
    tw.dispose();
  }
  return rows;
}
