import { batchIndex, MlpData } from '../data';
import { MlpTrainer } from './types';

/**
 * The hand-written reference: a typed-array MLP with plain loops (i-k-j matrix products), fused
 * softmax cross-entropy and SGD, float32 storage, nothing allocated per step.
 */
export function plainMlp(data: MlpData): MlpTrainer {
  const { spec, sizes } = data;
  const B = spec.batch;
  const L = sizes.length - 1;
  const W = data.weights.map((w) => w.slice());
  const b = data.biases.map((v) => v.slice());
  const dW = W.map((w) => new Float32Array(w.length));
  const db = b.map((v) => new Float32Array(v.length));
  const acts = sizes.map((s) => new Float32Array(B * s)); // acts[0] = the batch
  const grads = sizes.map((s) => new Float32Array(B * s));
  const lr = spec.lr;
  return {
    library: 'plain JS',
    step(batch: number, wantLoss: boolean): number {
      const row0 = batchIndex(spec, batch) * B;
      acts[0].set(data.x.subarray(row0 * sizes[0], (row0 + B) * sizes[0]));
      for (let l = 0; l < L; l++) {
        const x = acts[l];
        const y = acts[l + 1];
        const w = W[l];
        const bias = b[l];
        const n = sizes[l + 1];
        const k = sizes[l];
        for (let i = 0; i < B; i++) {
          for (let j = 0; j < n; j++) y[i * n + j] = bias[j];
          for (let p = 0; p < k; p++) {
            const xv = x[i * k + p];
            for (let j = 0; j < n; j++) y[i * n + j] += xv * w[p * n + j];
          }
          if (l < L - 1) for (let j = 0; j < n; j++) if (y[i * n + j] < 0) y[i * n + j] = 0;
        }
      }
      // softmax cross-entropy (mean over the batch) and its gradient
      const C = sizes[L];
      const s = acts[L];
      const g = grads[L];
      let loss = 0;
      for (let i = 0; i < B; i++) {
        let m = -Infinity;
        for (let j = 0; j < C; j++) m = Math.max(m, s[i * C + j]);
        let sum = 0;
        for (let j = 0; j < C; j++) sum += Math.exp(s[i * C + j] - m);
        const label = data.labels[row0 + i];
        loss += m + Math.log(sum) - s[i * C + label];
        for (let j = 0; j < C; j++) g[i * C + j] = Math.exp(s[i * C + j] - m) / sum / B;
        g[i * C + label] -= 1 / B;
      }
      for (let l = L - 1; l >= 0; l--) {
        const x = acts[l];
        const dy = grads[l + 1];
        const n = sizes[l + 1];
        const k = sizes[l];
        const w = W[l];
        const dw = dW[l];
        const dbl = db[l];
        dw.fill(0);
        dbl.fill(0);
        for (let i = 0; i < B; i++) {
          for (let j = 0; j < n; j++) dbl[j] += dy[i * n + j];
          for (let p = 0; p < k; p++) {
            const xv = x[i * k + p];
            for (let j = 0; j < n; j++) dw[p * n + j] += xv * dy[i * n + j];
          }
        }
        if (l > 0) {
          const dx = grads[l];
          for (let i = 0; i < B; i++) {
            for (let p = 0; p < k; p++) {
              if (x[i * k + p] <= 0) {
                dx[i * k + p] = 0; // through the ReLU that made x
                continue;
              }
              let acc = 0;
              for (let j = 0; j < n; j++) acc += dy[i * n + j] * w[p * n + j];
              dx[i * k + p] = acc;
            }
          }
        }
        for (let q = 0; q < w.length; q++) w[q] -= lr * dw[q];
        for (let q = 0; q < dbl.length; q++) b[l][q] -= lr * dbl[q];
      }
      return wantLoss ? loss / B : NaN;
    },
  };
}
