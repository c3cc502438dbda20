import * as path from 'path';
import { batchIndex, MlpData } from '../data';
import { MlpTrainer } from './types';

// tfjs is CommonJS-loadable; the types come with it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
type TF = typeof import('@tensorflow/tfjs');
let tfModule: TF | undefined;
let wasmReady = false;

/** @tensorflow/tfjs with the wasm backend registered (its .wasm files read from the package's dist). */
export function tf(): TF {
  if (!tfModule) {
    // Silence the "install tfjs-node" banner: it is the point of this comparison to run without it.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      tfModule = require('@tensorflow/tfjs') as TF;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
    } finally {
      console.warn = warn;
    }
  }
  return tfModule;
}

export type TfBackend = 'cpu' | 'wasm';

/** The loss `opt.minimize` returned (null when it was not asked for: NaN), read and freed. */
export function readLoss(cost: import('@tensorflow/tfjs').Scalar | null): number {
  if (!cost) return NaN;
  const v = cost.dataSync()[0];
  cost.dispose();
  return v;
}

export async function useBackend(name: TfBackend): Promise<TF> {
  const t = tf();
  const warn = console.warn;
  const log = console.log;
  console.warn = () => undefined;
  console.log = () => undefined;
  try {
    const ok = await t.setBackend(name);
    if (!ok || t.getBackend() !== name) throw new Error(`tfjs backend '${name}' did not initialise`);
    if (name === 'wasm') wasmReady = true;
  } finally {
    console.warn = warn;
    console.log = log;
  }
  return t;
}

/** What the wasm backend runs on here (SIMD, threads), for the report. */
export function tfWasmInfo(): string {
  if (!wasmReady) return 'not loaded';
  const e = tf().env();
  return `simd=${e.getBool('WASM_HAS_SIMD_SUPPORT')} threads=${e.getBool('WASM_HAS_MULTITHREAD_SUPPORT')}`;
}

/** W1 in tfjs: variables, matMul + add + relu, tf.losses.softmaxCrossEntropy (mean), tf.train.sgd. */
export async function tfjsMlp(data: MlpData, backend: TfBackend): Promise<MlpTrainer> {
  const t = await useBackend(backend);
  const { spec, sizes } = data;
  const B = spec.batch;
  const F = sizes[0];
  const C = sizes[sizes.length - 1];
  const W = data.weights.map((w, l) => t.variable(t.tensor2d(w, [sizes[l], sizes[l + 1]])));
  const b = data.biases.map((v) => t.variable(t.tensor1d(v)));
  const opt = t.train.sgd(spec.lr);
  const nBatches = Math.floor(spec.samples / B);
  const xs: import('@tensorflow/tfjs').Tensor2D[] = [];
  const ys: import('@tensorflow/tfjs').Tensor2D[] = [];
  for (let i = 0; i < nBatches; i++) {
    xs.push(t.tensor2d(data.x.subarray(i * B * F, (i + 1) * B * F), [B, F]));
    ys.push(t.oneHot(t.tensor1d(data.labels.subarray(i * B, (i + 1) * B), 'int32'), C) as import('@tensorflow/tfjs').Tensor2D);
  }
  const L = W.length;
  return {
    library: `tfjs-${backend}`,
    step(batch: number, wantLoss: boolean): number {
      const i = batchIndex(spec, batch);
      const cost = opt.minimize(() => {
        let h = xs[i] as import('@tensorflow/tfjs').Tensor;
        for (let l = 0; l < L; l++) {
          h = t.add(t.matMul(h, W[l]), b[l]);
          if (l < L - 1) h = t.relu(h);
        }
        return t.losses.softmaxCrossEntropy(ys[i], h) as import('@tensorflow/tfjs').Scalar;
      }, wantLoss);
      return readLoss(cost);
    },
    dispose(): void {
      for (const v of [...W, ...b, ...xs, ...ys]) v.dispose();
      opt.dispose();
    },
  };
}
