import { assertGradcheck, Gate, Random, Shape, sizeOf, Tensor } from '@chainrule/core';
import {
  AddConstantGate,
  AddGate,
  DivideGate,
  ExpGate,
  LogGate,
  MaxGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReciprocalGate,
  ReLUGate,
  ScaleGate,
  SigmoidGate,
  SubtractGate,
  TanhGate,
} from '@chainrule/gates';

/** Draws values for one input, kept off the gate's kinks and poles. */
type Domain = (r: Random) => number;
const anywhere: Domain = (r) => r.uniform(-2, 2);
const offZero: Domain = (r) => (r.next() < 0.5 ? -1 : 1) * r.uniform(0.3, 2);
const positive: Domain = (r) => r.uniform(0.3, 2);

const UNARY_SHAPES: Shape[] = [[], [5], [3, 4], [2, 3, 2]];
const BINARY_SHAPES: [Shape, Shape][] = [
  [[], []],
  [[5], [5]],
  [[3, 4], [3, 4]],
  [[3, 4], [4]], // a bias over a batch of rows
  [[3, 1], [1, 4]],
  [[], [2, 3]], // a scalar against a matrix
  [[2, 3], []],
  [[2, 1, 3], [4, 1]],
];

interface Case {
  name: string;
  make: () => Gate;
  domains: Domain[];
}

const unary: Case[] = [
  { name: 'SigmoidGate', make: () => new SigmoidGate(), domains: [(r) => r.uniform(-4, 4)] },
  { name: 'ExpGate', make: () => new ExpGate(), domains: [anywhere] },
  { name: 'LogGate', make: () => new LogGate(), domains: [positive] },
  { name: 'ReciprocalGate', make: () => new ReciprocalGate(), domains: [offZero] },
  { name: 'ScaleGate a=-3', make: () => new ScaleGate({ a: -3 }), domains: [anywhere] },
  { name: 'AddConstantGate c=1', make: () => new AddConstantGate({ c: 1 }), domains: [anywhere] },
  { name: 'NegateGate', make: () => new NegateGate(), domains: [anywhere] },
  { name: 'PowGate p=2', make: () => new PowGate(), domains: [anywhere] },
  { name: 'PowGate p=3', make: () => new PowGate({ p: 3 }), domains: [anywhere] },
  { name: 'PowGate p=0.5', make: () => new PowGate({ p: 0.5 }), domains: [positive] },
  { name: 'TanhGate', make: () => new TanhGate(), domains: [anywhere] },
  { name: 'ReLUGate', make: () => new ReLUGate(), domains: [offZero] },
];

const binary: Case[] = [
  { name: 'AddGate', make: () => new AddGate(), domains: [anywhere, anywhere] },
  { name: 'MultiplyGate', make: () => new MultiplyGate(), domains: [anywhere, anywhere] },
  { name: 'SubtractGate', make: () => new SubtractGate(), domains: [anywhere, anywhere] },
  { name: 'DivideGate', make: () => new DivideGate(), domains: [anywhere, offZero] },
  // x from [-2, -0.5] ∪ [0.5, 2] and y from (-0.3, 0.3): never a tie, never within 0.2 of one.
  { name: 'MaxGate', make: () => new MaxGate(), domains: [offZero, (r) => r.uniform(-0.1, 0.1)] },
];

function draw(shape: Shape, domain: Domain, r: Random): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < sizeOf(shape); i++) t.data[i] = domain(r);
  return t;
}

function checkAll(c: Case, shapes: Shape[][]) {
  describe(c.name, () => {
    test.each(shapes.map((s) => [s.map((x) => `[${x.join(',')}]`).join(' with '), s] as const))(
      'gradcheck in float64 on %s',
      (_label, inputShapes) => {
        const r = new Random(inputShapes.length * 31 + sizeOf(inputShapes[0]));
        const inputs = inputShapes.map((s, i) => draw(s, c.domains[i], r));
        expect(assertGradcheck(c.make(), inputs).maxError).toBeLessThan(1e-7);
      },
    );

    test('float32 forward and backward agree with float64', () => {
      const r = new Random(99);
      const shapes = shapes0(c);
      const xs = shapes.map((s, i) => draw(s, c.domains[i], r));
      const g64 = c.make();
      const g32 = c.make();
      const out64 = g64.forward(...xs).clone();
      const out32 = g32.forward(...xs.map((x) => x.astype('float32')));
      expect(out32.dtype).toBe('float32');
      expectClose(out32, out64, 1e-5);
      const dout = draw(out64.shape, anywhere, r);
      const grads64 = g64.backward(dout).map((g) => g.clone());
      const grads32 = g32.backward(dout.astype('float32'));
      grads32.forEach((g, i) => {
        expect(g.dtype).toBe('float32');
        expectClose(g, grads64[i], 1e-5);
      });
    });

    test('backward returns one gradient per input with its shape, and leaves dout alone', () => {
      const shapes = shapes0(c);
      const r = new Random(5);
      const gate = c.make();
      const out = gate.forward(...shapes.map((s, i) => draw(s, c.domains[i], r)));
      const dout = draw(out.shape, anywhere, r);
      const before = Array.from(dout.data);
      const grads = gate.backward(dout);
      expect(grads.map((g) => g.shape)).toEqual(shapes);
      expect(Array.from(dout.data)).toEqual(before);
    });
  });
}

function shapes0(c: Case): Shape[] {
  return c.domains.length === 1 ? [[3, 4]] : [[3, 4], [4]];
}

function expectClose(a: Tensor, b: Tensor, rtol: number) {
  expect(a.shape).toEqual(b.shape);
  for (let i = 0; i < a.size; i++) {
    expect(Math.abs(a.data[i] - b.data[i])).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(b.data[i])));
  }
}

for (const c of unary) checkAll(c, UNARY_SHAPES.map((s) => [s]));
for (const c of binary) checkAll(c, BINARY_SHAPES.map(([a, b]) => [a, b]));

describe('the backward patterns of the lectures', () => {
  test('add distributes, multiply switches, max routes', () => {
    const add = new AddGate();
    add.forward(Tensor.from(3), Tensor.from(-1));
    expect(add.backward(Tensor.from(2)).map((g) => g.item())).toEqual([2, 2]);
    const mul = new MultiplyGate();
    mul.forward(Tensor.from(3), Tensor.from(-1));
    expect(mul.backward(Tensor.from(2)).map((g) => g.item())).toEqual([-2, 6]);
    const max = new MaxGate();
    max.forward(Tensor.from([4, 1]), Tensor.from([2, 5]));
    expect(max.backward(Tensor.from([2, 3])).map((g) => g.toArray())).toEqual([[2, 0], [0, 3]]);
  });

  test('MaxGate ties route the whole gradient to the first input', () => {
    const max = new MaxGate();
    max.forward(Tensor.from(2), Tensor.from(2));
    expect(max.backward(Tensor.from(5)).map((g) => g.item())).toEqual([5, 0]);
  });

  test('SigmoidGate: σ(1 − σ) from its output; stable for large |x|', () => {
    const s = new SigmoidGate();
    const out = s.forward(Tensor.from([0, 1000, -1000]));
    expect(out.toArray()).toEqual([0.5, 1, 0]);
    expect(s.backward(Tensor.from([1, 1, 1])).map((g) => g.toArray())).toEqual([[0.25, 0, 0]]);
  });

  test('ReLU passes gradient only where x > 0 (0 at x = 0)', () => {
    const r = new ReLUGate();
    r.forward(Tensor.from([-1, 0, 2]));
    expect(r.backward(Tensor.from([1, 1, 1]))[0].toArray()).toEqual([0, 0, 1]);
  });
});

describe('gate errors', () => {
  test('arity, shapes, backward before forward, dout shape, options', () => {
    expect(() => new MultiplyGate().forward(Tensor.from(1))).toThrow('MultiplyGate.forward: expected 2 inputs, got 1');
    expect(() => new AddGate().forward(Tensor.zeros([2, 3]), Tensor.zeros([4]))).toThrow(
      'AddGate.forward: shapes [2, 3] and [4] do not broadcast (axis 1 of the result: 3 against 4; each pair must be equal or 1)',
    );
    expect(() => new SigmoidGate().backward(Tensor.from(1))).toThrow('SigmoidGate.backward: called before forward');
    const t = new TanhGate();
    t.forward(Tensor.zeros([2]));
    expect(() => t.backward(Tensor.zeros([3]))).toThrow("TanhGate.backward: dout must have the output's shape [2], got [3]");
    expect(() => new ScaleGate({ b: 2 } as never)).toThrow("ScaleGate: unknown option 'b' (expected 'a')");
    expect(() => new PowGate({ p: NaN })).toThrow("PowGate: option 'p' must be a finite number, got NaN");
  });
});
