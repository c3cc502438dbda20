/**
 * The fixed, seeded inputs every library trains on: the same data set, the same initial weights,
 * generated here with a small self-contained generator (so no library's RNG is involved).
 */

/** mulberry32: a 32-bit seeded generator, enough for benchmark data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normals(n: number, seed: number, std = 1): Float32Array {
  const u = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out[i] = std * r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(t);
  }
  return out;
}

export interface MlpSpec {
  samples: number;
  features: number;
  hidden: number[];
  classes: number;
  batch: number;
  lr: number;
  seed: number;
}

/** W1 as the issue states it: 6,400 × 784, 784-128-64-10 ReLU, batch 64. */
export const W1_SPEC: MlpSpec = { samples: 6400, features: 784, hidden: [128, 64], classes: 10, batch: 64, lr: 0.05, seed: 1234 };

export interface MlpData {
  spec: MlpSpec;
  /** [samples × features] row-major. */
  x: Float32Array;
  /** Class indices from a fixed random linear map: label = argmax(x · M). */
  labels: Int32Array;
  /** Layer l: W [in × out] row-major (He normal) and b [out] (zeros). */
  weights: Float32Array[];
  biases: Float32Array[];
  sizes: number[];
}

export function makeMlpData(spec: MlpSpec): MlpData {
  const { samples, features, classes, seed } = spec;
  const x = normals(samples * features, seed);
  const map = normals(features * classes, seed + 1);
  const labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let f = 0; f < features; f++) s += x[i * features + f] * map[f * classes + c];
      if (s > bestV) {
        bestV = s;
        best = c;
      }
    }
    labels[i] = best;
  }
  const sizes = [features, ...spec.hidden, classes];
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    weights.push(normals(sizes[l] * sizes[l + 1], seed + 10 + l, Math.sqrt(2 / sizes[l])));
    biases.push(new Float32Array(sizes[l + 1]));
  }
  return { spec, x, labels, weights, biases, sizes };
}

/** Which batch step s (from 0) trains on: batches in order, wrapping around the data set. */
export function batchIndex(spec: MlpSpec, step: number): number {
  return step % Math.floor(spec.samples / spec.batch);
}

/** W2: 100 two-dimensional points with a ±1 target (two interleaved half moons, as in micrograd's demo). */
export function makeScalarData(points: number, seed: number): { x: Float64Array; y: Float64Array } {
  const u = rng(seed);
  const x = new Float64Array(points * 2);
  const y = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    const upper = i % 2 === 0;
    const t = Math.PI * u();
    x[2 * i] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + 0.1 * (u() - 0.5);
    x[2 * i + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + 0.1 * (u() - 0.5);
    y[i] = upper ? 1 : -1;
  }
  return { x, y };
}

/** W2's 2-16-16-1 parameters: W1 16×2, b1 16, W2 16×16, b2 16, W3 1×16, b3 1 (flat, in that order). */
export function scalarParams(seed: number, sizes: readonly number[] = [2, 16, 16, 1]): Float64Array {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l] * sizes[l + 1] + sizes[l + 1];
  const u = rng(seed);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = (u() * 2 - 1) * 0.5;
  return p;
}
