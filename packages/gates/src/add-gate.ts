import { BinaryGate, GateDescription, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * z = x + y. Backward distributes: both inputs receive dout unchanged (∂z/∂x = ∂z/∂y = 1),
 * summed back over any axes an input was broadcast along (the bias of a layer gets Σ over the batch).
 */
@injectable()
export class AddGate extends BinaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: { pattern: 'add distributes', elementwise: true, expression: (c) => `${c.inputs[0]} + ${c.inputs[1]}`, local: () => ({ formula: '1' }) },
  };

  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] + y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      gx[i] = dout[i];
      gy[i] = dout[i];
    }
  }
}
