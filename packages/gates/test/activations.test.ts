import { assertGradcheck, InvalidArgumentError, Random, ShapeError, Tensor } from '@chainrule/core';
import { LeakyReLUGate, LogSoftmaxGate, SoftmaxGate, SoftplusGate } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, rand, thrown } from './helpers';

const rng = new Random(31);

describe('LeakyReLUGate', () => {
  it('passes x > 0 and scales the rest by slope (default 0.01)', () => {
    const g = new LeakyReLUGate();
    expect(Array.from(g.forward(Tensor.from([-2, 0, 3])).data)).toEqual([-0.02, 0, 3]);
    expect(Array.from(g.backward(Tensor.from([1, 1, 1]))[0].data)).toEqual([0.01, 0.01, 1]);
    expect(Array.from(new LeakyReLUGate({ slope: 0.2 }).forward(Tensor.from([-1, 1])).data)).toEqual([-0.2, 1]);
  });

  it.each([[[3, 4]], [[1, 1]], [[2, 3, 2]]])('passes gradcheck off the kink, shape %j', (shape) => {
    assertGradcheck(new LeakyReLUGate({ slope: 0.1 }), [rand(rng, shape, -2, 2, [0])], { tolerance: 1e-7 });
  });

  it('float32, contract, bad option', () => {
    expectFloat32Matches(() => new LeakyReLUGate(), [rand(rng, [4, 5], -2, 2, [0])]);
    expectContract(() => new LeakyReLUGate(), [rand(rng, [4, 5])]);
    expect(thrown(() => new LeakyReLUGate({ slope: NaN }))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('SoftplusGate', () => {
  it('is log(1 + eˣ), stable at both ends', () => {
    const y = new SoftplusGate().forward(Tensor.from([0, 1, -1, 1000, -1000, 40]));
    expect(y.data[0]).toBeCloseTo(Math.log(2), 15);
    expect(y.data[1]).toBeCloseTo(Math.log(1 + Math.E), 15);
    expect(y.data[2]).toBeCloseTo(Math.log(1 + 1 / Math.E), 15);
    expect(y.data[3]).toBe(1000);
    expect(y.data[4]).toBeGreaterThanOrEqual(0);
    expect(y.isFinite()).toBe(true);
    const g = new SoftplusGate();
    g.forward(Tensor.from([1000, -1000, 0]));
    expect(Array.from(g.backward(Tensor.from([1, 1, 1]))[0].data)).toEqual([1, 0, 0.5]);
  });

  it.each([[[3, 4]], [[1]], [[2, 2, 2]]])('passes gradcheck, shape %j', (shape) => {
    assertGradcheck(new SoftplusGate(), [rand(rng, shape, -6, 6)], { tolerance: 1e-7 });
  });

  it('float32, contract', () => {
    expectFloat32Matches(() => new SoftplusGate(), [rand(rng, [4, 5], -10, 10)]);
    expectContract(() => new SoftplusGate(), [rand(rng, [4, 5])]);
  });
});

describe('SoftmaxGate', () => {
  it('rows sum to 1 (last axis) and match the lecture numbers', () => {
    const p = new SoftmaxGate().forward(Tensor.from([[3.2, 5.1, -1.7]]));
    expect(p.data[0]).toBeCloseTo(0.13, 2);
    expect(p.data[1]).toBeCloseTo(0.87, 2);
    expect(p.data[2]).toBeCloseTo(0.0, 2);
    const q = new SoftmaxGate().forward(rand(rng, [4, 5]));
    for (let i = 0; i < 4; i++) expect(Array.from(q.data.slice(i * 5, i * 5 + 5)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('supports another axis through the option', () => {
    const q = new SoftmaxGate({ axis: 0 }).forward(rand(rng, [3, 2]));
    expect(q.data[0] + q.data[2] + q.data[4]).toBeCloseTo(1, 14);
  });

  it.each([
    ['[4, 5]', [4, 5], -1],
    ['N = 1', [1, 3], -1],
    ['C = 1', [3, 1], -1],
    ['rank 1', [4], -1],
    ['rank 3, last axis', [2, 3, 4], -1],
    ['rank 3, axis 1', [2, 3, 4], 1],
  ] as [string, number[], number][])('passes gradcheck: %s', (_, shape, axis) => {
    assertGradcheck(new SoftmaxGate({ axis }), [rand(rng, shape, -3, 3)], { tolerance: 1e-7 });
  });

  it('is finite for logits of magnitude 1000', () => {
    const g = new SoftmaxGate();
    const p = g.forward(Tensor.from([[1000, -1000, 999], [-1000, -1000, -999]]));
    expect(p.isFinite()).toBe(true);
    expect(p.data[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(g.backward(Tensor.from([[1, 2, 3], [1, 0, 0]]))[0].isFinite()).toBe(true);
    const p32 = new SoftmaxGate().forward(Tensor.from([[1000, -1000]], { dtype: 'float32' }));
    expect(Array.from(p32.data)).toEqual([1, 0]);
  });

  it('float32, contract, scalar input error', () => {
    expectFloat32Matches(() => new SoftmaxGate(), [rand(rng, [4, 6], -5, 5)]);
    expectContract(() => new SoftmaxGate(), [rand(rng, [4, 6])]);
    const e = thrown(() => new SoftmaxGate().forward(Tensor.from(1)));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain('SoftmaxGate');
    const a = thrown(() => new SoftmaxGate({ axis: 2 }).forward(Tensor.zeros([2, 3])));
    expect(a).toBeInstanceOf(ShapeError);
    expect(a.message).toMatch(/SoftmaxGate.*\[2, 3\]/);
  });
});

describe('LogSoftmaxGate', () => {
  it('equals log(softmax)', () => {
    const x = rand(rng, [3, 4]);
    const ls = new LogSoftmaxGate().forward(x);
    const p = new SoftmaxGate().forward(x);
    for (let i = 0; i < x.size; i++) expect(ls.data[i]).toBeCloseTo(Math.log(p.data[i]), 13);
  });

  it.each([
    ['[4, 5]', [4, 5], -1],
    ['N = 1', [1, 3], -1],
    ['C = 1', [3, 1], -1],
    ['rank 3, axis 0', [2, 3, 2], 0],
  ] as [string, number[], number][])('passes gradcheck: %s', (_, shape, axis) => {
    assertGradcheck(new LogSoftmaxGate({ axis }), [rand(rng, shape, -3, 3)], { tolerance: 1e-7 });
  });

  it('is finite for logits of magnitude 1000 (never log(0))', () => {
    const g = new LogSoftmaxGate();
    const y = g.forward(Tensor.from([[1000, -1000, 0]]));
    expect(y.isFinite()).toBe(true);
    expect(y.data[0]).toBeCloseTo(0, 12);
    expect(y.data[1]).toBeCloseTo(-2000, 9);
    expect(g.backward(Tensor.from([[1, 1, 1]]))[0].isFinite()).toBe(true);
    const y32 = new LogSoftmaxGate().forward(Tensor.from([[1000, -1000]], { dtype: 'float32' }));
    expect(y32.isFinite()).toBe(true);
  });

  it('float32, contract, errors', () => {
    expectFloat32Matches(() => new LogSoftmaxGate(), [rand(rng, [4, 6], -5, 5)]);
    expectContract(() => new LogSoftmaxGate(), [rand(rng, [4, 6])]);
    expect(thrown(() => new LogSoftmaxGate().forward(Tensor.from(1)))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new LogSoftmaxGate({ axis: '1' as unknown as number }))).toBeInstanceOf(InvalidArgumentError);
  });
});
