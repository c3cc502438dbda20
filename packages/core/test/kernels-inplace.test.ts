import { createKernel, kernelTensor, matmul, matmulTransA, matmulTransB, MatmulKernel, Random, Tensor } from '@chainrule/core';

/**
 * Operands that live in the WebAssembly kernel's memory (kernel.alloc / kernelTensor) are read and
 * written in place: the results must be exactly those of copied operands, and arrays handed out
 * earlier must stay valid when the memory grows.
 */
describe('operands in the kernel memory', () => {
  const rng = new Random(11);
  const kernel = createKernel({ backend: 'wasm' });
  const inMemory = (k: MatmulKernel, src: Float32Array): Float32Array => {
    const a = k.alloc?.('float32', src.length) as Float32Array;
    a.set(src);
    return a;
  };

  test('alloc hands out zeroed arrays in the kernel memory (shared), kernelTensor wraps them', () => {
    const a = kernel.alloc?.('float32', 10);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(a as Float32Array)).toEqual(new Array(10).fill(0));
    const t = kernelTensor(kernel, undefined, [2, 3], 'float64');
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(kernelTensor(kernel, t, [2, 3], 'float64')).toBe(t);
    expect(kernelTensor(createKernel({ backend: 'js' }), undefined, [2], 'float32').data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  test('alloc zeroes what it hands out, also memory that held staged operands (an optimizer state starts at zero)', () => {
    const k = createKernel({ backend: 'wasm' });
    const a = new Float32Array(64 * 64).fill(3); // ordinary arrays: staged above the arena
    k.gemm(a, a, new Float32Array(64 * 64), 64, 64, 64);
    const fresh = k.alloc?.('float32', 3 * 64 * 64) as Float32Array;
    expect(fresh.every((v) => v === 0)).toBe(true);
    k.release?.(fresh);
    fresh.fill(5);
    expect((k.alloc?.('float32', 3 * 64 * 64) as Float32Array).every((v) => v === 0)).toBe(true); // reused: zeroed too
  });

  it.each([
    ['gemm', matmul],
    ['gemmTransA', matmulTransA],
    ['gemmTransB', matmulTransB],
  ] as const)('%s: every mix of in-memory and ordinary operands gives the bits of copied operands', (method, reference) => {
    const [m, k, n] = [37, 300, 21]; // ragged edges, depth beyond one 256 block
    const a = rng.randn([m * k], { dtype: 'float32' }).data as Float32Array;
    const b = rng.randn([k * n], { dtype: 'float32' }).data as Float32Array;
    const copied = new Float32Array(m * n);
    kernel[method](a, b, copied, m, k, n);
    const ref = new Float32Array(m * n);
    reference(a, b, ref, m, k, n);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(copied[i] - ref[i])).toBeLessThan(1e-3);
    for (let mask = 1; mask < 8; mask++) {
      const ai = mask & 1 ? inMemory(kernel, a) : a;
      const bi = mask & 2 ? inMemory(kernel, b) : b;
      const out = mask & 4 ? (kernel.alloc?.('float32', m * n) as Float32Array) : new Float32Array(m * n);
      kernel[method](ai, bi, out, m, k, n);
      expect(out).toEqual(copied);
      expect(ai).toEqual(a); // inputs untouched
      expect(bi).toEqual(b);
    }
  });

  test('arrays handed out stay valid when a large product grows the memory', () => {
    const k2 = createKernel({ backend: 'wasm' });
    const a = inMemory(k2, Float32Array.of(1, 2, 3, 4));
    const out = k2.alloc?.('float32', 4) as Float32Array;
    const big = 600;
    const x = rng.randn([big * big], { dtype: 'float32' }).data;
    k2.gemm(x, x, new Float32Array(big * big), big, big, big); // grows the memory by megabytes
    k2.gemm(a, Float32Array.of(1, 0, 0, 1), out, 2, 2, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(Array.from(a)).toEqual([1, 2, 3, 4]);
  });

  test('a released array is handed out again, zeroed', () => {
    const k3 = createKernel({ backend: 'wasm' });
    const a = k3.alloc?.('float64', 6) as Float64Array;
    a.fill(7);
    k3.release?.(a);
    const b = k3.alloc?.('float64', 6) as Float64Array;
    expect(b).toBe(a);
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(k3.alloc?.('float64', 6)).not.toBe(a);
    const t = kernelTensor(k3, undefined, [3], 'float32');
    expect(kernelTensor(k3, t, [4], 'float32')).not.toBe(t);
  });
});
