import {
  gemm,
  gemmTransA,
  gemmTransB,
  getMatmulBackend,
  matmul,
  matmulTransA,
  matmulTransB,
  MatmulFn,
  setMatmulBackend,
  setMatmulThreads,
  TypedArray,
  wasmGemm,
  wasmMatmulAvailable,
} from '@chainrule/core';

/** The WebAssembly SIMD kernel against the plain TypeScript reference kernels, within float tolerance. */

function fill(arr: TypedArray, seed: number): TypedArray {
  let s = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    arr[i] = s / 4294967296 - 0.5;
  }
  return arr;
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const cases: Array<[string, MatmulFn, MatmulFn]> = [
  ['gemm', gemm, matmul],
  ['gemmTransA', gemmTransA, matmulTransA],
  ['gemmTransB', gemmTransB, matmulTransB],
];
// Shapes that hit full tiles, ragged edges in every direction, k beyond one 256-deep block, and degenerate sizes.
const shapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 9, 11],
  [17, 33, 10],
  [64, 784, 128],
  [64, 64, 10],
  [130, 300, 70],
  [7, 0, 5],
];

function compare(ctor: Ctor, fast: MatmulFn, ref: MatmulFn, m: number, k: number, n: number, accumulate: boolean, seed: number): void {
  const a = fill(new ctor(m * k), seed);
  const b = fill(new ctor(k * n), seed + 1);
  const init = fill(new ctor(m * n), seed + 2);
  const want = init.slice();
  const got = init.slice();
  ref(a, b, want, m, k, n, accumulate);
  fast(a, b, got, m, k, n, accumulate);
  const tol = ctor === Float32Array ? 1e-5 * Math.max(1, Math.sqrt(k)) : 1e-12 * Math.max(1, k);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * Math.max(1, Math.abs(want[i])))) {
      throw new Error(`${ctor.name} m=${m} k=${k} n=${n} acc=${accumulate}: element ${i} got ${got[i]}, want ${want[i]}`);
    }
  }
}

const available = wasmMatmulAvailable();

describe('WebAssembly SIMD matmul kernel', () => {
  afterEach(() => {
    setMatmulBackend('auto');
    setMatmulThreads(1);
  });

  it('is built and loads synchronously (npm install runs asc)', () => {
    expect(available).toBe(true);
  });

  (available ? describe : describe.skip)('matches the TypeScript reference', () => {
    beforeEach(() => setMatmulBackend('wasm'));
    for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
      for (const [name, fast, ref] of cases) {
        it(`${name} ${ctor.name}`, () => {
          let seed = 1;
          for (const [m, k, n] of shapes) {
            compare(ctor, fast, ref, m, k, n, false, seed++);
            compare(ctor, fast, ref, m, k, n, true, seed++);
          }
        });
      }
    }

    it('splits rows over a helper thread with the same results', async () => {
      setMatmulThreads(2);
      // The helper starts asynchronously; until it is ready the kernel runs on one thread, so wait for it.
      for (let i = 0; i < 100 && !wasmGemm()?.helperReady; i++) await new Promise((r) => setTimeout(r, 50));
      expect(wasmGemm()?.helperReady).toBe(true);
      for (const [name, fast, ref] of cases) {
        for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
          // Above the 4M multiply-add threshold for splitting; 103 rows split off a multiple of 4.
          compare(ctor, fast, ref, 260, 150, 130, false, 7);
          compare(ctor, fast, ref, 103, 260, 170, true, 9);
        }
        expect(name).toBeTruthy();
      }
      wasmGemm()?.dispose();
    });
  });

  it('falls back to the JavaScript loops for mixed dtypes and on request', () => {
    setMatmulBackend('js');
    expect(getMatmulBackend()).toBe('js');
    const a = fill(new Float32Array(6), 3);
    const b = fill(new Float64Array(6), 4);
    const got = new Float64Array(4);
    const want = new Float64Array(4);
    setMatmulBackend('auto');
    gemm(a, b, got, 2, 3, 2);
    matmul(a, b, want, 2, 3, 2);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('rejects an unknown backend', () => {
    expect(() => setMatmulBackend('gpu' as never)).toThrow(/expected 'js', 'wasm' or 'auto'/);
  });
});
