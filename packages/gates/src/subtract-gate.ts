import { BinaryGate, GateDescription, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/** z = x − y. Backward: x receives dout, y receives −dout. */
@injectable()
export class SubtractGate extends BinaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'subtract distributes, negated to the second input',
      elementwise: true,
      expression: (c) => `${c.inputs[0]} − ${c.inputs[1]}`,
      local: (j) => ({ formula: j === 0 ? '1' : '-1' }),
    },
  };

  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] - y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      gx[i] = dout[i];
      gy[i] = -dout[i];
    }
  }
}
