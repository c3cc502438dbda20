/**
 * A composite gate: the lectures group exp, +1 and 1/x into one sigmoid gate. Here the group is a
 * subgraph wrapped as one gate (CompositeGate), bound in the container like any gate, and checked
 * against SigmoidGate and against finite differences.
 */
import 'reflect-metadata';
import { assertGradcheck, bindGate, CompositeGate, ComputationalGraph, GraphNode, Random, Tensor } from '@chainrule/core';
import { AddConstantGate, createGatesContainer, ExpGate, NegateGate, ReciprocalGate, SigmoidGate } from '@chainrule/gates';
import { injectable } from 'inversify';

@injectable()
export class ComposedSigmoidGate extends CompositeGate {
  readonly arity = 1;
  protected build(g: ComputationalGraph, [x]: GraphNode[]): GraphNode {
    const e = g.gate(ExpGate, [g.gate(NegateGate, [x], { name: '-x' })], { name: 'exp' });
    return g.gate(ReciprocalGate, [g.gate(AddConstantGate, [e], { name: '+1', options: { c: 1 } })], { name: '1/x' });
  }
}

export function runCompositeSigmoid(log: (line: string) => void = console.log) {
  const container = createGatesContainer();
  bindGate(container, ComposedSigmoidGate);
  const x = new Random(1).randn([2, 3]);
  const build = (gate: typeof SigmoidGate | typeof ComposedSigmoidGate) => {
    const g = new ComputationalGraph(container);
    g.gate(gate, [g.input('x')], { name: 'sigma' });
    const out = g.forward({ x }).clone();
    g.backward({ seed: Tensor.ones([2, 3]) });
    return { out, grad: g.node('x').grad!.clone() };
  };
  const a = build(ComposedSigmoidGate);
  const b = build(SigmoidGate);
  let maxDiff = 0;
  for (let i = 0; i < a.out.size; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a.out.data[i] - b.out.data[i]), Math.abs(a.grad.data[i] - b.grad.data[i]));
  }
  const check = assertGradcheck(new ComposedSigmoidGate(), [x]);
  log('ComposedSigmoidGate = 1/x ∘ (+1) ∘ exp ∘ (−x), a subgraph used as one gate');
  log(`largest difference from SigmoidGate over a [2, 3] input, values and gradients: ${maxDiff.toExponential(2)}`);
  log(`gradcheck against central differences: max error ${check.maxError.toExponential(2)} over ${check.checked} elements`);
  return { maxDiff, gradcheckError: check.maxError };
}

if (require.main === module) runCompositeSigmoid();
