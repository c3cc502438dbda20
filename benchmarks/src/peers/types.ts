import { MlpData } from '../data';

/** One library's W1 training loop over the shared data and initial weights. */
export interface MlpTrainer {
  readonly library: string;
  /** How this library runs the workload, where that needs saying (shown in the report). */
  readonly note?: string;
  /** One SGD step on batch number `batch`; returns that batch's loss (before the update) when `wantLoss`. */
  step(batch: number, wantLoss: boolean): number;
  dispose?(): void;
}

export type MlpFactory = (data: MlpData) => Promise<MlpTrainer> | MlpTrainer;

/** The scalar operations W2's network is written in, so every library builds the same graph. */
export interface ScalarOps<V> {
  mul(a: V, b: V): V;
  add(a: V, b: V): V;
  sub(a: V, b: V): V;
  tanh(a: V): V;
}

/**
 * W2's network: a 2-16-16-1 tanh MLP (linear output) on every point, squared loss summed over the
 * points. Returns the loss; `ops` counts nothing, the caller counts nodes with `countScalarNodes`.
 */
export function scalarMlpLoss<V>(ops: ScalarOps<V>, params: readonly V[], xs: readonly V[], ys: readonly V[], sizes: readonly number[]): V {
  let loss: V | undefined;
  const points = ys.length;
  for (let p = 0; p < points; p++) {
    let act: V[] = [xs[2 * p], xs[2 * p + 1]];
    let k = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l];
      const next: V[] = [];
      for (let o = 0; o < sizes[l + 1]; o++) {
        let s = ops.mul(params[k + o * fanIn], act[0]);
        for (let i = 1; i < fanIn; i++) s = ops.add(s, ops.mul(params[k + o * fanIn + i], act[i]));
        s = ops.add(s, params[k + sizes[l + 1] * fanIn + o]);
        next.push(l + 2 < sizes.length ? ops.tanh(s) : s);
      }
      k += sizes[l + 1] * fanIn + sizes[l + 1];
      act = next;
    }
    const d = ops.sub(act[0], ys[p]);
    const sq = ops.mul(d, d);
    loss = loss === undefined ? sq : ops.add(loss, sq);
  }
  return loss as V;
}

/** Gate nodes scalarMlpLoss builds (its number of ops). */
export function countScalarNodes(points: number, sizes: readonly number[]): number {
  let perPoint = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    perPoint += sizes[l + 1] * (2 * fanIn + (l + 2 < sizes.length ? 1 : 0));
  }
  perPoint += 2; // sub, square
  return points * perPoint + (points - 1);
}
