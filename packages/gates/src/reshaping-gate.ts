import { expectDout, expectInputs, Gate, Tensor, describeGateBase } from '@chainrule/core';
import { injectable } from 'inversify';
import { gradBuffer } from './grad-buffer';

/**
 * A gate whose output holds the input's values in the same row-major order under another shape
 * (ReshapeGate, FlattenGate): forward copies x into a reused buffer of `outputShape(x)`, so the
 * output does not alias the input, and backward copies dout back into the input's shape.
 */
@injectable()
export abstract class ReshapingGate implements Gate {
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  /** The output shape for input x; throws a ShapeError naming the gate when there is none. */
  protected abstract outputShape(x: Tensor): number[];

  forward(...inputs: Tensor[]): Tensor {
    expectInputs(this.constructor.name, inputs, 1);
    const x = inputs[0];
    const out = (this.output = Tensor.reuse(this.output, this.outputShape(x), x.dtype));
    this.input = x;
    out.data.set(x.data);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout(this.constructor.name, x, dout, this.output?.shape);
    const dx = gradBuffer(this.grads, 0, x);
    dx.data.set(dout.data);
    return this.grads;
  }
}

describeGateBase(ReshapingGate, { arity: 1 });
