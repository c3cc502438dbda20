import { assertGradcheck, InvalidArgumentError, Random, ShapeError, Tensor } from '@chainrule/core';
import { AvgPool2DGate, GlobalAvgPoolGate, MaxPool2DGate } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, rand, thrown } from './helpers';

const rng = new Random(1402);

const WINDOWS = [
  { x: [2, 3, 4, 6], kernel: 2, stride: undefined, padding: 0 },
  { x: [1, 2, 5, 7], kernel: 3, stride: [2, 2], padding: 1 }, // batch 1, non-square, overlapping windows with padding
  { x: [2, 1, 5, 5], kernel: [3, 1], stride: [1, 2], padding: [1, 0] },
  { x: [1, 1, 3, 3], kernel: 1, stride: 1, padding: 0 },
] as const;

describe('MaxPool2DGate', () => {
  test('takes each window’s maximum and routes the gradient to it', () => {
    const x = Tensor.from([[[[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 2, 1, 3]]]]);
    const g = new MaxPool2DGate({ kernel: 2 });
    expect(g.forward(x).toArray()).toEqual([[[[5, 8], [9, 3]]]]);
    expect(g.backward(Tensor.from([[[[1, 2], [3, 4]]]])).map((t) => t.toArray())).toEqual([[[[[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0], [3, 0, 0, 4]]]]]);
  });

  test('a tie goes to the first maximum in row-major window order, and overlapping windows add', () => {
    const g = new MaxPool2DGate({ kernel: 2, stride: 1 });
    const y = g.forward(Tensor.from([[[[7, 7, 1], [7, 7, 1]]]]));
    expect(y.toArray()).toEqual([[[[7, 7]]]]);
    expect(g.backward(Tensor.from([[[[1, 10]]]]))[0].toArray()).toEqual([[[[1, 10, 0], [0, 0, 0]]]]);
  });

  test.each(WINDOWS)('passes gradcheck in float64: x $x kernel $kernel stride $stride padding $padding', ({ x, kernel, stride, padding }) => {
    assertGradcheck(new MaxPool2DGate({ kernel, stride, padding } as never), [rand(rng, [...x])], { tolerance: 1e-7 });
  });

  test('float32 agrees with float64; contract kept', () => {
    const x = rand(rng, [2, 3, 6, 4]);
    expectFloat32Matches(() => new MaxPool2DGate({ kernel: 2 }), [x]);
    expectContract(() => new MaxPool2DGate({ kernel: 3, stride: 1, padding: 1 }), [x]);
  });

  test('shape and option errors name the gate and the mismatch', () => {
    expect(thrown(() => new MaxPool2DGate({ kernel: 2 }).forward(Tensor.zeros([1, 1, 5, 4]))).message).toMatch(
      /MaxPool2DGate.forward: the output size is not an integer.*2\.50 rows/,
    );
    expect(thrown(() => new MaxPool2DGate({ kernel: 4 }).forward(Tensor.zeros([1, 1, 3, 8])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new MaxPool2DGate({ stride: 2 } as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new MaxPool2DGate().forward(Tensor.zeros([1, 1, 2, 2]))).message).toMatch(/option 'kernel' is required/);
    expect(thrown(() => new MaxPool2DGate({ kernel: 2, padding: 2 })).message).toMatch(/at most half the kernel/);
  });
});

describe('AvgPool2DGate', () => {
  test('averages each window, padding counting as zeros', () => {
    const g = new AvgPool2DGate({ kernel: 2 });
    expect(g.forward(Tensor.from([[[[1, 3, 0, 0], [5, 7, 2, 2]]]])).toArray()).toEqual([[[[4, 1]]]]);
    expect(g.backward(Tensor.from([[[[4, 8]]]]))[0].toArray()).toEqual([[[[1, 1, 2, 2], [1, 1, 2, 2]]]]);
    const padded = new AvgPool2DGate({ kernel: 3, stride: 1, padding: 1 }).forward(Tensor.ones([1, 1, 3, 3]));
    expect(padded.data[0]).toBeCloseTo(4 / 9, 15);
    expect(padded.data[4]).toBeCloseTo(1, 15);
  });

  test.each(WINDOWS)('passes gradcheck in float64: x $x kernel $kernel stride $stride padding $padding', ({ x, kernel, stride, padding }) => {
    assertGradcheck(new AvgPool2DGate({ kernel, stride, padding } as never), [rand(rng, [...x])], { tolerance: 1e-7 });
  });

  test('float32 agrees with float64; contract kept', () => {
    const x = rand(rng, [2, 3, 6, 4]);
    expectFloat32Matches(() => new AvgPool2DGate({ kernel: 2 }), [x]);
    expectContract(() => new AvgPool2DGate({ kernel: 3, stride: 1, padding: 1 }), [x]);
  });
});

describe('GlobalAvgPoolGate', () => {
  test('averages every channel plane to one value', () => {
    const g = new GlobalAvgPoolGate();
    expect(g.forward(Tensor.from([[[[1, 2], [3, 6]], [[0, 0], [0, 4]]]])).toArray()).toEqual([[3, 1]]);
    expect(g.backward(Tensor.from([[4, 8]]))[0].toArray()).toEqual([[[[1, 1], [1, 1]], [[2, 2], [2, 2]]]]);
  });

  test('passes gradcheck on random shapes; float32 agrees; errors name the gate', () => {
    for (const shape of [[2, 3, 4, 5], [1, 1, 1, 1], [3, 2, 1, 7]]) assertGradcheck(new GlobalAvgPoolGate(), [rand(rng, shape)], { tolerance: 1e-7 });
    expectFloat32Matches(() => new GlobalAvgPoolGate(), [rand(rng, [2, 3, 4, 4])]);
    expectContract(() => new GlobalAvgPoolGate(), [rand(rng, [2, 3, 4, 4])]);
    expect(thrown(() => new GlobalAvgPoolGate().forward(Tensor.zeros([2, 3]))).message).toMatch(/GlobalAvgPoolGate.forward: expected the input as \[N, C, H, W\]/);
  });
});
