import {
  assertGradcheck,
  createKernel,
  KernelOptions,
  matmul,
  matmulTransA,
  matmulTransB,
  Random,
  ShapeError,
  Tensor,
} from '@chainrule/core';
import { MatMulGate } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, rand, thrown } from './helpers';

/** Plain triple loop over index arithmetic: the reference the kernels must agree with. */
function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, ta: boolean, tb: boolean): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = s;
    }
  return out;
}

describe('matmul kernels (core/kernels/matmul)', () => {
  const rng = new Random(1);
  const cases: [number, number, number][] = [
    [1, 1, 1],
    [2, 3, 4],
    [5, 1, 3],
    [3, 7, 1],
    [17, 9, 13],
    [0, 3, 2],
    [2, 0, 3],
  ];
  it.each(cases)('m=%i k=%i n=%i: plain, transA, transB agree with a naive triple loop', (m, k, n) => {
    const a = rng.randn([m * k]).data;
    const b = rng.randn([k * n]).data;
    const expected = naive(a, b, m, k, n, false, false);
    const out = new Float64Array(m * n).fill(99);
    matmul(a, b, out, m, k, n);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    // a stored [k×m] for transA, b stored [n×k] for transB.
    const at = rng.randn([k * m]).data;
    const bt = rng.randn([n * k]).data;
    const eA = naive(at, b, m, k, n, true, false);
    const eB = naive(a, bt, m, k, n, false, true);
    const oA = new Float64Array(m * n).fill(99);
    const oB = new Float64Array(m * n).fill(99);
    matmulTransA(at, b, oA, m, k, n);
    matmulTransB(a, bt, oB, m, k, n);
    oA.forEach((v, i) => expect(v).toBeCloseTo(eA[i], 12));
    oB.forEach((v, i) => expect(v).toBeCloseTo(eB[i], 12));
  });

  it('accumulate adds the product to what out holds', () => {
    const a = Float64Array.from([1, 2, 3, 4]); // [2×2]
    const b = Float64Array.from([5, 6, 7, 8]);
    for (const kernel of [matmul, matmulTransA, matmulTransB]) {
      const once = new Float64Array(4);
      kernel(a, b, once, 2, 2, 2);
      const twice = once.slice();
      kernel(a, b, twice, 2, 2, 2, true);
      twice.forEach((v, i) => expect(v).toBe(2 * once[i]));
    }
  });

  it('works on float32 arrays and mixed dtypes', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2×3]
    const b = Float64Array.from([1, 0, 0, 1, 1, 1]); // [3×2]
    const out = new Float32Array(4);
    matmul(a, b, out, 2, 3, 2);
    expect(Array.from(out)).toEqual([4, 5, 10, 11]);
  });
});

describe('MatMulGate', () => {
  const rng = new Random(2);

  it('computes x·W for a batch of rows, and the lecture layouts', () => {
    const g = new MatMulGate();
    const z = g.forward(Tensor.from([[1, 2, 3], [4, 5, 6]]), Tensor.from([[1, 0], [0, 1], [1, 1]]));
    expect(z.toArray()).toEqual([[4, 5], [10, 11]]);
    // np.dot(W1, x) with W1 [2, 3] and x [3]
    expect(new MatMulGate().forward(Tensor.from([[1, 2, 3], [4, 5, 6]]), Tensor.from([1, 1, 1])).toArray()).toEqual([6, 15]);
    expect(new MatMulGate().forward(Tensor.from([1, 2]), Tensor.from([[1, 2], [3, 4]])).toArray()).toEqual([7, 10]);
    const dot = new MatMulGate().forward(Tensor.from([1, 2, 3]), Tensor.from([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(32);
  });

  it('backward is dout·Wᵀ and xᵀ·dout', () => {
    const g = new MatMulGate();
    const x = Tensor.from([[1, 2], [3, 4]]);
    const w = Tensor.from([[5, 6], [7, 8]]);
    g.forward(x, w);
    const [dx, dw] = g.backward(Tensor.from([[1, 0], [0, 1]]));
    expect(dx.toArray()).toEqual([[5, 7], [6, 8]]); // I · Wᵀ
    expect(dw.toArray()).toEqual([[1, 3], [2, 4]]); // xᵀ · I
  });

  const shapes: [string, number[], number[]][] = [
    ['[N, K]·[K, M]', [4, 3], [3, 5]],
    ['N = 1', [1, 3], [3, 2]],
    ['K = 1', [3, 1], [1, 4]],
    ['M = 1 (one output column)', [3, 4], [4, 1]],
    ['all ones', [1, 1], [1, 1]],
    ['a batch of rows [B, N, K]', [2, 3, 4], [4, 2]],
    ['vector · matrix', [3], [3, 2]],
    ['matrix · vector', [4, 3], [3]],
    ['dot product', [5], [5]],
  ];
  it.each(shapes)('passes gradcheck: %s', (_, xs, ws) => {
    assertGradcheck(new MatMulGate(), [rand(rng, xs), rand(rng, ws)], { tolerance: 1e-7 });
  });

  it('passes gradcheck on random shapes', () => {
    for (let t = 0; t < 5; t++) {
      const [n, k, m] = [1 + rng.int(6), 1 + rng.int(6), 1 + rng.int(6)];
      assertGradcheck(new MatMulGate(), [rand(rng, [n, k]), rand(rng, [k, m])], { tolerance: 1e-7 });
    }
  });

  it('float32 matches float64, keeps the contract, reuses buffers', () => {
    const inputs = [rand(rng, [6, 5]), rand(rng, [5, 4])];
    expectFloat32Matches(() => new MatMulGate(), inputs);
    expectContract(() => new MatMulGate(), inputs);
    expectContract(() => new MatMulGate(), [inputs[0].astype('float32'), inputs[1]]);
  });

  it('mixed dtypes give a float64 product and each gradient in its input dtype', () => {
    const g = new MatMulGate();
    const z = g.forward(Tensor.from([[1, 2]], { dtype: 'float32' }), Tensor.from([[1], [2]]));
    expect(z.dtype).toBe('float64');
    const [dx, dw] = g.backward(Tensor.from([[1]]));
    expect(dx.dtype).toBe('float32');
    expect(dw.dtype).toBe('float64');
  });

  it('throws ShapeError naming the gate and both shapes when the shapes do not multiply', () => {
    const e = thrown(() => new MatMulGate().forward(Tensor.zeros([2, 3]), Tensor.zeros([4, 5])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('MatMulGate');
    expect(e.message).toContain('[2, 3]');
    expect(e.message).toContain('[4, 5]');
    const e2 = thrown(() => new MatMulGate().forward(Tensor.zeros([2, 3]), Tensor.zeros([3, 2, 2])));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2.message).toContain('[3, 2, 2]');
    expect(thrown(() => new MatMulGate().forward(Tensor.from(2), Tensor.zeros([1, 1])))).toBeInstanceOf(ShapeError);
  });

  const backends: Array<NonNullable<KernelOptions['backend']>> = ['js', 'wasm', 'auto'];
  it.each(backends)('runs on the kernel it is given: backend %s agrees with the reference and passes gradcheck on large products', (backend) => {
    const kernel = createKernel({ backend });
    for (const dtype of ['float64', 'float32'] as const) {
      const x = rand(rng, [17, 20]).astype(dtype);
      const w = rand(rng, [20, 15]).astype(dtype);
      const z = new MatMulGate(kernel).forward(x, w);
      const ref = naive(x.data, w.data, 17, 20, 15, false, false);
      z.data.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-4));
    }
    assertGradcheck(new MatMulGate(kernel), [rand(rng, [17, 20]), rand(rng, [20, 15])], { tolerance: 1e-7 });
  });
});
