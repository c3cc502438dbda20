import { assertGradcheck, ComputationalGraph, MATMUL_KERNEL, MatmulKernel, matmul, matmulTransA, matmulTransB, Random, ShapeError, Tensor } from '@chainrule/core';
import { Conv2DGate, Conv2DOptions, createGatesContainer } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, maxRelDiff, rand, thrown } from './helpers';

const rng = new Random(1401);

/** The definition, loop by loop: y[n,f,i,j] = b[f] + Σ W[f,c,u,v] x[n,c,i·sh−ph+u·dh, j·sw−pw+v·dw]. */
function referenceConv(x: Tensor, w: Tensor, b: Tensor | undefined, s: [number, number], p: [number, number], d: [number, number]): Tensor {
  const [n, c, h, wd] = x.shape;
  const [f, , kh, kw] = w.shape;
  const oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1;
  const ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
  const y = Tensor.zeros([n, f, oh, ow]);
  for (let ni = 0; ni < n; ni++)
    for (let fi = 0; fi < f; fi++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = b ? b.data[fi] : 0;
          for (let ci = 0; ci < c; ci++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const yy = i * s[0] - p[0] + u * d[0];
                const xx = j * s[1] - p[1] + v * d[1];
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                acc += w.data[((fi * c + ci) * kh + u) * kw + v] * x.data[((ni * c + ci) * h + yy) * wd + xx];
              }
          y.data[((ni * f + fi) * oh + i) * ow + j] = acc;
        }
  return y;
}

function conv(options: Conv2DOptions = {}): Conv2DGate {
  return new Conv2DGate(options);
}

/** Shapes that exercise every option: [x, W, stride, padding, dilation, bias]. */
const CASES: { x: number[]; w: number[]; s: [number, number]; p: [number, number]; d: [number, number]; bias: boolean }[] = [
  { x: [2, 3, 5, 5], w: [4, 3, 3, 3], s: [1, 1], p: [0, 0], d: [1, 1], bias: true },
  { x: [1, 2, 7, 5], w: [3, 2, 3, 2], s: [2, 1], p: [1, 0], d: [1, 1], bias: true }, // batch 1, non-square, stride 2
  { x: [2, 3, 4, 6], w: [5, 3, 1, 1], s: [1, 1], p: [0, 0], d: [1, 1], bias: false }, // 1×1 kernel, no bias
  { x: [2, 2, 7, 7], w: [2, 2, 3, 3], s: [1, 1], p: [2, 2], d: [2, 2], bias: true }, // dilation 2 with padding
  { x: [3, 1, 6, 9], w: [2, 1, 2, 4], s: [2, 2], p: [1, 0], d: [1, 2], bias: true }, // rectangular kernel, mixed options
];

describe('Conv2DGate', () => {
  test.each(CASES)('forward matches the definition: x $x, W $w, stride $s, padding $p, dilation $d', ({ x, w, s, p, d, bias }) => {
    const xt = rand(rng, x);
    const wt = rand(rng, w);
    const bt = bias ? rand(rng, [w[0]]) : undefined;
    const y = conv({ stride: s, padding: p, dilation: d }).forward(...(bt ? [xt, wt, bt] : [xt, wt]));
    const ref = referenceConv(xt, wt, bt, s, p, d);
    expect(y.shape).toEqual(ref.shape);
    expect(maxRelDiff(y, ref)).toBeLessThan(1e-12);
  });

  test.each(CASES)('passes gradcheck in float64: x $x, W $w, stride $s, padding $p, dilation $d', ({ x, w, s, p, d, bias }) => {
    const inputs = [rand(rng, x), rand(rng, w), ...(bias ? [rand(rng, [w[0]])] : [])];
    assertGradcheck(conv({ stride: s, padding: p, dilation: d }), inputs, { tolerance: 1e-7 });
  });

  test('float32 agrees with float64, keeps the contract and reuses its buffers', () => {
    const inputs = [rand(rng, [2, 3, 6, 5]), rand(rng, [4, 3, 3, 3]), rand(rng, [4])];
    expectFloat32Matches(() => conv({ padding: 1, stride: [1, 2] }), inputs);
    expectContract(() => conv({ padding: 1 }), inputs);
    expectContract(() => conv({ padding: 1 }), inputs.map((t) => t.astype('float32')));
  });

  test('runs its products on the injected kernel, and skips dx when the graph needs none', () => {
    let calls = 0;
    const counting: MatmulKernel = {
      name: 'counting',
      gemm: (...a: Parameters<typeof matmul>) => (calls++, matmul(...a)),
      gemmTransA: (...a: Parameters<typeof matmulTransA>) => (calls++, matmulTransA(...a)),
      gemmTransB: (...a: Parameters<typeof matmulTransB>) => (calls++, matmulTransB(...a)),
    };
    const container = createGatesContainer();
    container.bind(MATMUL_KERNEL).toConstantValue(counting);
    const g = new ComputationalGraph(container);
    const x = g.input('x', { requiresGrad: false });
    g.gate(Conv2DGate, [x, g.parameter('W', rand(rng, [2, 1, 3, 3]))], { name: 'conv' });
    g.gate('SumGate', [g.output]);
    g.forward({ x: rand(rng, [1, 1, 4, 4]) });
    g.backward();
    expect(calls).toBe(2); // y = W·col and dW; dcol = Wᵀ·dY skipped for data
    const grads = (g.node('conv').gate as Conv2DGate).backward(Tensor.ones([1, 2, 2, 2]));
    expect(Array.from(grads[0].data).every((v) => v === 0)).toBe(true);
  });

  test('shape errors name the gate, the node and the mismatch', () => {
    const e1 = thrown(() => conv().forward(Tensor.zeros([1, 3, 5, 5]), Tensor.zeros([2, 2, 3, 3])));
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1.message).toMatch(/Conv2DGate.*channels.*3 channels.*expects 2/);
    const e2 = thrown(() => conv({ padding: 1 }).forward(Tensor.zeros([1, 1, 3, 3]), Tensor.zeros([1, 1, 6, 6])));
    expect(e2.message).toMatch(/kernel \(6×6.*larger than the padded input 5×5/);
    const e3 = thrown(() => conv({ stride: 2 }).forward(Tensor.zeros([1, 1, 6, 6]), Tensor.zeros([1, 1, 3, 3])));
    expect(e3.message).toMatch(/output size is not an integer.*2\.50 rows/);
    const e4 = thrown(() => conv().forward(Tensor.zeros([1, 1, 3, 3]), Tensor.zeros([2, 1, 3, 3]), Tensor.zeros([3])));
    expect(e4.message).toMatch(/bias b as \[2\].*got \[3\]/);
    expect(thrown(() => conv().forward(Tensor.zeros([3, 3]), Tensor.zeros([1, 1, 1, 1]))).message).toMatch(/\[N, C, H, W\]/);
    expect(thrown(() => conv({ stride: 0 })).message).toMatch(/option 'stride' must be an integer ≥ 1/);
    expect(thrown(() => conv({ strides: 2 } as never)).message).toMatch(/unknown option 'strides'/);

    const g = new ComputationalGraph(createGatesContainer());
    const x = g.input('x');
    g.gate(Conv2DGate, [x, g.parameter('W', Tensor.zeros([4, 2, 3, 3]))], { name: 'c1' });
    const e5 = thrown(() => g.forward({ x: Tensor.zeros([1, 3, 5, 5]) }));
    expect(e5.message).toMatch(/node 'c1' \(Conv2DGate\)/);
    expect(e5.message).toMatch(/channels/);
  });
});
