import { bindGate, CompositeGate, ComputationalGraph, createContainer, Gate, gateModule, GraphNode, Tensor } from '@chainrule/core';
import {
  AddConstantGate,
  AddGate,
  ExpGate,
  MaxGate,
  MultiplyGate,
  NegateGate,
  PowGate,
  ReciprocalGate,
  ReLUGate,
  SigmoidGate,
  TanhGate,
} from '@chainrule/gates';
import { Container, injectable } from 'inversify';

/** The gates these tests use, bound as @chainrule/gates binds them. */
export function container(): Container {
  const c = createContainer(
    gateModule({ AddConstantGate, AddGate, ExpGate, MaxGate, MultiplyGate, NegateGate, PowGate, ReciprocalGate, ReLUGate, SigmoidGate, TanhGate }),
  );
  bindGate(c, ComposedSigmoidGate);
  bindGate(c, SquareGate);
  bindGate(c, ScaledSquare);
  return c;
}

/** f = (x + y) · z at x = -2, y = 5, z = -4, forward and backward run. */
export function addMultiply(options: { finiteCheck?: boolean } = {}) {
  const g = new ComputationalGraph(container(), options);
  const x = g.input('x');
  const y = g.input('y');
  const z = g.input('z');
  const q = g.gate(AddGate, [x, y], { name: 'q' });
  const f = g.gate(MultiplyGate, [q, z], { name: 'f' });
  g.forward({ x: -2, y: 5, z: -4 });
  g.backward();
  return { g, x, y, z, q, f };
}

/** The lecture's 2-d neuron σ(w0·x0 + w1·x1 + w2) at w = [2, -3, -3], x = [-1, -2], from primitive gates. */
export function sigmoidNeuron() {
  const g = new ComputationalGraph(container());
  const w0 = g.parameter('w0', Tensor.from(2));
  const w1 = g.parameter('w1', Tensor.from(-3));
  const w2 = g.parameter('w2', Tensor.from(-3));
  const x0 = g.input('x0');
  const x1 = g.input('x1');
  const a0 = g.gate(MultiplyGate, [w0, x0], { name: 'a0' });
  const a1 = g.gate(MultiplyGate, [w1, x1], { name: 'a1' });
  const s = g.gate(AddGate, [a0, a1], { name: 's' });
  const z = g.gate(AddGate, [s, w2], { name: 'z' });
  const n = g.gate(NegateGate, [z], { name: 'n' });
  const e = g.gate(ExpGate, [n], { name: 'e' });
  const d = g.gate(AddConstantGate, [e], { name: 'd', options: { c: 1 } });
  const f = g.gate(ReciprocalGate, [d], { name: 'f' });
  g.forward({ x0: -1, x1: -2 });
  g.backward();
  return { g, w0, w1, w2, x0, x1, f };
}

/** The lectures' sigmoid gate as a subgraph: 1/(1 + exp(−x)). */
@injectable()
export class ComposedSigmoidGate extends CompositeGate {
  readonly arity = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    const e = g.gate(ExpGate, [g.gate(NegateGate, [x], { name: 'neg' })], { name: 'exp' });
    return g.gate(ReciprocalGate, [g.gate(AddConstantGate, [e], { name: 'plus1', options: { c: 1 } })], { name: 'recip' });
  }
}

/** s·x² with a parameter s = 1 inside a composite gate. */
@injectable()
export class ScaledSquare extends CompositeGate {
  readonly arity = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    return g.gate(MultiplyGate, [g.parameter('s', Tensor.from(1)), g.gate(MultiplyGate, [x, x], { name: 'xx' })], { name: 'sxx' });
  }
}

/** A custom gate the trace has no rule for: x². */
@injectable()
export class SquareGate implements Gate {
  private x: Tensor | undefined;
  forward(...inputs: Tensor[]): Tensor {
    this.x = inputs[0];
    return new Tensor(inputs[0].data.map((v) => v * v), inputs[0].shape);
  }
  backward(dout: Tensor): Tensor[] {
    const x = this.x as Tensor;
    return [new Tensor(x.data.map((v, i) => 2 * v * dout.data[i]), x.shape)];
  }
}
