import { createKernel, KernelOptions, kernelInfo, matmul, matmulTransA, matmulTransB, MatmulFn, MatmulKernel, TypedArray } from '@chainrule/core';
import { compileGemmModule } from '../src/kernels/wasm-module';
import { fill, sameBits } from './kernel-helpers';

/** The WebAssembly SIMD kernel against the plain TypeScript reference kernels, within float tolerance. */

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
type Method = 'gemm' | 'gemmTransA' | 'gemmTransB';
const refs: Array<[Method, MatmulFn]> = [
  ['gemm', matmul],
  ['gemmTransA', matmulTransA],
  ['gemmTransB', matmulTransB],
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

function compare(ctor: Ctor, kernel: MatmulKernel, method: Method, ref: MatmulFn, m: number, k: number, n: number, accumulate: boolean, seed: number): void {
  const a = fill(new ctor(m * k), seed);
  const b = fill(new ctor(k * n), seed + 1);
  const init = fill(new ctor(m * n), seed + 2);
  const want = init.slice();
  const got = init.slice();
  ref(a, b, want, m, k, n, accumulate);
  kernel[method](a, b, got, m, k, n, accumulate);
  const tol = ctor === Float32Array ? 1e-5 * Math.max(1, Math.sqrt(k)) : 1e-12 * Math.max(1, k);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * Math.max(1, Math.abs(want[i])))) {
      throw new Error(`${kernel.name} ${method} ${ctor.name} m=${m} k=${k} n=${n} acc=${accumulate}: element ${i} got ${got[i]}, want ${want[i]}`);
    }
  }
}

describe('WebAssembly SIMD matmul kernel', () => {
  const wasm = createKernel({ backend: 'wasm' });

  it('is built at install and loads synchronously from the embedded bytes', () => {
    expect(kernelInfo(wasm)).toEqual({ name: 'wasm-simd', threads: 1, reason: 'WebAssembly SIMD' });
    expect(createKernel().name).toBe('wasm-simd');
  });

  for (const ctor of [Float32Array, Float64Array] as Ctor[]) {
    for (const [method, ref] of refs) {
      it(`${method} ${ctor.name} matches the TypeScript reference`, () => {
        let seed = 1;
        for (const [m, k, n] of shapes) {
          compare(ctor, wasm, method, ref, m, k, n, false, seed++);
          compare(ctor, wasm, method, ref, m, k, n, true, seed++);
        }
      });
    }
  }

  it('is deterministic: the same product twice is bit-identical', () => {
    const a = fill(new Float32Array(130 * 300), 1);
    const b = fill(new Float32Array(300 * 70), 2);
    const x = new Float32Array(130 * 70);
    const y = new Float32Array(130 * 70);
    wasm.gemm(a, b, x, 130, 300, 70);
    createKernel({ backend: 'wasm' }).gemm(a, b, y, 130, 300, 70);
    expect(sameBits(x, y)).toBe(true);
  });

  it("'auto' keeps tiny products and mixed dtypes on the JavaScript loops, bit for bit", () => {
    const auto = createKernel({ backend: 'auto' });
    for (const [m, k, n, A, B] of [
      [2, 3, 2, Float64Array, Float64Array],
      [40, 30, 20, Float32Array, Float64Array],
    ] as Array<[number, number, number, Ctor, Ctor]>) {
      const a = fill(new A(m * k), 3);
      const b = fill(new B(k * n), 4);
      const got = new Float64Array(m * n);
      const want = new Float64Array(m * n);
      auto.gemm(a, b, got, m, k, n);
      matmul(a, b, want, m, k, n);
      expect(sameBits(got, want)).toBe(true);
    }
  });

  it('two kernels keep their own memory: interleaved products do not disturb each other', () => {
    const k1 = createKernel({ backend: 'wasm' });
    const k2 = createKernel({ backend: 'wasm' });
    compare(Float64Array, k1, 'gemm', matmul, 130, 300, 70, false, 5);
    compare(Float32Array, k2, 'gemmTransB', matmulTransB, 64, 784, 128, true, 6);
    compare(Float64Array, k1, 'gemmTransA', matmulTransA, 17, 33, 10, true, 7);
  });
});

describe('createKernel options', () => {
  it.each([
    [{ threads: NaN }, /threads: expected 1 or 2, got NaN/],
    [{ threads: 0 }, /threads: expected 1 or 2, got 0/],
    [{ threads: 3 }, /threads: expected 1 or 2, got 3/],
    [{ threads: 1.5 }, /threads: expected 1 or 2, got 1.5/],
    [{ backend: 'gpu' }, /backend: expected 'js', 'wasm' or 'auto', got "gpu"/],
    [{ threads: 2 }, /threads: 2 needs spawnHelper .*@chainrule\/core\/node/],
    [{ threads: 2, backend: 'js', spawnHelper: () => ({ exited: false, terminate: () => undefined }) }, /threads: 2 needs the WebAssembly kernel/],
    [{ thread: 2 }, /unknown option 'thread'/],
    [{ helperTimeoutMs: 0 }, /helperTimeoutMs: expected a positive number/],
    [{ threadMinMacs: { float16: 1 } }, /threadMinMacs.float16/],
  ])('rejects %p with InvalidArgumentError', (options, message) => {
    let error: unknown;
    try {
      createKernel(options as KernelOptions);
    } catch (e) {
      error = e;
    }
    expect((error as Error)?.name).toBe('InvalidArgumentError');
    expect((error as Error).message).toMatch(message);
  });

  it("backend 'js' is the reference loops and says it was chosen", () => {
    const js = createKernel({ backend: 'js' });
    expect(js.gemm).toBe(matmul);
    expect(js.info).toEqual({ name: 'js', threads: 1, reason: 'js: chosen (backend: js)' });
  });

  it('kernelInfo describes a custom kernel by its name', () => {
    const custom: MatmulKernel = { name: 'mine', gemm: matmul, gemmTransA: matmulTransA, gemmTransB: matmulTransB };
    expect(kernelInfo(custom).name).toBe('mine');
  });
});

describe('why the WebAssembly kernel would not load', () => {
  const bytes = (v: TypedArray | number[]): string => Buffer.from(Uint8Array.from(v as number[])).toString('base64');
  it('tells a missing build from corrupt bytes', () => {
    expect(compileGemmModule('', false)).toEqual({ reason: expect.stringMatching(/^WebAssembly kernel missing: it was not built at install/) });
    expect(compileGemmModule('not base64!', false)).toEqual({ reason: expect.stringMatching(/^WebAssembly kernel corrupt: its embedded base64 does not decode/) });
    expect(compileGemmModule(bytes([0, 97, 115, 109, 1, 0, 0, 0, 9, 9]), false)).toEqual({ reason: expect.stringMatching(/^WebAssembly kernel corrupt: 10 bytes that do not validate/) });
    expect(compileGemmModule(bytes([0, 97, 115, 109, 1, 0, 0, 0]), false)).toHaveProperty('module');
  });
});
