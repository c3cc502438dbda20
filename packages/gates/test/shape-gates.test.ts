import { ArityError, assertGradcheck, InvalidArgumentError, Random, ShapeError, Tensor } from '@chainrule/core';
import { ConcatGate, FlattenGate, ReshapeGate, TransposeGate } from '@chainrule/gates';
import { expectContract, expectFloat32Matches, rand, thrown } from './helpers';

const rng = new Random(11);

describe('TransposeGate', () => {
  it('transposes a matrix and permutes axes', () => {
    expect(new TransposeGate().forward(Tensor.from([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    const x = Tensor.from([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]); // [2, 2, 2]
    const z = new TransposeGate({ axes: [1, 0, 2] }).forward(x);
    expect(z.toArray()).toEqual([[[1, 2], [5, 6]], [[3, 4], [7, 8]]]);
    // default on rank 3 reverses all axes
    const r = new TransposeGate().forward(Tensor.from(Float64Array.from({ length: 24 }, (_, i) => i), { shape: [2, 3, 4] }));
    expect(r.shape).toEqual([4, 3, 2]);
    expect(r.data[1]).toBe(12); // r[0,0,1] = x[1,0,0]
    expect(r.data[2]).toBe(4); // r[0,1,0] = x[0,1,0]
  });

  it.each([
    ['[3, 5]', [3, 5], undefined],
    ['[1, 4]', [1, 4], undefined],
    ['[40, 37] (tiled)', [40, 37], undefined],
    ['[2, 3, 4] axes [2, 0, 1]', [2, 3, 4], [2, 0, 1]],
    ['[2, 3, 4] axes [0, -1, 1]', [2, 3, 4], [0, -1, 1]],
    ['[5] (rank 1)', [5], undefined],
  ] as [string, number[], number[] | undefined][])('passes gradcheck: %s', (_, shape, axes) => {
    assertGradcheck(new TransposeGate(axes ? { axes } : {}), [rand(rng, shape)], { tolerance: 1e-7 });
  });

  it('float32, contract, buffer reuse', () => {
    expectFloat32Matches(() => new TransposeGate(), [rand(rng, [4, 6])]);
    expectContract(() => new TransposeGate({ axes: [1, 2, 0] }), [rand(rng, [2, 3, 4])]);
  });

  it('rejects axes that are not a permutation, naming the gate and the shape', () => {
    const e = thrown(() => new TransposeGate({ axes: [0, 0] }).forward(Tensor.zeros([2, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/TransposeGate.*\[0, 0\].*\[2, 3\]/);
    expect(thrown(() => new TransposeGate({ axes: [0, 1, 2] }).forward(Tensor.zeros([2, 3])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new TransposeGate({ axes: 'no' as unknown as number[] }))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('ReshapeGate and FlattenGate', () => {
  it('reshapes (with −1) and flattens', () => {
    const x = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    expect(new ReshapeGate({ shape: [3, -1] }).forward(x).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(new ReshapeGate({ shape: [6] }).forward(x).shape).toEqual([6]);
    expect(new FlattenGate().forward(Tensor.zeros([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new FlattenGate({ startAxis: 0 }).forward(Tensor.zeros([2, 3])).shape).toEqual([6]);
    expect(new FlattenGate().forward(Tensor.zeros([4])).shape).toEqual([4, 1]);
    expect(new FlattenGate({ startAxis: -2 }).forward(Tensor.zeros([2, 3, 4])).shape).toEqual([2, 12]);
    const out = new ReshapeGate({ shape: [6] }).forward(x);
    expect(out.data).not.toBe(x.data);
  });

  it('pass gradcheck', () => {
    assertGradcheck(new ReshapeGate({ shape: [4, -1, 2] }), [rand(rng, [2, 3, 4])], { tolerance: 1e-7 });
    assertGradcheck(new ReshapeGate({ shape: [1, 1] }), [rand(rng, [1])], { tolerance: 1e-7 });
    assertGradcheck(new FlattenGate(), [rand(rng, [2, 3, 2])], { tolerance: 1e-7 });
    assertGradcheck(new FlattenGate(), [rand(rng, [1, 1, 1])], { tolerance: 1e-7 });
  });

  it('float32, contract, buffer reuse', () => {
    expectFloat32Matches(() => new ReshapeGate({ shape: [-1] }), [rand(rng, [3, 4])]);
    expectFloat32Matches(() => new FlattenGate(), [rand(rng, [3, 2, 2])]);
    expectContract(() => new ReshapeGate({ shape: [2, 6] }), [rand(rng, [3, 4])]);
    expectContract(() => new FlattenGate(), [rand(rng, [3, 2, 2])]);
  });

  it('errors name the gate and the shapes', () => {
    const e = thrown(() => new ReshapeGate({ shape: [4, 2] }).forward(Tensor.zeros([2, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/ReshapeGate.*\[2, 3\].*\[4, 2\]/);
    expect(thrown(() => new ReshapeGate({ shape: [4, -1] }).forward(Tensor.zeros([2, 3])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new ReshapeGate({ shape: [-1, -1] }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new ReshapeGate().forward(Tensor.zeros([2])))).toBeInstanceOf(InvalidArgumentError);
    const f = thrown(() => new FlattenGate({ startAxis: 3 }).forward(Tensor.zeros([2, 3])));
    expect(f).toBeInstanceOf(ShapeError);
    expect(f.message).toMatch(/FlattenGate.*\[2, 3\]/);
  });
});

describe('ConcatGate', () => {
  it('joins along an axis', () => {
    const a = Tensor.from([[1, 2], [3, 4]]);
    const b = Tensor.from([[5, 6]]);
    expect(new ConcatGate().forward(a, b).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(new ConcatGate({ axis: 1 }).forward(a, Tensor.from([[9], [8]])).toArray()).toEqual([[1, 2, 9], [3, 4, 8]]);
    expect(new ConcatGate({ axis: -1 }).forward(a).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(new ConcatGate().forward(Tensor.from([1]), Tensor.from([2, 3]), Tensor.from([4])).toArray()).toEqual([1, 2, 3, 4]);
  });

  it('splits dout back in backward', () => {
    const g = new ConcatGate({ axis: 1 });
    g.forward(Tensor.zeros([2, 1]), Tensor.zeros([2, 2]));
    const [da, db] = g.backward(Tensor.from([[1, 2, 3], [4, 5, 6]]));
    expect(da.toArray()).toEqual([[1], [4]]);
    expect(db.toArray()).toEqual([[2, 3], [5, 6]]);
  });

  it.each([
    ['axis 0, 3 inputs', 0, [[2, 3], [1, 3], [4, 3]]],
    ['axis 1', 1, [[2, 1], [2, 3]]],
    ['axis -1 on rank 3', -1, [[2, 2, 1], [2, 2, 3], [2, 2, 2]]],
    ['axis 1 on rank 3', 1, [[2, 1, 3], [2, 2, 3]]],
    ['a single input', 0, [[3, 2]]],
    ['N = 1', 0, [[1, 1], [1, 1]]],
  ] as [string, number, number[][]][])('passes gradcheck: %s', (_, axis, shapes) => {
    assertGradcheck(new ConcatGate({ axis }), shapes.map((s) => rand(rng, s)), { tolerance: 1e-7 });
  });

  it('float32, mixed dtypes, contract, buffer reuse', () => {
    const inputs = [rand(rng, [2, 3]), rand(rng, [2, 1])];
    expectFloat32Matches(() => new ConcatGate({ axis: 1 }), inputs);
    expectContract(() => new ConcatGate({ axis: 1 }), inputs);
    expectContract(() => new ConcatGate({ axis: 1 }), [inputs[0].astype('float32'), inputs[1]]);
    const g = new ConcatGate();
    expect(g.forward(Tensor.zeros([1], 'float32'), Tensor.zeros([1], 'float64')).dtype).toBe('float64');
  });

  it('errors: no inputs, mismatched shapes, bad axis', () => {
    expect(thrown(() => new ConcatGate().forward())).toBeInstanceOf(ArityError);
    const e = thrown(() => new ConcatGate({ axis: 0 }).forward(Tensor.zeros([2, 3]), Tensor.zeros([2, 4])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/ConcatGate.*\[2, 4\].*\[2, 3\]/);
    const a = thrown(() => new ConcatGate({ axis: 2 }).forward(Tensor.zeros([2, 3])));
    expect(a).toBeInstanceOf(ShapeError);
    expect(a.message).toMatch(/ConcatGate.*\[2, 3\].*axis 2/);
    expect(thrown(() => new ConcatGate().forward(Tensor.zeros([2]), Tensor.zeros([2, 1])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new ConcatGate().forward(Tensor.from(1)))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new ConcatGate({ axis: 0.5 }))).toBeInstanceOf(InvalidArgumentError);
  });
});
