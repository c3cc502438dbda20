import { GateDescription, TypedArray, UnaryGate } from '@chainrule/core';
import { injectable } from 'inversify';

/** e^x. Backward: d(e^x)/dx = e^x, read from the cached output. */
@injectable()
export class ExpGate extends UnaryGate {
  /** How traces and health reports describe it (core's GateDescription). */
  static readonly description: GateDescription = {
    trace: {
      pattern: 'exp: the local gradient is its own output',
      elementwise: true,
      expression: (c) => `exp(${c.inputs[0]})`,
      local: (_j, c) => ({ formula: `exp(${c.inputs[0]})` }),
    },
  };

  protected compute(x: TypedArray, out: TypedArray): void {
    for (let i = 0; i < out.length; i++) out[i] = Math.exp(x[i]);
  }

  protected differentiate(x: TypedArray, out: TypedArray, dout: TypedArray, dx: TypedArray): void {
    for (let i = 0; i < dx.length; i++) dx[i] = out[i] * dout[i];
  }
}
