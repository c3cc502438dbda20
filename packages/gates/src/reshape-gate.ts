import { expectDout, expectInputs, formatShape, Gate, GATE_OPTIONS, InvalidArgumentError, readOptions, ShapeError, Tensor } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';

export interface ReshapeOptions {
  /** The output shape; one entry may be −1, inferred from the input's size. Required. */
  shape?: number[];
}

/**
 * z = x with another shape (same elements, same row-major order), as numpy's `reshape`; one
 * dimension may be −1. Backward reshapes dout back to the input's shape. Values are copied into a
 * reused buffer, so the output does not alias the input.
 */
@injectable()
export class ReshapeGate implements Gate {
  shape: number[] | undefined;
  private input: Tensor | undefined;
  private output: Tensor | undefined;
  private dx: Tensor | undefined;
  private readonly grads: Tensor[] = [];

  constructor(@inject(GATE_OPTIONS) @optional() options: ReshapeOptions = {}) {
    const shape = readOptions<ReshapeOptions>('ReshapeGate', options, { shape: 'integer[]' }).shape;
    if (shape !== undefined) {
      if (shape.some((d) => d < -1) || shape.filter((d) => d === -1).length > 1) {
        throw new InvalidArgumentError(`ReshapeGate: option 'shape' ${formatShape(shape)} may hold non-negative sizes and at most one −1`);
      }
    }
    this.shape = shape;
  }

  forward(...inputs: Tensor[]): Tensor {
    expectInputs('ReshapeGate', inputs, 1);
    const x = inputs[0];
    if (this.shape === undefined) {
      throw new InvalidArgumentError("ReshapeGate.forward: no target shape (give it the option { shape: [...] })");
    }
    const outShape = resolveShape('ReshapeGate', x.shape, x.size, this.shape);
    const out = (this.output = Tensor.reuse(this.output, outShape, x.dtype));
    this.input = x;
    out.data.set(x.data);
    return out;
  }

  backward(dout: Tensor): Tensor[] {
    const x = this.input;
    expectDout('ReshapeGate', x, dout, this.output?.shape);
    const dx = (this.dx = Tensor.reuse(this.dx, x.shape, x.dtype));
    dx.data.set(dout.data);
    this.grads[0] = dx;
    return this.grads;
  }
}

/** The target shape with its −1 resolved; ShapeError (naming the gate and both shapes) when the sizes differ. */
function resolveShape(gate: string, from: readonly number[], size: number, target: readonly number[]): number[] {
  const out = target.slice();
  const inferred = out.indexOf(-1);
  let known = 1;
  for (let i = 0; i < out.length; i++) if (i !== inferred) known *= out[i];
  if (inferred >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${gate}.forward: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)}`);
    }
    out[inferred] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`${gate}.forward: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)} (${known} elements)`);
  }
  return out;
}
