import 'reflect-metadata';
import { bindGate, ComputationalGraph, gradcheck, Tensor, TypedArray, UnaryGate } from '@chainrule/core';
import { AddGate, createGatesContainer, MultiplyGate } from '@chainrule/gates';
import { injectable } from 'inversify';

// 1. A gate on its own: forward caches x and y, backward "switches" them.
const mul = new MultiplyGate();
const product = mul.forward(Tensor.from(-2), Tensor.from(5)).item(); // -10
const [dx, dy] = mul.backward(Tensor.from(1)); // dx = 5, dy = -2

// 2. A graph, f = (x + y) * z: gates are resolved from the container once, when a node is added.
const g = new ComputationalGraph(createGatesContainer());
const [x, y, z] = ['x', 'y', 'z'].map((name) => g.input(name));
g.gate(MultiplyGate, [g.gate(AddGate, [x, y], { name: 'q' }), z], { name: 'f' });
const f = g.forward({ x: -2, y: 5, z: -4 }).item(); // -12
g.backward(); // seeds df/df = 1; gradients add where a value fans out
const grads = [x, y, z].map((node) => node.grad!.item()); // [-4, -4, 3]

// 3. A custom gate: an @injectable() Gate (here UnaryGate's two loops), registered, then checked.
@injectable()
class SinGate extends UnaryGate {
  protected compute(x: TypedArray, out: TypedArray) {
    for (let i = 0; i < x.length; i++) out[i] = Math.sin(x[i]);
  }
  protected differentiate(x: TypedArray, _out: TypedArray, dout: TypedArray, dx: TypedArray) {
    for (let i = 0; i < x.length; i++) dx[i] = Math.cos(x[i]) * dout[i];
  }
}
bindGate(g.container, SinGate); // registered: g.gate('SinGate', [...]) works and saved files name it
const check = gradcheck(new SinGate(), [Tensor.from([0.5, 2])]); // check.maxError < 1e-7

export const tour = { product, dx: dx.item(), dy: dy.item(), f, grads, gradcheckError: check.maxError };
