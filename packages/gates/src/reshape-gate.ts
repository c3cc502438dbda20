import { formatShape, GATE_OPTIONS, InvalidArgumentError, readOptions, ShapeError, Tensor, GateDescription, productOf } from '@chainrule/core';
import { inject, injectable, optional } from 'inversify';
import { ReshapingGate } from './reshaping-gate';

export interface ReshapeOptions {
  /** The output shape; one entry may be −1, inferred from the input's size. Required. */
  shape?: number[];
}

/**
 * z = x with another shape (same elements, same row-major order), as numpy's `reshape`; one
 * dimension may be −1. Backward reshapes dout back to the input's shape. Values are copied (see
 * ReshapingGate), so the output does not alias the input.
 */
@injectable()
export class ReshapeGate extends ReshapingGate {
  static readonly description: GateDescription<ReshapeGate> = {
    shape: ([x], g) => {
      if (g.shape === undefined) throw new InvalidArgumentError('no target shape (give it the option { shape: [...] })');
      const size = productOf(x);
      return size === null ? g.shape.map((d) => (d === -1 ? null : d)) : resolveShape('ReshapeGate', x as number[], size, g.shape);
    },
  };
  shape: number[] | undefined;

  constructor(@inject(GATE_OPTIONS) @optional() options: ReshapeOptions = {}) {
    super();
    const shape = readOptions<ReshapeOptions>('ReshapeGate', options, { shape: 'integer[]' }).shape;
    if (shape !== undefined) {
      if (shape.some((d) => d < -1) || shape.filter((d) => d === -1).length > 1) {
        throw new InvalidArgumentError(`ReshapeGate: option 'shape' ${formatShape(shape)} may hold non-negative sizes and at most one −1`);
      }
    }
    this.shape = shape;
  }

  protected outputShape(x: Tensor): number[] {
    if (this.shape === undefined) {
      throw new InvalidArgumentError("ReshapeGate.forward: no target shape (give it the option { shape: [...] })");
    }
    return resolveShape('ReshapeGate', x.shape, x.size, this.shape);
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
