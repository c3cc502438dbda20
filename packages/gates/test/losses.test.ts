import { assertGradcheck, ChainruleError, InvalidArgumentError, Random, ShapeError, Tensor } from '@chainrule/core';
import {
  BinaryCrossEntropyGate,
  BinaryCrossEntropyWithLogitsGate,
  LabelError,
  MSELossGate,
  SoftmaxCrossEntropyGate,
  SVMLossGate,
} from '@chainrule/gates';
import { expectContract, expectFloat32Matches, labels, rand, thrown } from './helpers';

const rng = new Random(41);

/** Scores whose every hinge margin s_j − s_y + 1 is at least `gap` away from 0 (off the SVM's kinks). */
function svmScores(n: number, c: number, y: Tensor, gap = 0.05): Tensor {
  const s = rand(rng, [n, c], -2, 2);
  for (let i = 0; i < n; i++) {
    const yi = y.data[i];
    for (let j = 0; j < c; j++) {
      while (j !== yi && Math.abs(s.data[i * c + j] - s.data[i * c + yi] + 1) < gap) s.data[i * c + j] = rng.uniform(-2, 2);
    }
  }
  return s;
}

describe.each([
  ['SoftmaxCrossEntropyGate', () => new SoftmaxCrossEntropyGate()],
  ['SVMLossGate', () => new SVMLossGate()],
])('%s: shared behaviour of the class-label losses', (name, make) => {
  it.each([
    [4, 3],
    [1, 3],
    [5, 1],
    [1, 1],
    [7, 10],
  ])('passes gradcheck on the scores with N=%i, C=%i; labels get a zero gradient', (n, c) => {
    const y = labels(rng, n, c);
    const s = svmScores(n, c, y);
    assertGradcheck(make(), [s, y], { tolerance: 1e-7, wrt: [0] });
    const g = make();
    const out = g.forward(s, y);
    expect(out.shape).toEqual([]);
    const [, dy] = g.backward(Tensor.from(1));
    expect(dy.shape).toEqual([n]);
    expect(Array.from(dy.data)).toEqual(new Array(n).fill(0));
  });

  it('float32 matches float64; labels keep their own dtype; contract and buffer reuse', () => {
    const y = labels(rng, 6, 4);
    const s = svmScores(6, 4, y);
    expectFloat32Matches(make, [s, y]);
    expectContract(make, [s, y]);
    expectContract(make, [s.astype('float32'), y]);
    const g = make();
    g.forward(s, y.astype('float32'));
    expect(g.backward(Tensor.from(1))[1].dtype).toBe('float32');
  });

  it('a label out of range, negative or non-integer is a LabelError naming the gate, the label and the range', () => {
    const s = Tensor.zeros([2, 3]);
    for (const bad of [3, -1, 0.5, NaN]) {
      const e = thrown(() => make().forward(s, Tensor.from([0, bad])));
      expect(e).toBeInstanceOf(LabelError);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e).toBeInstanceOf(ChainruleError);
      expect(e.message).toContain(name);
      expect(e.message).toContain(`label ${bad}`);
      expect(e.message).toContain('[0, 3)');
      expect(e.message).toContain('[2, 3]');
    }
  });

  it('labels of the wrong length or shape, and scores that are not [N, C], are ShapeErrors naming the gate and both shapes', () => {
    const e = thrown(() => make().forward(Tensor.zeros([4, 3]), Tensor.zeros([3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain(name);
    expect(e.message).toContain('[4, 3]');
    expect(e.message).toContain('[3]');
    expect(e.message).toContain('[4]');
    expect(thrown(() => make().forward(Tensor.zeros([4, 3]), Tensor.zeros([4, 1])))).toBeInstanceOf(ShapeError);
    const r = thrown(() => make().forward(Tensor.zeros([3]), Tensor.zeros([1])));
    expect(r).toBeInstanceOf(ShapeError);
    expect(r.message).toMatch(new RegExp(`${name}.*\\[N, C\\].*\\[3\\]`));
  });
});

describe('SoftmaxCrossEntropyGate', () => {
  it('gives the lecture numbers: loss 2.04 for cat (3.2, 5.1, −1.7), gradient softmax − onehot', () => {
    const g = new SoftmaxCrossEntropyGate();
    const loss = g.forward(Tensor.from([[3.2, 5.1, -1.7]]), Tensor.from([0]));
    expect(loss.item()).toBeCloseTo(2.04, 2);
    const [ds] = g.backward(Tensor.from(1));
    const e = [Math.exp(3.2), Math.exp(5.1), Math.exp(-1.7)];
    const z = e[0] + e[1] + e[2];
    expect(ds.data[0]).toBeCloseTo(e[0] / z - 1, 14);
    expect(ds.data[1]).toBeCloseTo(e[1] / z, 14);
    expect(ds.data[2]).toBeCloseTo(e[2] / z, 14);
  });

  it('averages over the batch: backward is (softmax − onehot)/N', () => {
    const s = rand(rng, [3, 4]);
    const y = Tensor.from([1, 0, 3]);
    const g = new SoftmaxCrossEntropyGate();
    const loss = g.forward(s, y).item();
    let ref = 0;
    for (let i = 0; i < 3; i++) {
      const row = Array.from(s.data.slice(i * 4, i * 4 + 4));
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      ref += lse - row[y.data[i]];
    }
    expect(loss).toBeCloseTo(ref / 3, 13);
    const [ds] = g.backward(Tensor.from(2));
    let rowSum = 0;
    for (let j = 0; j < 4; j++) rowSum += ds.data[j];
    expect(rowSum).toBeCloseTo(0, 14);
  });

  it('is finite for logits of ±1000, in value and gradient', () => {
    const g = new SoftmaxCrossEntropyGate();
    const loss = g.forward(Tensor.from([[1000, -1000, 0], [-1000, 1000, 999]]), Tensor.from([1, 0]));
    expect(loss.isFinite()).toBe(true);
    expect(loss.item()).toBeCloseTo((2000 + 2000 + Math.log1p(Math.exp(-1))) / 2, 9);
    const [ds] = g.backward(Tensor.from(1));
    expect(ds.isFinite()).toBe(true);
    expect(ds.data[0]).toBeCloseTo(0.5, 12);
    expect(ds.data[1]).toBeCloseTo(-0.5, 12);
    const g32 = new SoftmaxCrossEntropyGate();
    expect(g32.forward(Tensor.from([[1000, -1000]], { dtype: 'float32' }), Tensor.from([1])).isFinite()).toBe(true);
    expect(g32.backward(Tensor.from(1, { dtype: 'float32' }))[0].isFinite()).toBe(true);
  });
});

describe('SVMLossGate', () => {
  it('matches the lecture example (cat 3.2/5.1/−1.7 → 2.9, car 1.3/4.9/2.0 → 0, frog 2.2/2.5/−3.1 → 12.9; mean 5.27)', () => {
    // One row per image (cat, car, frog), one column per class (cat, car, frog).
    const s = Tensor.from([
      [3.2, 5.1, -1.7],
      [1.3, 4.9, 2.0],
      [2.2, 2.5, -3.1],
    ]);
    const g = new SVMLossGate();
    expect(g.forward(s, Tensor.from([0, 1, 2])).item()).toBeCloseTo((2.9 + 0 + 12.9) / 3, 10);
  });

  it('C = 1 gives zero loss and zero gradient', () => {
    const g = new SVMLossGate();
    expect(g.forward(Tensor.from([[5], [-2]]), Tensor.from([0, 0])).item()).toBe(0);
    expect(Array.from(g.backward(Tensor.from(1))[0].data)).toEqual([0, 0]);
  });
});

describe('MSELossGate', () => {
  it('is the mean of squared differences', () => {
    const g = new MSELossGate();
    expect(g.forward(Tensor.from([[1, 2], [3, 4]]), Tensor.from([[1, 0], [0, 4]])).item()).toBe((4 + 9) / 4);
    const [dx, dy] = g.backward(Tensor.from(1));
    expect(dx.toArray()).toEqual([[0, 1], [1.5, 0]]);
    expect(dy.toArray()).toEqual([[-0, -1], [-1.5, -0]]);
  });

  it.each([[[4, 3]], [[1]], [[1, 1]], [[2, 3, 2]], [[]]])('passes gradcheck on both inputs, shape %j', (shape) => {
    assertGradcheck(new MSELossGate(), [rand(rng, shape), rand(rng, shape)], { tolerance: 1e-7 });
  });

  it('float32, contract, mismatched shapes', () => {
    const inputs = [rand(rng, [5, 2]), rand(rng, [5, 2])];
    expectFloat32Matches(() => new MSELossGate(), inputs);
    expectContract(() => new MSELossGate(), inputs);
    const e = thrown(() => new MSELossGate().forward(Tensor.zeros([3, 1]), Tensor.zeros([3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/MSELossGate.*\[3, 1\].*\[3\]/);
  });
});

describe('BinaryCrossEntropyGate', () => {
  it('is −mean(t log p + (1 − t) log(1 − p))', () => {
    const g = new BinaryCrossEntropyGate();
    const v = g.forward(Tensor.from([0.9, 0.2]), Tensor.from([1, 0])).item();
    expect(v).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 14);
  });

  it.each([[[4]], [[1]], [[3, 2]], [[1, 1]]])('passes gradcheck on both inputs, shape %j', (shape) => {
    const p = rand(rng, shape, 0.05, 0.95);
    const t = rand(rng, shape, 0, 1);
    assertGradcheck(new BinaryCrossEntropyGate(), [p, t], { tolerance: 1e-7 });
  });

  it('never takes log(0): p = 0 or 1 gives a finite loss and gradient', () => {
    const g = new BinaryCrossEntropyGate();
    const loss = g.forward(Tensor.from([0, 1, 0, 1]), Tensor.from([1, 0, 0, 1]));
    expect(loss.isFinite()).toBe(true);
    expect(loss.item()).toBeCloseTo((2 * -Math.log(1e-12)) / 4, 3);
    const [dp, dt] = g.backward(Tensor.from(1));
    expect(dp.isFinite()).toBe(true);
    expect(dt.isFinite()).toBe(true);
    expect(dp.data[0]).toBeLessThan(0); // push p up towards t = 1
    expect(dp.data[1]).toBeGreaterThan(0);
    const g32 = new BinaryCrossEntropyGate();
    expect(g32.forward(Tensor.from([0, 1], { dtype: 'float32' }), Tensor.from([1, 0], { dtype: 'float32' })).isFinite()).toBe(true);
  });

  it('float32, contract, errors', () => {
    const inputs = [rand(rng, [6], 0.1, 0.9), rand(rng, [6], 0, 1)];
    expectFloat32Matches(() => new BinaryCrossEntropyGate(), inputs);
    expectContract(() => new BinaryCrossEntropyGate(), inputs);
    const e = thrown(() => new BinaryCrossEntropyGate().forward(Tensor.zeros([2]), Tensor.zeros([2, 1])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/BinaryCrossEntropyGate.*\[2\].*\[2, 1\]/);
    const p = thrown(() => new BinaryCrossEntropyGate().forward(Tensor.from([0.5, 1.5]), Tensor.from([1, 0])));
    expect(p).toBeInstanceOf(InvalidArgumentError);
    expect(p.message).toMatch(/BinaryCrossEntropyGate.*1\.5/);
  });
});

describe('BinaryCrossEntropyWithLogitsGate', () => {
  it('equals BCE(σ(z), t) for moderate logits', () => {
    const z = rand(rng, [5], -3, 3);
    const t = rand(rng, [5], 0, 1);
    const p = Tensor.from(Float64Array.from(z.data, (v) => 1 / (1 + Math.exp(-v))));
    expect(new BinaryCrossEntropyWithLogitsGate().forward(z, t).item()).toBeCloseTo(new BinaryCrossEntropyGate().forward(p, t).item(), 12);
  });

  it.each([[[4]], [[1]], [[3, 2]]])('passes gradcheck on both inputs, shape %j', (shape) => {
    assertGradcheck(new BinaryCrossEntropyWithLogitsGate(), [rand(rng, shape, -4, 4), rand(rng, shape, 0, 1)], { tolerance: 1e-7 });
  });

  it('is exact and finite for logits of ±1000', () => {
    const g = new BinaryCrossEntropyWithLogitsGate();
    const loss = g.forward(Tensor.from([1000, -1000, 1000]), Tensor.from([0, 1, 1]));
    expect(loss.item()).toBeCloseTo(2000 / 3, 9);
    const [dz] = g.backward(Tensor.from(1));
    expect(Array.from(dz.data).map((v) => v * 3)).toEqual([1, -1, 0]);
  });

  it('float32, contract, errors', () => {
    const inputs = [rand(rng, [6], -5, 5), rand(rng, [6], 0, 1)];
    expectFloat32Matches(() => new BinaryCrossEntropyWithLogitsGate(), inputs);
    expectContract(() => new BinaryCrossEntropyWithLogitsGate(), inputs);
    const e = thrown(() => new BinaryCrossEntropyWithLogitsGate().forward(Tensor.zeros([2]), Tensor.zeros([3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/BinaryCrossEntropyWithLogitsGate.*\[2\].*\[3\]/);
  });
});
