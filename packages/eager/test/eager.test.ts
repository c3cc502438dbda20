import { ChainruleError, InvalidArgumentError, ShapeError, Tensor, TypedArray, UnaryGate } from '@chainrule/core';
import { AddGate, ScaleGate } from '@chainrule/gates';
import { SGD } from '@chainrule/optim';
import { injectable } from 'inversify';
import { SinGate } from './helpers';
import { add, apply, clearTape, constant, eagerContext, FreedTapeError, mul, noGrad, NoGradientError, value, Value, zeroGrad } from '@chainrule/eager';

describe('eager values: the lecture graphs', () => {
  it('f = (x + y) * z at (-2, 5, -4): -12; df/dx = df/dy = -4, df/dz = 3', () => {
    const x = value(-2);
    const y = value(5);
    const z = value(-4);
    const q = x.add(y);
    const f = q.mul(z);
    expect(f.item()).toBe(-12);
    f.backward({ retainGraph: true });
    expect([x.gradItem(), y.gradItem(), z.gradItem()]).toEqual([-4, -4, 3]);
    expect(q.gradItem()).toBe(-4); // a result's gradient, readable while the tape is kept
  });

  it('the sigmoid neuron from primitive operations: 0.73, dw = [-0.20, -0.39, 0.20], dx = [0.39, -0.59]', () => {
    const w = [value(2), value(-3), value(-3)];
    const x = [value(-1), value(-2)];
    const dot = w[0].mul(x[0]).add(w[1].mul(x[1])).add(w[2]);
    const f = dot.neg().exp().add(1).pow(-1);
    expect(f.item()).toBeCloseTo(0.7311, 4);
    f.backward();
    expect(w.map((v) => v.gradItem())).toEqual([expect.closeTo(-0.1966, 4), expect.closeTo(-0.3932, 4), expect.closeTo(0.1966, 4)]);
    expect(x.map((v) => v.gradItem())).toEqual([expect.closeTo(0.3932, 4), expect.closeTo(-0.5898, 4)]);
  });
});

describe('gradient semantics (PyTorch)', () => {
  it('sums gradients at branches and accumulates leaf gradients across backward calls until zeroGrad', () => {
    const x = value(3);
    x.mul(x).add(x).backward(); // d(x² + x)/dx = 2x + 1 = 7
    expect(x.gradItem()).toBe(7);
    x.mul(x).add(x).backward();
    expect(x.gradItem()).toBe(14);
    x.zeroGrad();
    expect(x.gradItem()).toBe(0);
    zeroGrad([x]);
    x.mul(2).backward();
    expect(x.gradItem()).toBe(2);
  });

  it('backward twice on one result throws FreedTapeError; with retainGraph the second pass adds exactly one more gradient (micrograd #25)', () => {
    const x = value(3);
    const a = x.mul(x);
    const f = a.add(a).add(x); // 2x² + x: df/dx = 13; micrograd's bug re-adds stale intermediate grads
    f.backward();
    expect(() => f.backward()).toThrow(FreedTapeError);
    expect(x.gradItem()).toBe(13); // the failed call changed nothing

    const y = value(3);
    const b = y.mul(y);
    const g = b.add(b).add(y);
    g.backward({ retainGraph: true });
    g.backward({ retainGraph: true });
    expect(y.gradItem()).toBe(26);
    expect(b.gradItem()).toBe(2); // intermediate gradients start from zero on each pass
  });

  it('using a result of a freed tape throws and names the fix; detach() keeps the value as data', () => {
    const x = value(2);
    const h = x.mul(3);
    h.backward();
    expect(h.item()).toBe(6); // the value outlives the tape
    expect(() => h.add(1)).toThrow(FreedTapeError);
    expect(() => h.add(1)).toThrow(/detach\(\)/);
    const d = h.detach().add(1);
    expect(d.item()).toBe(7);
    expect(d.requiresGrad).toBe(false);
  });

  it('noGrad records nothing and its results need no gradient; constants get none', () => {
    const x = value(2);
    const before = eagerContext().tape.length;
    const y = noGrad(() => x.mul(x).add(1));
    expect(eagerContext().tape.length).toBe(before);
    expect(y.item()).toBe(5);
    expect(y.requiresGrad).toBe(false);
    const c = constant(4);
    expect(() => c.mul(2).backward()).toThrow(NoGradientError);
    const f = c.mul(x);
    f.backward();
    expect(c.grad).toBeUndefined();
    expect(x.gradItem()).toBe(4);
  });

  it('clearTape frees a record no backward will free (evaluation with gradients on)', () => {
    const x = value(2);
    const y = x.mul(x);
    expect(eagerContext().tape.length).toBeGreaterThan(0);
    clearTape();
    expect(eagerContext().tape.length).toBe(0);
    expect(y.item()).toBe(4);
    expect(() => y.backward()).toThrow(FreedTapeError);
  });

  it('plain numbers on either side', () => {
    const x = value(2);
    const f = add(1, mul(3, x)).sub(0.5).div(2); // (1 + 3x − 0.5) / 2
    expect(f.item()).toBe(3.25);
    f.backward();
    expect(x.gradItem()).toBe(1.5);
  });
});

describe('custom gates and options', () => {
  it('apply(MyGate, a) works with a gate the container never saw, on scalars and tensors', () => {
    const x = value(0.5);
    const f = apply(SinGate, x).mul(2);
    expect(f.item()).toBeCloseTo(2 * Math.sin(0.5), 12);
    f.backward();
    expect(x.gradItem()).toBeCloseTo(2 * Math.cos(0.5), 12);
    const t = value([0.1, 0.2]);
    apply(SinGate, t).sum().backward();
    expect(Array.from(t.grad!.data)).toEqual([Math.cos(0.1), Math.cos(0.2)]);
  });

  it('an elementwise gate that overrides forward takes the tensor path, so its forward runs', () => {
    @injectable()
    class CountingSinGate extends SinGate {
      static calls = 0;
      override forward(...inputs: Tensor[]): Tensor {
        CountingSinGate.calls++;
        return super.forward(...inputs);
      }
    }
    const x = value(0.5);
    const f = apply(CountingSinGate, x);
    expect(CountingSinGate.calls).toBe(1);
    f.backward();
    expect(x.gradItem()).toBeCloseTo(Math.cos(0.5), 12);
    expect(eagerContext().kernel(CountingSinGate)).toBe(-1);
    expect(eagerContext().kernel(SinGate)).toBeGreaterThanOrEqual(0);
  });

  it('apply(ScaleGate, [a], { a: 2 }) passes options; a gate that takes none refuses them', () => {
    const x = value(5);
    const f = apply(ScaleGate, [x], { a: 2 });
    expect(f.item()).toBe(10);
    f.backward();
    expect(x.gradItem()).toBe(2);
    expect(() => apply(AddGate, [x, x], { a: 1 })).toThrow(InvalidArgumentError);
    expect(() => apply(ScaleGate, [x], { b: 1 })).toThrow(/unknown option 'b'/);
  });
});

describe('tensors', () => {
  it('broadcasting, matmul, reductions and cross-entropy on the tensor path', () => {
    const W = value([[1, 2], [3, 4], [5, 6]]);
    const b = value([0.5, -0.5]);
    const X = constant([[1, 0, -1], [2, 1, 0]]);
    const scores = X.matmul(W).add(b);
    expect(scores.toArray()).toEqual([[-3.5, -4.5], [5.5, 7.5]]);
    const loss = scores.crossEntropy([0, 1]);
    loss.backward();
    expect(W.grad!.shape).toEqual([3, 2]);
    expect(b.grad!.shape).toEqual([2]);
    // d loss / d b sums the softmax − onehot rows over the batch, / N.
    const p0 = 1 / (1 + Math.exp(-1));
    const p1 = 1 / (1 + Math.exp(-2));
    expect(b.grad!.data[0]).toBeCloseTo((p0 - 1 + (1 - p1)) / 2, 12);
  });

  it('a scalar produced by a tensor gate feeds scalar operations and back', () => {
    const t = value([1, 2, 3]);
    const s = t.mean().mul(t.sum()); // mean · sum = 2 · 6
    expect(s.item()).toBe(12);
    s.backward();
    expect(Array.from(t.grad!.data)).toEqual([6 / 3 + 2, 6 / 3 + 2, 6 / 3 + 2]);
  });

  it('float32 tensors stay float32 with number operands', () => {
    const t = value([1, 2], { dtype: 'float32' });
    const f = t.mul(2).add(1);
    expect(f.dtype).toBe('float32');
    f.sum().backward();
    expect(t.grad!.dtype).toBe('float32');
    expect(Array.from(t.grad!.data)).toEqual([2, 2]);
  });

  it('errors are ChainruleErrors naming the operation, the gate and expected vs got; a failed op records nothing', () => {
    const a = value([[1, 2, 3]]);
    const b = value([[1, 2]]);
    a.add(1);
    b.add(1); // both leaves are now on the record
    const before = eagerContext().tape.length;
    let err: unknown;
    try {
      a.matmul(b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toBeInstanceOf(ChainruleError);
    expect((err as Error).message).toMatch(/^matmul \(MatMulGate\): .*\[1, 3\].*\[1, 2\]/);
    expect(eagerContext().tape.length).toBe(before);
    expect(() => add(a, 'x' as unknown as number)).toThrow(/add \(AddGate\): input 1 must be a Value or a number, got string/);
  });
});

describe('the scalar path', () => {
  it('a scalar network records scalar entries only (no tensor, no gate instance per node) and reuses the tape after backward', () => {
    const w = [value(0.5), value(-0.3)];
    const x = [constant(1), constant(2)];
    const build = (): Value => w[0].mul(x[0]).add(w[1].mul(x[1])).tanh().sub(0.5).pow(2);
    const tape = eagerContext().tape;
    clearTape();
    const loss = build();
    const kinds = Array.from(tape.kind.subarray(0, tape.length));
    expect(kinds.filter((k) => k === 3)).toEqual([]); // TENSOR_OP
    expect(tape.objs.slice(0, tape.length).filter((o) => o !== undefined && !(o instanceof Value))).toEqual([]);
    const capacity = tape.val.length;
    loss.backward();
    expect(tape.length).toBe(0);
    build().backward();
    expect(tape.val.length).toBe(capacity);
  });
});

describe('atomic backward', () => {
  /** A gate whose backward fails: nothing may change when it does. */
  @injectable()
  class FailingBackwardGate extends UnaryGate {
    protected compute(x: TypedArray, out: TypedArray): void {
      for (let i = 0; i < out.length; i++) out[i] = x[i];
    }
    protected differentiate(): void {
      throw new InvalidArgumentError('FailingBackwardGate: no backward today');
    }
  }

  it('a gate that throws in backward leaves every leaf gradient as it was and keeps the tape', () => {
    const x = value([1, 2]);
    const w = value(3);
    x.sum().mul(w).backward();
    const before = [Array.from(x.grad!.data), w.gradItem()];
    const f = apply(FailingBackwardGate, x.mul(w)).sum().add(w.mul(w));
    expect(() => f.backward()).toThrow(InvalidArgumentError);
    expect(() => f.backward()).toThrow(/backward through FailingBackwardGate/);
    expect([Array.from(x.grad!.data), w.gradItem()]).toEqual(before);
    // The same on the scalar path.
    const g = apply(FailingBackwardGate, w.mul(w)).add(w);
    expect(() => g.backward()).toThrow(/^backward through FailingBackwardGate \(result #\d+\): FailingBackwardGate: no backward today/);
    expect(w.gradItem()).toBe(before[1]);
  });
});

describe('optimizers take eager leaves', () => {
  it('SGD minimises (w − 3)² written eagerly', () => {
    const w = value(0, { name: 'w' });
    const opt = new SGD([w], { lr: 0.1 });
    for (let i = 0; i < 100; i++) {
      zeroGrad([w]);
      w.sub(3).pow(2).backward();
      opt.step();
    }
    expect(w.item()).toBeCloseTo(3, 6);
  });

  it('a Value is an optimizer Parameter: value and grad tensors, updated in place', () => {
    const w: Value = value([1, 2]);
    const t: Tensor = w.value;
    w.mul(w).sum().backward();
    new SGD([w], { lr: 0.5 }).step();
    expect(w.value).toBe(t);
    expect(Array.from(t.data)).toEqual([0, 0]);
  });
});
