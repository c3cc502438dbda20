// strictGates and finiteCheck apply at every depth of composite gates: a user-written composite
// nested two levels expands into the owning graph, so a gate two levels down is checked like any
// other, and finiteCheck covers the parameters' summed gradients. Every failure commits nothing.
import 'reflect-metadata';
import { ChainruleError, CompositeGate, ComputationalGraph, createContainer, Gate, GradientContractError, GraphNode, NonFiniteError, Tensor } from '@chainrule/core';
import { AddGate, MultiplyGate, SumGate } from '@chainrule/gates';
import { injectable } from 'inversify';

/** Identity forward; backward as told by `mode`: honest, mutating its dout, or returning NaN. */
@injectable()
class Rogue implements Gate {
  static mode: 'honest' | 'mutate' | 'nan' | 'nanForward' = 'honest';
  private readonly out = [Tensor.zeros([0])];
  forward(...inputs: Tensor[]): Tensor {
    const y = inputs[0].clone();
    if (Rogue.mode === 'nanForward') y.data[0] = NaN;
    return y;
  }
  backward(dout: Tensor): Tensor[] {
    this.out[0] = dout.clone();
    if (Rogue.mode === 'mutate') dout.data[0] *= 2;
    if (Rogue.mode === 'nan') this.out[0].data[0] = NaN;
    return this.out;
  }
}

/** Level 2: x ⊙ W through the rogue, plus x ⊙ W again (W fans out to two consumers). */
class Inner extends CompositeGate {
  readonly arity = 1;
  static w = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    const W = g.parameter('W', Tensor.from([Inner.w, Inner.w]));
    const a = g.gate(Rogue, [g.gate(MultiplyGate, [x, W], { name: 'xW' })], { name: 'rogue' });
    return g.gate(AddGate, [a, g.gate(MultiplyGate, [x, W], { name: 'xW2' })], { name: 'sum' });
  }
}

/** Level 1: Inner, then a sum. */
class Outer extends CompositeGate {
  readonly arity = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    return g.gate(SumGate, [g.gate(Inner, [x], { name: 'inner' })], { name: 'total' });
  }
}

function graphOf(options: { finiteCheck?: boolean; strictGates?: boolean }) {
  const g = new ComputationalGraph(createContainer(), options);
  g.input('x', { requiresGrad: false });
  g.gate(Outer, ['x'], { name: 'outer' });
  return g;
}

/** Runs a good step (so there are gradients to keep), then `bad`; returns the error and checks every gradient is as the good step left it. */
function refusedAfterGoodStep(g: ComputationalGraph, good: number[], bad: () => void): ChainruleError {
  Rogue.mode = 'honest';
  g.forward({ x: good });
  g.backward();
  const before = g.nodes.map((n) => (n.grad ? Array.from(n.grad.data, String) : undefined));
  let caught: unknown;
  try {
    bad();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ChainruleError);
  expect(g.nodes.map((n) => (n.grad ? Array.from(n.grad.data, String) : undefined))).toEqual(before);
  return caught as ChainruleError;
}

afterEach(() => {
  Rogue.mode = 'honest';
  Inner.w = 1;
});

describe('a composite nested two levels is checked like top-level gates', () => {
  test('its nodes are the graph’s, named by both levels', () => {
    const g = graphOf({});
    expect(g.parameters().map((p) => p.name)).toEqual(['outer/inner/W']);
    expect(g.node('outer/inner/rogue').group?.name).toBe('outer/inner');
  });

  const deepFailures: [string, { finiteCheck?: boolean; strictGates?: boolean }, typeof Rogue.mode, typeof ChainruleError, string][] = [
    ['strictGates: a gate two levels down that mutates its dout', { strictGates: true }, 'mutate', GradientContractError,
      "node 'outer/inner/rogue' (Rogue).backward: changed its upstream gradient dout at element 0"],
    ['finiteCheck, backward: a NaN gradient from a gate two levels down', { finiteCheck: true }, 'nan', NonFiniteError,
      "node 'outer/inner/rogue' (Rogue).backward: produced NaN or Infinity in the gradient for 'outer/inner/xW'"],
  ];
  for (const [what, options, mode, cls, message] of deepFailures) {
    test(`${what} is named; nothing committed`, () => {
      const g = graphOf(options);
      const e = refusedAfterGoodStep(g, [1, 2], () => {
        Rogue.mode = mode;
        g.forward({ x: [3, 4] });
        g.backward();
      });
      expect(e).toBeInstanceOf(cls);
      expect(e.message).toMatch(message);
      expect(e.node).toBe('outer/inner/rogue');
    });
  }

  test('without strictGates the same mutation goes unnoticed (the check is what catches it)', () => {
    const lax = graphOf({});
    Rogue.mode = 'mutate';
    lax.forward({ x: [3, 4] });
    expect(() => lax.backward()).not.toThrow();
  });

  test('finiteCheck, forward: NaN made two levels down is named at its gate', () => {
    const g = graphOf({ finiteCheck: true });
    Rogue.mode = 'nanForward';
    expect(() => g.forward({ x: [1, 2] })).toThrow(NonFiniteError);
    expect(() => g.forward({ x: [1, 2] })).toThrow("node 'outer/inner/rogue' (Rogue): forward produced NaN or Infinity (the first gate to do so)");
  });

  test("finiteCheck covers the composite's own parameter: finite gradients whose sum overflows are refused", () => {
    Inner.w = 1e-300; // forward stays small; each consumer sends W the finite gradient x = 1e308
    const g = graphOf({ finiteCheck: true });
    const e = refusedAfterGoodStep(g, [1, 2], () => {
      g.forward({ x: [1e308, 1] });
      g.backward();
    });
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e.message).toBe(
      "backward: the gradient of parameter 'outer/inner/W' is Infinity at index 0 (the sum of finite gradients from its consumers overflowed); no gradient was committed",
    );
    expect(e.node).toBe('outer/inner/W');
    // without finiteCheck the overflow is committed (the optimizers refuse it at their step)
    const lax = graphOf({});
    lax.forward({ x: [1e308, 1] });
    lax.backward();
    expect(lax.node('outer/inner/W').grad?.data[0]).toBe(Infinity);
  });

  test('finiteCheck with accumulate: a held gradient plus a finite new one that overflows is refused', () => {
    Inner.w = 1e-300;
    const g = graphOf({ finiteCheck: true });
    const e = refusedAfterGoodStep(g, [1e308 / 2, 1], () => {
      g.forward({ x: [1e308 / 2, 1] });
      g.backward({ accumulate: true });
    });
    expect(e.message).toMatch("the gradient of parameter 'outer/inner/W' is Infinity at index 0 (the sum of finite gradients from its consumers and the accumulated gradient overflowed)");
  });
});
