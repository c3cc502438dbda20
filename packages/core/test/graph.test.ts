import 'reflect-metadata';
import { ComputationalGraph, Tensor } from '@chainrule/core';
import { AddGate, createGatesContainer, MultiplyGate } from '@chainrule/gates';

test('(x + y) * z', () => {
  const g = new ComputationalGraph(createGatesContainer());
  const x = g.input('x');
  const y = g.input('y');
  const z = g.input('z');
  const q = g.gate(AddGate, [x, y], { name: 'q' });
  const f = g.gate(MultiplyGate, [q, z], { name: 'f' });
  expect(g.forward({ x: -2, y: 5, z: -4 }).item()).toBe(-12);
  g.backward();
  expect([x, y, z, q, f].map((n) => n.grad!.item())).toEqual([-4, -4, 3, -4, 1]);
});
