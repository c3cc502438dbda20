import { BinaryGate, GateDescription, TypedArray } from '@chainrule/core';
import { injectable } from 'inversify';

/**
 * z = x · y (elementwise). Backward switches: x receives y · dout and y receives x · dout,
 * which is why forward keeps both inputs.
 */
@injectable()
export class MultiplyGate extends BinaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: { pattern: 'multiply switches', elementwise: true, expression: (c) => `${c.inputs[0]} · ${c.inputs[1]}`, local: (j, c) => ({ formula: c.inputs[1 - j] }) },
  };

  protected compute(x: TypedArray, y: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = x[i] * y[i];
  }

  protected differentiate(x: TypedArray, y: TypedArray, out: TypedArray, dout: TypedArray, gx: TypedArray, gy: TypedArray): void {
    for (let i = 0; i < dout.length; i++) {
      gx[i] = y[i] * dout[i];
      gy[i] = x[i] * dout[i];
    }
  }
}
