/**
 * Writing your own gate: an @injectable() class that implements Gate, bound in the container.
 * Nothing else in chainrule changes for it to run in graphs, gradient checks and training.
 */
import 'reflect-metadata';
import { assertGradcheck, bindGate, ComputationalGraph, expectDout, expectInputs, Gate, Tensor } from '@chainrule/core';
import { AddGate, createGatesContainer } from '@chainrule/gates';
import { injectable } from 'inversify';

/** sin(x), elementwise. Keeps x for backward, since d sin(x)/dx = cos(x). */
@injectable()
export class SinGate implements Gate {
  private x: Tensor | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('SinGate', inputs, 1);
    const x = (this.x = inputs[0]);
    const out = (this.out = Tensor.reuse(this.out, x.shape, x.dtype));
    for (let i = 0; i < x.size; i++) out.data[i] = Math.sin(x.data[i]);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    expectDout('SinGate', this.x, dout, this.out?.shape);
    const x = this.x;
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    for (let i = 0; i < x.size; i++) dx.data[i] = Math.cos(x.data[i]) * dout.data[i];
    return [dx];
  }
}

export function runCustomGate(log: (line: string) => void = console.log) {
  const container = createGatesContainer();
  bindGate(container, SinGate); // now known as SinGate, by class and by name
  const g = new ComputationalGraph(container);
  const x = g.input('x');
  g.gate(AddGate, [g.gate('SinGate', [x], { name: 'sin' }), x], { name: 'f' });
  const f = g.forward({ x: Math.PI / 3 }).item();
  g.backward();
  const dfdx = x.grad!.item();
  const check = assertGradcheck(new SinGate(), [Tensor.from([[0.1, -2], [1.3, 3]])]);
  log('f(x) = sin(x) + x with a custom SinGate, at x = π/3');
  log(`f = ${f.toFixed(4)}, df/dx = cos(x) + 1 = ${dfdx.toFixed(4)}`);
  log(`gradcheck of SinGate: max error ${check.maxError.toExponential(2)} over ${check.checked} elements`);
  return { f, dfdx, gradcheckError: check.maxError };
}

if (require.main === module) runCustomGate();
