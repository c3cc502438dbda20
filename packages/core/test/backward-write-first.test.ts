// backward writes each node's first gradient contribution and adds the later ones (no zero-fill
// pass): these cases are where a write-first scheme could go wrong (fan-out, an input used twice by
// one gate, nodes no consumer reaches, skipped input gradients, accumulation, a gate that throws).
import 'reflect-metadata';
import { ComputationalGraph, createContainer, Gate, GateContext, Tensor } from '@chainrule/core';
import { AddGate, MatMulGate, MultiplyGate, TanhGate } from '@chainrule/gates';
import { injectable } from 'inversify';

const graph = (): ComputationalGraph => new ComputationalGraph(createContainer());
const grad = (g: ComputationalGraph, name: string): number[] => Array.from((g.node(name).grad as Tensor).data);

describe('backward: first contribution written, later ones added', () => {
  test('fan-out: x feeds two gates; gradients are the sum, the same on every pass', () => {
    const g = graph();
    const x = g.parameter('x', Tensor.from([0.5, -1.5]));
    const sq = g.gate(MultiplyGate, [x, x], { name: 'sq' });
    const t = g.gate(TanhGate, [x], { name: 't' });
    const s = g.gate(AddGate, [sq, t], { name: 's' });
    g.setOutput(s);
    const seed = Tensor.from([1, 1]);
    const expected = [0.5, -1.5].map((v) => 2 * v + (1 - Math.tanh(v) ** 2));
    for (let pass = 0; pass < 3; pass++) {
      g.forward();
      g.backward({ seed });
      const got = grad(g, 'x');
      expect(got[0]).toBeCloseTo(expected[0], 14);
      expect(got[1]).toBeCloseTo(expected[1], 14);
    }
  });

  test('a parameter used twice by one gate gets both contributions', () => {
    const g = graph();
    const w = g.parameter('w', Tensor.from(3));
    const a = g.gate(AddGate, [w, w], { name: 'a' }); // d/dw = 2
    g.gate(MultiplyGate, [a, w], { name: 'm' }); // (2w)·w: d/dw = 4w = 12
    g.forward();
    g.backward();
    expect(grad(g, 'w')).toEqual([12]);
    expect(grad(g, 'a')).toEqual([3]);
    g.forward();
    g.backward();
    expect(grad(g, 'w')).toEqual([12]);
  });

  test('a node no consumer reaches gets zero, not a stale gradient of an earlier pass', () => {
    const g = graph();
    const p = g.parameter('p', Tensor.from([2, 4]));
    const q = g.parameter('q', Tensor.from([5, 7]));
    const pq = g.gate(MultiplyGate, [p, q], { name: 'pq' });
    const pp = g.gate(MultiplyGate, [p, p], { name: 'pp' });
    const seed = Tensor.from([1, 1]);
    g.setOutput(pq);
    g.forward();
    g.backward({ seed });
    expect(grad(g, 'q')).toEqual([2, 4]);
    g.setOutput(pp);
    for (let pass = 0; pass < 2; pass++) {
      g.forward();
      g.backward({ seed });
      expect(grad(g, 'p')).toEqual([4, 8]);
      expect(grad(g, 'q')).toEqual([0, 0]); // q reaches only pq, which is off the output's path now
      expect(grad(g, 'pq')).toEqual([0, 0]);
    }
  });

  test('an input that needs no gradient gets none, whatever the gate returns for it', () => {
    /** x·w elementwise; it returns NaN for an input whose gradient is not needed (prepare said so). */
    @injectable()
    class SkippingMul implements Gate {
      private need: readonly boolean[] = [true, true];
      private x: Tensor | undefined;
      private w: Tensor | undefined;
      prepare(ctx: GateContext): void {
        this.need = ctx.needsInputGrad;
      }
      forward(...inputs: Tensor[]): Tensor {
        [this.x, this.w] = inputs;
        return Tensor.from(inputs[0].data[0] * inputs[1].data[0]);
      }
      backward(dout: Tensor): Tensor[] {
        const d = dout.data[0];
        return [Tensor.from(this.need[0] ? d * (this.w as Tensor).data[0] : NaN), Tensor.from(this.need[1] ? d * (this.x as Tensor).data[0] : NaN)];
      }
    }
    const g = graph();
    const x = g.input('x', { requiresGrad: false });
    const w = g.parameter('w', Tensor.from(-2));
    const m = g.gate(SkippingMul, [x, w], { name: 'm' });
    g.gate(MultiplyGate, [m, w], { name: 'out' }); // x·w²: d/dw = 2xw
    g.forward({ x: 3 });
    g.backward();
    expect(grad(g, 'w')).toEqual([-12]);
    expect(g.node('x').grad).toBeUndefined();
  });

  test('MatMulGate skips dx for data; the weight gradient is written, not added to old values', () => {
    const g = graph();
    const x = g.input('x', { requiresGrad: false });
    const W = g.parameter('W', Tensor.from([[1, 2], [3, 4], [5, 6]]));
    g.gate(MatMulGate, [x, W], { name: 'y' });
    const seed = Tensor.from([[1, 0], [0, 1]]);
    const feed = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    for (let pass = 0; pass < 2; pass++) {
      g.forward({ x: feed });
      g.backward({ seed });
      expect(grad(g, 'W')).toEqual([1, 4, 2, 5, 3, 6]); // xᵀ · seed
    }
    expect(g.node('x').grad).toBeUndefined();
  });

  test('accumulate adds to what is held; zeroGrad then accumulate starts from zero', () => {
    const g = graph();
    const w = g.parameter('w', Tensor.from([1, 2]));
    g.gate(MultiplyGate, [w, w], { name: 'sq' });
    const seed = Tensor.from([1, 1]);
    g.forward();
    g.backward({ seed });
    expect(grad(g, 'w')).toEqual([2, 4]);
    g.forward();
    g.backward({ seed, accumulate: true });
    expect(grad(g, 'w')).toEqual([4, 8]);
    g.zeroGrad();
    g.forward();
    g.backward({ seed, accumulate: true });
    expect(grad(g, 'w')).toEqual([2, 4]);
    g.forward();
    g.backward({ seed }); // without accumulate: replaced
    expect(grad(g, 'w')).toEqual([2, 4]);
  });

  test('a gate that throws after other nodes got their first contribution changes no gradient', () => {
    @injectable()
    class Flaky implements Gate {
      static fail = false;
      forward(...inputs: Tensor[]): Tensor {
        return inputs[0].clone();
      }
      backward(dout: Tensor): Tensor[] {
        if (Flaky.fail) throw new Error('flaky');
        return [dout.clone()];
      }
    }
    const g = graph();
    const w = g.parameter('w', Tensor.from(3));
    const f = g.gate(Flaky, [w], { name: 'f' });
    const sq = g.gate(MultiplyGate, [w, w], { name: 'sq' }); // w gets its first contribution here...
    g.gate(AddGate, [sq, f], { name: 'out' }); // ...before Flaky (which runs after sq in reverse order) throws
    g.forward();
    g.backward();
    expect(grad(g, 'w')).toEqual([7]);
    const before = g.node('w').grad;
    Flaky.fail = true;
    g.forward();
    expect(() => g.backward()).toThrow('flaky');
    expect(g.node('w').grad).toBe(before);
    expect(grad(g, 'w')).toEqual([7]);
    Flaky.fail = false;
    g.forward();
    g.backward({ accumulate: true });
    expect(grad(g, 'w')).toEqual([14]);
  });
});

describe('the gradient check, answered once per array of tensors', () => {
  /** Identity whose backward returns the same array each pass; `swap` puts another tensor in it. */
  @injectable()
  class SameArray implements Gate {
    static swap: Tensor | undefined;
    private readonly grads: Tensor[] = [];
    private out: Tensor | undefined;
    forward(...inputs: Tensor[]): Tensor {
      return (this.out = inputs[0].clone());
    }
    backward(dout: Tensor): Tensor[] {
      this.grads[0] = SameArray.swap ?? (this.grads[0] ? this.grads[0].copyFrom(dout) : dout.clone());
      return this.grads;
    }
  }

  test('a tensor of the wrong shape put into the same array later is still caught', () => {
    const g = graph();
    const x = g.parameter('x', Tensor.from(2));
    g.gate(SameArray, [x], { name: 's' });
    for (let i = 0; i < 2; i++) {
      g.forward();
      g.backward();
    }
    SameArray.swap = Tensor.zeros([3]);
    g.forward();
    expect(() => g.backward()).toThrow("node 's' (SameArray).backward: gradient 0 (for 'x') has shape [3], expected the input's shape []");
    SameArray.swap = undefined;
  });

  test('the same tensors against an input fed another shape are checked again', () => {
    const g = graph();
    const x = g.input('x');
    g.gate(SameArray, [x], { name: 's' });
    const seed1 = Tensor.from([1, 1]);
    g.forward({ x: [1, 2] });
    g.backward({ seed: seed1 });
    g.forward({ x: [1, 2] });
    g.backward({ seed: seed1 });
    // The very tensor that passed the check (shape [2]), now against an x of shape [3].
    SameArray.swap = (g.node('s').gate as unknown as { grads: Tensor[] }).grads[0];
    g.forward({ x: [1, 2, 3] });
    expect(() => g.backward({ seed: Tensor.from([1, 1, 1]) })).toThrow("gradient 0 (for 'x') has shape [2], expected the input's shape [3]");
    SameArray.swap = undefined;
  });
});
