import { injectable } from 'inversify';
import { bindGate, ComputationalGraph, Gate, GateContext, Tensor } from '../src';
import { TestAdd } from './test-gates';

/** Records every context the graph prepares it with; forward passes x through, scaled by 0 in evaluation (a dropout caricature). */
@injectable()
class Recorder implements Gate {
  static seen: GateContext[] = [];
  private training = true;
  prepare(ctx: GateContext): void {
    Recorder.seen.push({ needsInputGrad: [...ctx.needsInputGrad], training: ctx.training });
    this.training = ctx.training;
  }
  forward(x: Tensor): Tensor {
    return Tensor.from(this.training ? x.item() : 0);
  }
  backward(dout: Tensor): Tensor[] {
    return [Tensor.from(this.training ? dout.item() : 0), Tensor.from(0)];
  }
}

describe('the prepare hook', () => {
  beforeEach(() => (Recorder.seen = []));

  function build(): ComputationalGraph {
    const g = new ComputationalGraph();
    bindGate(g.container, Recorder);
    bindGate(g.container, TestAdd);
    const x = g.input('x');
    const label = g.input('label', { requiresGrad: false });
    g.gate(TestAdd, [g.gate(Recorder, [x, label]), x]);
    return g;
  }

  test('tells each gate which inputs need a gradient, once the order is settled', () => {
    const g = build();
    g.forward({ x: 2, label: 1 });
    expect(Recorder.seen).toEqual([{ needsInputGrad: [true, false], training: true }]);
  });

  test('eval() and train() switch the mode the gates see, and forward follows it', () => {
    const g = build();
    expect(g.training).toBe(true);
    expect(g.forward({ x: 2, label: 1 }).item()).toBe(4);
    g.eval();
    expect(g.training).toBe(false);
    expect(g.forward({ x: 2, label: 1 }).item()).toBe(2);
    expect(Recorder.seen.at(-1)).toEqual({ needsInputGrad: [true, false], training: false });
    g.train();
    expect(g.forward({ x: 2, label: 1 }).item()).toBe(4);
  });

  test('a mode switch invalidates the last forward, so backward cannot mix modes', () => {
    const g = build();
    g.forward({ x: 2, label: 1 });
    g.eval();
    expect(() => g.backward()).toThrow(/no successful forward/);
  });

  test('a mode set before the first forward reaches the gates when they are first prepared', () => {
    const g = build().eval();
    expect(g.forward({ x: 2, label: 1 }).item()).toBe(2);
    expect(Recorder.seen).toEqual([{ needsInputGrad: [true, false], training: false }]);
  });
});

describe('errors carry the node and gate as fields', () => {
  test('a gate that throws, one whose gradients break the contract, and a non-finite forward', () => {
    @injectable()
    class Wrong implements Gate {
      forward(x: Tensor): Tensor {
        return x;
      }
      backward(): Tensor[] {
        return [];
      }
    }
    const g = new ComputationalGraph(undefined, { finiteCheck: true });
    bindGate(g.container, Wrong);
    bindGate(g.container, TestAdd);
    const x = g.input('x');
    g.gate(Wrong, [g.gate(TestAdd, [x, x], { name: 'sum' })], { name: 'w' });
    g.forward({ x: 1 });
    const caught = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as { node?: string; gate?: string };
      }
      throw new Error('did not throw');
    };
    expect(caught(() => g.backward())).toMatchObject({ node: 'w', gate: 'Wrong' });
    expect(caught(() => g.forward({ x: Infinity })).gate).toBeUndefined(); // a bad feed arises at no gate
    const h = new ComputationalGraph(undefined, { finiteCheck: true });
    bindGate(h.container, TestAdd);
    const a = h.input('a');
    h.gate(TestAdd, [a, h.constant('big', 1e308)], { name: 'overflow' });
    expect(caught(() => h.forward({ a: 1e308 }))).toMatchObject({ node: 'overflow', gate: 'TestAdd' });
  });
});
