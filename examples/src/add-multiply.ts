/**
 * The first graph of the backprop lectures: f(x, y, z) = (x + y) · z at x = −2, y = 5, z = −4.
 * q = x + y = 3, f = q·z = −12; backward from df/df = 1: df/dz = q = 3, df/dq = z = −4,
 * and the add gate distributes: df/dx = df/dy = −4.
 */
import 'reflect-metadata';
import { ComputationalGraph, GraphNode } from '@chainrule/core';
import { AddGate, createGatesContainer, MultiplyGate } from '@chainrule/gates';

export interface AddMultiplyResult {
  graph: ComputationalGraph;
  values: Record<string, number>;
  grads: Record<string, number>;
}

export function buildAddMultiply(): ComputationalGraph {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  const y = g.input('y');
  const z = g.input('z');
  const q = g.gate(AddGate, [x, y], { name: 'q' });
  g.gate(MultiplyGate, [q, z], { name: 'f' });
  return g;
}

export function runAddMultiply(log: (line: string) => void = console.log): AddMultiplyResult {
  const graph = buildAddMultiply();
  graph.forward({ x: -2, y: 5, z: -4 });
  graph.backward();
  const names = ['x', 'y', 'z', 'q', 'f'];
  const read = (f: (n: GraphNode) => number) => Object.fromEntries(names.map((n) => [n, f(graph.node(n))]));
  const values = read((n) => n.value!.item());
  const grads = read((n) => n.grad!.item());
  log('f(x, y, z) = (x + y) * z   at x = -2, y = 5, z = -4');
  log('forward:   ' + names.map((n) => `${n} = ${values[n]}`).join(', '));
  log('backward:  ' + names.map((n) => `df/d${n} = ${grads[n]}`).join(', '));
  log('           the add gate distributes (df/dx = df/dy = df/dq), the multiply gate switches (df/dq = z, df/dz = q)');
  return { graph, values, grads };
}

if (require.main === module) runAddMultiply();
