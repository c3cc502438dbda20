// The snippet under "The smallest surface" in the design brief, exactly as written.
import 'reflect-metadata';
import { Tensor } from '@chainrule/core';
import { MultiplyGate } from '@chainrule/gates';

test('the smallest surface of the design brief runs as written', () => {
  const t = Tensor.from([[1, 2], [3, 4]]); // shape [2, 2]; Tensor.from(3) has shape []
  expect(t.shape).toEqual([2, 2]);
  expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
  expect(Tensor.from(3).shape).toEqual([]);
  expect(Tensor.from(5).item()).toBe(5);
  const mul = new MultiplyGate(); // a gate with no configuration needs no container
  const z = mul.forward(Tensor.from(-2), Tensor.from(5));
  expect(z.item()).toBe(-10);
  const [dx, dy] = mul.backward(Tensor.from(1)); // dx = 5, dy = -2
  expect(dx.item()).toBe(5);
  expect(dy.item()).toBe(-2);
});
