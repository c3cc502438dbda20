import { assertGradcheck, ComputationalGraph, InvalidArgumentError, Random, ShapeError, Tensor } from '@chainrule/core';
import { createGatesContainer, MeanGate, SumGate } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, rand, thrown } from './helpers';

const rng = new Random(21);
const x = Tensor.from([[1, 2, 3], [4, 5, 6]]);

describe('SumGate', () => {
  it('sums all elements or along an axis, keeping or dropping it', () => {
    expect(new SumGate().forward(x).shape).toEqual([]);
    expect(new SumGate().forward(x).item()).toBe(21);
    expect(new SumGate({ keepDims: true }).forward(x).toArray()).toEqual([[21]]);
    expect(new SumGate({ axis: 0 }).forward(x).toArray()).toEqual([5, 7, 9]);
    expect(new SumGate({ axis: 1 }).forward(x).toArray()).toEqual([6, 15]);
    expect(new SumGate({ axis: -1, keepDims: true }).forward(x).toArray()).toEqual([[6], [15]]);
    expect(new SumGate({ axis: 0, keepDims: true }).forward(x).toArray()).toEqual([[5, 7, 9]]);
  });

  it('backward broadcasts dout back along the reduced axis', () => {
    const g = new SumGate({ axis: 0 });
    g.forward(x);
    expect(g.backward(Tensor.from([1, 2, 3]))[0].toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    const all = new SumGate();
    all.forward(x);
    expect(all.backward(Tensor.from(2))[0].toArray()).toEqual([[2, 2, 2], [2, 2, 2]]);
  });
});

describe('MeanGate', () => {
  it('averages all elements or along an axis', () => {
    expect(new MeanGate().forward(x).item()).toBe(3.5);
    expect(new MeanGate({ axis: 0 }).forward(x).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(new MeanGate({ axis: 1, keepDims: true }).forward(x).toArray()).toEqual([[2], [5]]);
    const g = new MeanGate({ axis: 1 });
    g.forward(x);
    expect(g.backward(Tensor.from([3, 6]))[0].toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });

  it('takes its options from a graph node (the container injects them into the subclass too)', () => {
    const graph = new ComputationalGraph(createGatesContainer());
    graph.gate(MeanGate, [graph.input('x')], { name: 'm', options: { axis: 1, keepDims: true } });
    expect(graph.forward({ x }).toArray()).toEqual([[2], [5]]);
  });
});

describe.each([
  ['SumGate', (o: object) => new SumGate(o)],
  ['MeanGate', (o: object) => new MeanGate(o)],
])('%s: gradcheck, float32, contract, errors', (name, make) => {
  const variants: [string, number[], object][] = [
    ['all elements', [3, 4], {}],
    ['all, keepDims', [3, 4], { keepDims: true }],
    ['axis 0', [3, 4], { axis: 0 }],
    ['axis 1, keepDims', [3, 4], { axis: 1, keepDims: true }],
    ['axis -1 on rank 3', [2, 3, 4], { axis: -1 }],
    ['middle axis on rank 3, keepDims', [2, 3, 4], { axis: 1, keepDims: true }],
    ['N = 1', [1, 5], { axis: 0 }],
    ['C = 1', [4, 1], { axis: 1 }],
    ['a scalar', [], {}],
    ['rank 1', [6], { axis: 0 }],
  ];
  it.each(variants)('passes gradcheck: %s', (_, shape, options) => {
    assertGradcheck(make(options), [rand(rng, shape)], { tolerance: 1e-7 });
  });

  it('float32 matches float64; contract and buffer reuse', () => {
    expectFloat32Matches(() => make({ axis: 1 }), [rand(rng, [5, 7])]);
    expectFloat32Matches(() => make({}), [rand(rng, [5, 7])]);
    expectContract(() => make({ axis: 0, keepDims: true }), [rand(rng, [3, 2])]);
  });

  it('a bad axis is a ShapeError naming the gate and the shape; bad options are InvalidArgumentError', () => {
    const e = thrown(() => make({ axis: 2 }).forward(Tensor.zeros([2, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain(name);
    expect(e.message).toContain('[2, 3]');
    expect(thrown(() => make({ axis: 0 }).forward(Tensor.from(1)))).toBeInstanceOf(ShapeError);
    expect(thrown(() => make({ keepDims: 1 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => make({ axes: 1 }))).toBeInstanceOf(InvalidArgumentError);
  });
});
