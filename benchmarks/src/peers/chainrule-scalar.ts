import { ComputationalGraph, GraphNode, Tensor } from '@chainrule/core';
import { AddGate, createGatesContainer, MultiplyGate, SubtractGate, TanhGate } from '@chainrule/gates';
import { Container } from 'inversify';
import { scalarMlpLoss, ScalarOps } from './types';

/** W2 in chainrule: one graph node per scalar op, scalar tensors (shape []) throughout. */
export function chainruleScalarGraph(container: Container, params: readonly Tensor[], xs: readonly Tensor[], ys: readonly Tensor[], sizes: readonly number[]): ComputationalGraph {
  const g = new ComputationalGraph(container);
  const p = params.map((t, i) => g.parameter(`p${i}`, t));
  const x = xs.map((t, i) => g.constant(`x${i}`, t));
  const y = ys.map((t, i) => g.constant(`y${i}`, t));
  let n = 0;
  const ops: ScalarOps<GraphNode> = {
    add: (a, b) => g.gate(AddGate, [a, b], { name: `n${n++}` }),
    mul: (a, b) => g.gate(MultiplyGate, [a, b], { name: `n${n++}` }),
    sub: (a, b) => g.gate(SubtractGate, [a, b], { name: `n${n++}` }),
    tanh: (a) => g.gate(TanhGate, [a], { name: `n${n++}` }),
  };
  g.setOutput(scalarMlpLoss(ops, p, x, y, sizes));
  return g;
}

export function scalarContainer(): Container {
  return createGatesContainer();
}
