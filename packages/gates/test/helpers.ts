import { DType, Gate, Random, Tensor } from '@chainrule/core';

/** A float64 tensor of uniform values in [low, high), kept at least `gap` away from every kink in `kinks`. */
export function rand(rng: Random, shape: number[], low = -2, high = 2, kinks: number[] = [], gap = 0.05): Tensor {
  const t = rng.rand(shape, { low, high });
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    while (kinks.some((k) => Math.abs(d[i] - k) < gap)) d[i] = rng.uniform(low, high);
  }
  return t;
}

/** Integer class labels in [0, c) as a float tensor of shape [n]. */
export function labels(rng: Random, n: number, c: number, dtype: DType = 'float64'): Tensor {
  const t = Tensor.zeros([n], dtype);
  for (let i = 0; i < n; i++) t.data[i] = rng.int(c);
  return t;
}

/** Largest |a − b| / max(1, |b|) over two same-sized tensors. */
export function maxRelDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]) / Math.max(1, Math.abs(b.data[i])));
  return m;
}

/**
 * Runs a fresh float64 gate and a fresh float32 gate on the same inputs (cast), and checks that
 * outputs and every gradient agree within `tol` and keep their dtypes.
 */
export function expectFloat32Matches(make: () => Gate, inputs: Tensor[], tol = 1e-4, rng = new Random(7)): void {
  const g64 = make();
  const g32 = make();
  const x64 = inputs.map((t) => t.astype('float64'));
  const x32 = inputs.map((t) => t.astype('float32'));
  const y64 = g64.forward(...x64).clone();
  const y32 = g32.forward(...x32).clone();
  expect(y32.dtype).toBe('float32');
  expect(y64.dtype).toBe('float64');
  expect(maxRelDiff(y32, y64)).toBeLessThan(tol);
  const dout = rng.randn(y64.shape.slice());
  const d64 = g64.backward(dout).map((t) => t.clone());
  const d32 = g32.backward(dout.astype('float32')).map((t) => t.clone());
  expect(d32.length).toBe(inputs.length);
  for (let i = 0; i < d32.length; i++) {
    expect(d32[i].dtype).toBe('float32');
    expect(maxRelDiff(d32[i], d64[i])).toBeLessThan(tol);
  }
}

/**
 * The contract every gate keeps: one gradient per input with its shape and dtype, dout unchanged,
 * and output/gradient buffers reused on a second same-shaped call.
 */
export function expectContract(make: () => Gate, inputs: Tensor[], rng = new Random(3), reusesGrads = true): void {
  const gate = make();
  const y1 = gate.forward(...inputs);
  const dout = rng.randn(y1.shape.slice(), { dtype: y1.dtype });
  const before = dout.clone();
  const g1 = gate.backward(dout).slice();
  expect(Array.from(dout.data)).toEqual(Array.from(before.data));
  expect(g1.length).toBe(inputs.length);
  g1.forEach((g, i) => {
    expect(g.shape).toEqual(inputs[i].shape);
    expect(g.dtype).toBe(inputs[i].dtype);
  });
  const y2 = gate.forward(...inputs);
  expect(y2).toBe(y1);
  const g2 = gate.backward(dout);
  if (reusesGrads) g2.forEach((g, i) => expect(g).toBe(g1[i]));
}

/** Calls fn and returns what it threw (failing the test when it throws nothing). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}
