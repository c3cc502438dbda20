import { InvalidArgumentError, ShapeError, Tensor } from '../src';

describe('Tensor', () => {
  test('from nested arrays: row-major data, shape, float64 by default', () => {
    const t = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float64');
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
  });

  test('scalars have shape [] and one element', () => {
    const s = Tensor.from(3);
    expect(s.shape).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(3);
    expect(s.toArray()).toBe(3);
  });

  test('float32 on request', () => {
    const t = Tensor.from([0.1, 0.2], { dtype: 'float32' });
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data[0]).toBe(Math.fround(0.1));
  });

  test('zeros, ones, full', () => {
    expect(Array.from(Tensor.zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(Tensor.ones([3], 'float32').data)).toEqual([1, 1, 1]);
    expect(Tensor.full([], 7).item()).toBe(7);
    expect(Tensor.zeros([0, 3]).size).toBe(0);
  });

  test('from a flat array with an explicit shape, and from a typed array', () => {
    expect(Tensor.from([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
    const t = Tensor.from(new Float32Array([1, 2]));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2]);
  });

  test('ragged arrays, wrong sizes and bad shapes are errors', () => {
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => new Tensor(new Float64Array(3), [2, 2])).toThrow(/3 values cannot have shape \[2, 2\]/);
    expect(() => Tensor.zeros([2, -1])).toThrow(InvalidArgumentError);
    expect(() => Tensor.from([1, 2]).item()).toThrow(/one element/);
  });

  test('reshape views the same data; -1 infers a dimension', () => {
    const t = Tensor.from([1, 2, 3, 4, 5, 6]);
    const r = t.reshape([2, -1]);
    expect(r.shape).toEqual([2, 3]);
    r.data[0] = 9;
    expect(t.data[0]).toBe(9);
    expect(() => t.reshape([4, 2])).toThrow(ShapeError);
  });

  test('reuse keeps a buffer of the same shape and dtype, else allocates', () => {
    const a = Tensor.zeros([2, 3]);
    expect(Tensor.reuse(a, [2, 3], 'float64')).toBe(a);
    expect(Tensor.reuse(a, [3, 2], 'float64')).not.toBe(a);
    expect(Tensor.reuse(a, [2, 3], 'float32')).not.toBe(a);
    expect(Tensor.reuse(undefined, [1], 'float64').shape).toEqual([1]);
  });

  test('clone, astype, copyFrom, isFinite', () => {
    const a = Tensor.from([1, 2]);
    const b = a.clone();
    b.data[0] = 5;
    expect(a.data[0]).toBe(1);
    expect(a.astype('float32').dtype).toBe('float32');
    expect(Array.from(Tensor.zeros([2]).copyFrom(a).data)).toEqual([1, 2]);
    expect(() => Tensor.zeros([3]).copyFrom(a)).toThrow(ShapeError);
    expect(Tensor.from([1, NaN]).isFinite()).toBe(false);
    expect(Tensor.from([1, Infinity]).isFinite()).toBe(false);
    expect(a.isFinite()).toBe(true);
  });

  test('shape is frozen', () => {
    const t = Tensor.from([1, 2]);
    expect(() => (t.shape as number[]).push(3)).toThrow();
  });
});
