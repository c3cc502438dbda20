import { InvalidArgumentError } from './errors';
import { allocate, checkDType, DType, Tensor } from './tensor';
import { checkShape, describeArgument, MAX_TENSOR_SIZE, Shape, sizeOf } from './shape';

/**
 * The container key of the seeded random source that gates and initialisers inject
 * (`@inject(RANDOM_SOURCE) @optional()`); without a binding they make their own `new Random(seed)`.
 */
export const RANDOM_SOURCE = Symbol.for('chainrule.RandomSource');

/**
 * The one seeded generator every initialiser and shuffle uses, so a run is reproducible bit for bit.
 * xoshiro128** (32-bit state words, exact in JavaScript integer arithmetic), seeded through splitmix32.
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | undefined;

  constructor(seed = 42) {
    this.seed(seed);
  }

  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidArgumentError(`Random: seed must be a finite number, got ${describeArgument(seed)}`);
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spare = undefined;
  }

  /**
   * The full state as six finite numbers (JSON-safe), to save and restore a generator mid-run:
   * the four state words, whether a spare normal is pending (0 or 1), and that spare.
   */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare === undefined ? 0 : 1, this.spare ?? 0];
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 6 || !state.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InvalidArgumentError(`Random.setState: expected 6 finite numbers (from getState()), got ${describeArgument(state)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0);
    this.spare = state[4] === 1 ? state[5] : undefined;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low = 0, high = 1): number {
    if (typeof low !== 'number' || typeof high !== 'number') throw new InvalidArgumentError(`Random.uniform: low and high must be numbers, got ${describeArgument(low)} and ${describeArgument(high)}`);
    return low + (high - low) * this.next();
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (typeof mean !== 'number' || typeof std !== 'number') throw new InvalidArgumentError(`Random.normal: mean and std must be numbers, got ${describeArgument(mean)} and ${describeArgument(std)}`);
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return mean + std * s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (typeof n !== 'number') throw new InvalidArgumentError(`Random.int: n must be a number, got ${describeArgument(n)}`);
    return Math.floor(this.next() * n);
  }

  /** Shuffles in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    if (items === null || typeof items !== 'object' || !Number.isSafeInteger(items.length) || items.length < 0) {
      throw new InvalidArgumentError(`Random.shuffle: expected an array or typed array, got ${describeArgument(items)}`);
    }
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TENSOR_SIZE) {
      throw new InvalidArgumentError(`Random.permutation: n must be an integer in [0, ${MAX_TENSOR_SIZE}], got ${describeArgument(n)}`);
    }
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  randn(shape: Shape, options: { dtype?: DType; mean?: number; std?: number } = {}): Tensor {
    checkSampleArgs('Random.randn', shape, options);
    const data = allocate(options.dtype ?? 'float64', sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = this.normal(options.mean ?? 0, options.std ?? 1);
    return new Tensor(data, shape);
  }

  rand(shape: Shape, options: { dtype?: DType; low?: number; high?: number } = {}): Tensor {
    checkSampleArgs('Random.rand', shape, options);
    const data = allocate(options.dtype ?? 'float64', sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = this.uniform(options.low ?? 0, options.high ?? 1);
    return new Tensor(data, shape);
  }
}

/** Checks randn/rand's shape and options before anything is allocated. */
function checkSampleArgs(owner: string, shape: Shape, options: object): void {
  checkShape(shape, `${owner} shape`);
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${owner}: options must be an object, got ${describeArgument(options)}`);
  const o = options as Record<string, unknown>;
  if (o.dtype !== undefined) checkDType(o.dtype, owner);
  for (const key of ['mean', 'std', 'low', 'high']) {
    if (o[key] !== undefined && typeof o[key] !== 'number') throw new InvalidArgumentError(`${owner}: option '${key}' must be a number, got ${describeArgument(o[key])}`);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
