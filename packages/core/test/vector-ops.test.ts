import { adamStep, arrayBeside, axpy, biasRelu, createKernel, firstNonFinite, ManagedKernel, momentumStep, reluGrad, sumRows, tensorBeside, Tensor, TypedArray } from '@chainrule/core';
import fc from 'fast-check';

/**
 * core's vector ops run as SIMD loops of the WebAssembly kernel when their arrays live in its memory
 * and as plain loops otherwise; where an array lives must never change a bit of the result. Every
 * property runs both paths on the same values (random lengths around the SIMD widths, with NaN,
 * ±Infinity, ±0 and subnormals mixed in) and compares them with Object.is, element by element.
 */
const kernel: ManagedKernel = createKernel({ backend: 'wasm' });
afterAll(() => kernel.dispose());

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-310, 3.4e38, -1.5];

/** Values as both arrays: one ordinary, one in the kernel's memory. */
function both(C: Ctor, values: number[]): [TypedArray, TypedArray] {
  const plain = C.from(values);
  const placed = kernel.alloc?.(C === Float32Array ? 'float32' : 'float64', values.length) as TypedArray;
  placed.set(plain);
  expect(placed.buffer).toBeInstanceOf(SharedArrayBuffer);
  return [plain, placed];
}

function sameBits(a: TypedArray, b: TypedArray): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`element ${i}: ${a[i]} (plain loop) against ${b[i]} (SIMD loop)`);
}

const values = (n: number, specials: boolean) =>
  fc.array(specials ? fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(...SPECIALS)) : fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });
const dtypes: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];

describe('vector ops: the SIMD loops give the plain loops’ bits', () => {
  it.each(dtypes)('axpy %s: y += a·x', (_name, C) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 41 }).chain((n) => fc.tuple(values(n, true), values(n, true), fc.double({ noNaN: true }))), ([y, x, a]) => {
        const [yPlain, yPlaced] = both(C, y);
        const [xPlain, xPlaced] = both(C, x);
        axpy(yPlain, xPlain, a);
        axpy(yPlaced, xPlaced, a);
        sameBits(yPlain, yPlaced);
      }),
      { numRuns: 150 },
    );
  });

  it.each(dtypes)('momentumStep %s: velocity and θ, plain and Nesterov, with and without decay', (_name, C) => {
    const finite = (n: number) => fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }).chain((n) => fc.tuple(finite(n), finite(n), finite(n))),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), fc.constantFrom(0, 0, 1e-4, 0.3), fc.boolean(),
        ([theta, grad, vel], lr, mu, wd, nesterov) => {
          const [tPlain, tPlaced] = both(C, theta);
          const [gPlain, gPlaced] = both(C, grad);
          const [vPlain, vPlaced] = both(C, vel);
          for (let step = 0; step < 2; step++) {
            momentumStep(tPlain, gPlain, vPlain, lr, mu, wd, nesterov);
            momentumStep(tPlaced, gPlaced, vPlaced, lr, mu, wd, nesterov);
          }
          sameBits(vPlain, vPlaced);
          sameBits(tPlain, tPlaced);
        },
      ),
      { numRuns: 150 },
    );
  });

  it.each(dtypes)('adamStep %s: m, v and θ, Adam and AdamW', (_name, C) => {
    const finite = (n: number, min: number) => fc.array(fc.double({ min, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }).chain((n) => fc.tuple(finite(n, -1e3), finite(n, -1e3), finite(n, -1e3), finite(n, 0))),
        fc.double({ min: 1e-5, max: 1, noNaN: true }), fc.integer({ min: 1, max: 50 }), fc.constantFrom(0, 0.01), fc.constantFrom(0, 0.1),
        ([theta, grad, m, v], lr, t, l2, decoupled) => {
          const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
          const args = [lr / (1 - Math.pow(beta1, t)), Math.sqrt(1 - Math.pow(beta2, t)), 1 - lr * decoupled, l2, beta1, beta2, eps] as const;
          const [tPlain, tPlaced] = both(C, theta);
          const [gPlain, gPlaced] = both(C, grad);
          const [mPlain, mPlaced] = both(C, m);
          const [vPlain, vPlaced] = both(C, v);
          adamStep(tPlain, gPlain, mPlain, vPlain, ...args);
          adamStep(tPlaced, gPlaced, mPlaced, vPlaced, ...args);
          sameBits(mPlain, mPlaced);
          sameBits(vPlain, vPlaced);
          sameBits(tPlain, tPlaced);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('arrayBeside: state in the memory of its parameter, or an ordinary array', () => {
    const theta = kernel.alloc?.('float32', 8) as Float32Array;
    expect(arrayBeside(theta, 'float32', 8).buffer).toBe(theta.buffer);
    expect(arrayBeside(new Float32Array(8), 'float64', 8)).toEqual(new Float64Array(8));
  });

  it.each(dtypes)('firstNonFinite %s: the index of the first NaN or ±Infinity, or −1', (_name, C) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }).chain((n) => fc.tuple(values(n, false), fc.array(fc.tuple(fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity)), { maxLength: 2 }))), ([v, bad]) => {
        for (const [at, x] of bad) if (v.length > 0) v[at % v.length] = x;
        const [plain, placed] = both(C, v);
        const expected = plain.findIndex((x) => !Number.isFinite(x));
        expect(firstNonFinite(plain)).toBe(expected);
        expect(firstNonFinite(placed)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('firstNonFinite of finite values whose sum overflows is −1 on both paths', () => {
    const [plain, placed] = both(Float64Array, [1.7e308, 1.7e308, -1, 5]);
    expect(firstNonFinite(plain)).toBe(-1);
    expect(firstNonFinite(placed)).toBe(-1);
  });

  it('biasRelu, reluGrad and sumRows (float32): bias + ReLU, its backward, the column sums', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 11 }), fc.boolean(), fc.boolean()).chain(([rows, n, withBias, relu]) =>
          fc.tuple(fc.constant(n), values(rows * n, true), values(n, true), values(rows * n, true), fc.constant(withBias), fc.constant(relu)),
        ),
        ([n, y, b, dout, withBias, relu]) => {
          const [yPlain, yPlaced] = both(Float32Array, y);
          const [bPlain, bPlaced] = both(Float32Array, b);
          biasRelu(yPlain, withBias ? bPlain : undefined, n, relu);
          biasRelu(yPlaced, withBias ? bPlaced : undefined, n, relu);
          sameBits(yPlain, yPlaced);
          const [dPlain, dPlaced] = both(Float32Array, dout);
          const [dzPlain, dzPlaced] = both(Float32Array, new Array(y.length).fill(7));
          reluGrad(yPlain, dPlain, dzPlain);
          reluGrad(yPlaced, dPlaced, dzPlaced);
          sameBits(dzPlain, dzPlaced);
          const [dbPlain, dbPlaced] = both(Float32Array, new Array(n).fill(3));
          sumRows(dzPlain, dbPlain, n);
          sumRows(dzPlaced, dbPlaced, n);
          sameBits(dbPlain, dbPlaced);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the plain loops compute the formulas (ReLU passes NaN, its gradient is 0 at 0 and NaN at NaN)', () => {
    const y = Float32Array.from([-2, 0, -0, 3, NaN, 0.5]);
    biasRelu(y, Float32Array.from([1, 1, 1, 1, 1, -1]), 6, true);
    expect(Array.from(y)).toEqual([0, 1, 1, 4, NaN, 0]);
    const dz = new Float32Array(6);
    reluGrad(Float32Array.from([2, 0, -1, NaN, 1e-30, -0]), Float32Array.from([5, 5, 5, 5, 5, 5]), dz);
    expect(Array.from(dz)).toEqual([5, 0, 0, NaN, 5, 0]);
    const db = new Float32Array(2);
    sumRows(Float32Array.from([1, 2, 3, 4, 5, 6]), db, 2);
    expect(Array.from(db)).toEqual([9, 12]);
    const t = Float64Array.from([1, 2]);
    axpy(t, Float64Array.from([10, 20]), -0.5);
    expect(Array.from(t)).toEqual([-4, -8]);
  });
});

describe('tensorBeside: a buffer next to the array it is filled from', () => {
  it('lives in the kernel memory when `like` does, is reused while it fits, and is ordinary otherwise', () => {
    const like = kernel.alloc?.('float32', 6) as Float32Array;
    const t = tensorBeside(like, undefined, [2, 3], 'float32');
    expect(t.data.buffer).toBe(like.buffer);
    expect(tensorBeside(like, t, [2, 3], 'float32')).toBe(t);
    const ordinary = Tensor.zeros([2, 3], 'float32');
    const moved = tensorBeside(like, ordinary, [2, 3], 'float32');
    expect(moved).not.toBe(ordinary);
    expect(moved.data.buffer).toBe(like.buffer);
    expect(tensorBeside(new Float32Array(6), ordinary, [2, 3], 'float32')).toBe(ordinary);
    expect(tensorBeside(new Float32Array(6), undefined, [3], 'float64').data).toBeInstanceOf(Float64Array);
  });
});
